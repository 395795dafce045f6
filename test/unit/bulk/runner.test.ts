// The batch engine on its own, with a fake `execute`: batching and skipping, the concurrency
// bound, failures, fatal errors, Ctrl-C (finish in flight, or abandon after the grace period),
// and the rule that a batch is journaled only after its answer.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuthError, ApiError } from '../../../src/errors.js';
import { systemClock, type Clock, type Factory } from '../../../src/factory.js';
import type { InputRow } from '../../../src/bulk/input/read-input.js';
import { Journal } from '../../../src/bulk/journal/journal.js';
import { manualClock } from '../../helpers/manual-clock.js';
import { cutBatches, DEFAULT_ABANDON_MS, runBatches, type Batch, type BatchReport, type RunBatchesOptions } from '../../../src/bulk/engine/runner.js';

function fakeFactory(clock: Clock = systemClock) {
  let handler: (() => void) | undefined;
  const errors: string[] = [];
  const factory = {
    io: { err: (line: string) => errors.push(line) },
    now: () => new Date('2025-01-02T03:04:05Z'),
    clock,
    onInterrupt(h: () => void) {
      handler = h;
      return () => (handler = undefined);
    },
  } as unknown as Factory;
  return { factory, errors, interrupt: () => handler?.(), registered: () => handler !== undefined };
}

