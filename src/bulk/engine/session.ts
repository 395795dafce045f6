// One bulk run from the moment it is confirmed to its exit code: journal header, progress bar,
// the batches, the journal footer, the summary (stderr, and JSON on stdout with -o json), and the
// error that carries the exit code (7 partial failure; 130, 143 or 129 stopped by Ctrl-C, SIGTERM
// or SIGHUP; the fatal error; or, when no request succeeded at all, the code of the failure).
// Every bulk operation gets here through src/bulk/engine/run.ts; what differs is its `execute`,
// its tally and the way it formats the summary.
import { CliError, ExitCode, Interrupted, PartialFailure, STOP_SIGNALS } from '../../errors.js';
import type { Factory } from '../../factory.js';
import { plural } from '../../output/message-text.js';
import type { IdLookup } from '../input/id-set.js';
import { rowGroups, type InputDigest, type InputStats, type RowSource } from '../input/read-input.js';
import type { Journal } from '../journal/journal.js';
import { startProgress } from './progress.js';
import { replayJournal } from './whole-run.js';
import { openRunJournal, type JournalPlan, type JournalPlanOptions } from './run-journal.js';
import { runBatches, type Batch, type BatchContext, type BatchReport, type RunBatchesResult } from './runner.js';
import type { BulkSummary, RunContext } from './summary.js';

export interface SessionOptions<S extends BulkSummary = BulkSummary> {
  factory: Factory;
  rows: RowSource;
  /** unique identifiers of the input */
  requested: number;
  /** identifiers this run will send (requested minus those recorded done) */
  toSend: number;
  by: string;
  batchSize: number;
  concurrency: number;
  /** no plan: no journal (a single named person) */
  plan?: JournalPlan;
  journalOptions: JournalPlanOptions;
  input?: { path: string; format: string; column?: string; stats: InputStats; digest?: InputDigest };
  backupPath?: string;
  execute(batch: Batch, context: BatchContext): Promise<BatchReport[]>;
  tally: { add(report: BatchReport): void };
  summarize(run: RunContext): S;
  /** a resumed run: an empty tally of the operation, to sum every run of the journal into */
  wholeTally?: () => { add(report: BatchReport): void; summarize(run: RunContext): S };
  format(summary: S): string[];
  /** -o json / jsonl: the summary also goes to stdout */
  json: boolean;
  /** called once the batches are over, before the summary (closes the backup file) */
  cleanup?: () => Promise<void>;
  progressUnit: string;
  /** entries to journal after the run's header and before any batch (an email run's resolve entries, a query's snapshot) */
  beforeBatches?: (journal: Journal, runId: string) => Promise<void>;
  /** the limit-bound time of what `items` more items need (src/bulk/engine/progress.ts) */
  limitEtaMs?: (items: number) => number;
  /** given the run's summary once it is journaled, before the run's error (if any) is thrown */
  onSummary?: (summary: S) => void;
}

export interface SessionResult<S extends BulkSummary = BulkSummary> {
  summary: S;
  result: RunBatchesResult;
}

export async function runSession<S extends BulkSummary>(o: SessionOptions<S>): Promise<SessionResult<S>> {
  const { factory } = o;
  // Whatever happens to stdout's reader, this run ends with its journal footer and its own exit code.
  factory.keepExitCodeOnBrokenPipe();
  const opened = o.plan ? await openRunJournal(factory, o.plan, { ...o.journalOptions, input: o.input }) : undefined;
  if (opened && o.beforeBatches) {
    try {
      await o.beforeBatches(opened.journal, opened.runId);
    } catch (error) {
      await opened.journal.close().catch(() => undefined);
      throw error;
    }
  }
  // With a journal, a long wait for PostHog's hourly budget can be spent stopped: say so then.
  // (apiAnyProject: the one client of the run, also when --projects names no configured project)
  if (opened) (await factory.apiAnyProject()).http.resumable = true;
  const progress = await startProgress(factory, o.toSend, o.progressUnit, o.limitEtaMs);
  // Without a journal (one named person) a failure is reported as the error itself, not as exit 7.
  let firstError: unknown;
  const execute: SessionOptions<S>['execute'] = async (batch, context) => {
    try {
      return await o.execute(batch, context);
    } catch (error) {
      firstError ??= error;
      throw error;
    }
  };
  let result: RunBatchesResult;
  try {
    result = await runBatches({
      factory,
      rows: o.rows,
      skip: o.plan?.done,
      batchSize: o.batchSize,
      concurrency: o.concurrency,
      runId: opened?.runId ?? 'no-journal',
      by: o.by,
      journal: opened?.journal,
      execute,
      notice: (line) => progress.log(line),
      onReport(report) {
        o.tally.add(report);
        progress.advance(report.ids.length);
      },
    });
  } finally {
    progress.stop();
    await o.cleanup?.().catch(() => undefined);
  }

  // A run where no request succeeded is a failure of the run, not a partial one (exit 7 would
  // tell a CI job that some of the work was done).
  const nothingSucceeded = result.outcome !== 'interrupted' && result.outcome !== 'completed' && result.succeeded === 0 && result.firstFailure !== undefined;
  const run: RunContext = {
    outcome: nothingSucceeded ? 'failed' : result.outcome,
    requested: o.requested,
    skipped: result.skipped,
    batches: { done: result.batches.done, failed: result.batches.failed },
    input: o.input ? { path: o.input.path, ...o.input.stats } : undefined,
    journal: opened?.journal.path,
    backup: o.backupPath,
  };
  const summary = opened && o.plan?.resume && o.wholeTally ? await wholeSummary(o, run, opened.journal.path) : o.summarize(run);
  if (opened) {
    try {
      await opened.journal.writeFooter({ run_id: opened.runId, finished_at: factory.now().toISOString(), outcome: run.outcome, summary });
    } finally {
      await opened.journal.close().catch(() => undefined);
    }
  }
  if (!factory.globals().quiet) for (const line of o.format(summary)) factory.io.err(line);
  if (o.json) factory.io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  o.onSummary?.(summary);
  if (!opened && firstError !== undefined) throw firstError;
  throwForOutcome(result, summary, opened?.journal.path, nothingSucceeded);
  return { summary, result };
}

