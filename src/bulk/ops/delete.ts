// The delete operation: identifiers sent to bulk_delete in batches (the request is built by
// PersonsApi.bulkDelete's caller here, bulkDeleteBody), the records saved first with --backup, and
// the two ways `delete` runs once its flags are checked: named persons (each looked up, then
// deleted by person UUID) and --from-file (identifiers sent to bulk_delete as they are; each batch
// is looked up just before, 200 identifiers a request, only to journal which of them matched a
// person, since bulk_delete answers with counts: src/bulk/ops/delete-lookup.ts; --no-lookup skips it).
import { resolve } from 'node:path';
import type { Factory } from '../../factory.js';
import type { BulkDeleteBody, PersonsApi, RetrievedPerson } from '../../api/persons.js';
import { resolvePerson, type PersonRefKind } from '../../api/resolve-person.js';
import type { OutputFormat } from '../../output/render.js';
import { personLabel, plural } from '../../output/message-text.js';
import { escapeForTerminal } from '../../output/escape.js';
import { Backup } from '../engine/backup.js';
import type { BulkOperation, RunPlan } from '../engine/operation.js';
import { journalOptionsOf, runFromInput, runPlanned, type BulkRunOptions, type RunSettings } from '../engine/run.js';
import { planJournal } from '../engine/run-journal.js';
import { describeError, isFatal } from '../engine/runner.js';
import { DeleteTally, formatDeleteSummary, formatSingleDelete, type DeleteSummary } from '../engine/summary.js';
import { readInput, sentAs, type IdKind, type InputRow } from '../input/read-input.js';
import type { NotFoundLimit } from '../engine/not-found-guard.js';
import { resetBatch } from './reset-distinct-id.js';
import { UsageError } from '../../errors.js';

/** What a batch is sent by: an email run sends the persons its emails resolved to, by UUID. */
type SendKind = ReturnType<typeof sentAs>;
import { checkRunFile } from '../journal/run-files.js';
import type { SourceRow } from '../report/report-rows.js';
import { foundAmong, foundIn, lookupRequests } from './delete-lookup.js';
import { checkRunReport } from '../report/run-report.js';
import { limitTimeMs, planTimeLine } from '../engine/plan-time.js';

export interface DeleteFlags {
  deleteEvents: boolean;
  deleteRecordings: boolean;
  keepPerson: boolean;
}

/** A delete run, its flags already checked (src/commands/delete.ts maps the command's flags onto it). */
export interface DeletePlan {
  mode: 'named' | 'file';
  refs: string[];
  refBy: PersonRefKind;
  /** --by for a file, when given: the column's name decides otherwise (see src/bulk/input/rows.ts). */
  fileBy?: IdKind;
  batchSize: number;
  concurrency: number;
  flags: DeleteFlags;
  json: boolean;
  /**
   * Look each batch up before deleting it (default on), so the journal names which identifiers
   * resolved: bulk_delete answers with counts only. --no-lookup saves those requests.
   */
  lookup: boolean;
  /** --max-not-found, for a file run */
  maxNotFound?: NotFoundLimit;
  /** --reset-distinct-ids: reset the distinct_ids the input named once their batch is deleted */
  resetDistinctIds?: boolean;
}

/** The flags of a delete run that the plan does not normalise. */
export interface DeleteRunOptions extends BulkRunOptions {
  backup?: string;
  /** how a dry run of named persons lists them (the command resolves the default: table on a terminal, tsv when piped) */
  output?: OutputFormat;
}

/** What deleting does to each batch, whichever way the persons were named. */
export type DeleteCore = Omit<BulkOperation<DeleteSummary>, 'dryRun' | 'announce' | 'confirmation'>;

/** The distinct_ids to reset after a batch is deleted (--reset-distinct-ids), by the batch's identifiers. */
type ResetsOf = (ids: readonly string[]) => string[];

