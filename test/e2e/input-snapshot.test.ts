// Send only what was checked and confirmed: a --from-file run sends the content it validated and
// showed, even when the file is rewritten in place, appended to, or replaced while the run goes.
// And input that can be read only once (process substitution) works like stdin.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { BIN, cliEnv, runInTerminal, type RunResult } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
const COUNT = 6000;
// 40 characters a line: the file spans several of the blocks the sending pass checks.
const original = (i: number) => `confirmed-${String(i).padStart(29, '0')}`;
const intruder = (i: number) => `unchecked-${String(i).padStart(29, '0')}`;
const lines = (name: (i: number) => string, from = 0, to = COUNT) => Array.from({ length: to - from }, (_, k) => `${name(from + k)}\n`).join('');

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
beforeEach(() => {
  sandbox.setOptions({ latencyMs: 0 });
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

const tempDir = () => mkdtempSync(join(tmpdir(), 'pp-input-snapshot-'));
const sentIds = () => sandbox.requests.filter((q) => q.route === 'bulk_delete').flatMap((q) => (q.body as { distinct_ids: string[] }).distinct_ids);

/** Runs a delete of `dir/ids.txt`, slowed down, and calls `meddle` once the first batch is on its way. */
async function runWhileChanging(dir: string, meddle: (path: string) => void): Promise<RunResult> {
  sandbox.setOptions({ latencyMs: 300 });
  let finished: RunResult | undefined;
  const running = runInProcess(['delete', '--from-file', 'ids.txt', '--yes', '--batch-size', '500', '--concurrency', '1'], { sandbox, cwd: dir });
  void running.then((r) => (finished = r));
  while (!sandbox.requests.some((q) => q.route === 'bulk_delete')) {
    if (finished) throw new Error(`the run ended before sending a batch: ${finished.stderr}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  meddle(join(dir, 'ids.txt'));
  sandbox.setOptions({ latencyMs: 0 });
  return running;
}

function expectOnlyConfirmed(sent: string[]): void {
  const confirmed = new Set(Array.from({ length: COUNT }, (_, i) => original(i)));
  expect(sent.filter((id) => !confirmed.has(id))).toEqual([]);
  expect(new Set(sent).size).toBe(sent.length);
}

function journalEnds(dir: string): string {
  const entries = readFileSync(join(dir, 'ids.txt.delete.journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; outcome?: string });
  return `${entries.at(-1)!.type}:${entries.at(-1)!.outcome}`;
}

describe('the file changes while the run goes', () => {
  it('rewritten in place (same length, same inode): stops at the first changed block; nothing unchecked is sent', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), lines(original));
    const r = await runWhileChanging(dir, (path) => writeFileSync(path, lines(intruder)));
    expectOnlyConfirmed(sentIds());
    expect(sentIds().length).toBeLessThan(COUNT);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: ids\.txt changed after it was checked \(its bytes [\d,]+ to [\d,]+ differ\); nothing from the changed part was sent\n/);
    expect(r.stderr).toContain('\nPut the file back as it was checked and rerun the same command with --resume');
    expect(journalEnds(dir)).toBe('end:failed');
  });

  it('appended to: the confirmed rows before the end are sent, nothing appended is, and the run says so', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), lines(original));
    const r = await runWhileChanging(dir, (path) => appendFileSync(path, lines(intruder, 0, 2000)));
    expectOnlyConfirmed(sentIds());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ids.txt changed after it was checked (it is longer than the ${(COUNT * 40).toLocaleString('en-US')} bytes checked); nothing from the changed part was sent\n`);
    expect(journalEnds(dir)).toBe('end:failed');
  });

  it('replaced by another file of the same length (renamed over it): the confirmed content is sent, all of it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), lines(original));
    const r = await runWhileChanging(dir, (path) => {
      writeFileSync(`${path}.new`, lines(intruder));
      renameSync(`${path}.new`, path);
    });
    expectOnlyConfirmed(sentIds());
    expect(sentIds().length).toBe(COUNT);
    expect(r.code).toBe(0);
    expect(journalEnds(dir)).toBe('end:completed');
  });

  it('rewritten between the check and the send (at the prompt): nothing at all is sent', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), lines(original, 0, 10));
    // The prompt is on the screen: rewrite the file, then confirm.
    const rewriteAtPrompt = {
      test(screen: string): boolean {
        if (!screen.includes('Type 10 to delete')) return false;
        writeFileSync(join(dir, 'ids.txt'), lines(intruder, 0, 10));
        return true;
      },
    } as unknown as RegExp;
    const t = await runInTerminal(['delete', '--from-file', 'ids.txt'], [{ expect: rewriteAtPrompt, send: '10\r' }], { sandbox, cwd: dir });
    expect(sentIds()).toEqual([]);
    expect(t.code).toBe(1);
    expect(t.screen).toContain('error: ids.txt changed after it was checked (its bytes 0 to 400 differ); nothing from the changed part was sent\n');
  });
});

/** Runs the CLI from bash, so the arguments can use process substitution. */
function runBash(script: string, cwd: string): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', ['-c', script], { env: { ...cliEnv({ sandbox }), BIN, NODE: process.execPath }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

describe('process substitution (a path that can be read once)', () => {
  it('delete --from-file <(…) works as its dry run promised; its journal goes to the current folder', async () => {
    const dir = tempDir();
    const dry = await runBash(`"$NODE" "$BIN" delete --from-file <(printf 'a\\nb\\na\\n') --dry-run`, dir);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain('  3 rows: 2 unique identifiers, 0 blank, 1 duplicate\n');
    const r = await runBash(`"$NODE" "$BIN" delete --from-file <(printf 'a\\nb\\na\\n') --yes`, dir);
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    expect(sentIds()).toEqual(['a', 'b']);
    expect(r.stderr).toMatch(new RegExp(`Journal: ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/posthog-persons-delete-\\d{8}-\\d{6}-\\d{3}-\\d+\\.journal\\.jsonl\\n`));
  });

  it('set-prop --from-file <(…) too', async () => {
    const dir = tempDir();
    const r = await runBash(`"$NODE" "$BIN" set-prop --from-file <(printf 'distinct_id,plan\\na,x\\n') --yes`, dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Done (set-prop, by distinct_id):');
  });
});