/**
 * A resumed run's summary covers every run of the journal: the counts are summed from all their
 * batches; `skipped` stays what this run skipped (done by earlier runs, so counted above).
 */
async function wholeSummary<S extends BulkSummary>(o: SessionOptions<S>, run: RunContext, journal: string): Promise<S> {
  const tally = o.wholeTally!();
  const scope = { command: o.journalOptions.command, host: o.journalOptions.host, project: o.journalOptions.project };
  const runs = await replayJournal(journal, scope, tally);
  if (runs <= 1) return o.summarize(run);
  const summary = tally.summarize({ ...run, skipped: 0 });
  return { ...summary, skipped: run.skipped, runs };
}

function throwForOutcome(result: RunBatchesResult, summary: BulkSummary, journal: string | undefined, nothingSucceeded: boolean): void {
  const resume = journal ? `rerun the same command with --resume (journal: ${journal})` : 'rerun the command';
  if (result.outcome === 'interrupted') {
    const notSent = summary.not_sent;
    const signal = result.signal ?? 'SIGINT';
    throw new Interrupted(`${STOP_SIGNALS[signal].said}: ${plural(notSent, 'identifier')} ${notSent === 1 ? 'was' : 'were'} not sent. To finish, ${resume}.`, signal);
  }
  if (result.fatal !== undefined) throw result.fatal;
  if (nothingSucceeded) {
    const cause = result.firstFailure;
    const message = cause instanceof Error ? cause.message : String(cause);
    const nothing = summary.command === 'delete' ? 'Nothing was deleted' : 'Nothing was changed';
    throw new CliError(`nothing succeeded: ${message}`, exitCodeOfFailure(cause), `${nothing}. Fix the cause, then ${resume}.`);
  }
  if (result.outcome === 'failed') {
    throw new PartialFailure(`stopped: ${result.stopReason ?? 'the run could not go on'}`, `Fix the cause, then ${resume}.`);
  }
  if (result.outcome === 'partial') {
    const failed = result.batches.failed;
    const total = result.batches.done + failed;
    const where = journal ? `; the journal ${journal} names them` : '';
    throw new PartialFailure(`${failed.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} batches failed${where}`, `To retry them, ${resume}.`);
  }
  const errors = summary.deletion_errors;
  if (errors && errors.length > 0) {
    throw new PartialFailure(
      `PostHog could not delete ${plural(errors.length, 'person')} (listed in deletion_errors${journal ? ` in ${journal}` : ''})`,
      'Retry them by UUID: posthog-persons delete --by uuid <uuid>...',
    );
  }
}

/** The exit code of a run none of whose requests succeeded: that of its failure (4 auth, 5 not found, 6 rate limited), else 1. */
function exitCodeOfFailure(cause: unknown): number {
  const code = cause instanceof CliError ? cause.exitCode : ExitCode.failure;
  return code === ExitCode.auth || code === ExitCode.notFound || code === ExitCode.rateLimited ? code : ExitCode.failure;
}

/**
 * Counts the identifiers a run will send, and the first few of them (for the dry run and the
 * prompt). Without a journal to skip from, the count is the input's unique count and only the
 * first rows are read; a resumed run reads the rows once more to count what is left.
 */
export async function planSend(rows: RowSource, done: IdLookup, unique: number, sample = 5): Promise<{ toSend: number; first: string[] }> {
  let toSend = 0;
  const first: string[] = [];
  for await (const group of rowGroups(rows)) {
    for (const row of group) {
      if (done.has(row.id)) continue;
      toSend++;
      if (first.length < sample) first.push(row.id);
      else if (done.size === 0) return { toSend: unique, first };
    }
  }
  return { toSend, first };
}
