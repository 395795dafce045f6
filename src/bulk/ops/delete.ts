// The two ways `delete` runs once its flags are checked: named persons (each looked up, then
// deleted by person UUID) and --from-file (identifiers sent to bulk_delete as they are, without a
// lookup each, which would cost one request a person).
import { resolve } from 'node:path';
import type { Factory } from '../../factory.js';
import type { BulkDeleteBody, PersonsApi, RetrievedPerson } from '../../api/persons.js';
import { resolvePerson } from '../../api/resolve-person.js';
import type { PersonRefKind } from '../../api/resolve-person.js';
import type { OutputFormat } from '../../output/render.js';
import { personLabel, plural } from '../../output/text.js';
import { escapeForTerminal } from '../../output/escape.js';
import { Backup } from '../engine/backup.js';
import { confirmRun, planNotice } from '../../io/confirm.js';
import { readInput, type IdKind, type InputResult, type InputRow, type RowSource } from '../input/read-input.js';
import { inputNotes } from '../input/notes.js';
import { checkRunFile } from '../journal/run-files.js';
import { planJournal, type JournalPlan, type JournalPlanOptions } from '../engine/run-journal.js';
import type { Batch, BatchReport } from '../engine/runner.js';
import { planSend, runSession, type SessionOptions } from '../engine/session.js';
import { DeleteTally, formatDeleteSummary, formatSingleDelete } from '../engine/summary.js';

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
}

/** The flags of a delete run that the plan does not normalise. */
export interface DeleteOptions {
  fromFile?: string;
  column?: string;
  dryRun?: boolean;
  yes?: boolean;
  journal?: string;
  resume?: boolean;
  backup?: string;
  /** how a dry run of named persons lists them (the command resolves the default: table on a terminal, tsv when piped) */
  output?: OutputFormat;
}

type Flags = DeleteFlags;

export async function deleteNamed(factory: Factory, api: PersonsApi, plan: DeletePlan, options: DeleteOptions): Promise<void> {
  // A journal for every run that deletes more than one person; settled before any request.
  const journalOptions = journalOptionsFor(api, plan, options, undefined);
  const journalPlan = plan.refs.length > 1 ? await planJournal(factory, journalOptions) : undefined;
  await checkBackup(factory, options, journalPlan?.path, undefined);

  const persons: RetrievedPerson[] = [];
  const seen = new Set<string>();
  for (const ref of plan.refs) {
    const { person } = await resolvePerson(api, ref, plan.refBy);
    if (seen.has(person.uuid)) continue;
    seen.add(person.uuid);
    persons.push(person);
  }
  const done = journalPlan?.done ?? new Set<string>();
  const pending = persons.filter((p) => !done.has(p.uuid));
  const batches = Math.ceil(pending.length / plan.batchSize);

  if (options.dryRun) {
    await printPersons(factory, persons, options.output);
    const skipped = persons.length - pending.length;
    factory.io.err(
      `Dry run: would ${describeDeletion(plan.flags, plural(pending.length, 'person'))} in ${plural(batches, 'bulk_delete request')}` +
        `${skipped > 0 ? ` (${plural(skipped, 'person')} already done in the journal)` : ''}; nothing was sent.`,
    );
    return;
  }
  if (pending.length > 1) {
    const say = planNotice(factory, options);
    say(`About to ${describeDeletion(plan.flags, plural(pending.length, 'person'))} in project ${api.project} at ${api.http.host}:`);
    for (const person of pending.slice(0, 20)) say(`  ${personLine(person)}`);
    if (pending.length > 20) say(`  … and ${plural(pending.length - 20, 'more person', 'more persons')}`);
  }
  if (pending.length > 0) {
    const one = pending[0]!;
    await confirmRun(factory, options, {
      count: pending.length,
      single: `${capitalize(describeDeletion(plan.flags, `person ${escapeForTerminal(String(one.name ?? ''))} (${one.uuid})`, true))}?`,
      many: `Type ${pending.length} to ${describeDeletion(plan.flags, `${pending.length} persons`)}:`,
      nothingDone: 'Nothing was deleted.',
    });
  }
  const rows: InputRow[] = persons.map((p, i) => ({ id: p.uuid, line: i + 1 }));
  // One named person: one line naming it instead of the table of counts.
  const single = persons.length === 1 ? personLabel(persons[0]!, plan.refs[0]!) : undefined;
  await deleteRows(factory, api, plan, options, { rows, requested: persons.length, toSend: pending.length, by: 'uuid', journalPlan, journalOptions, single });
}