export function deleteCore(
  factory: Factory,
  api: PersonsApi,
  plan: DeletePlan,
  options: DeleteRunOptions,
  by: SendKind,
  inputPath?: string,
  single?: string,
  /** named persons: resolved just before the run, so they are their own lookup */
  resolved?: ReadonlySet<string>,
  resetsOf?: ResetsOf,
): DeleteCore {
  let backup: Backup | undefined;
  return {
    command: 'delete',
    progressUnit: 'ids',
    limitEtaMs: (items) => limitTimeMs(api, [{ bucket: 'delete', count: Math.ceil(items / plan.batchSize), noun: 'bulk_delete request' }]),
    journalFlags: (kind) => ({
      flags: {
        by: kind,
        ...(options.column !== undefined ? { column: options.column } : {}),
        delete_events: plan.flags.deleteEvents,
        delete_recordings: plan.flags.deleteRecordings,
        keep_person: plan.flags.keepPerson,
        batch_size: plan.batchSize,
        concurrency: plan.concurrency,
        backup: options.backup ?? null,
        yes: Boolean(options.yes),
        // whether batches record which identifiers matched (false: --no-lookup)
        lookup: plan.lookup,
        ...(plan.resetDistinctIds ? { reset_distinct_ids: true } : {}),
      },
      sameOnResume: ['by', 'delete_events', 'delete_recordings', 'keep_person', 'reset_distinct_ids'],
    }),
    checkFiles: (journal) => checkBackup(factory, options, journal, inputPath),
    async start() {
      backup = options.backup !== undefined ? await Backup.open(resolve(factory.cwd, options.backup)) : undefined;
      return { backup: backup?.path };
    },
    async execute(batch, context) {
      // The records are on disk before the request that deletes them is sent.
      // One lookup serves both the backup and the record of which identifiers resolved.
      const persons = backup !== undefined || (plan.lookup && resolved === undefined) ? await api.lookupPersons(batch.ids, by) : undefined;
      if (backup) await backup.saveFound(api, persons!);
      const found = resolved !== undefined ? foundAmong(batch.ids, resolved) : plan.lookup ? foundIn(persons!, batch.ids, by) : undefined;
      let answer: Awaited<ReturnType<PersonsApi['bulkDelete']>>;
      try {
        answer = await api.bulkDelete(bulkDeleteBody(batch.ids, by, plan.flags));
      } catch (error) {
        // A failed batch keeps what its lookup found, so the report names the persons not deleted.
        // (Named persons are known by their UUIDs already, and one alone reports the error itself.)
        if (found === undefined || resolved !== undefined || isFatal(error)) throw error;
        return [{ ids: batch.ids, status: 'failed', ...describeError(error), cause: error, found }];
      }
      // The batch is journaled done only once its distinct_ids are reset too: a resume sends a batch
      // whose resets failed again (a second bulk_delete finds nothing, a second reset is harmless).
      const resets = resetsOf?.(batch.ids) ?? [];
      if (resets.length > 0) {
        const reports = await resetBatch(api, resets, context);
        const reset = reports.filter((report) => report.status === 'done').reduce((n, report) => n + report.ids.length, 0);
        if (reset < resets.length) {
          const first = reports.find((report) => report.status === 'failed');
          const why = first ? `failed: ${first.error}` : 'was stopped';
          return [{ ids: batch.ids, status: 'failed', http_status: first?.http_status, error: `deleted, but reset_person_distinct_id ${why} (${plural(resets.length - reset, 'distinct_id')} not reset)`, ...(found ? { found } : {}) }];
        }
      }
      return [{ ids: batch.ids, status: 'done', http_status: answer.status, response: answer.summary ?? null, ...(found ? { found } : {}) }];
    },
    tally(kind) {
      const tally = new DeleteTally();
      return { add: (report) => tally.add(report), summarize: (run) => tally.toJSON(kind, run, plan.flags) };
    },
    // One named person: one line naming it instead of the table of counts.
    format: (summary) => (single === undefined ? formatDeleteSummary(summary) : formatSingleDelete(summary, single, plan.flags)),
    async cleanup() {
      await backup?.close();
    },
  };
}

/** --backup: a new file or a backup of this tool, neither the input nor the journal; checked before any request. */
async function checkBackup(factory: Factory, options: DeleteRunOptions, journal: string | undefined, inputPath: string | undefined): Promise<void> {
  if (options.backup === undefined) return;
  const input = inputPath === undefined || inputPath === '-' ? undefined : resolve(factory.cwd, inputPath);
  const { note } = await checkRunFile(resolve(factory.cwd, options.backup), 'backup', { journal, input });
  if (note) factory.io.err(note);
}

