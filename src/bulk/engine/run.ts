// The one skeleton every bulk operation runs through: plan (journal, what --resume skips, what is
// left to send) → dry run, or the plan and the confirmation → the batches → the summary. What
// differs between delete, set-prop and unset-prop is their BulkOperation (src/bulk/ops/).
import type { Factory } from '../../factory.js';
import type { PersonsApi } from '../../api/persons.js';
import { confirmRun, planNotice, type ConsentFlags } from '../../io/confirm.js';
import type { IdKind, InputResult, RowSource } from '../input/read-input.js';
import { inputNotes } from '../input/notes.js';
import type { BulkOperation, RunPlan } from './operation.js';
import { planJournal, type JournalPlan, type JournalPlanOptions } from './run-journal.js';
import { planSend, runSession, type SessionOptions } from './session.js';
import type { BulkSummary } from './summary.js';

/** The flags every --from-file run shares. */
export interface FileRunFlags extends ConsentFlags {
  fromFile: string;
  column?: string;
  journal?: string;
  resume?: boolean;
}

export interface RunSettings {
  batchSize: number;
  concurrency: number;
  /** -o json / jsonl: the summary also goes to stdout */
  json: boolean;
}

/** The journal settings of a run (its operation adds its flags). */
export function journalOptionsOf<S extends BulkSummary>(
  api: PersonsApi,
  operation: Pick<BulkOperation<S>, 'command' | 'journalFlags'>,
  flags: ConsentFlags & { journal?: string; resume?: boolean },
  by: IdKind,
  input?: { path: string; read: InputResult },
): JournalPlanOptions {
  return {
    command: operation.command,
    host: api.http.host,
    project: api.project,
    path: flags.journal,
    resume: flags.resume,
    // A stream (a pipe, process substitution) is read once like stdin: its journal cannot live
    // beside it, and --resume needs --journal.
    inputPath: input === undefined ? undefined : input.read.rereadable ? input.path : '-',
    inputDigest: input?.read.digest,
    ...operation.journalFlags(by),
    dryRun: Boolean(flags.dryRun),
  };
}

/** A --from-file run of any operation: the input read, planned against its journal, then run. */
export async function runFromInput<S extends BulkSummary>(
  factory: Factory,
  api: PersonsApi,
  operation: BulkOperation<S>,
  input: InputResult,
  flags: FileRunFlags,
  settings: RunSettings,
): Promise<void> {
  // The column's name, --by or the default says what the identifiers are (src/bulk/input/rows.ts).
  const by = input.kind;
  const journalOptions = journalOptionsOf(api, operation, flags, by, { path: flags.fromFile, read: input });
  const journalPlan = await planJournal(factory, journalOptions);
  await operation.checkFiles?.(journalPlan.path);
  const { toSend, first } = await planSend(input.rows, journalPlan.done, input.stats.unique);
  const plan: RunPlan = {
    by,
    requested: input.stats.unique,
    toSend,
    skipped: input.stats.unique - toSend,
    done: journalPlan.done,
    first,
    notes: inputNotes(input),
    journal: journalPlan.path,
    input: { path: flags.fromFile, source: flags.fromFile === '-' ? 'stdin' : flags.fromFile, read: input },
  };
  await runPlanned(factory, operation, plan, flags, settings, {
    rows: input.rows,
    journalPlan,
    journalOptions,
    input: { path: flags.fromFile, format: input.format, column: input.column, stats: input.stats, digest: input.digest },
  });
}

export interface PlannedRows {
  rows: RowSource;
  /** no plan: no journal (a single named person) */
  journalPlan?: JournalPlan;
  journalOptions: JournalPlanOptions;
  input?: SessionOptions['input'];
}

/** dry run → plan and confirmation → batches → summary, for a run whose plan is made. */
export async function runPlanned<S extends BulkSummary>(
  factory: Factory,
  operation: BulkOperation<S>,
  plan: RunPlan,
  flags: ConsentFlags,
  settings: RunSettings,
  planned: PlannedRows,
): Promise<void> {
  if (flags.dryRun) {
    await operation.dryRun(plan);
    return;
  }
  if (plan.toSend > 0) {
    operation.announce(plan, { say: planNotice(factory, flags), tell: (line) => factory.io.err(line) });
    await confirmRun(factory, flags, operation.confirmation(plan));
  }
  const started = (await operation.start?.()) ?? undefined;
  const tally = operation.tally(plan.by);
  await runSession<S>({
    factory,
    rows: planned.rows,
    requested: plan.requested,
    toSend: plan.toSend,
    by: plan.by,
    batchSize: settings.batchSize,
    concurrency: settings.concurrency,
    plan: planned.journalPlan,
    journalOptions: planned.journalOptions,
    input: planned.input,
    backupPath: started?.backup,
    execute: (batch, context) => operation.execute(batch, context),
    tally,
    summarize: (run) => tally.summarize(run),
    format: (summary) => operation.format(summary),
    json: settings.json,
    cleanup: operation.cleanup === undefined ? undefined : () => operation.cleanup!(),
    progressUnit: operation.progressUnit,
    limitEtaMs: operation.limitEtaMs === undefined ? undefined : (items) => operation.limitEtaMs!(items),
  });
}
