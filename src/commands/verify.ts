// `verify [<person>...]`, `verify --from-file PATH`, `verify --journal PATH`: read-only proof that
// erased persons are gone. Identifiers are looked up 200 a request; those that still resolve are
// printed (exit 8), none resolving is exit 0. With --journal the journal's hash chain is checked
// first and the erasure it records is summarised.
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { Factory } from '../factory.js';
import { UsageError } from '../errors.js';
import { escapeForTerminal } from '../output/escape.js';
import { isUuid, parseByFlag, validatePersonRef } from '../api/resolve-person.js';
import type { IdKind } from '../bulk/input/read-input.js';
import type { PresentRow, VerifyInput, VerifyKind } from '../bulk/ops/verify.js';
import { addOutputOptions, examples, intInRange, openRenderer, type OutputFlags } from './shared.js';
import { addWaitOption, waitMs, type WaitFlag } from './wait-option.js';
import { addProjectsOptions, checkProjectsFlag, resolveRunProjects, type ProjectsFlags } from './projects-option.js';

export interface VerifyOptions extends OutputFlags, ProjectsFlags {
  by?: string;
  fromFile?: string;
  column?: string;
  journal?: string;
  wait?: WaitFlag;
  report?: string;
  concurrency?: number;
}

/** PostHog removes persons queued for deletion within minutes: ten of them by default. */
export const DEFAULT_VERIFY_WAIT_SECONDS = 600;
const DEFAULT_CONCURRENCY = 4;
const MAX_CONCURRENCY = 16;

export function createVerifyCommand(factory: Factory): Command {
  const command = new Command('verify')
    .description('Check that persons are gone: look identifiers up (never a write) and list those that still resolve (exit 8)')
    .argument('[person...]', 'person UUIDs or distinct_ids (a UUID-shaped value is checked both ways unless --by says)')
    .option('--by <kind>', 'read the identifiers only as: uuid, distinct-id or email; in a file, a uuid/person_uuid column holds UUIDs, a distinct_id column distinct_ids, an only column named email emails, any other column needs --by')
    .option('--from-file <path>', 'identifiers to check: CSV with a header, JSON Lines, or one a line (- = stdin), read as delete reads them')
    .option('--column <name>', 'CSV column / JSON key holding the identifiers (default distinct_id, else uuid, else person_uuid, else the only one)')
    .option('--journal <path>', "an erasure's journal: check its hash chain, summarise its runs, and check every identifier it records as deleted or queued")
    .option('--report <path>', 'write one row per input identifier (outcome present, gone or duplicate): CSV, or JSON Lines for .jsonl')
    .option('--concurrency <n>', `lookups in flight, 1-${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY})`, intInRange('--concurrency', 1, MAX_CONCURRENCY));
  addProjectsOptions(command, 'check', { failFast: false });
  command.addHelpText('after', '\nA journal of a run over several projects (delete --projects) is checked in each of its projects; --projects then only narrows them.');
  addWaitOption(command, 'while some still resolve, checking them again (5 s, doubling to 60 s between checks)', DEFAULT_VERIFY_WAIT_SECONDS);
  addOutputOptions(command, { fields: false });
  command.option('--fields <list>', 'fields to print, comma-separated: identifier, kind, person_uuid, name, distinct_ids, created_at, project (default with several projects: project first)');
  examples(command, [
    ['prove an erasure: the journal intact, and every person it deleted gone', 'posthog-persons verify --journal erasures.csv.delete.journal.jsonl'],
    ['the same, waiting up to 10 minutes for queued deletions, with a report for the ticket', 'posthog-persons verify --journal erasures.csv.delete.journal.jsonl --wait --report verified.csv'],
    ['a list of distinct_ids, as CSV', 'posthog-persons verify --from-file erasures.csv --column distinct_id -o csv'],
    ['a list of distinct_ids in every project and environment the key reaches', 'posthog-persons verify --from-file erasures.csv --projects all'],
    ['two persons by UUID', 'posthog-persons verify --by uuid 019704b5-dfbb-70bf-9a46-bbd4c825e918 019704b5-e0a1-7c2e-8f3b-2d4c5e6f7a8b'],
  ]);
  return command.action(async (persons: string[], options: VerifyOptions) => runVerify(factory, persons, options));
}

interface Checked {
  source: 'args' | 'file' | 'journal';
  argKinds?: (ref: string) => VerifyKind[];
  fileBy?: IdKind;
}

export function checkVerifyOptions(refs: string[], options: VerifyOptions): Checked {
  const given = [refs.length > 0, options.fromFile !== undefined, options.journal !== undefined].filter(Boolean).length;
  if (given === 0) throw new UsageError('nothing to verify: give persons, --from-file PATH or --journal PATH');
  if (given > 1) throw new UsageError('give persons as arguments, --from-file or --journal: only one of them');
  if (options.column !== undefined && options.fromFile === undefined) throw new UsageError('--column only applies to --from-file');
  // --by email: an email still resolves while any person holds it (PostHog's email person filter).
  const email = options.by === 'email';
  const by = email ? 'auto' : parseByFlag(options.by);
  if (by === 'id') throw new UsageError('verify looks persons up by person UUID, distinct_id or email: use --by uuid, --by distinct-id or --by email');
  if (options.journal !== undefined) {
    if (options.by !== undefined) throw new UsageError('--by does not apply to --journal: the journal records what each identifier is');
    return { source: 'journal' };
  }
  if (options.fromFile !== undefined) return { source: 'file', fileBy: email ? 'email' : by === 'uuid' ? 'uuid' : by === 'distinct-id' ? 'distinct_id' : undefined };
  if (email) return { source: 'args', argKinds: () => ['email'] };
  for (const ref of refs) validatePersonRef(ref, by);
  // An anonymous distinct_id is UUID-shaped too: without --by, such a value is checked both ways,
  // so a person still reachable by it is never reported gone.
  const argKinds = (ref: string): VerifyKind[] => (by === 'uuid' ? ['uuid'] : by === 'distinct-id' ? ['distinct_id'] : isUuid(ref) ? ['uuid', 'distinct_id'] : ['distinct_id']);
  return { source: 'args', argKinds };
}

