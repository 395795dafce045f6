// `deletion-status [<person-uuid>...]`: PostHog's tracking of queued *event* deletions
// (docs/posthog-api-notes.md, "Deleting"). Events are deleted by a weekly batch, so "pending" is
// normal for days, and a person with no row may simply never have had its events queued for
// deletion.
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { Factory } from '../factory.js';
import { UsageError } from '../errors.js';
import { escapeForTerminal } from '../output/escape.js';
import { isUuid } from '../api/resolve-person.js';
import type { DeletionStatusRow } from '../api/persons.js';
import type { RecordSchema } from '../output/columns.js';
import { writePages } from './page-loop.js';
import { addOutputOptions, examples, exclusive, intInRange, openRenderer, outputFormat, type OutputFlags } from './shared.js';
import { addProjectsOptions, checkProjectsFlag, type ProjectsFlags } from './projects-option.js';

export interface DeletionStatusOptions extends OutputFlags, ProjectsFlags {
  status?: 'pending' | 'completed' | 'all';
  limit?: number;
  all?: boolean;
  journal?: string;
}

/** A row of `deletion-status --journal`: one identifier of the erasure and its person's row, if any. */
export interface JournalStatusRow {
  identifier: string;
  person_uuid: string;
  status: 'pending' | 'completed' | 'none' | string;
  created_at: string | null;
  delete_verified_at: string | null;
  /** a journal of a run over several projects: the project the person was deleted in */
  project?: number;
}

export const journalStatusSchema: RecordSchema<JournalStatusRow> = {
  columns: [
    { name: 'identifier', get: (r) => r.identifier },
    { name: 'person_uuid', fixedWidth: true, get: (r) => r.person_uuid },
    { name: 'status', get: (r) => r.status },
    { name: 'created_at', fixedWidth: true, get: (r) => r.created_at },
    { name: 'delete_verified_at', fixedWidth: true, get: (r) => r.delete_verified_at },
    { name: 'project', get: (r) => r.project ?? null },
  ],
  defaultFields: ['identifier', 'person_uuid', 'status', 'created_at', 'delete_verified_at'],
};

export const DEFAULT_DELETION_LIMIT = 100;
/** Rows per request: the server's default page, which every version accepts. */
const PAGE_SIZE = 100;

export const deletionStatusSchema: RecordSchema<DeletionStatusRow> = {
  columns: [
    { name: 'person_uuid', fixedWidth: true, get: (r) => r.person_uuid },
    { name: 'status', get: (r) => r.status },
    { name: 'created_at', fixedWidth: true, get: (r) => r.created_at },
    { name: 'delete_verified_at', fixedWidth: true, get: (r) => r.delete_verified_at },
  ],
  defaultFields: ['person_uuid', 'status', 'created_at', 'delete_verified_at'],
};

export function createDeletionStatusCommand(factory: Factory): Command {
  const command = new Command('deletion-status')
    .description("Show queued event deletions (PostHog deletes events in a weekly batch)")
    .argument('[person-uuid...]', 'only these persons (person UUIDs)')
    .addOption(
      new Option('--status <status>', 'which rows (default all)').choices(['pending', 'completed', 'all']),
    )
    .option('--limit <n>', `rows to print (default ${DEFAULT_DELETION_LIMIT})`, intInRange('--limit', 1))
    .option('--all', 'every row, following the pages')
    .option('--journal <path>', "every person an erasure's journal records deleted with --delete-events, by identifier (status none: no row)");
  addProjectsOptions(command, 'with --journal of a run over several projects (whose every project is shown): only', { failFast: false });
  addOutputOptions(command, { fields: false });
  command.option('--fields <list>', `fields to print, comma-separated: person_uuid, status, created_at, delete_verified_at (--journal: also identifier, and project)`);
  examples(command, [
    ['event deletions still waiting for the weekly batch', 'posthog-persons deletion-status --status pending --all'],
    ['one person, after `delete --delete-events`', 'posthog-persons deletion-status 019704b5-dfbb-70bf-9a46-bbd4c825e918'],
    ['check a list of deleted persons, as CSV', 'posthog-persons deletion-status $(cat deleted-uuids.txt) -o csv'],
    ['the 20 newest rows as JSON', 'posthog-persons deletion-status --limit 20 -o json'],
    ['every person an erasure deleted with --delete-events (every project of a delete --projects run)', 'posthog-persons deletion-status --journal erasures.csv.delete.journal.jsonl'],
  ]);
  return command.action(async (uuids: string[], options: DeletionStatusOptions) => runDeletionStatus(factory, uuids, options));
}

