// The reset-distinct-id operation: PostHog's reset_person_distinct_id, one request a distinct_id,
// so a distinct_id of a deleted person that comes back in new events starts a new person instead
// of attaching to the deleted one. Named distinct_ids need no confirmation (a reset removes
// nothing); a --from-file run is confirmed like every file run, and keeps a journal, --resume and
// --report. A reset repeated after a kill does nothing more, so a resumed run may send one again.
import { resolve } from 'node:path';
import type { Factory } from '../../factory.js';
import { UsageError } from '../../errors.js';
import type { PersonsApi } from '../../api/persons.js';
import { displayValue, plural } from '../../output/message-text.js';
import type { BulkOperation, RunPlan } from '../engine/operation.js';
import { journalOptionsOf, runFromInput, runPlanned, type BulkRunOptions, type RunSettings } from '../engine/run.js';
import { planJournal } from '../engine/run-journal.js';
import { describeError, isFatal, type Batch, type BatchContext, type BatchReport } from '../engine/runner.js';
import { formatCounts, type BulkSummary, type RunContext } from '../engine/summary.js';
import { readInput, type InputRow } from '../input/read-input.js';
import { checkReportPath } from '../report/report-file.js';
import { reportFromJournal } from '../report/journal-batches.js';

export interface ResetSummary extends BulkSummary {
  command: 'reset-distinct-id';
  reset: number;
}

export interface ResetOptions extends BulkRunOptions {
  concurrency?: number;
  json: boolean;
}

/** distinct_ids a journal line (one request each, in order). */
const BATCH = 50;

/** Resets each distinct_id of the batch in turn; a failed one is reported on its own, a fatal error stops the run. */
export async function resetBatch(api: PersonsApi, ids: readonly string[], context: BatchContext): Promise<BatchReport[]> {
  const reset: string[] = [];
  const failed: BatchReport[] = [];
  let status: number | undefined;
  for (const id of ids) {
    if (context.stopping()) break;
    try {
      status = await api.resetDistinctId(id);
      reset.push(id);
    } catch (error) {
      if (isFatal(error)) {
        context.abort(error);
        break;
      }
      failed.push({ ids: [id], status: 'failed', ...describeError(error), cause: error });
    }
  }
  return [{ ids: reset, status: 'done', http_status: status, response: { outcome: 'reset' } }, ...failed];
}

export function resetOperation(factory: Factory, api: PersonsApi, options: ResetOptions, source: string, single?: string): BulkOperation<ResetSummary> {
  const requests = (n: number) => `${plural(n, 'reset_person_distinct_id request')}, one a distinct_id`;
  return {
    command: 'reset-distinct-id',
    progressUnit: 'ids',
    journalFlags: (by) => ({ flags: { by, concurrency: options.concurrency ?? 1, yes: Boolean(options.yes) }, sameOnResume: ['by'] }),
    async checkFiles(journal) {
      if (options.report !== undefined) await checkReportPath(resolve(factory.cwd, options.report), { journal, input: options.fromFile && resolve(factory.cwd, options.fromFile) });
    },
    async dryRun(plan) {
      if (options.json) factory.io.stdout.write(`${JSON.stringify({ dry_run: true, command: 'reset-distinct-id', requested: plan.requested, to_send: plan.toSend, skipped: plan.skipped, first_ids: plan.first, notes: plan.notes, journal: plan.journal }, null, 2)}\n`);
      factory.io.err('Dry run: nothing was sent.');
      const skipped = plan.skipped > 0 ? ` (${plan.skipped.toLocaleString('en-US')} already done in the journal)` : '';
      factory.io.err(`Would reset ${plural(plan.toSend, 'distinct_id')} from ${source}: ${requests(plan.toSend)}${skipped}.`);
      for (const note of plan.notes) factory.io.err(`  Note: ${note}.`);
      if (plan.first.length > 0) factory.io.err(`First distinct_ids: ${plan.first.map(displayValue).join(', ')}${plan.toSend > plan.first.length ? ', …' : ''}`);
    },
    announce(plan, { say, tell }) {
      if (single !== undefined) return;
      say(`About to reset ${plural(plan.toSend, 'distinct_id')} from ${source}, in project ${api.project} at ${api.http.host}: ${requests(plan.toSend)}.`);
      for (const note of plan.notes) tell(`  Note: ${note}.`);
      if (plan.journal) say(`Journal: ${plan.journal}`);
    },
    confirmation: (plan) => ({
      count: plan.toSend,
      single: `Reset distinct_id "${displayValue(plan.first[0] ?? '')}"?`,
      many: `Type ${plan.toSend} to reset ${plural(plan.toSend, 'distinct_id')}:`,
      nothingDone: 'Nothing was reset.',
    }),
    execute: (batch: Batch, context) => resetBatch(api, batch.ids, context),
    tally() {
      let reset = 0;
      let failed = 0;
      return {
        add: (report) => (report.status === 'failed' ? (failed += report.ids.length) : (reset += report.ids.length)),
        summarize: (run: RunContext): ResetSummary => ({
          command: 'reset-distinct-id',
          outcome: run.outcome,
          by: 'distinct_id',
          requested: run.requested,
          reset,
          failed,
          skipped: run.skipped,
          not_sent: Math.max(0, run.requested - run.skipped - reset - failed),
          batches: run.batches,
          ...(run.input ? { input: run.input } : {}),
          ...(run.journal ? { journal: run.journal } : {}),
        }),
      };
    },
    format(summary) {
      if (single !== undefined && summary.outcome === 'completed' && summary.reset === 1) {
        return [`Reset: distinct_id "${displayValue(single)}". New events with it start a new person.`];
      }
      const rows: Array<[string, number]> = [['requested', summary.requested], ['reset', summary.reset], ['failed', summary.failed], ['skipped', summary.skipped]];
      if (summary.not_sent > 0) rows.push(['not sent', summary.not_sent]);
      const head = summary.outcome === 'completed' ? 'Done' : summary.outcome === 'interrupted' ? 'Interrupted' : 'Done, with failures';
      return [`${head} (reset-distinct-id):`, ...formatCounts(rows), ...(summary.journal ? [`Journal: ${summary.journal}`] : [])];
    },
  };
}

