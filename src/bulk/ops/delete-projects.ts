// `delete --projects`: an erasure list (a file, or names) deleted in every project named (or all the key
// reaches), one project after another, in one journal (a section per project), with one plan, one
// confirmation counting identifiers × projects, one summary and one report. Each section is the
// ordinary file delete of src/bulk/ops/delete.ts, on that project's client.
import { UsageError } from '../../errors.js';
import type { Factory } from '../../factory.js';
import type { PersonsApi } from '../../api/persons.js';
import type { ResolvedProject } from '../../api/projects.js';
import { escapeForTerminal } from '../../output/escape.js';
import { plural } from '../../output/message-text.js';
import { planTimeLine } from '../engine/plan-time.js';
import { journalOptionsOf, planFromInput, type PlannedFileRun } from '../engine/run.js';
import { planJournal } from '../engine/run-journal.js';
import { checkSomethingResumed, planName, stampProjectsRun, runProjects, withProjectList, type ProjectSection, type ProjectsRunText } from '../engine/projects-run.js';
import type { DeleteSummary } from '../engine/summary.js';
import { readInput, rowGroups, sentAs, type InputRow, type RowSource } from '../input/read-input.js';
import { checkRunReport } from '../report/run-report.js';
import { lookupRequests } from './delete-lookup.js';
import { deleteCore, describeDeletion, fileDeleteOperation, settingsOf, type DeletePlan, type DeleteRunOptions } from './delete.js';
import { describeQuery, queryRecord, type PersonQueryFlags } from '../../filters/person-query.js';
import { planSelection, snapshotWriter } from '../engine/run-selection.js';

/**
 * `delete --projects` of a file, or of named persons: these are read as distinct_ids (or UUIDs with
 * --by uuid) and go the way of a file's rows, each batch looked up in its project first, since a
 * name may be a person in one project and nobody in another.
 */
export async function deleteInProjects(
  factory: Factory,
  /** lists and checks the projects: called once the input is read, so a bad file sends nothing */
  resolveProjects: () => Promise<{ api: PersonsApi; projects: ResolvedProject[] }>,
  plan: DeletePlan,
  options: DeleteRunOptions & { failFast?: boolean },
  /** a query (--where, --email, …): each project lists its own selection */
  query?: PersonQueryFlags,
): Promise<void> {
  const path = options.fromFile;
  const input = path === undefined ? undefined : await readInput({ path, cwd: factory.cwd, stdin: factory.io.stdin, by: plan.fileBy, column: options.column });
  try {
    const by: SendKind = input !== undefined ? sentAs(input.kind) : query !== undefined || plan.refBy === 'uuid' ? 'uuid' : 'distinct_id';
    if (plan.resetDistinctIds && by !== 'distinct_id') {
      throw new UsageError(
        `--reset-distinct-ids resets the distinct_ids the input names, and ${path === undefined ? 'the names given' : path === '-' ? 'stdin' : path} ${path === undefined ? 'are' : 'names'} persons by ${input?.kind === 'email' ? 'email' : 'UUID'}`,
        'Reset the persons\' distinct_ids with reset-distinct-id --projects once they are deleted, or give the erasure list as distinct_ids.',
      );
    }
    const { api, projects } = await resolveProjects();
    const ids = projects.map((project) => String(project.id));
    const sections: ProjectSection<DeleteSummary>[] = [];
    // Every section in the same journal: the first one's (a default path names the start time).
    let journal = options.journal;
    for (const [i, project] of projects.entries()) {
      const projectApi = api.forProject(project.id);
      const operation = withProjectList(fileDeleteOperation(factory, projectApi, plan, options, by), ids);
      const section = { projectsRun: { id: '', projects: ids }, lockHeld: i > 0 };
      const planned =
        input !== undefined
          ? await planFromInput(factory, projectApi, operation, input, { ...options, fromFile: path!, journal, report: undefined }, section)
          : query !== undefined
            ? await planQuery(factory, projectApi, plan, options, query, ids, { ...options, journal }, section)
            : await planNamed(factory, projectApi, operation, plan.refs, by, { ...options, journal }, section);
      journal ??= planned.plan.journal;
      sections.push({ project, api: projectApi, ...planned });
    }
    checkSomethingResumed(sections, options.resume, 'delete');
    stampProjectsRun(sections);
    const journalPath = sections[0]!.plan.journal!;
    const reportPath = options.report === undefined ? undefined : await checkRunReport(factory, options.report, { input: input?.rereadable ? path : undefined, journal: journalPath, backup: options.backup });
    if (query !== undefined && sections.every((s) => s.plan.requested === 0)) {
      factory.io.err(`No person matches ${describeQuery(queryRecord(query))} in ${plural(sections.length, 'project')}; nothing to do.`);
      return;
    }
    // (a query run's rows are its snapshot, which the report reads from the journal)
    const rows = input !== undefined ? () => input.everyRow?.() ?? uniqueOf(input.rows) : async function* () { yield query !== undefined ? [] : plan.refs.map((id) => ({ id, duplicate: false })); };
    const report = reportPath === undefined ? undefined : { path: reportPath, kind: by, rows, journal: journalPath };
    const source = query !== undefined ? `selected by ${describeQuery(queryRecord(query))}` : path === undefined ? 'the command line' : `from ${path === '-' ? 'stdin' : path}`;
    // A query, or emails, find other persons in each project: the plan counts each project's.
    const perProject = query !== undefined ? 'selected' : input?.kind === 'email' ? 'matched by the emails' : undefined;
    await runProjects(factory, sections, options, settingsOf(plan), deleteText(factory, api, plan, source, perProject), report);
  } finally {
    await input?.close();
  }
}

