// `--projects all|ID,ID,…` (and `--fail-fast`) for the commands that can work over several projects
// at once. The value is read before any request; with it the run's projects are these, whatever
// the configured project (POSTHOG_PROJECT_ID, a profile's), which is then not needed. Giving
// --project as well names two different things to work on, and is refused.
import type { Command } from 'commander';
import type { Factory } from '../factory.js';
import { UsageError } from '../errors.js';
import type { PersonsApi } from '../api/persons.js';
import { parseProjectsSpec } from '../api/projects-spec.js';
import type { ResolvedProject } from '../api/projects.js';

export interface ProjectsFlags {
  projects?: string;
  failFast?: boolean;
}

export function addProjectsOptions(command: Command, what: string, { failFast = true }: { failFast?: boolean } = {}): Command {
  command.option('--projects <list>', `${what} in several projects, one after another: all (every project and environment the key reaches) or ids separated by commas; one summary and report for all`);
  if (!failFast) return command;
  return command.option('--fail-fast', 'with --projects: stop at the first project that refuses the key or fails (default: report it, finish the others, exit 7)');
}

/** The parsed --projects, or undefined without it; exit 2 for a bad value or a clash, before any request. */
export function checkProjectsFlag(factory: Factory, options: ProjectsFlags): 'all' | string[] | undefined {
  if (options.projects === undefined) {
    if (options.failFast) throw new UsageError('--fail-fast only applies to --projects');
    return undefined;
  }
  const spec = parseProjectsSpec(options.projects);
  if (factory.globals().project !== undefined) {
    throw new UsageError('--projects and --project both name the projects to work on: give one', 'Use --projects ID alone for one project, or --project ID without --projects.');
  }
  return spec;
}

/**
 * The client of the run (no configured project needed) and the projects, listed and checked. A
 * run that writes keeps the named projects a limited key does not reach (`keepRefused`): they are
 * refused in their turn (403) and reported, and the others are still done.
 */
export async function resolveRunProjects(factory: Factory, spec: 'all' | string[], options: { keepRefused?: boolean } = {}): Promise<{ api: PersonsApi; projects: ResolvedProject[] }> {
  const api = await factory.apiAnyProject();
  const { resolveProjects } = await import('../api/projects.js');
  return { api, projects: await resolveProjects(api, spec, options) };
}