export async function runVerify(factory: Factory, refs: string[], options: VerifyOptions): Promise<void> {
  const checked = checkVerifyOptions(refs, options);
  const report = options.report === undefined ? undefined : resolve(factory.cwd, options.report);
  const journal = options.journal === undefined ? undefined : resolve(factory.cwd, options.journal);
  const fromFile = options.fromFile === undefined || options.fromFile === '-' ? undefined : resolve(factory.cwd, options.fromFile);
  const waitFor = waitMs(options.wait, DEFAULT_VERIFY_WAIT_SECONDS);
  if (report !== undefined) {
    const { checkReportPath } = await import('../bulk/report/report-file.js');
    await checkReportPath(report, { input: fromFile, journal });
  }
  const projectsSpec = checkProjectsFlag(factory, options);
  const { presentSchema, verifyIdentifiers } = await import('../bulk/ops/verify.js');
  const { verifyInProjects } = await import('../bulk/ops/verify-projects.js');
  // With several projects a row says which one the identifier still resolves in.
  const open = (several: boolean) => openRenderer<PresentRow>(factory, { output: options.output, schema: presentSchema, fields: options.fields ?? (several ? 'project,identifier,kind,person_uuid,name' : undefined) });
  const settingsOf = (renderer: Awaited<ReturnType<typeof open>>) => ({ concurrency: options.concurrency ?? DEFAULT_CONCURRENCY, waitMs: waitFor, report, renderer });

  if (checked.source === 'journal') {
    const api = await factory.apiAnyProject();
    const { planJournalVerify, chainBroken } = await import('../bulk/ops/verify-journal.js');
    const plan = await planJournalVerify(factory, api, journal!);
    const narrowed = plan.projects?.filter((p) => projectsSpec === undefined || projectsSpec === 'all' || projectsSpec.includes(p.project));
    if (narrowed !== undefined && narrowed.length === 0) throw new UsageError(`the journal records no delete run in the projects --projects names (it has ${plan.projects!.map((p) => p.project).join(', ')})`);
    if (plan.projects === undefined && projectsSpec !== undefined) throw new UsageError('--projects with --journal narrows the projects of a run over several projects; this journal records a run over one', 'Drop --projects; use --project to say where the run was.');
    const renderer = await open(narrowed !== undefined);
    try {
      if (narrowed !== undefined) {
        await verifyInProjects(factory, narrowed.map((p) => ({ project: Number(p.project), label: p.name === undefined ? `project ${p.project}` : `${p.project} "${escapeForTerminal(p.name)}"`, api: api.forProject(p.project), input: p.input })), settingsOf(renderer));
      } else await verifyIdentifiers(factory, api, plan.input, settingsOf(renderer));
    } catch (error) {
      // A changed record is the first thing to say, whatever the lookups found.
      if (!plan.chain.ok) {
        if (error instanceof Error) factory.io.err(`error: ${error.message}`);
        throw chainBroken(plan.chain);
      }
      throw error;
    }
    if (!plan.chain.ok) throw chainBroken(plan.chain);
    return;
  }
  const renderer = await open(projectsSpec !== undefined);
  const settings = settingsOf(renderer);
  // The same identifiers checked in each project named.
  const verifyIn = async (input: VerifyInput): Promise<void> => {
    if (projectsSpec === undefined) {
      await verifyIdentifiers(factory, await factory.api(), input, settings);
      return;
    }
    const { api, projects } = await resolveRunProjects(factory, projectsSpec);
    const { describeResolved } = await import('../api/projects.js');
    await verifyInProjects(factory, projects.map((p) => ({ project: p.id, label: describeResolved(p), api: api.forProject(p.id), input })), settings);
  };
  if (checked.source === 'args') {
    const unique = [...new Set(refs)];
    const kinds = new Map(unique.map((ref) => [ref, checked.argKinds!(ref)]));
    const input: VerifyInput = {
      rows: unique.map((id, i) => ({ id, line: i + 1 })),
      unique: unique.length,
      kindsOf: (id) => kinds.get(id) ?? [],
      duplicates: refs.slice(unique.length).length === 0 ? [] : refs.filter((ref, i) => refs.indexOf(ref) !== i),
      all: refs,
    };
    await verifyIn(input);
    return;
  }
  const { readInput } = await import('../bulk/input/read-input.js');
  const read = await readInput({ path: options.fromFile!, cwd: factory.cwd, stdin: factory.io.stdin, by: checked.fileBy, column: options.column });
  try {
    const input: VerifyInput = { rows: read.rows, unique: read.stats.unique, kindsOf: () => [read.kind], duplicates: read.stats.duplicates };
    await verifyIn(input);
  } finally {
    await read.close();
  }
}