/** A query's section: the project's own selection listed (or read back on --resume), by UUID. */
async function planQuery(
  factory: Factory,
  api: PersonsApi,
  plan: DeletePlan,
  options: DeleteRunOptions,
  query: PersonQueryFlags,
  ids: string[],
  flags: DeleteRunOptions,
  section: { projectsRun: { id: string; projects: string[] }; lockHeld: boolean },
): Promise<PlannedFileRun<DeleteSummary>> {
  const core = withProjectList({ ...deleteCore(factory, api, plan, options, 'uuid'), ...UNASKED }, ids);
  const planned = await planSelection(factory, api, core, query, flags, undefined, section);
  return { operation: core, plan: planned.plan, planned: { rows: planned.rows, journalPlan: planned.journalPlan, journalOptions: planned.journalOptions, beforeBatches: snapshotWriter(factory, planned) } };
}

/** A section's own plan and question are never used: the run over the projects says and asks them. */
const UNASKED = {
  async dryRun() {},
  announce() {},
  confirmation: () => ({ count: 0, single: '', many: '', nothingDone: '' }),
};

/** Named persons as a section: the names are its rows (duplicates dropped), planned against the journal. */
async function planNamed(
  factory: Factory,
  api: PersonsApi,
  operation: ProjectSection<DeleteSummary>['operation'],
  refs: string[],
  by: SendKind,
  options: DeleteRunOptions,
  section: { projectsRun: { id: string; projects: string[] }; lockHeld: boolean },
): Promise<PlannedFileRun<DeleteSummary>> {
  const unique = [...new Set(refs)];
  const journalOptions = { ...journalOptionsOf(api, operation, options, by), ...section };
  const journalPlan = await planJournal(factory, journalOptions);
  await operation.checkFiles?.(journalPlan.path);
  const pending = unique.filter((id) => !journalPlan.done.has(id));
  const rows: InputRow[] = unique.map((id, i) => ({ id, line: i + 1 }));
  return {
    operation,
    plan: { by, requested: unique.length, toSend: pending.length, skipped: unique.length - pending.length, done: journalPlan.done, first: pending.slice(0, 5), notes: [], journal: journalPlan.path },
    planned: { rows, journalPlan, journalOptions },
  };
}

/** A stream's rows for the report: read once, so only its unique identifiers are left. */
async function* uniqueOf(rows: RowSource): AsyncGenerator<Array<{ id: string; duplicate: boolean }>> {
  for await (const group of rowGroups(rows)) yield group.map((row) => ({ id: row.id, duplicate: false }));
}