export const settingsOf = (plan: DeletePlan): RunSettings => ({ batchSize: plan.batchSize, concurrency: plan.concurrency, json: plan.json });

export async function deleteNamed(factory: Factory, api: PersonsApi, plan: DeletePlan, options: DeleteRunOptions): Promise<void> {
  // A journal for every run that deletes more than one person; settled before any request.
  const journalOptions = journalOptionsOf(api, deleteCore(factory, api, plan, options, 'uuid'), options, 'uuid');
  // (--report is built from the journal, so one named person gets a journal too when it is asked for)
  const journalPlan = plan.refs.length > 1 || options.report !== undefined ? await planJournal(factory, journalOptions) : undefined;
  await checkBackup(factory, options, journalPlan?.path, undefined);
  const reportPath = options.report === undefined ? undefined : await checkRunReport(factory, options.report, { journal: journalPlan?.path, backup: options.backup });

  const persons: RetrievedPerson[] = [];
  const seen = new Set<string>();
  const refRows: SourceRow[] = [];
  // --reset-distinct-ids: the arguments that named their person by distinct_id, by person.
  const named = new Map<string, string[]>();
  for (const ref of plan.refs) {
    const { person, matchedBy } = await resolvePerson(api, ref, plan.refBy);
    if (matchedBy === 'distinct-id') named.set(person.uuid, [...(named.get(person.uuid) ?? []), ref]);
    refRows.push({ id: ref, duplicate: false, key: person.uuid, kind: matchedBy === 'distinct-id' ? 'distinct_id' : 'uuid' });
    if (seen.has(person.uuid)) continue;
    seen.add(person.uuid);
    persons.push(person);
  }
  const done = journalPlan?.done ?? new Set<string>();
  const pending = persons.filter((p) => !done.has(p.uuid));
  const single = persons.length === 1 ? personLabel(persons[0]!, plan.refs[0]!) : undefined;
  const resetsOf = plan.resetDistinctIds ? (uuids: readonly string[]) => uuids.flatMap((uuid) => named.get(uuid) ?? []) : undefined;
  if (plan.resetDistinctIds && named.size === 0) factory.io.err('Note: --reset-distinct-ids: no person was named by a distinct_id, so there is nothing to reset.');
  const operation: BulkOperation<DeleteSummary> = {
    ...deleteCore(factory, api, plan, options, 'uuid', undefined, single, new Set(persons.map((p) => p.uuid)), resetsOf),
    async dryRun(run) {
      await printPersons(factory, persons, options.output);
      const batches = Math.ceil(run.toSend / plan.batchSize);
      factory.io.err(
        `Dry run: would ${describeDeletion(plan.flags, plural(run.toSend, 'person'))} in ${plural(batches, 'bulk_delete request')}` +
          `${run.skipped > 0 ? ` (${plural(run.skipped, 'person')} already done in the journal)` : ''}; nothing was sent.`,
      );
    },
    announce(run, { say }) {
      if (pending.length <= 1) return;
      say(`About to ${describeDeletion(plan.flags, plural(pending.length, 'person'))} in project ${api.project} at ${api.http.host}:`);
      for (const person of pending.slice(0, 20)) say(`  ${personLine(person)}`);
      if (pending.length > 20) say(`  … and ${plural(pending.length - 20, 'more person', 'more persons')}`);
    },
    confirmation() {
      const one = pending[0]!;
      return {
        count: pending.length,
        single: `${capitalize(describeDeletion(plan.flags, `person ${escapeForTerminal(String(one.name ?? ''))} (${one.uuid})`, true))}?`,
        many: `Type ${pending.length} to ${describeDeletion(plan.flags, `${pending.length} persons`)}:`,
        nothingDone: 'Nothing was deleted.',
      };
    },
  };
  const rows: InputRow[] = persons.map((p, i) => ({ id: p.uuid, line: i + 1 }));
  const runPlan: RunPlan = {
    by: 'uuid',
    requested: persons.length,
    toSend: pending.length,
    skipped: persons.length - pending.length,
    done,
    first: pending.slice(0, 5).map((p) => p.uuid),
    notes: [],
    journal: journalPlan?.path,
  };
  const report = reportPath === undefined ? undefined : { path: reportPath, kind: 'uuid', rows: async function* () { yield refRows; } };
  await runPlanned(factory, operation, runPlan, options, settingsOf(plan), { rows, journalPlan, journalOptions, report });
}