export async function deleteFromFile(factory: Factory, api: PersonsApi, plan: DeletePlan, options: DeleteOptions): Promise<void> {
  const path = options.fromFile!;
  const input = await readInput({ path, stdin: factory.io.stdin, by: plan.fileBy, column: options.column });
  try {
    await deleteInput(factory, api, plan, options, input);
  } finally {
    await input.close();
  }
}

async function deleteInput(factory: Factory, api: PersonsApi, plan: DeletePlan, options: DeleteOptions, input: InputResult): Promise<void> {
  const path = options.fromFile!;
  const by = input.kind;
  const journalOptions = journalOptionsFor(api, plan, options, path, input);
  const journalPlan = await planJournal(factory, journalOptions);
  await checkBackup(factory, options, journalPlan.path, path === '-' ? undefined : path);
  const { toSend, first } = await planSend(input.rows, journalPlan.done, input.stats.unique);
  const notes = inputNotes(input);
  const noun = by === 'uuid' ? 'person UUIDs' : 'distinct_ids';
  const source = path === '-' ? 'stdin' : path;
  const stats = input.stats;
  const skipped = stats.unique - toSend;
  const batches = Math.ceil(toSend / plan.batchSize);
  const whom = by === 'uuid' ? plural(toSend, 'person') : `the persons of ${plural(toSend, 'distinct_id')}`;
  const rowsNote =
    `${plural(stats.rows, 'row')}: ${plural(stats.unique, 'unique identifier')}, ${stats.blank.toLocaleString('en-US')} blank, ` +
    `${plural(stats.duplicates, 'duplicate')}${skipped > 0 ? `; ${skipped.toLocaleString('en-US')} already done in the journal` : ''}`;

  if (options.dryRun) {
    if (plan.json) {
      const dryRun = {
        dry_run: true,
        command: 'delete',
        by,
        requested: stats.unique,
        to_send: toSend,
        skipped,
        batches,
        batch_size: plan.batchSize,
        first_ids: first,
        notes,
        flags: { delete_events: plan.flags.deleteEvents, delete_recordings: plan.flags.deleteRecordings, keep_person: plan.flags.keepPerson },
        input: { path: source, format: input.format, ...(input.column ? { column: input.column } : {}), ...stats },
        journal: journalPlan.path,
      };
      factory.io.stdout.write(`${JSON.stringify(dryRun, null, 2)}\n`);
    }
    factory.io.err(`Dry run: nothing was sent.`);
    factory.io.err(`Would ${describeDeletion(plan.flags, whom)} from ${source}, in ${plural(batches, 'bulk_delete request')} of up to ${plan.batchSize.toLocaleString('en-US')}.`);
    factory.io.err(`  ${rowsNote}`);
    for (const note of notes) factory.io.err(`  Note: ${note}.`);
    if (first.length > 0) factory.io.err(`First ${noun}: ${first.map(escapeForTerminal).join(', ')}${toSend > first.length ? ', …' : ''}`);
    return;
  }

  if (toSend > 0) {
    const say = planNotice(factory, options);
    say(`About to ${describeDeletion(plan.flags, whom)} from ${source}, in project ${api.project} at ${api.http.host}:`);
    say(`  ${rowsNote}`);
    for (const note of notes) factory.io.err(`  Note: ${note}.`);
    say(`  ${plural(batches, 'bulk_delete request')} of up to ${plan.batchSize.toLocaleString('en-US')}, ${plan.concurrency} at a time.`);
    say(`Journal: ${journalPlan.path}`);
    await confirmRun(factory, options, {
      count: toSend,
      single: `${capitalize(describeDeletion(plan.flags, by === 'uuid' ? `person ${first[0]}` : `the person with distinct_id ${JSON.stringify(first[0])}`, true))}?`,
      many: `Type ${toSend} to ${describeDeletion(plan.flags, whom)}:`,
      nothingDone: 'Nothing was deleted.',
    });
  }
  await deleteRows(factory, api, plan, options, {
    rows: input.rows,
    requested: stats.unique,
    toSend,
    by,
    journalPlan,
    journalOptions,
    input: { path, format: input.format, column: input.column, stats, digest: input.digest },
  });
}