function deleteText(factory: Factory, api: PersonsApi, plan: DeletePlan, source: string, perProject: string | undefined): ProjectsRunText<DeleteSummary> {
  const selected = perProject !== undefined;
  const batches = (sections: ProjectSection<DeleteSummary>[]) => sections.reduce((n, s) => n + Math.ceil(s.plan.toSend / plan.batchSize), 0);
  const lookups = (sections: ProjectSection<DeleteSummary>[]) => (plan.lookup ? sections.reduce((n, s) => n + lookupRequests(s.plan.toSend, plan.batchSize), 0) : 0);
  const requests = (sections: ProjectSection<DeleteSummary>[]) =>
    `${plural(batches(sections), 'bulk_delete request')}${plan.lookup && lookups(sections) > 0 ? ` + ${plural(lookups(sections), 'lookup')}` : ''} in all, of up to ${plan.batchSize.toLocaleString('en-US')} identifiers`;
  const timeLine = (sections: ProjectSection<DeleteSummary>[]) =>
    planTimeLine(api, [{ bucket: 'delete', count: batches(sections), noun: 'bulk_delete request' }, ...(lookups(sections) > 0 ? [{ bucket: 'read' as const, count: lookups(sections), noun: 'lookup' }] : [])]);
  const first = (sections: ProjectSection<DeleteSummary>[]) => sections[0]!.plan;
  const whom = (sections: ProjectSection<DeleteSummary>[]) => {
    const run = first(sections);
    // A query selects other persons in each project: their sum. A list is the same in each.
    if (selected) return plural(sections.reduce((n, s) => n + s.plan.requested, 0), 'person');
    return run.by === 'uuid' ? plural(run.requested, 'person') : `the persons of ${plural(run.requested, 'distinct_id')}`;
  };
  const projectLines = (sections: ProjectSection<DeleteSummary>[]) =>
    sections.map((s) => `  ${planName(s.project)}${selected ? `: ${plural(s.plan.requested, 'person')} ${perProject}` : ''}${s.project.refused ? ': not among the projects this key reaches: PostHog will refuse it' : ''}${s.plan.skipped > 0 ? `: ${s.plan.skipped.toLocaleString('en-US')} already done in the journal, ${s.plan.toSend.toLocaleString('en-US')} to send` : ''}`);
  const rowsNote = (sections: ProjectSection<DeleteSummary>[]) => {
    const stats = first(sections).input?.read.stats;
    if (stats === undefined) return selected ? 'the selection of each project is kept in its section of the journal, and only those persons are deleted' : `${plural(first(sections).requested, 'name')} given`;
    return `${plural(stats.rows, 'row')}: ${plural(stats.unique, 'unique identifier')}, ${stats.blank.toLocaleString('en-US')} blank, ${plural(stats.duplicates, 'duplicate')}`;
  };
  const resetLine = (sections: ProjectSection<DeleteSummary>[]) =>
    `  then reset_person_distinct_id for each distinct_id (${plural(sections.reduce((n, s) => n + s.plan.toSend, 0), 'request')}), in its project, so they start new persons if they come back.`;
  return {
    async dryRun(sections) {
      const run = first(sections);
      if (plan.json) {
        const dryRun = {
          dry_run: true,
          command: 'delete',
          by: run.by,
          requested: run.requested,
          projects: sections.map((s) => ({ id: s.project.id, name: s.project.name, kind: s.project.kind, to_send: s.plan.toSend, skipped: s.plan.skipped })),
          batches: batches(sections),
          lookups: lookups(sections),
          batch_size: plan.batchSize,
          first_ids: run.first,
          notes: run.notes,
          journal: run.journal,
        };
        factory.io.stdout.write(`${JSON.stringify(dryRun, null, 2)}\n`);
      }
      const err = (line: string) => factory.io.err(line);
      err('Dry run: nothing was sent.');
      err(`Would ${describeDeletion(plan.flags, whom(sections))} ${source} in ${plural(sections.length, 'project')}:`);
      for (const line of projectLines(sections)) err(line);
      err(`  ${requests(sections)}.`);
      const time = timeLine(sections);
      if (time) err(`  ${time}`);
      err(`  ${rowsNote(sections)}`);
      for (const note of run.notes) err(`  Note: ${note}.`);
      if (plan.resetDistinctIds) err(resetLine(sections));
      if (run.first.length > 0) err(firstIdsLine(run.first, run.toSend > run.first.length, run.by === 'uuid' ? 'person UUIDs' : 'distinct_ids'));
    },
    announce(sections, { say, tell }) {
      say(`About to ${describeDeletion(plan.flags, whom(sections))} ${source} in ${plural(sections.length, 'project')} at ${api.http.host}, one after another:`);
      for (const line of projectLines(sections)) say(line);
      say(`  ${rowsNote(sections)}`);
      for (const note of first(sections).notes) tell(`  Note: ${note}.`);
      say(`  ${requests(sections)}, ${plan.concurrency} at a time.`);
      if (plan.resetDistinctIds) say(resetLine(sections));
      const time = timeLine(sections);
      if (time) say(`  ${time}`);
      say(`Journal: ${first(sections).journal}`);
    },
    confirmation(sections, toSend) {
      const left = !selected && toSend < first(sections).requested * sections.length ? ` (${toSend.toLocaleString('en-US')} left to send)` : '';
      return {
        count: toSend,
        single: `${describeDeletion(plan.flags, whom(sections), true)} in ${plural(sections.length, 'project')}?`,
        many: `Type ${toSend} to ${describeDeletion(plan.flags, whom(sections))} in ${plural(sections.length, 'project')}${left}:`,
        nothingDone: 'Nothing was deleted.',
      };
    },
    counts: (summary) => [
      ['requested', 'requested', summary.requested],
      ['found', 'found', summary.found],
      ['deleted', 'deleted', summary.deleted],
      ['queued for deletion', 'queued_for_deletion', summary.queued_for_deletion],
      ['not found', 'not_found', summary.not_found],
      ['failed', 'failed', summary.failed],
    ],
  };
}

const firstIdsLine = (ids: string[], more: boolean, noun: string): string => `First ${noun}: ${ids.map(escapeForTerminal).join(', ')}${more ? ', …' : ''}`;

/** What a batch is sent by. */
type SendKind = 'uuid' | 'distinct_id';
