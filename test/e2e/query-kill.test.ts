// A query-selected delete killed mid-run (SIGKILL, a real process): --resume works on the snapshot
// in the journal (no list request), skips what was recorded done, and never touches a person who
// started matching the query after the snapshot.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { useBulkSandbox } from '../helpers/bulk-sandbox.js';
import { BIN, cliEnv, run } from '../helpers/cli.js';
import { journalEntries as entries, waitForBatches } from '../helpers/journal-watch.js';

let sandbox: Sandbox;
const PERSONS = 1000;
const { uuidOf } = useBulkSandbox(PERSONS, 'qkill', '193', (started) => (sandbox = started));

it('SIGKILL after two batches, then --resume: the snapshot is used, nothing recorded done is sent again, a late match is untouched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pp-query-kill-'));
  const journal = join(dir, 'q.jsonl');
  const args = ['delete', '--search', 'qkill-', '--yes', '--journal', 'q.jsonl', '--batch-size', '100', '--concurrency', '2'];
  sandbox.setOptions({ latencyMs: 60 });
  const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv({ sandbox }), cwd: dir, stdio: ['ignore', 'ignore', 'ignore'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  await waitForBatches(journal, 2);
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');

  const afterKill = entries(journal);
  const snapshot = afterKill.filter((e) => e.type === 'selection').flatMap((e) => e.uuids as string[]);
  expect(new Set(snapshot)).toEqual(new Set(Array.from({ length: PERSONS }, (_, i) => uuidOf(i))));
  const recordedDone = afterKill.filter((e) => e.type === 'batch' && e.status === 'done').flatMap((e) => e.ids as string[]);
  expect(recordedDone.length).toBeGreaterThanOrEqual(200);

  // Matches the query now, but was not in the snapshot.
  sandbox.store.addPerson({ uuid: '01930000-0000-7000-8000-999999999999', distinctIds: ['qkill-late'] });
  sandbox.setOptions({ latencyMs: 0 });
  sandbox.clearRequests();
  const resumed = await run([...args, '--resume'], { sandbox, cwd: dir });
  expect(resumed.code).toBe(0);
  expect(resumed.stderr).toContain('Resuming with the snapshot of 1,000 persons kept in the journal; the query is not run again.');
  // No listing: each batch of the snapshot is looked up (by UUID), then deleted.
  expect(sandbox.requests.every((q) => q.route === 'bulk_delete' || q.route === 'batch_by_uuids')).toBe(true);
  const sent = sandbox.requests.filter((q) => q.route === 'bulk_delete').flatMap((q) => (q.body as { ids: string[] }).ids);
  for (const id of recordedDone) expect(sent).not.toContain(id);
  expect(Array.from({ length: PERSONS }, (_, i) => uuidOf(i)).filter((u) => sandbox.store.person(u))).toEqual([]);
  expect(sandbox.store.person('01930000-0000-7000-8000-999999999999')).toBeDefined();
  sandbox.store.removePerson('01930000-0000-7000-8000-999999999999');
}, 30_000);
