// One bulk run over several projects (--projects): each project is a section, planned against the
// one journal before anything is sent, announced and confirmed once for all of them, then run one
// after another through the same skeleton as any run (runPlanned), each with its project's client
// (`api.forProject`: the same HTTP pool and rate limiter, since PostHog counts requests per key).
// Each section is a run of its own in the journal (header naming its project, batches, footer), so
// --resume, the whole-erasure counts and the report work per project unchanged; the headers share
// a `projects_run` id and the list of projects. The summary has a line per project and a total;
// the report a row per identifier and project. A project that refuses the key (403) or fails is
// reported and the others still run (exit 7 at the end), unless --fail-fast stops at it.
import { randomUUID } from 'node:crypto';
import { CliError, ExitCode, Interrupted, PartialFailure, UsageError } from '../../errors.js';
import type { Factory } from '../../factory.js';
import type { PersonsApi } from '../../api/persons.js';
import { describeResolved, type ResolvedProject } from '../../api/projects.js';
import { confirmRun, planNotice, type ConfirmRequest, type ConsentFlags } from '../../io/confirm.js';
import { escapeForTerminal } from '../../output/escape.js';
import { plural } from '../../output/message-text.js';
import { openReport } from '../report/report-file.js';
import { buildReport, type ReportCounts } from '../report/report-rows.js';
import { describeCounts, type RunReport } from '../report/run-report.js';
import type { BulkOperation, PlanVoices, RunPlan } from './operation.js';
import { runPlanned, type PlannedRows, type RunSettings } from './run.js';
import type { BulkSummary } from './summary.js';

/** One project's part of the run, planned. */
export interface ProjectSection<S extends BulkSummary> {
  project: ResolvedProject;
  api: PersonsApi;
  operation: BulkOperation<S>;
  plan: RunPlan;
  planned: PlannedRows;
}

/** How the operation words the run as a whole (the sections' own plan lines are not said). */
export interface ProjectsRunText<S extends BulkSummary> {
  dryRun(sections: ProjectSection<S>[]): Promise<void>;
  announce(sections: ProjectSection<S>[], voices: PlanVoices): void;
  confirmation(sections: ProjectSection<S>[], toSend: number): ConfirmRequest;
  /** the counts of a project's line and of the total: label, JSON key, value (null: unknown) */
  counts(summary: S): Array<[label: string, key: string, value: number | null]>;
}

/**
 * The `projects_run` of every section's header: the run's id (that of the run being resumed, else
 * a new one), the projects in order, and their names as the listing gave them.
 */
export function stampProjectsRun<S extends BulkSummary>(sections: ProjectSection<S>[]): void {
  const id = sections.map((s) => s.planned.journalPlan?.projectsRunId).find((found) => found !== undefined) ?? randomUUID();
  const projects = sections.map((s) => String(s.project.id));
  const names = Object.fromEntries(sections.flatMap((s) => (s.project.name === null ? [] : [[String(s.project.id), s.project.name]])));
  for (const section of sections) section.planned.journalOptions.projectsRun = { id, projects, ...(Object.keys(names).length > 0 ? { names } : {}) };
}

/**
 * How a plan names a project: its id, name and kind, `1 "Production" (project)`,
 * `3 "Development" (environment of 1)` (the summary lines leave "(project)" out).
 */
export function planName(project: ResolvedProject): string {
  return `${describeResolved(project)}${project.kind === 'project' ? ' (project)' : ''}`;
}

/**
 * The operation of one section, its journal flags naming every project of the run, so a --resume
 * must be of the same projects (checked against each section's last header).
 */
export function withProjectList<S extends BulkSummary>(operation: BulkOperation<S>, ids: string[]): BulkOperation<S> {
  return {
    ...operation,
    journalFlags(by) {
      const own = operation.journalFlags(by);
      return { flags: { ...own.flags, projects: ids }, sameOnResume: [...own.sameOnResume, 'projects'] };
    },
  };
}

/**
 * --resume of a journal none of whose runs is of these projects would start a new run in another
 * run's record: refused, as a single-project --resume of a journal without its run is. (A section
 * the journal has no run of is planned afresh, resume false; a journal holding no complete line
 * is started afresh with resume true.)
 */