const rows = (n: number): InputRow[] => Array.from({ length: n }, (_, i) => ({ id: `id-${i}`, line: i + 1 }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Lets every pending promise callback and I/O callback run once. */
const turn = () => new Promise((r) => setImmediate(r));
const done = (batch: Batch): BatchReport[] => [{ ids: batch.ids, status: 'done', http_status: 202 }];

function options(overrides: Partial<RunBatchesOptions> & Pick<RunBatchesOptions, 'factory'>): RunBatchesOptions {
  return { rows: rows(10), batchSize: 3, concurrency: 2, runId: 'run-1', by: 'distinct_id', execute: async (b) => done(b), onReport: () => undefined, ...overrides };
}

describe('cutBatches', () => {
  it('cuts unique rows into batches of the size, leaving out (and counting) identifiers already done', async () => {
    let skipped = 0;
    const batches: Batch[] = [];
    for await (const b of cutBatches(rows(8), 3, new Set(['id-1', 'id-5']), (n) => (skipped += n))) batches.push(b);
    expect(batches.map((b) => [b.index, b.ids])).toEqual([
      [1, ['id-0', 'id-2', 'id-3']],
      [2, ['id-4', 'id-6', 'id-7']],
    ]);
    expect(skipped).toBe(2);
  });
});

describe('runBatches', () => {
  it('keeps at most `concurrency` batches in flight and reports every identifier once', async () => {
    const { factory, registered } = fakeFactory();
    let inFlight = 0;
    let peak = 0;
    const seen: string[] = [];
    const result = await runBatches(
      options({
        factory,
        rows: rows(40),
        concurrency: 3,
        execute: async (b) => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await sleep(5);
          inFlight--;
          return done(b);
        },
        onReport: (r) => seen.push(...r.ids),
      }),
    );
    expect(peak).toBe(3);
    expect(result).toMatchObject({ outcome: 'completed', batches: { started: 14, done: 14, failed: 0, abandoned: 0 }, reported: 40, skipped: 0 });
    expect(seen.sort()).toEqual(rows(40).map((r) => r.id).sort());
    expect(registered()).toBe(false); // the Ctrl-C handler is gone once the run is over
  });

  it('a batch that throws is reported failed with the status, and the run goes on: outcome partial', async () => {
    const { factory } = fakeFactory();
    const reports: BatchReport[] = [];
    const result = await runBatches(
      options({
        factory,
        execute: async (b) => {
          if (b.index === 2) throw new ApiError('PostHog answered 500: A server error occurred.', { status: 500 });
          return done(b);
        },
        onReport: (r) => reports.push(r),
      }),
    );
    expect(result.outcome).toBe('partial');
    expect(result.batches).toMatchObject({ done: 3, failed: 1 });
    const failed = reports.find((r) => r.status === 'failed');
    expect(failed).toMatchObject({ ids: ['id-3', 'id-4', 'id-5'], status: 'failed', http_status: 500, error: 'PostHog answered 500: A server error occurred.' });
    // the error itself travels with the report (not into the journal): it decides the exit code when nothing succeeded
    expect(failed?.cause).toBeInstanceOf(ApiError);
    expect(result.firstFailure).toBe(failed?.cause);
  });

  it('a bad key is fatal: no new batch starts, outcome failed, the error is handed back', async () => {
    const { factory } = fakeFactory();
    const started: number[] = [];
    const error = new AuthError('PostHog rejected the API key (401): invalid', undefined, 401);
    const result = await runBatches(
      options({
        factory,
        concurrency: 1,
        execute: async (b) => {
          started.push(b.index);
          if (b.index === 2) throw error;
          return done(b);
        },
      }),
    );
    expect(started).toEqual([1, 2]);
    expect(result).toMatchObject({ outcome: 'failed', fatal: error, batches: { done: 1, failed: 1 } });
  });

  it('stops after the given number of failed batches in a row', async () => {
    const { factory } = fakeFactory();
    const result = await runBatches(
      options({ factory, rows: rows(30), batchSize: 1, concurrency: 1, maxConsecutiveFailures: 4, execute: async () => { throw new ApiError('PostHog answered 502', { status: 502 }); } }),
    );
    expect(result).toMatchObject({ outcome: 'failed', stopReason: '4 batches in a row failed', batches: { started: 4, failed: 4 } });
  });

  it('Ctrl-C: no new batch starts, the ones in flight finish and are reported, outcome interrupted', async () => {
    const { factory, errors, interrupt } = fakeFactory();
    const reported: number[] = [];
    const result = await runBatches(
      options({
        factory,
        rows: rows(30),
        concurrency: 2,
        execute: async (b) => {
          if (b.index === 2) setTimeout(interrupt, 1);
          await sleep(20);
          return done(b);
        },
        onReport: (r) => reported.push(r.ids.length),
      }),
    );
    expect(result).toMatchObject({ outcome: 'interrupted', batches: { started: 2, done: 2, abandoned: 0 }, reported: 6 });
    expect(reported).toEqual([3, 3]);
    expect(errors).toEqual(['Interrupted: finishing the 2 requests in flight (at most 5 s)… Ctrl-C again to stop at once.']);
  });

  it('Ctrl-C with a batch that does not answer: abandoned after the grace period, never reported or journaled', async () => {
    // The grace is a sleep on the factory's clock: a manual clock shows which sleep the run asks
    // for (the 5 s grace) and that it gives up exactly when that time has passed, not before.
    const manual = manualClock();
    const sleeps: number[] = [];
    const clock: Clock = { now: manual.now, sleep: (ms, signal) => (sleeps.push(ms), manual.sleep(ms, signal)) };
    const { factory, interrupt } = fakeFactory(clock);
    const dir = mkdtempSync(join(tmpdir(), 'pp-runner-'));
    const journal = await Journal.open(join(dir, 'j.jsonl'));
    const reported: string[][] = [];
    let release: () => void = () => undefined;
    let settled = false;
    const running = runBatches(
      options({
        factory,
        journal,
        concurrency: 1,
        execute: async (b) => {
          if (b.index === 1) return done(b);
          queueMicrotask(interrupt);
          await new Promise<void>((r) => (release = r)); // the server never answers in time
          return done(b);
        },
        onReport: (r) => reported.push(r.ids),
      }),
    ).finally(() => (settled = true));
    while (manual.pending() === 0) await turn();
    expect(sleeps).toEqual([DEFAULT_ABANDON_MS]);
    manual.advance(DEFAULT_ABANDON_MS - 1);
    await turn();
    expect(settled).toBe(false);
    manual.advance(1);
    const result = await running;
    expect(result).toMatchObject({ outcome: 'interrupted', batches: { started: 2, done: 1 } });
    expect(reported).toEqual([['id-0', 'id-1', 'id-2']]);
    release(); // the late answer arrives after the run gave up on it
    await turn();
    expect(result.batches.abandoned).toBe(1);
    await journal.close();
    const lines = readFileSync(join(dir, 'j.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.batch, l.status, l.ids.length])).toEqual([[1, 'done', 3]]);
  });

  it('journals each batch with the run id, time, identifiers and answer, only after the answer', async () => {
    const { factory } = fakeFactory();
    const dir = mkdtempSync(join(tmpdir(), 'pp-runner-'));
    const path = join(dir, 'j.jsonl');
    const journal = await Journal.open(path);
    const linesWhenSent: number[] = [];
    await runBatches(
      options({
        factory,
        journal,
        rows: rows(4),
        batchSize: 2,
        concurrency: 1,
        execute: async (b) => {
          linesWhenSent.push(readFileSync(path, 'utf8').split('\n').filter(Boolean).length);
          return [{ ids: b.ids, status: 'done', http_status: 202, response: { persons_found: b.ids.length } }];
        },
      }),
    );
    await journal.close();
    expect(linesWhenSent).toEqual([0, 1]);
    // Each line ends with `prev`, the hash of the line before it (the journal's hash chain).
    const first = '{"type":"batch","run_id":"run-1","time":"2025-01-02T03:04:05.000Z","batch":1,"ids":["id-0","id-1"],"by":"distinct_id","status":"done","http_status":202,"response":{"persons_found":2},"prev":null}';
    expect(readFileSync(path, 'utf8')).toBe(
      `${first}\n` +
        `{"type":"batch","run_id":"run-1","time":"2025-01-02T03:04:05.000Z","batch":2,"ids":["id-2","id-3"],"by":"distinct_id","status":"done","http_status":202,"response":{"persons_found":2},"prev":"${createHash('sha256').update(first).digest('hex')}"}\n`,
    );
  });

  it('a journal that cannot be written stops the run: nothing more is sent', async () => {
    const { factory } = fakeFactory();
    const dir = mkdtempSync(join(tmpdir(), 'pp-runner-'));
    const journal = await Journal.open(join(dir, 'j.jsonl'));
    await journal.close(); // every write now fails
    const started: number[] = [];
    const result = await runBatches(options({ factory, journal, concurrency: 1, execute: async (b) => (started.push(b.index), done(b)) }));
    expect(started).toEqual([1]);
    expect(result.outcome).toBe('failed');
    expect(String(result.fatal)).toContain('closed');
  });
});
