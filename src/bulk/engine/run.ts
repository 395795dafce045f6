// The one skeleton every bulk operation runs through: plan (journal, what --resume skips, what is
// left to send) → dry run, or the plan and the confirmation → the batches → the summary. What
// differs between delete, set-prop and unset-prop is their BulkOperation (src/bulk/ops/).
import type { Factory } from '../../factory.js';
import type { PersonsApi } from '../../api/persons.js';
import { confirmRun, planNotice, type ConsentFlags } from '../../io/confirm.js';
import { rowGroups, sentAs, type IdKind, type InputResult, type RowSource } from '../input/read-input.js';
import { emailTargets, recordMatches } from './email-targets.js';
import { countNotFound, enforceNotFound, notFoundNote, type NotFoundCheck, type NotFoundLimit } from './not-found-guard.js';
import type { SourceRow } from '../report/report-rows.js';
import { checkRunReport, finishRunReport, type RunReport } from '../report/run-report.js';
import { inputNotes } from '../input/notes.js';
import type { BulkOperation, RunPlan } from './operation.js';
import { planJournal, type JournalPlan, type JournalPlanOptions } from './run-journal.js';
import { planSend, runSession, type SessionOptions } from './session.js';
import type { BulkSummary } from './summary.js';

/** The flags of a bulk command as the user gave them (the input may also be named persons). */
export interface BulkRunOptions extends ConsentFlags {
  fromFile?: string;
  column?: string;
  journal?: string;
  resume?: boolean;
  /** --report PATH: one row per input identifier, written at the end of the run */
  report?: string;
}

/** The flags every --from-file run shares. */
export interface FileRunFlags extends ConsentFlags {
  fromFile: string;
  column?: string;
  journal?: string;
  resume?: boolean;
  /** --max-not-found, parsed: look every identifier up first and stop (exit 3) past it */
  maxNotFound?: NotFoundLimit;
  /** --report PATH: written at the end of the run */
  report?: string;
  /** --backup (delete): the report may not be it */
  backup?: string;
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
  const planned = await planFromInput(factory, api, operation, input, flags);
  await runPlanned(factory, planned.operation, planned.plan, flags, settings, planned.planned);
}

/** A --from-file run planned (journal, what is left to send, the guards), not yet run. */
export interface PlannedFileRun<S extends BulkSummary> {
  operation: BulkOperation<S>;
  plan: RunPlan;
  planned: PlannedRows;
}

/**
 * Plans a --from-file run against its journal. `section`: one project's part of a run over
 * several projects (src/bulk/engine/projects-run.ts), whose header names them all.
 */