export function checkSomethingResumed<S extends BulkSummary>(sections: ProjectSection<S>[], resume: boolean | undefined, command: string): void {
  if (!resume || sections.some((section) => section.planned.journalPlan?.resume !== false)) return;
  const ids = sections.map((section) => section.project.id).join(', ');
  throw new UsageError(
    `the journal ${sections[0]!.plan.journal} records no ${command} run in ${sections.length === 1 ? 'project' : 'projects'} ${ids}`,
    'Resume with the --projects of the run the journal records (its headers list them), or start a new run with another --journal PATH.',
  );
}

type SectionStatus = 'done' | 'refused' | 'failed' | 'interrupted' | 'not_started';

interface SectionResult<S> {
  status: SectionStatus;
  summary?: S;
  error?: string;
}

export interface ProjectsRunFlags extends ConsentFlags {
  /** stop at the first project that refuses the key or fails (exit of its error) */
  failFast?: boolean;
}

export async function runProjects<S extends BulkSummary>(
  factory: Factory,
  sections: ProjectSection<S>[],
  flags: ProjectsRunFlags,
  settings: RunSettings,
  text: ProjectsRunText<S>,
  report?: RunReport & { journal: string },
): Promise<void> {
  if (flags.dryRun) {
    await text.dryRun(sections);
    return;
  }
  const toSend = sections.reduce((sum, section) => sum + section.plan.toSend, 0);
  if (toSend > 0) {
    text.announce(sections, { say: planNotice(factory, flags), tell: (line) => factory.io.err(line) });
    await confirmRun(factory, flags, text.confirmation(sections, toSend));
  }
  const results: SectionResult<S>[] = sections.map(() => ({ status: 'not_started' }));
  let stop: unknown;
  for (const [i, section] of sections.entries()) {
    const result = results[i]!;
    // The sections say nothing of their own: the summary below covers them all.
    const silent: BulkOperation<S> = { ...section.operation, format: () => [] };
    try {
      await runPlanned(factory, silent, section.plan, { ...flags, yes: true }, { ...settings, json: false }, {
        ...section.planned,
        report: undefined,
        confirmed: true,
        onSummary: (summary) => (result.summary = summary as S),
      });
      result.status = 'done';
    } catch (error) {
      result.error = error instanceof Error ? error.message.replace(/^nothing succeeded: /, '') : String(error);
      if (error instanceof Interrupted) {
        result.status = 'interrupted';
        stop = error;
        break;
      }
      const refused = error instanceof CliError && error.exitCode === ExitCode.auth;
      result.status = refused ? 'refused' : 'failed';
      // A failure before the section's run began (its journal could not be opened) is the run's own.
      if (result.summary === undefined && !refused) {
        stop = error;
        break;
      }
      if (flags.failFast) {
        stop = error;
        break;
      }
    }
  }
  printSummary(factory, sections, results, settings, text);
  if (report !== undefined) await writeProjectsReport(factory, sections, report);
  if (stop !== undefined) {
    if (stop instanceof Interrupted || !(stop instanceof CliError)) throw stop;
    const at = sections[results.findIndex((r) => r.status === 'refused' || r.status === 'failed')];
    throw new CliError(`${at ? `project ${describeResolved(at.project)}: ` : ''}${stop.message}`, stop.exitCode, `The projects after it were not started (--fail-fast). Fix the cause, then rerun the same command with --resume (journal: ${sections[0]!.plan.journal}).`);
  }
  const bad = sections.flatMap((section, i) => (results[i]!.status === 'done' ? [] : [`${describeResolved(section.project)} (${results[i]!.status === 'refused' ? 'refused: 403' : 'failed'})`]));
  if (bad.length > 0) {
    throw new PartialFailure(
      `${bad.length} of ${plural(sections.length, 'project')} failed: ${bad.join(', ')}`,
      `The other projects were done. Fix the cause, then rerun the same command with --resume (journal: ${sections[0]!.plan.journal}).`,
    );
  }
}