export const settingsOf = (options: ResetOptions): RunSettings => ({ batchSize: BATCH, concurrency: options.concurrency ?? 1, json: options.json });

/** Named distinct_ids: no confirmation; a journal when there are several, or a --report to build. */
export async function resetNamed(factory: Factory, api: PersonsApi, ids: string[], options: ResetOptions): Promise<void> {
  const unique = [...new Set(ids)];
  const operation = resetOperation(factory, api, options, 'the command line', unique.length === 1 ? unique[0] : undefined);
  const journalOptions = journalOptionsOf(api, operation, options, 'distinct_id');
  const keepJournal = unique.length > 1 || options.report !== undefined;
  const journalPlan = keepJournal ? await planJournal(factory, journalOptions) : undefined;
  await operation.checkFiles?.(journalPlan?.path);
  const done = journalPlan?.done ?? new Set<string>();
  const pending = unique.filter((id) => !done.has(id));
  const rows: InputRow[] = unique.map((id, i) => ({ id, line: i + 1 }));
  const plan: RunPlan = { by: 'distinct_id', requested: unique.length, toSend: pending.length, skipped: unique.length - pending.length, done, first: pending.slice(0, 5), notes: [], journal: journalPlan?.path };
  // Named distinct_ids are what the user typed: nothing to confirm.
  await withReport(factory, api, operation, options, journalPlan?.path, () =>
    runPlanned(factory, operation, plan, { ...options, yes: true }, settingsOf(options), { rows, journalPlan, journalOptions }),
  );
}

export async function resetFromFile(factory: Factory, api: PersonsApi, options: ResetOptions & { fromFile: string }): Promise<void> {
  const input = await readResetInput(factory, options);
  let journal: string | undefined;
  const operation = resetOperation(factory, api, options, options.fromFile === '-' ? 'stdin' : options.fromFile);
  const watched: BulkOperation<ResetSummary> = {
    ...operation,
    async checkFiles(path) {
      journal = path;
      await operation.checkFiles?.(path);
    },
  };
  try {
    await withReport(factory, api, operation, options, () => journal, () => runFromInput(factory, api, watched, input, options, settingsOf(options)));
  } finally {
    await input.close();
  }
}

/** The distinct_ids of a --from-file run. */
export function readResetInput(factory: Factory, options: ResetOptions & { fromFile: string }): ReturnType<typeof readInput> {
  return readInput({ path: options.fromFile, cwd: factory.cwd, stdin: factory.io.stdin, by: 'distinct_id', column: options.column }).catch((error: unknown) => {
    // The reader words a UUID column as contradicting --by, which this command has not got.
    if (error instanceof UsageError && error.message.includes(', but --by distinct-id says distinct_ids')) {
      throw new UsageError(error.message.replace(/, but --by distinct-id says distinct_ids$/, ', and reset-distinct-id resets distinct_ids'), 'Give it the distinct_ids of the persons (a distinct_id column).');
    }
    throw error;
  });
}

/** Runs, then writes --report from the journal (after a failure too: the report says what failed). */
async function withReport(
  factory: Factory,
  api: PersonsApi,
  operation: BulkOperation<ResetSummary>,
  options: ResetOptions,
  journal: string | undefined | (() => string | undefined),
  run: () => Promise<void>,
): Promise<void> {
  const write = async () => {
    const path = typeof journal === 'function' ? journal() : journal;
    if (options.report === undefined || options.dryRun || path === undefined) return;
    await reportFromJournal(path, resolve(factory.cwd, options.report), { command: operation.command, host: api.http.host, project: api.project }, () => 'queued');
  };
  try {
    await run();
  } catch (error) {
    await write().catch(() => undefined);
    throw error;
  }
  await write();
}

/** Checks made before any request. */
export function checkResetArgs(ids: string[], options: { fromFile?: string; column?: string }): void {
  if (ids.length > 0 && options.fromFile !== undefined) throw new UsageError('give distinct_ids as arguments or --from-file, not both');
  if (ids.length === 0 && options.fromFile === undefined) throw new UsageError('nothing to reset: give one or more distinct_ids, or --from-file PATH');
  if (options.column !== undefined && options.fromFile === undefined) throw new UsageError('--column only applies to --from-file');
  if (ids.some((id) => id === '')) throw new UsageError('a distinct_id is empty: give the distinct_ids to reset');
}