export async function planFromInput<S extends BulkSummary>(
  factory: Factory,
  api: PersonsApi,
  operation: BulkOperation<S>,
  input: InputResult,
  flags: FileRunFlags,
  section?: Pick<JournalPlanOptions, 'projectsRun' | 'lockHeld'>,
): Promise<PlannedFileRun<S>> {
  // The column's name, --by or the default says what the identifiers are (src/bulk/input/rows.ts).
  const by = input.kind;
  const journalOptions = { ...journalOptionsOf(api, operation, flags, by, { path: flags.fromFile, read: input }), ...section };
  const journalPlan = await planJournal(factory, journalOptions);
  await operation.checkFiles?.(journalPlan.path);
  const reportPath =
    flags.report === undefined
      ? undefined
      : await checkRunReport(factory, flags.report, { input: input.rereadable ? flags.fromFile : undefined, journal: journalPlan.path, backup: flags.backup });
  // Emails are looked up first (or taken from the journal on --resume); the run then works on the
  // persons found, by UUID (src/bulk/engine/email-targets.ts).
  const emails = by === 'email' ? await emailTargets(api, input, journalPlan, journalOptions) : undefined;
  const rows = emails?.rows ?? input.rows;
  const unique = emails?.persons ?? input.stats.unique;
  const { toSend, first } = await planSend(rows, journalPlan.done, unique);
  const plan: RunPlan = {
    by: sentAs(by),
    requested: unique,
    toSend,
    skipped: unique - toSend,
    done: journalPlan.done,
    first,
    notes: [...(emails?.notes ?? []), ...inputNotes(input)],
    journal: journalPlan.path,
    input: { path: flags.fromFile, source: flags.fromFile === '-' ? 'stdin' : flags.fromFile, read: input },
  };
  if (flags.maxNotFound !== undefined) {
    const limit = flags.maxNotFound;
    const check: NotFoundCheck = emails
      ? { notFound: emails.notFound, total: emails.emails, noun: 'email', limit, by: 'email' }
      : { notFound: await countNotFound(api, rows, journalPlan.done, sentAs(by)), total: toSend, noun: 'identifier', limit, by: sentAs(by) };
    plan.notes.unshift(notFoundNote(check, Boolean(flags.dryRun)));
    if (!flags.dryRun) enforceNotFound(check);
  }
  // An email run's summary (stderr, -o json and the journal's footer) also counts its emails.
  const withEmails: BulkOperation<S> =
    emails === undefined
      ? operation
      : {
          ...operation,
          format: (summary) => [...operation.format(summary), `Emails: ${emails.notes[0]}.`],
          tally(kind) {
            const tally = operation.tally(kind);
            const counts = { count: emails.emails, matched: emails.emails - emails.notFound, not_found: emails.notFound, matching_several: emails.matchingSeveral };
            return { add: (report) => tally.add(report), summarize: (run) => ({ ...tally.summarize(run), emails: counts }) };
          },
        };
  return {
    operation: withEmails,
    plan,
    planned: {
      rows,
      journalPlan,
      journalOptions,
      input: { path: flags.fromFile, format: input.format, column: input.column, stats: input.stats, digest: input.digest },
      beforeBatches:
        emails === undefined || emails.fromJournal ? undefined : (journal, runId) => recordMatches(journal, runId, emails.matches, () => factory.now()),
      report: reportPath === undefined ? undefined : { path: reportPath, kind: by, rows: () => input.everyRow?.() ?? uniqueRows(input.rows) },
    },
  };
}

/**
 * A stream's rows for the report: it was read once, so only its unique identifiers are left (its
 * duplicates are counted in the summary but get no row).
 */
async function* uniqueRows(rows: RowSource): AsyncGenerator<readonly SourceRow[]> {
  for await (const group of rowGroups(rows)) yield group.map((row) => ({ id: row.id, duplicate: false }));
}

export interface PlannedRows {
  rows: RowSource;
  /** no plan: no journal (a single named person) */
  journalPlan?: JournalPlan;
  journalOptions: JournalPlanOptions;
  input?: SessionOptions['input'];
  /** journaled after the header, before any batch (an email run's resolve entries, a query's snapshot) */
  beforeBatches?: SessionOptions['beforeBatches'];
  /** --report: written once the run is over (also after a failure or an interruption) */
  report?: RunReport;
  /** a section of a run over several projects: planned and confirmed for all of them at once */
  confirmed?: boolean;
  /** given the run's summary before its error (if any) is thrown */
  onSummary?: SessionOptions<BulkSummary>['onSummary'];
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
  if (plan.toSend > 0 && !planned.confirmed) {
    operation.announce(plan, { say: planNotice(factory, flags), tell: (line) => factory.io.err(line) });
    await confirmRun(factory, flags, operation.confirmation(plan));
  }
  const started = (await operation.start?.()) ?? undefined;
  const tally = operation.tally(plan.by);
  const session = runSession<S>({
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
    wholeTally: () => operation.tally(plan.by),
    format: (summary) => operation.format(summary),
    json: settings.json,
    cleanup: operation.cleanup === undefined ? undefined : () => operation.cleanup!(),
    progressUnit: operation.progressUnit,
    beforeBatches: planned.beforeBatches,
    limitEtaMs: operation.limitEtaMs === undefined ? undefined : (items) => operation.limitEtaMs!(items),
    onSummary: planned.onSummary,
  });
  const report = planned.report;
  const journal = planned.journalPlan?.path;
  if (report === undefined || journal === undefined) {
    await session;
    return;
  }
  const scope = { command: planned.journalOptions.command, host: planned.journalOptions.host, project: planned.journalOptions.project };
  try {
    await session;
  } catch (error) {
    // The run's own error decides the exit code; the report still says what the journal holds.
    await finishRunReport(factory, report, journal, scope).catch((cause: unknown) => factory.io.err(`Note: the report ${report.path} could not be written: ${cause instanceof Error ? cause.message : String(cause)}`));
    throw error;
  }
  await finishRunReport(factory, report, journal, scope);
}
