// One run per journal: a run holds `<journal>.lock` (created exclusively, holding pid, host and
// start time) for its whole life. A second run, or a --resume, on the same journal while the first
// goes is refused (exit 2) naming who holds it, so no identifier is sent twice. A lock left by a
// process that is gone (same host, pid not alive) is taken over with a note. Real processes where
// two runs race or a signal stops one; the refused and taken-over locks run in-process.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { useBulkSandbox } from '../helpers/bulk-sandbox.js';
import { BIN, cliEnv, run } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { waitForBatches } from '../helpers/journal-watch.js';

let sandbox: Sandbox;
const PERSONS = 400;
const { did, uuidOf } = useBulkSandbox(PERSONS, 'lock', '198', (started) => (sandbox = started));

const ARGS = ['delete', '--from-file', 'ids.txt', '--yes', '--batch-size', '20', '--concurrency', '1'];
function setUp(): { dir: string; journal: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pp-lock-'));
  writeFileSync(join(dir, 'ids.txt'), Array.from({ length: PERSONS }, (_, i) => did(i)).join('\n') + '\n');
  return { dir, journal: join(dir, 'ids.txt.delete.journal.jsonl') };
}

function sentCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const q of sandbox.requests) {
    if (q.route !== 'bulk_delete') continue;
    for (const id of (q.body as { distinct_ids: string[] }).distinct_ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('one run per journal', () => {
  it('a second run and a --resume while the first holds the journal are refused; each identifier is sent once', async () => {
    const { dir, journal } = setUp();
    // slow enough that the first run still holds the journal while two more processes start, on a busy machine too
    sandbox.setOptions({ latencyMs: 300 });
    const first = spawn(process.execPath, [BIN, ...ARGS], { env: cliEnv({ sandbox }), cwd: dir, stdio: 'ignore' });
    const firstExit = new Promise<number | null>((resolve) => first.on('close', (code) => resolve(code)));
    await waitForBatches(journal, 1);
    // Hold the first run's next request until the other two have been refused (they answer in
    // milliseconds in-process), so a slow machine cannot let the first run finish before them.
    sandbox.setOptions({ latencyMs: 3_000 });

    const second = await runInProcess(ARGS, { sandbox, cwd: dir });
    const resumed = await runInProcess([...ARGS, '--resume'], { sandbox, cwd: dir });
    sandbox.setOptions({ latencyMs: 0 });
    expect(await firstExit).toBe(0);

    for (const refused of [second, resumed]) {
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`error: the journal ${journal} is in use by another run (pid ${first.pid} on ${hostname()}, started `);
      expect(refused.stderr).toContain(`If no such run is going, remove ${journal}.lock and try again.`);
    }
    const counts = sentCounts();
    expect(counts.size).toBe(PERSONS);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // the journal holds one run, the lock is gone
    const lines = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((e) => e.type === 'run').length).toBe(1);
    expect(existsSync(`${journal}.lock`)).toBe(false);
  });

  it('a lock left by a process that is gone (same host) is taken over with a note', async () => {
    const { dir, journal } = setUp();
    const pid = deadPid();
    writeFileSync(`${journal}.lock`, JSON.stringify({ pid, host: hostname(), started_at: '2026-01-01T00:00:00.000Z', command: 'delete' }));
    const r = await runInProcess(ARGS, { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Note: took over the lock ${journal}.lock of an earlier run that is gone (pid ${pid}, started 2026-01-01T00:00:00.000Z).\n`);
    expect(existsSync(`${journal}.lock`)).toBe(false);
  });

  it('a lock held on another host is refused, naming the host', async () => {
    const { dir, journal } = setUp();
    writeFileSync(`${journal}.lock`, JSON.stringify({ pid: 4242, host: 'ci-runner-7', started_at: '2026-01-01T00:00:00.000Z', command: 'delete' }));
    const r = await runInProcess(ARGS, { sandbox, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: the journal ${journal} is in use by another run (pid 4242 on ci-runner-7, started 2026-01-01T00:00:00.000Z)\n`);
    expect(sandbox.requests).toEqual([]);
    expect(existsSync(`${journal}.lock`)).toBe(true);
  });

  it('a dry run takes no lock; a run that fails and a run stopped by SIGTERM remove theirs', async () => {
    const { dir, journal } = setUp();
    // a dry run writes nothing: it works even while another run holds the journal
    writeFileSync(`${journal}.lock`, JSON.stringify({ pid: 4242, host: 'ci-runner-7', started_at: '2026-01-01T00:00:00.000Z', command: 'delete' }));
    const dry = await run(['delete', '--from-file', 'ids.txt', '--dry-run'], { sandbox, cwd: dir });
    expect(dry.code).toBe(0);
    expect(readFileSync(`${journal}.lock`, 'utf8')).toContain('ci-runner-7');
    rmSync(`${journal}.lock`);
    // ten failed batches in a row stop a run
    sandbox.script({ method: 'POST', path: '/persons/bulk_delete/', kind: 'status', status: 500, times: 10 });
    const failed = await run(['--retries', '0', ...ARGS, '--journal', 'failed.jsonl'], { sandbox, cwd: dir });
    expect(failed.code).toBe(1);
    expect(existsSync(join(dir, 'failed.jsonl'))).toBe(true);
    expect(existsSync(join(dir, 'failed.jsonl.lock'))).toBe(false);

    sandbox.setOptions({ latencyMs: 100 });
    const child = spawn(process.execPath, [BIN, ...ARGS], { env: cliEnv({ sandbox }), cwd: dir, stdio: 'ignore' });
    const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await waitForBatches(journal, 1);
    expect(existsSync(`${journal}.lock`)).toBe(true);
    child.kill('SIGTERM');
    expect(await exit).toBe(143);
    expect(existsSync(`${journal}.lock`)).toBe(false);
  });

  it('named multi-person deletes started in the same second keep separate default journals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-lock-named-'));
    const runs = await Promise.all([0, 2, 4].map((i) => run(['delete', did(i), did(i + 1), '--yes'], { sandbox, cwd: dir })));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    const journals = readdirSync(dir).filter((f) => f.endsWith('.journal.jsonl'));
    expect(journals.length).toBe(3);
    for (const name of journals) expect(name).toMatch(/^posthog-persons-delete-\d{8}-\d{6}-\d{3}-\d+\.journal\.jsonl$/);
  });
});