/** What is said after a project's counts when it did not finish. */
function statusWords(result: SectionResult<unknown>): string {
  const why = result.error === undefined ? '' : `: ${escapeForTerminal(result.error)}`;
  if (result.status === 'refused') return `; refused${why}`;
  if (result.status === 'failed') return `; failed${why}`;
  if (result.status === 'interrupted') return '; interrupted';
  return '';
}

function printSummary<S extends BulkSummary>(factory: Factory, sections: ProjectSection<S>[], results: SectionResult<S>[], settings: RunSettings, text: ProjectsRunText<S>): void {
  const totals = new Map<string, { label: string; value: number | null }>();
  const lines: string[] = [];
  const projects: Array<Record<string, unknown>> = [];
  for (const [i, section] of sections.entries()) {
    const result = results[i]!;
    const name = describeResolved(section.project);
    const project = { id: section.project.id, name: section.project.name, kind: section.project.kind, parent: section.project.parent };
    if (result.summary === undefined) {
      const why = results.some((r) => r.status === 'interrupted') ? '' : ' (--fail-fast)';
      lines.push(`  ${name}: ${result.status === 'not_started' ? `not started${why}` : `${result.status}${result.error ? `: ${escapeForTerminal(result.error)}` : ''}`}`);
      projects.push({ project, status: result.status, ...(result.error ? { error: result.error } : {}) });
      continue;
    }
    const counts = text.counts(result.summary);
    for (const [label, key, value] of counts) {
      const total = totals.get(key) ?? { label, value: 0 };
      total.value = total.value === null || value === null ? null : total.value + value;
      totals.set(key, total);
    }
    const runs = result.summary.runs !== undefined ? ` (across ${result.summary.runs} runs)` : '';
    lines.push(`  ${name}: ${countWords(counts)}${runs}${statusWords(result)}`);
    projects.push({ project, status: result.status, ...(result.error ? { error: result.error } : {}), ...(result.summary as BulkSummary) } as Record<string, unknown>);
  }
  const total = [...totals].map(([key, { label, value }]) => [label, key, value] as [string, string, number | null]);
  const done = results.every((r) => r.status === 'done');
  const by = sections[0]?.plan.by;
  const head = done ? 'Done in' : results.some((r) => r.status === 'interrupted') ? 'Stopped in' : 'Finished with failures in';
  if (!factory.globals().quiet) {
    factory.io.err(`${head} ${plural(sections.length, 'project')} (by ${by}):`);
    for (const line of lines) factory.io.err(line);
    if (total.length > 0) factory.io.err(`  total: ${countWords(total)}`);
  }
  if (settings.json) {
    const json = { command: sections[0]?.operation.command, by, projects, total: Object.fromEntries(total.map(([, key, value]) => [key, value])), journal: sections[0]?.plan.journal };
    factory.io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  }
}

function countWords(counts: Array<[string, string, number | null]>): string {
  return counts.map(([label, , value]) => `${label} ${value === null ? 'unknown' : value.toLocaleString('en-US')}`).join(', ');
}

/**
 * The one report of the run: every section's rows (one per input row, as a single project's
 * report has them) with a `project` column, project after project, built from the journal.
 */
async function writeProjectsReport<S extends BulkSummary>(factory: Factory, sections: ProjectSection<S>[], report: RunReport & { journal: string }): Promise<void> {
  const writer = await openReport(report.path, { extra: ['run', 'project'] });
  const counts: ReportCounts = { rows: 0, runs: 0, outcomes: {} };
  try {
    for (const section of sections) {
      const scope = { command: section.planned.journalOptions.command, host: section.planned.journalOptions.host, project: section.planned.journalOptions.project };
      const one = await buildReport({ journal: report.journal, scope, kind: report.kind, rows: () => report.rows() }, (row) => writer.write({ ...row, project: section.project.id }));
      counts.rows += one.rows;
      counts.runs += one.runs;
      for (const [outcome, n] of Object.entries(one.outcomes)) counts.outcomes[outcome] = (counts.outcomes[outcome] ?? 0) + n;
    }
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  if (!factory.globals().quiet) factory.io.err(`Report: ${report.path}: ${describeCounts(counts)}`);
}
