// A bulk run stopped from outside or left without readers: SIGTERM (a cancelled CI job) and
// SIGHUP (a closed terminal) are handled like Ctrl-C: the batches in flight finish, the journal
// gets its footer, the --resume hint is printed, exit 143 / 129, and --resume then finishes
// without sending anything twice. A reader of stderr or stdout that goes away does not change
// the run's outcome or its exit code. Real spawned processes against a slow sandbox.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { useBulkSandbox } from '../helpers/bulk-sandbox.js';
import { BIN, cliEnv, run } from '../helpers/cli.js';
import { journalEntries as entries, waitForBatches } from '../helpers/journal-watch.js';

let sandbox: Sandbox;
const PERSONS = 600;
const { did, uuidOf } = useBulkSandbox(PERSONS, 'sig', '196', (started) => (sandbox = started));

const tempDir = () => mkdtempSync(join(tmpdir(), 'pp-signals-'));
const ARGS = ['delete', '--from-file', 'ids.txt', '--yes', '--batch-size', '50', '--concurrency', '2'];

function setUp(): { dir: string; journal: string } {
  const dir = tempDir();
  writeFileSync(join(dir, 'ids.txt'), Array.from({ length: PERSONS }, (_, i) => did(i)).join('\n') + '\n');
  return { dir, journal: join(dir, 'ids.txt.delete.journal.jsonl') };
}

interface Spawned {
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function spawnCli(args: string[], cwd: string): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv({ sandbox }), cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, exit };
}

function sentCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const q of sandbox.requests) {
    if (q.route !== 'bulk_delete' || q.status !== 202) continue;
    for (const id of (q.body as { distinct_ids: string[] }).distinct_ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe.each([
  ['SIGTERM', 143, 'Terminated (SIGTERM)'],
  ['SIGHUP', 129, 'Hung up (SIGHUP)'],
] as const)('%s during a bulk delete', (signal, code, said) => {
  it(`finishes the batches in flight, writes the footer, prints the --resume hint, exits ${code}; --resume finishes, nothing sent twice`, async () => {
    const { dir, journal } = setUp();
    sandbox.setOptions({ latencyMs: 150 });
    const first = spawnCli(ARGS, dir);
    await waitForBatches(journal, 1);
    first.child.kill(signal);
    const r = await first.exit;
    expect(r.signal).toBeNull();
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(new RegExp(`\\n${said.replace(/[()]/g, '\\$&')}: finishing the (request|2 requests) in flight \\(at most 5 s\\)… A second signal stops at once\\.\\n`));
    expect(r.stderr).toContain('Interrupted (by distinct_id):\n');
    expect(r.stderr).toContain(`error: ${said}: `);
    expect(r.stderr).toContain(`To finish, rerun the same command with --resume (journal: ${journal}).`);

    const lines = entries(journal);
    expect(lines.at(-1)).toMatchObject({ type: 'end', outcome: 'interrupted' });
    const batches = lines.filter((e) => e.type === 'batch');
    // every request the server answered is in the journal: nothing in flight was lost
    expect(batches.length).toBe(sandbox.requests.filter((q) => q.route === 'bulk_delete').length);
    const footer = lines.at(-1)!.summary;
    expect(footer.deleted + footer.not_sent).toBe(PERSONS);
    expect(footer.not_sent).toBeGreaterThan(0);

    sandbox.setOptions({ latencyMs: 0 });
    const resumed = await run([...ARGS, '--resume'], { sandbox, cwd: dir });
    expect(resumed.code).toBe(0);
    const counts = sentCounts();
    expect(counts.size).toBe(PERSONS);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(Array.from({ length: PERSONS }, (_, i) => i).filter((i) => sandbox.store.person(uuidOf(i)))).toEqual([]);
  });
});

describe('a command with nothing to save', () => {
  it('SIGTERM during `list --all`: stops at once, says so, exit 143', async () => {
    sandbox.setOptions({ latencyMs: 300 });
    const r = spawnCli(['list', '--all', '--page-size', '10'], tempDir());
    await new Promise<void>((resolve) => r.child.stdout!.once('data', () => resolve()));
    r.child.kill('SIGTERM');
    const { code, signal, stderr } = await r.exit;
    expect(signal).toBeNull();
    expect(code).toBe(143);
    expect(stderr).toBe('Terminated (SIGTERM).\n');
  });
});

describe('readers that go away', () => {
  it("stderr's reader closes mid-run: the run finishes, writes its footer and exits 0", async () => {
    const { dir, journal } = setUp();
    sandbox.setOptions({ latencyMs: 40 });
    // a 503 mid-run makes the CLI write a retry notice to stderr after its reader is gone
    sandbox.script({ method: 'POST', path: '/persons/bulk_delete/', kind: 'status', status: 503, headers: { 'Retry-After': '1' } });
    const child = spawn(process.execPath, [BIN, ...ARGS], { env: cliEnv({ sandbox }), cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.once('data', () => child.stderr!.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(0);
    const lines = entries(journal);
    expect(lines.at(-1)).toMatchObject({ type: 'end', outcome: 'completed' });
    expect(lines.at(-1)!.summary).toMatchObject({ deleted: PERSONS, failed: 0 });
    expect(sandbox.store.count()).toBe(0);
  });

  it("stdout's reader closes during a failed run (-o json): the exit code is still 7", async () => {
    const { dir, journal } = setUp();
    sandbox.script({ method: 'POST', path: '/persons/bulk_delete/', kind: 'status', status: 500 });
    const child = spawn(process.execPath, [BIN, '--retries', '0', ...ARGS, '--concurrency', '1', '-o', 'json'], { env: cliEnv({ sandbox }), cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.destroy();
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(7);
    expect(stderr).toContain('error: 1 of 12 batches failed;');
    expect(entries(journal).at(-1)).toMatchObject({ type: 'end', outcome: 'partial' });
  });

  it('`list --all | head`: stdout closing early is still a success (exit 0)', async () => {
    const child = spawn(process.execPath, [BIN, 'list', '--all', '--page-size', '10'], { env: cliEnv({ sandbox }), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.once('data', () => child.stdout!.destroy());
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