export async function deleteFromFile(factory: Factory, api: PersonsApi, plan: DeletePlan, options: DeleteRunOptions): Promise<void> {
  const path = options.fromFile!;
  const input = await readInput({ path, cwd: factory.cwd, stdin: factory.io.stdin, by: plan.fileBy, column: options.column });
  try {
    if (plan.resetDistinctIds && input.kind !== 'distinct_id') {
      throw new UsageError(
        `--reset-distinct-ids resets the distinct_ids the input names, and ${path === '-' ? 'stdin' : path} names persons by ${input.kind === 'uuid' ? 'UUID' : 'email'}`,
        'Reset the persons\' distinct_ids with reset-distinct-id once they are deleted, or give the erasure list as distinct_ids.',
      );
    }
    await runFromInput(factory, api, fileDeleteOperation(factory, api, plan, options, sentAs(input.kind)), input, { ...options, fromFile: path, maxNotFound: plan.maxNotFound }, settingsOf(plan));
  } finally {
    await input.close();
  }
}

export function fileDeleteOperation(factory: Factory, api: PersonsApi, plan: DeletePlan, options: DeleteRunOptions, by: SendKind): BulkOperation<DeleteSummary> {
  const noun = by === 'uuid' ? 'person UUIDs' : 'distinct_ids';
  const whom = (toSend: number) => (by === 'uuid' ? plural(toSend, 'person') : `the persons of ${plural(toSend, 'distinct_id')}`);
  const batchesOf = (run: RunPlan) => Math.ceil(run.toSend / plan.batchSize);
  const lookupsOf = (run: RunPlan) => (plan.lookup ? lookupRequests(run.toSend, plan.batchSize) : 0);
  const lookupNote = (run: RunPlan) => (plan.lookup && run.toSend > 0 ? ` + ${plural(lookupsOf(run), 'lookup')}` : '');
  const timeLine = (run: RunPlan) =>
    planTimeLine(api, [
      { bucket: 'delete', count: batchesOf(run), noun: 'bulk_delete request' },
      ...(plan.lookup && run.toSend > 0 ? [{ bucket: 'read' as const, count: lookupsOf(run), noun: 'lookup' }] : []),
    ]);
  const rowsNote = (run: RunPlan) => {
    const stats = run.input!.read.stats;
    return (
      `${plural(stats.rows, 'row')}: ${plural(stats.unique, 'unique identifier')}, ${stats.blank.toLocaleString('en-US')} blank, ` +
      `${plural(stats.duplicates, 'duplicate')}${run.skipped > 0 ? `; ${run.skipped.toLocaleString('en-US')} already done in the journal` : ''}`
    );
  };
  const resetsOf = plan.resetDistinctIds && by === 'distinct_id' ? (ids: readonly string[]) => [...ids] : undefined;
  const resetLine = (run: RunPlan) => `  then reset_person_distinct_id for each distinct_id (${plural(run.toSend, 'request')}), so they start new persons if they come back.`;
  return {
    ...deleteCore(factory, api, plan, options, by, options.fromFile, undefined, undefined, resetsOf),
    async dryRun(run) {
      const { source, read } = run.input!;
      if (plan.json) {
        const dryRun = {
          dry_run: true,
          command: 'delete',
          by,
          requested: run.requested,
          to_send: run.toSend,
          skipped: run.skipped,
          batches: batchesOf(run),
          lookups: lookupsOf(run),
          batch_size: plan.batchSize,
          first_ids: run.first,
          notes: run.notes,
          flags: { delete_events: plan.flags.deleteEvents, delete_recordings: plan.flags.deleteRecordings, keep_person: plan.flags.keepPerson },
          input: { path: source, format: read.format, ...(read.column ? { column: read.column } : {}), ...read.stats },
          journal: run.journal,
        };
        factory.io.stdout.write(`${JSON.stringify(dryRun, null, 2)}\n`);
      }
      factory.io.err(`Dry run: nothing was sent.`);
      factory.io.err(`Would ${describeDeletion(plan.flags, whom(run.toSend))} from ${source}, in ${plural(batchesOf(run), 'bulk_delete request')} of up to ${plan.batchSize.toLocaleString('en-US')}${lookupNote(run)}.`);
      const time = timeLine(run);
      if (time) factory.io.err(`  ${time}`);
      factory.io.err(`  ${rowsNote(run)}`);
      for (const note of run.notes) factory.io.err(`  Note: ${note}.`);
      if (resetsOf) factory.io.err(resetLine(run));
      if (run.first.length > 0) factory.io.err(`First ${noun}: ${run.first.map(escapeForTerminal).join(', ')}${run.toSend > run.first.length ? ', …' : ''}`);
    },
    announce(run, { say, tell }) {
      say(`About to ${describeDeletion(plan.flags, whom(run.toSend))} from ${run.input!.source}, in project ${api.project} at ${api.http.host}:`);
      say(`  ${rowsNote(run)}`);
      for (const note of run.notes) tell(`  Note: ${note}.`);
      say(`  ${plural(batchesOf(run), 'bulk_delete request')} of up to ${plan.batchSize.toLocaleString('en-US')}${lookupNote(run)}, ${plan.concurrency} at a time.`);
      if (resetsOf) say(resetLine(run));
      const time = timeLine(run);
      if (time) say(`  ${time}`);
      say(`Journal: ${run.journal}`);
    },
    confirmation(run) {
      return {
        count: run.toSend,
        single: `${capitalize(describeDeletion(plan.flags, by === 'uuid' ? `person ${run.first[0]}` : `the person with distinct_id ${JSON.stringify(run.first[0])}`, true))}?`,
        many: `Type ${run.toSend} to ${describeDeletion(plan.flags, whom(run.toSend))}:`,
        nothingDone: 'Nothing was deleted.',
      };
    },
  };
}

