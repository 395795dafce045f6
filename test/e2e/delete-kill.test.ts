// A bulk delete stopped from outside: SIGKILL mid-run loses nothing and --resume never re-sends an
// identifier recorded done; Ctrl-C (SIGINT) finishes the batches in flight, writes the footer and
// exits 130.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { Clock, Factory } from '../../src/factory.js';
import { memoryIO } from '../../src/io/streams.js';
import { runCli } from '../../src/main.js';
import { useBulkSandbox } from '../helpers/bulk-sandbox.js';
import { BIN, cliEnv, run } from '../helpers/cli.js';
import { manualClock } from '../helpers/manual-clock.js';
import { journalEntries as entries, waitForBatches } from '../helpers/journal-watch.js';

let sandbox: Sandbox;
const PERSONS = 1000;
const { did, uuidOf } = useBulkSandbox(PERSONS, 'kill', '192', (started) => (sandbox = started));

interface Spawned {
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function spawnCli(args: string[], cwd: string): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv({ sandbox }), cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exit };
}

function sentCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const q of sandbox.requests) {
    if (q.route !== 'bulk_delete') continue;
    for (const id of (q.body as { distinct_ids: string[] }).distinct_ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

const remaining = () => Array.from({ length: PERSONS }, (_, i) => i).filter((i) => sandbox.store.person(uuidOf(i)));

describe('delete --from-file stopped from outside', () => {
  it('SIGKILL after the second batch is journaled, then --resume: no identifier lost, none recorded done sent twice', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), Array.from({ length: PERSONS }, (_, i) => did(i)).join('\n'));
    const journal = join(dir, 'ids.txt.delete.journal.jsonl');
    sandbox.setOptions({ latencyMs: 60 });
    const args = ['delete', '--from-file', 'ids.txt', '--yes', '--batch-size', '100', '--concurrency', '2'];
    const first = spawnCli(args, dir);
    await waitForBatches(journal, 2);
    first.child.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');

    const afterKill = entries(journal);
    expect(afterKill.some((e) => e.type === 'end')).toBe(false);
    const recordedDone = afterKill.filter((e) => e.type === 'batch' && e.status === 'done').flatMap((e) => e.ids as string[]);
    expect(recordedDone.length).toBeGreaterThanOrEqual(200);
    expect(recordedDone.length).toBeLessThan(PERSONS);

    sandbox.setOptions({ latencyMs: 0 });
    const resumed = await run([...args, '--resume'], { sandbox, cwd: dir });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`\\n {2}skipped +${recordedDone.length}\\n`));

    const counts = sentCounts();
    for (const id of recordedDone) expect(counts.get(id)).toBe(1);
    for (let i = 0; i < PERSONS; i++) expect(counts.get(did(i)) ?? 0).toBeGreaterThanOrEqual(1);
    expect(remaining()).toEqual([]);
    const all = entries(journal);
    expect(all.filter((e) => e.type === 'run').length).toBe(2);
    expect(all.at(-1)).toMatchObject({ type: 'end', outcome: 'completed' });
  });

  it('Ctrl-C: the batches in flight finish and are journaled, the footer says interrupted, exit 130; --resume finishes', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), Array.from({ length: PERSONS }, (_, i) => did(i)).join('\n'));
    const journal = join(dir, 'ids.txt.delete.journal.jsonl');
    sandbox.setOptions({ latencyMs: 150 });
    const args = ['delete', '--from-file', 'ids.txt', '--yes', '--batch-size', '100', '--concurrency', '2'];
    const first = spawnCli(args, dir);
    await waitForBatches(journal, 1);
    first.child.kill('SIGINT');
    const { code, stderr } = await first.exit;
    expect(code).toBe(130);
    expect(stderr).toMatch(/\nInterrupted: finishing the (request|2 requests) in flight \(at most 5 s\)… Ctrl-C again to stop at once\.\n/);
    expect(stderr).toContain('Interrupted (by distinct_id):\n');
    expect(stderr).toMatch(/\n {2}not sent +\d+\n/);
    expect(stderr).toContain(`To finish, rerun the same command with --resume (journal: ${journal}).`);

    const lines = entries(journal);
    const batches = lines.filter((e) => e.type === 'batch');
    expect(lines.at(-1)).toMatchObject({ type: 'end', outcome: 'interrupted' });
    // Nothing in flight was abandoned: every request the server saw is in the journal.
    expect(batches.length).toBe(sandbox.requests.filter((q) => q.route === 'bulk_delete').length);
    expect(batches.every((b) => b.status === 'done')).toBe(true);
    const footer = lines.at(-1).summary;
    expect(footer.deleted + footer.not_sent).toBe(PERSONS);

    sandbox.setOptions({ latencyMs: 0 });
    const resumed = await run([...args, '--resume'], { sandbox, cwd: dir });
    expect(resumed.code).toBe(0);
    const counts = sentCounts();
    expect(counts.size).toBe(PERSONS);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(remaining()).toEqual([]);
  });
});

describe('Ctrl-C while a request hangs', () => {
  // In-process, on a manual clock: the grace is a sleep on the CLI's clock, so the test sees the
  // run ask for exactly 5 s, moves the clock, and checks the run ended without the answer (which
  // the sandbox holds back for 25 real seconds). The SIGINT → interrupt wiring of a real process is
  // covered by the test above.
  it('abandons it after the grace period, records it as not done, and exits 130 without waiting for it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), Array.from({ length: 100 }, (_, i) => did(i)).join('\n'));
    const journal = join(dir, 'ids.txt.delete.journal.jsonl');
    // The server takes 25 s to answer each bulk_delete: far past the 5 s grace.
    sandbox.script({ path: '/persons/bulk_delete/', kind: 'slow-headers', delayMs: 25_000, times: 1 });
    const manual = manualClock();
    const sleeps: number[] = [];
    const clock: Clock = { now: manual.now, sleep: (ms, signal) => (sleeps.push(ms), manual.sleep(ms, signal)) };
    const env = cliEnv({ sandbox });
    const io = memoryIO({ env });
    let factory: Factory | undefined;
    const running = runCli(['delete', '--from-file', join(dir, 'ids.txt'), '--yes'], {
      io, env, cwd: dir, clock, readStdin: async () => '', attach: (f) => ((factory = f), () => undefined),
    });
    const turn = () => new Promise((r) => setImmediate(r));
    while (!sandbox.requests.some((q) => q.route === 'bulk_delete')) await turn();
    expect(factory!.interrupt('SIGINT')).toBe(true);
    while (manual.pending() === 0) await turn();
    expect(sleeps).toEqual([5000]); // the grace, and no other wait (no retry, no backoff)
    manual.advance(5000);
    const code = await running;
    expect(code).toBe(130);
    expect(io.stderrText()).toContain('finishing the request in flight (at most 5 s)');
    // Not the 25 s answer, nor its retries: one request, and the run ended without its answer
    // (a batch is journaled done once its answer arrives; the sandbox holds it back 25 real s).
    expect(sandbox.requests.filter((q) => q.route === 'bulk_delete')).toHaveLength(1);
    expect(io.stderrText()).toMatch(/\n {2}not sent +100\n/);
    const lines = entries(journal);
    expect(lines.filter((e) => e.type === 'batch' && e.status === 'done')).toEqual([]);
    expect(lines.at(-1)).toMatchObject({ type: 'end', outcome: 'interrupted' });
  });
});

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'pp-delete-kill-'));
}