export async function runDeletionStatus(factory: Factory, uuids: string[], options: DeletionStatusOptions): Promise<void> {
  if (options.journal !== undefined) return runJournalStatus(factory, uuids, options, options.journal);
  if (options.projects !== undefined) throw new UsageError('--projects applies to --journal: event deletions are listed one project at a time', 'Give --project ID, or --journal PATH of a run over several projects.');
  exclusive(options, [
    ['all', '--all'],
    ['limit', '--limit'],
  ]);
  const bad = uuids.filter((uuid) => !isUuid(uuid));
  if (bad.length > 0) {
    throw new UsageError(
      `${bad.map((v) => JSON.stringify(v)).join(', ')} ${bad.length === 1 ? 'is not a person UUID' : 'are not person UUIDs'}`,
      'deletion-status takes person UUIDs (deleted persons have no distinct_ids to look them up by).',
    );
  }
  const format = outputFormat(factory, options.output);
  const renderer = await openRenderer<DeletionStatusRow>(factory, { output: format, schema: deletionStatusSchema, fields: options.fields });

  const api = await factory.api();
  const status = options.status === 'all' ? undefined : options.status;
  const limit = options.all ? Infinity : (options.limit ?? DEFAULT_DELETION_LIMIT);
  const pageSize = Math.min(PAGE_SIZE, limit);
  // One query for everything, or one per person (the endpoint filters by a single person_uuid).
  const targets: Array<string | undefined> = uuids.length > 0 ? [...new Set(uuids.map((u) => u.toLowerCase()))] : [undefined];
  let printed = 0;
  for (const personUuid of targets) {
    if (printed >= limit) break;
    // The limit is over all the queries together.
    printed += await writePages(api, () => api.deletionStatus({ status, person_uuid: personUuid, limit: pageSize }), (row) => renderer.write(row), {
      limit: limit - printed,
    });
  }
  const { count } = await renderer.end();
  if (format === 'table') {
    if (count === 0) factory.io.err('No event deletions found.');
    factory.io.err(
      'These rows track event deletion (delete --delete-events), which PostHog runs in a weekly batch; ' +
        '"pending" is normal until then. No row does not mean the events are gone: it means none were queued for deletion.',
    );
  }
}

/** `--journal`: the persons an erasure deleted with --delete-events, each with its newest row. */
async function runJournalStatus(factory: Factory, uuids: string[], options: DeletionStatusOptions, journal: string): Promise<void> {
  if (uuids.length > 0) throw new UsageError('give person UUIDs or --journal, not both');
  for (const [key, flag] of [['all', '--all'], ['limit', '--limit'], ['status', '--status']] as const) {
    if (options[key] !== undefined) throw new UsageError(`--journal and ${flag} cannot be used together`, '--journal shows every person of the erasure, whatever its status.');
  }
  const narrow = checkProjectsFlag(factory, options);
  const [{ readErasureRecord }, { eventDeletionTargets, fetchDeletionStatuses }, { plural }] = await Promise.all([
    import('../bulk/journal/erasure-record.js'),
    import('../bulk/ops/event-deletions.js'),
    import('../output/message-text.js'),
  ]);
  const found = eventDeletionTargets(await readErasureRecord(resolve(factory.cwd, journal)));
  const { runs, unnamed } = found;
  // A run over several projects: every project it deleted in (--projects narrows them).
  const projects = found.projects?.filter((p) => narrow === undefined || narrow === 'all' || narrow.includes(p));
  if (narrow !== undefined && found.projects === undefined) throw new UsageError('--projects with --journal narrows the projects of a run over several projects; this journal records a run over one');
  const renderer = await openRenderer<JournalStatusRow>(factory, { output: options.output, schema: journalStatusSchema, fields: options.fields ?? (projects ? 'project,identifier,person_uuid,status,created_at,delete_verified_at' : undefined) });
  const say = factory.globals().quiet ? () => undefined : (line: string) => factory.io.err(line);
  if (runs === 0) {
    await renderer.end();
    say('No run of this journal deleted events (delete --delete-events): there is no event deletion to follow.');
    return;
  }
  if (unnamed > 0) {
    say(`Note: ${plural(unnamed, 'identifier')} of a distinct_id run ${unnamed === 1 ? 'was' : 'were'} deleted without a lookup first, so the journal does not name their persons and their event deletions cannot be matched.`);
  }
  const api = projects ? await factory.apiAnyProject() : await factory.api();
  const counts = { pending: 0, completed: 0, none: 0 };
  const lines: string[] = [];
  let persons = 0;
  for (const project of projects ?? [undefined]) {
    const targets = project === undefined ? found.targets : found.targets.filter((t) => t.project === project);
    const rows = await fetchDeletionStatuses(project === undefined ? api : api.forProject(project), targets.map((t) => t.personUuid));
    const here = { pending: 0, completed: 0, none: 0 };
    for (const target of targets) {
      const row = rows.get(target.personUuid);
      const status = row === undefined ? 'none' : row.status;
      if (status === 'pending' || status === 'completed' || status === 'none') {
        counts[status]++;
        here[status]++;
      }
      await renderer.write({ identifier: target.identifier, person_uuid: target.personUuid, status, created_at: row?.created_at ?? null, delete_verified_at: row?.delete_verified_at ?? null, ...(project === undefined ? {} : { project: Number(project) }) });
    }
    persons += targets.length;
    const name = found.names?.[project!];
    lines.push(`  ${name === undefined ? `project ${project}` : `${project} "${escapeForTerminal(name)}"`}: ${plural(targets.length, 'person')}: ${here.pending.toLocaleString('en-US')} pending, ${here.completed.toLocaleString('en-US')} completed, ${here.none.toLocaleString('en-US')} with no row`);
  }
  await renderer.end();
  const where = projects ? ` in ${plural(projects.length, 'project')}` : '';
  say(
    `Event deletion of ${plural(persons, 'person')}${where} (${plural(runs, 'delete run')} with --delete-events): ` +
      `${counts.pending.toLocaleString('en-US')} pending, ${counts.completed.toLocaleString('en-US')} completed, ${counts.none.toLocaleString('en-US')} with no row.`,
  );
  if (projects) for (const line of lines) say(line);
  say('PostHog deletes events in a weekly batch, so "pending" is normal until then. No row does not mean the events are gone: none were queued for that person (or the row was removed).');
}
