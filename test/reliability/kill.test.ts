// Randomised kill trials (test/e2e/delete-kill.test.ts has the fixed ones): a bulk
// `delete --from-file` of 1,000 identifiers in batches of 50 is SIGKILLed at random moments,
// three times per trial, resumed each time with --resume, and finally run to the end. Whatever the
// moments, no identifier recorded done in the journal is ever sent again, and every person is
// gone at the end. The moments come from a fixed seed, so a failing trial can be replayed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { BIN, cliEnv, run } from '../helpers/cli.js';
import { type Kill, BATCH, CONCURRENCY, describeKills, IDS, KILL_SEED, KILL_TRIALS, KILLS_PER_TRIAL, LATENCY_MS, plan } from './kill-plan.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function journalEntries(path: string): Array<Record<string, unknown>> {
  if (!existsSync(path)) return [];
  // A kill can leave half a line at the end; the CLI repairs it on --resume, the test skips it.
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

const doneIds = (path: string) =>
  new Set(journalEntries(path).flatMap((e) => (e.type === 'batch' && e.status === 'done' ? (e.ids as string[]) : [])));
const batchLines = (path: string) => journalEntries(path).filter((e) => e.type === 'batch').length;

async function waitFor(condition: () => boolean, exited: () => boolean): Promise<void> {
  while (!condition() && !exited()) await sleep(3);
}

interface KillRecord {
  /** index in the request log when the process was dead */
  logMark: number;
  /** identifiers the journal recorded done at that moment */
  done: Set<string>;
  /** whether the kill landed mid-run (some but not all identifiers done, no footer) */
  midRun: boolean;
}

async function trial(index: number, kills: readonly Kill[]): Promise<{ sandbox: Sandbox; records: KillRecord[]; ids: string[]; final: Awaited<ReturnType<typeof run>> }> {
  const sandbox = await startSandbox({ persons: 0, writeLagMs: 0, latencyMs: LATENCY_MS });
  const ids = Array.from({ length: IDS }, (_, i) => `t${index}-${String(i).padStart(4, '0')}`);
  for (const id of ids) sandbox.store.addPerson({ distinctIds: [id] });
  const dir = mkdtempSync(join(tmpdir(), 'pp-kill-'));
  writeFileSync(join(dir, 'ids.txt'), ids.join('\n') + '\n');
  const journal = join(dir, 'ids.txt.delete.journal.jsonl');
  const base = ['delete', '--from-file', 'ids.txt', '--yes', '--batch-size', String(BATCH), '--concurrency', String(CONCURRENCY)];
  // A kill before the journal's first line leaves nothing to resume: start afresh then.
  const args = () => (existsSync(journal) ? [...base, '--resume'] : base);
  sandbox.clearRequests();

  const records: KillRecord[] = [];
  for (const kill of kills) {
    const child = spawn(process.execPath, [BIN, ...args()], { env: cliEnv({ sandbox }), cwd: dir, stdio: 'ignore' });
    let exited = false;
    const exit = new Promise<void>((resolve) => child.on('close', () => ((exited = true), resolve())));
    await waitFor(() => batchLines(journal) >= kill.afterBatches, () => exited);
    await sleep(kill.extraMs);
    child.kill('SIGKILL');
    await exit;
    const done = doneIds(journal);
    const finished = journalEntries(journal).some((e) => e.type === 'end');
    records.push({ logMark: sandbox.requests.length, done, midRun: done.size > 0 && done.size < IDS && !finished });
  }
  const final = await run(args(), { sandbox, cwd: dir });
  await sandbox.close();
  return { sandbox, records, ids, final };
}

describe('bulk delete SIGKILLed at random moments, resumed with --resume', () => {
  const trials = plan();
  const midRunKills: boolean[] = [];

  describe.concurrent(`${KILL_TRIALS} trials, seed ${KILL_SEED.toString(16)}`, () => {
    trials.forEach((kills, index) => {
      it(`trial ${index + 1}: killed ${describeKills(kills)}`, async () => {
        const { sandbox, records, ids, final } = await trial(index, kills);
        expect(final.code).toBe(0);
        // (the summary of a resumed run covers every run of the journal)
        expect(final.stderr).toMatch(/\nDone across \d runs \(by distinct_id\):\n/);

        const bulk = sandbox.requests.map((q, at) => ({ at, q })).filter(({ q }) => q.route === 'bulk_delete');
        // Nothing recorded done is ever sent again after the kill that found it recorded.
        for (const record of records) {
          const resent = bulk.filter(({ at }) => at >= record.logMark).flatMap(({ q }) => (q.body as { distinct_ids: string[] }).distinct_ids);
          expect(resent.filter((id) => record.done.has(id))).toEqual([]);
        }
        // Every identifier reached the server in an accepted request, and every person is gone.
        const accepted = new Set(bulk.filter(({ q }) => q.status === 202).flatMap(({ q }) => (q.body as { distinct_ids: string[] }).distinct_ids));
        expect(ids.filter((id) => !accepted.has(id))).toEqual([]);
        expect(sandbox.store.count()).toBe(0);
        // Identifiers sent twice are only those a kill caught in flight: at most a full set of
        // concurrent batches per kill.
        const sends = new Map<string, number>();
        for (const { q } of bulk) for (const id of (q.body as { distinct_ids: string[] }).distinct_ids) sends.set(id, (sends.get(id) ?? 0) + 1);
        const twice = [...sends.values()].filter((n) => n > 1).length;
        expect(twice).toBeLessThanOrEqual(KILLS_PER_TRIAL * CONCURRENCY * BATCH);
        midRunKills.push(...records.map((r) => r.midRun));
      }, 30_000);
    });
  });

  it('the kills really landed mid-run (the trials test something)', () => {
    // Most kills must find a run half done; a machine too slow to start the CLI may miss a few.
    expect(midRunKills.length).toBe(KILL_TRIALS * KILLS_PER_TRIAL);
    expect(midRunKills.filter(Boolean).length).toBeGreaterThanOrEqual(KILL_TRIALS);
  });
});