async function printPersons(factory: Factory, persons: RetrievedPerson[], output: OutputFormat | undefined): Promise<void> {
  const [{ createRenderer }, { personSchema }] = await Promise.all([import('../../output/render.js'), import('../../output/person-schema.js')]);
  const renderer = createRenderer({
    format: output ?? 'tsv',
    schema: personSchema,
    fields: 'uuid,name,distinct_ids',
    out: factory.io.stdout,
    color: factory.io.color,
    width: factory.io.width,
    kind: 'list',
  });
  for (const person of persons) await renderer.write(person);
  await renderer.end();
}

/** The bulk_delete body: only the flags that are on (PostHog reads any present value as true). */
export function bulkDeleteBody(ids: string[], by: SendKind, flags: DeleteFlags): BulkDeleteBody {
  return {
    [by === 'uuid' ? 'ids' : 'distinct_ids']: ids,
    ...(flags.deleteEvents ? { delete_events: true } : {}),
    ...(flags.deleteRecordings ? { delete_recordings: true } : {}),
    ...(flags.keepPerson ? { keep_person: true } : {}),
  };
}

/** "delete 3 persons and their events", "delete the events of 3 persons, keeping the persons". */
export function describeDeletion(flags: DeleteFlags, whom: string, one = false): string {
  const data = [flags.deleteEvents ? 'events' : '', flags.deleteRecordings ? 'recordings' : ''].filter(Boolean).join(' and ');
  if (flags.keepPerson) return `delete the ${data} of ${whom}, keeping the ${one ? 'person' : 'persons'}`;
  return `delete ${whom}${data ? ` and ${one ? 'its' : 'their'} ${data}` : ''}`;
}

/** A person of the preview above a confirmation: server data, so escaped for the terminal. */
function personLine(person: RetrievedPerson): string {
  const ids = person.distinct_ids ?? [];
  const shown = ids.slice(0, 3).map(escapeForTerminal).join(', ') + (ids.length > 3 ? `, … (${plural(ids.length, 'distinct_id')})` : '');
  return `${escapeForTerminal(String(person.name ?? ''))} (${person.uuid})${shown ? `: ${shown}` : ''}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
