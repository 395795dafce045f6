// The engine of every bulk run (delete, set-prop/unset-prop --from-file): cuts the unique input
// rows into batches, skips what the journal records as done, keeps N batches in flight through
// the one HttpClient (whose limiter paces them all), records each batch in the journal only once
// PostHog has answered, and stops cleanly on Ctrl-C.
//
// The invariant that makes a kill at any moment safe: an identifier is journaled "done" only after
// the server answered for it, so `--resume` never re-sends one recorded done, and anything not yet
// recorded is simply sent again (every write here is harmless to repeat).
import { AuthError, NotFoundError, RateLimitError, STOP_SIGNALS, type StopSignal } from '../../errors.js';
import { ProjectNotFoundError } from '../../api/persons.js';
import type { Factory } from '../../factory.js';
import type { IdLookup } from '../input/id-set.js';
import { rowGroups, type InputRow, type RowSource } from '../input/read-input.js';
import type { Journal } from '../journal/journal.js';

export interface Batch {
  /** 1-based, in the order batches are started within this run */
  index: number;
  ids: string[];
  rows: InputRow[];
}

/** What the journal records for (part of) a batch. */
export interface BatchReport {
  ids: string[];
  status: 'done' | 'failed';
  http_status?: number;
  response?: unknown;
  error?: string;
  /** the lookup made before the batch (journaled as `found` and `looked_up`): identifier → person UUID */
  found?: Record<string, string>;
  /** the error behind a failed report (not journaled): decides the exit code when nothing succeeded */
  cause?: unknown;
}

export interface BatchContext {
  /** true once the run is stopping (Ctrl-C): long batches should finish early and report what they did */
  stopping(): boolean;
  /** ends the run with this error once the batch has reported what it did (a batch of many requests) */
  abort(error: unknown): void;
}

export interface RunBatchesOptions {
  factory: Factory;
  rows: RowSource;
  /** identifiers recorded done by an earlier run: never sent again */
  skip?: IdLookup;
  batchSize: number;
  concurrency: number;
  runId: string;
  /** what the identifiers are, as recorded in the journal ("distinct_id", "uuid") */
  by: string;
  journal?: Journal;
  /** sends one batch; a throw means the whole batch failed (after the HTTP layer's retries) */
  execute(batch: Batch, context: BatchContext): Promise<BatchReport[]>;
  /** hears each report once it is journaled (summary counts, progress) */
  onReport(report: BatchReport): void;
  onSkip?(count: number): void;
  /** where a line for the user goes (default stderr; the progress bar passes its own) */
  notice?: (line: string) => void;
  /** how long Ctrl-C waits for batches in flight before abandoning them (default 5 s) */
  abandonAfterMs?: number;
  /** consecutive failed batches after which the run stops (default 10): the server is down or refusing */
  maxConsecutiveFailures?: number;
}

export type RunOutcome = 'completed' | 'partial' | 'interrupted' | 'failed';

export interface RunBatchesResult {
  outcome: RunOutcome;
  batches: { started: number; done: number; failed: number; abandoned: number };
  skipped: number;
  /** identifiers in batches the server answered for, or that failed */
  reported: number;
  /** identifiers the server answered for (reports with status done) */
  succeeded: number;
  /** the error of the first failed report, if any */
  firstFailure?: unknown;
  /** why the run stopped early, for the message */
  stopReason?: string;
  /** an error that ends the run whatever else happened (bad key, missing project, journal unwritable) */
  fatal?: unknown;
  /** what stopped an interrupted run: Ctrl-C, SIGTERM or SIGHUP */
  signal?: StopSignal;
}

export const DEFAULT_ABANDON_MS = 5_000;
export const DEFAULT_MAX_CONSECUTIVE_FAILURES = 10;