interface RowsRun {
  rows: RowSource;
  requested: number;
  toSend: number;
  by: IdKind;
  journalPlan?: JournalPlan;
  journalOptions: JournalPlanOptions;
  input?: SessionOptions['input'];
  /** the label of the one named person, whose outcome is said in one line */
  single?: string;
}

async function deleteRows(factory: Factory, api: PersonsApi, plan: DeletePlan, options: DeleteOptions, run: RowsRun): Promise<void> {
  const backup = options.backup !== undefined ? await Backup.open(resolve(factory.cwd, options.backup)) : undefined;
  const tally = new DeleteTally();
  const execute = async (batch: Batch): Promise<BatchReport[]> => {
    // The records are on disk before the request that deletes them is sent.
    if (backup) await backup.save(api, batch.ids, run.by);
    const answer = await api.bulkDelete(bulkDeleteBody(batch.ids, run.by, plan.flags));
    return [{ ids: batch.ids, status: 'done', http_status: answer.status, response: answer.summary ?? null }];
  };
  await runSession({
    factory,
    rows: run.rows,
    requested: run.requested,
    toSend: run.toSend,
    by: run.by,
    batchSize: plan.batchSize,
    concurrency: plan.concurrency,
    plan: run.journalPlan,
    journalOptions: run.journalOptions,
    input: run.input,
    backupPath: backup?.path,
    execute,
    tally,
    summarize: (context) => tally.toJSON(run.by, context, plan.flags),
    format: run.single === undefined ? formatDeleteSummary : (summary) => formatSingleDelete(summary, run.single!, plan.flags),
    json: plan.json,
    cleanup: async () => backup?.close(),
    progressUnit: 'ids',
  });
}

/** --backup: a new file or a backup of this tool, neither the input nor the journal; checked before any request. */
async function checkBackup(factory: Factory, options: DeleteOptions, journal: string | undefined, input: string | undefined): Promise<void> {
  if (options.backup === undefined) return;
  const { note } = await checkRunFile(resolve(factory.cwd, options.backup), 'backup', { journal, input: input === undefined ? undefined : resolve(factory.cwd, input) });
  if (note) factory.io.err(note);
}

function journalOptionsFor(api: PersonsApi, plan: DeletePlan, options: DeleteOptions, inputPath: string | undefined, input?: InputResult): JournalPlanOptions {
  return {
    command: 'delete',
    host: api.http.host,
    project: api.project,
    path: options.journal,
    resume: options.resume,
    // A stream (a pipe, process substitution) is read once like stdin: its journal cannot live
    // beside it, and --resume needs --journal.
    inputPath: input !== undefined && !input.rereadable ? '-' : inputPath,
    inputDigest: input?.digest,
    flags: {
      by: input !== undefined ? input.kind : 'uuid',
      ...(options.column !== undefined ? { column: options.column } : {}),
      delete_events: plan.flags.deleteEvents,
      delete_recordings: plan.flags.deleteRecordings,
      keep_person: plan.flags.keepPerson,
      batch_size: plan.batchSize,
      concurrency: plan.concurrency,
      backup: options.backup ?? null,
      yes: Boolean(options.yes),
    },
    sameOnResume: ['by', 'delete_events', 'delete_recordings', 'keep_person'],
    dryRun: Boolean(options.dryRun),
  };
}

async function printPersons(factory: Factory, persons: RetrievedPerson[], output: DeleteOptions['output']): Promise<void> {
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
export function bulkDeleteBody(ids: string[], by: IdKind, flags: Flags): BulkDeleteBody {
  return {
    [by === 'uuid' ? 'ids' : 'distinct_ids']: ids,
    ...(flags.deleteEvents ? { delete_events: true } : {}),
    ...(flags.deleteRecordings ? { delete_recordings: true } : {}),
    ...(flags.keepPerson ? { keep_person: true } : {}),
  };
}

/** "delete 3 persons and their events", "delete the events of 3 persons, keeping the persons". */
export function describeDeletion(flags: Flags, whom: string, one = false): string {
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
