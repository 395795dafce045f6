// `reset-distinct-id --projects`: the distinct_ids reset in every project named (or all the key
// reaches), one project after another, in one journal (a section per project) with one summary
// and one report (a `project` column). Named distinct_ids need no confirmation, as with one
// project; a file is confirmed once, counting distinct_ids × projects.
import type { Factory } from '../../factory.js';
import type { PersonsApi } from '../../api/persons.js';
import type { ResolvedProject } from '../../api/projects.js';
import { displayValue, plural } from '../../output/message-text.js';
import { journalOptionsOf, planFromInput, type PlannedFileRun } from '../engine/run.js';
import { planJournal } from '../engine/run-journal.js';
import { checkSomethingResumed, planName, stampProjectsRun, runProjects, withProjectList, type ProjectSection, type ProjectsRunText } from '../engine/projects-run.js';
import type { InputRow } from '../input/read-input.js';
import { reportFromJournal } from '../report/journal-batches.js';
import { checkRunReport } from '../report/run-report.js';
import { readResetInput, resetOperation, settingsOf, type ResetOptions, type ResetSummary } from './reset-distinct-id.js';

export async function resetInProjects(
  factory: Factory,
  /** lists and checks the projects: called once the input is read, so a bad file sends nothing */
  resolveProjects: () => Promise<{ api: PersonsApi; projects: ResolvedProject[] }>,
  ids: string[],
  options: ResetOptions & { failFast?: boolean },
): Promise<void> {
  const input = options.fromFile !== undefined ? await readResetInput(factory, { ...options, fromFile: options.fromFile }) : undefined;
  try {
    const { api, projects } = await resolveProjects();
    const source = options.fromFile === undefined ? 'the command line' : options.fromFile === '-' ? 'stdin' : options.fromFile;
    const list = projects.map((project) => String(project.id));
    const sections: ProjectSection<ResetSummary>[] = [];
    // Every section in the same journal: the first one's (a default path names the start time).
    let journal = options.journal;
    for (const [i, project] of projects.entries()) {
      const projectApi = api.forProject(project.id);
      const operation = withProjectList(resetOperation(factory, projectApi, { ...options, report: undefined }, source), list);
      const section = { projectsRun: { id: '', projects: list }, lockHeld: i > 0 };
      const planned = input !== undefined ? await planFromInput(factory, projectApi, operation, input, { ...options, fromFile: options.fromFile!, journal, report: undefined }, section) : await planNamed(factory, projectApi, operation, ids, { ...options, journal }, section);
      journal ??= planned.plan.journal;
      sections.push({ project, api: projectApi, ...planned });
    }
    checkSomethingResumed(sections, options.resume, 'reset-distinct-id');
    stampProjectsRun(sections);
    const path = sections[0]!.plan.journal!;
    const report = options.report === undefined ? undefined : await checkRunReport(factory, options.report, { input: input?.rereadable ? options.fromFile : undefined, journal: path });
    const write = async () => {
      if (report === undefined || options.dryRun) return;
      const scopes = sections.map((s) => ({ command: 'reset-distinct-id', host: s.api.http.host, project: s.api.project }));
      await reportFromJournal(path, report, scopes, () => 'queued');
      if (!factory.globals().quiet) factory.io.err(`Report: ${report}`);
    };
    // Named distinct_ids are what the user typed: nothing to confirm.
    const flags = input === undefined ? { ...options, yes: true } : options;
    try {
      await runProjects(factory, sections, flags, settingsOf(options), resetText(factory, api, source, options.json));
    } catch (error) {
      await write().catch(() => undefined);
      throw error;
    }
    await write();
  } finally {
    await input?.close();
  }
}

async function planNamed(
  factory: Factory,
  api: PersonsApi,
  operation: ProjectSection<ResetSummary>['operation'],
  ids: string[],
  options: ResetOptions,
  section: { projectsRun: { id: string; projects: string[] }; lockHeld: boolean },
): Promise<PlannedFileRun<ResetSummary>> {
  const unique = [...new Set(ids)];
  const journalOptions = { ...journalOptionsOf(api, operation, options, 'distinct_id'), ...section };
  const journalPlan = await planJournal(factory, journalOptions);
  const done = journalPlan.done;
  const pending = unique.filter((id) => !done.has(id));
  const rows: InputRow[] = unique.map((id, i) => ({ id, line: i + 1 }));
  return {
    operation,
    plan: { by: 'distinct_id', requested: unique.length, toSend: pending.length, skipped: unique.length - pending.length, done, first: pending.slice(0, 5), notes: [], journal: journalPlan.path },
    planned: { rows, journalPlan, journalOptions },
  };
}

function resetText(factory: Factory, api: PersonsApi, source: string, json: boolean): ProjectsRunText<ResetSummary> {
  const toSend = (sections: ProjectSection<ResetSummary>[]) => sections.reduce((n, s) => n + s.plan.toSend, 0);
  const projectLines = (sections: ProjectSection<ResetSummary>[]) =>
    sections.map((s) => `  ${planName(s.project)}${s.project.refused ? ': not among the projects this key reaches: PostHog will refuse it' : ''}${s.plan.skipped > 0 ? `: ${s.plan.skipped.toLocaleString('en-US')} already done in the journal, ${s.plan.toSend.toLocaleString('en-US')} to send` : ''}`);
  const requests = (sections: ProjectSection<ResetSummary>[]) => `${plural(toSend(sections), 'reset_person_distinct_id request')} in all, one a distinct_id and project`;
  return {
    async dryRun(sections) {
      const first = sections[0]!.plan;
      if (json) {
        const plan = { dry_run: true, command: 'reset-distinct-id', requested: first.requested, projects: sections.map((s) => ({ id: s.project.id, name: s.project.name, kind: s.project.kind, to_send: s.plan.toSend, skipped: s.plan.skipped })), first_ids: first.first, notes: first.notes, journal: first.journal };
        factory.io.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
      }
      factory.io.err('Dry run: nothing was sent.');
      factory.io.err(`Would reset ${plural(first.requested, 'distinct_id')} from ${source} in ${plural(sections.length, 'project')}:`);
      for (const line of projectLines(sections)) factory.io.err(line);
      factory.io.err(`  ${requests(sections)}.`);
      for (const note of first.notes) factory.io.err(`  Note: ${note}.`);
      if (first.first.length > 0) factory.io.err(`First distinct_ids: ${first.first.map(displayValue).join(', ')}${first.toSend > first.first.length ? ', …' : ''}`);
    },
    announce(sections, { say, tell }) {
      say(`About to reset ${plural(sections[0]!.plan.requested, 'distinct_id')} from ${source} in ${plural(sections.length, 'project')} at ${api.http.host}, one after another:`);
      for (const line of projectLines(sections)) say(line);
      for (const note of sections[0]!.plan.notes) tell(`  Note: ${note}.`);
      say(`  ${requests(sections)}.`);
      say(`Journal: ${sections[0]!.plan.journal}`);
    },
    confirmation: (sections, count) => ({
      count,
      single: `Reset distinct_id "${displayValue(sections.find((s) => s.plan.toSend > 0)?.plan.first[0] ?? '')}" in ${plural(sections.length, 'project')}?`,
      many: `Type ${count} to reset ${plural(sections[0]!.plan.requested, 'distinct_id')} in ${plural(sections.length, 'project')}:`,
      nothingDone: 'Nothing was reset.',
    }),
    counts: (summary) => [
      ['requested', 'requested', summary.requested],
      ['reset', 'reset', summary.reset],
      ['failed', 'failed', summary.failed],
    ],
  };
}