export async function runBatches(options: RunBatchesOptions): Promise<RunBatchesResult> {
  const concurrency = Math.max(1, options.concurrency);
  const counts = { started: 0, done: 0, failed: 0, abandoned: 0 };
  let skipped = 0;
  let reported = 0;
  let succeeded = 0;
  let firstFailure: unknown;
  let consecutiveFailures = 0;
  let stopReason: string | undefined;
  let fatal: unknown;
  let interrupted = false;
  let signal: StopSignal | undefined;
  /** set once the run has given up on what is still in flight: late answers are not recorded */
  let closed = false;

  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const stop = (reason: string) => {
    stopReason ??= reason;
    wake();
  };
  const abandonAfterMs = options.abandonAfterMs ?? DEFAULT_ABANDON_MS;
  const unregister = options.factory.onInterrupt((received = 'SIGINT') => {
    if (interrupted) return;
    interrupted = true;
    signal = received;
    const waiting = inFlight.size > 0 ? `finishing the ${inFlight.size === 1 ? 'request' : `${inFlight.size} requests`} in flight (at most ${Math.round(abandonAfterMs / 1000)} s)` : 'stopping';
    const again = received === 'SIGINT' ? 'Ctrl-C again to stop at once.' : 'A second signal stops at once.';
    (options.notice ?? options.factory.io.err)(`${STOP_SIGNALS[received].said}: ${waiting}… ${again}`);
    stop('interrupted');
  });
  const stopping = () => stopReason !== undefined;
  const abort = (error: unknown) => {
    fatal ??= error;
    stop('fatal');
  };

  const inFlight = new Set<Promise<void>>();
  const launch = (batch: Batch) => {
    counts.started++;
    const task = runOne(batch).finally(() => inFlight.delete(task));
    inFlight.add(task);
  };

  async function runOne(batch: Batch): Promise<void> {
    let reports: BatchReport[];
    try {
      reports = await options.execute(batch, { stopping, abort });
    } catch (error) {
      if (isFatal(error)) {
        fatal ??= error;
        stop('fatal');
      }
      reports = [{ ids: batch.ids, status: 'failed', ...describeError(error), cause: error }];
    }
    let failedHere = false;
    for (const report of reports) {
      if (report.ids.length === 0) continue;
      // Given up on (Ctrl-C grace period over): the footer may already be written; these stay unrecorded.
      if (closed) {
        counts.abandoned++;
        return;
      }
      try {
        await options.journal?.writeBatch({
          run_id: options.runId,
          time: options.factory.now().toISOString(),
          batch: batch.index,
          ids: report.ids,
          by: options.by,
          status: report.status,
          http_status: report.http_status,
          response: report.response,
          error: report.error,
          ...(report.found !== undefined ? { found: report.found, looked_up: true } : {}),
        });
      } catch (error) {
        // Without a record the run cannot promise anything about what follows: stop here.
        fatal ??= error;
        stop('fatal');
        return;
      }
      reported += report.ids.length;
      if (report.status === 'failed') {
        failedHere = true;
        firstFailure ??= report.cause ?? new Error(report.error ?? 'the batch failed');
      } else succeeded += report.ids.length;
      options.onReport(report);
    }
    if (failedHere) {
      counts.failed++;
      consecutiveFailures++;
      const max = options.maxConsecutiveFailures ?? DEFAULT_MAX_CONSECUTIVE_FAILURES;
      if (consecutiveFailures >= max) stop(`${max} batches in a row failed`);
    } else {
      counts.done++;
      consecutiveFailures = 0;
    }
  }

  try {
    for await (const batch of cutBatches(options.rows, options.batchSize, options.skip, (n) => {
      skipped += n;
      options.onSkip?.(n);
    })) {
      while (inFlight.size >= concurrency && !stopping()) await Promise.race([...inFlight, stopped]);
      if (stopping()) break;
      launch(batch);
    }
  } catch (error) {
    // The input failed while streaming (the file changed under us): finish what is in flight, then fail.
    fatal ??= error;
    stop('fatal');
  }

  // Let what is in flight finish; once the run is stopping, wait at most a few seconds for it.
  const graceOver = new AbortController();
  const giveUp = stopped.then(() => options.factory.clock.sleep(abandonAfterMs, graceOver.signal));
  await Promise.race([waitAll(inFlight), giveUp]);
  graceOver.abort();
  closed = true;
  unregister();

  const outcome: RunOutcome = interrupted
    ? 'interrupted'
    : fatal !== undefined || stopReason !== undefined
      ? 'failed'
      : counts.failed > 0
        ? 'partial'
        : 'completed';
  return { outcome, batches: counts, skipped, reported, succeeded, firstFailure, stopReason, fatal, signal };
}

/** Waits until the set is empty (tasks started while waiting included). */
async function waitAll(tasks: Set<Promise<void>>): Promise<void> {
  while (tasks.size > 0) await Promise.allSettled([...tasks]);
}

/** Unique rows to batches of at most `size`, leaving out identifiers already done. */
export async function* cutBatches(
  rows: RowSource,
  size: number,
  skip: IdLookup | undefined,
  onSkip: (count: number) => void,
): AsyncGenerator<Batch> {
  let current: InputRow[] = [];
  let index = 0;
  for await (const group of rowGroups(rows)) {
    for (const row of group) {
      if (skip?.has(row.id)) {
        onSkip(1);
        continue;
      }
      current.push(row);
      if (current.length >= size) {
        yield { index: ++index, ids: current.map((r) => r.id), rows: current };
        current = [];
      }
    }
  }
  if (current.length > 0) yield { index: ++index, ids: current.map((r) => r.id), rows: current };
}

/** Errors that would fail every batch alike: going on would only repeat them. */
export function isFatal(error: unknown): boolean {
  if (error instanceof AuthError) return true;
  // errors that say so themselves (a backup or journal that cannot be written)
  if ((error as { fatal?: unknown } | undefined)?.fatal === true) return true;
  return error instanceof ProjectNotFoundError;
}

export function describeError(error: unknown): { http_status?: number; error: string } {
  const status =
    (error as { status?: unknown }).status ?? (error instanceof NotFoundError ? 404 : error instanceof RateLimitError ? 429 : undefined);
  const message = error instanceof Error ? error.message : String(error);
  return { ...(typeof status === 'number' ? { http_status: status } : {}), error: message };
}
