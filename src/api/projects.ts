// Which projects and environments a personal API key reaches (docs/posthog-projects.md). Persons
// belong to a team: a project's own (first) team has the project's id, and each further
// environment of the project is a team with an id of its own, served by the same persons routes.
// So every id listed here is one persons store, and `PersonsApi.forProject(id)` works on it.
//
// How it is found: the key's own record (`/api/personal_api_keys/@current/`, no scope needed)
// says whether the key is limited to some projects. Such a key may not call any listing
// (PostHog answers 403 "API keys with scoped projects are only supported on project-based
// endpoints"), so its projects are read one by one (`/api/environments/{id}/`, project:read).
// Any other key lists its organizations (`/api/organizations/`, organization:read), each of which
// carries the projects and environments (teams) the key's owner can see.
import { ApiError, AuthError, NotFoundError, UsageError } from '../errors.js';
import { escapeForTerminal } from '../output/escape.js';
import type { PersonsApi } from './persons.js';

export type ProjectKind = 'project' | 'environment';

/** One project or environment the key reaches, as `projects` prints it. */
export interface ReachableProject {
  /** The id in /api/projects/{id}/persons/ (a team id). */
  id: number;
  name: string;
  kind: ProjectKind;
  /** The project it belongs to: its own id for a project, the parent project for an environment. */
  project_id: number;
  /** null when PostHog does not show it to this key (a key limited to some projects). */
  organization_id: string | null;
  organization_name: string | null;
}

/**
 * What `--projects` resolves to: the ids to work on, each with what the plan shows. `name` and
 * `kind` are null when the key may not list projects and the id was checked through its
 * persons route instead (the plan then shows the id alone).
 */
export interface ResolvedProject {
  id: number;
  name: string | null;
  kind: ProjectKind | null;
  /** The project an environment belongs to; null for a project (or when not known). */
  parent: number | null;
  organization: { id: string | null; name: string | null };
  /**
   * Named by the caller but not open to the key (it is limited to other projects), kept only when
   * resolveProjects is asked to (a run over several projects reports it as refused in its turn).
   */
  refused?: boolean;
}

/** PersonalAPIKeySerializer, the fields that say what the key may reach. */
export interface PersonalKeyInfo {
  scopes: string[];
  scoped_teams: number[];
  scoped_organizations: string[];
}

/** OrganizationSerializer: the organization and what its member can see of it. */
export interface OrganizationSummary {
  id: string;
  name: string;
  /** Newer PostHog (since projects hold environments); absent on older servers. */
  projects?: Array<{ id: number; name: string; organization_id?: string }>;
  teams?: TeamSummary[];
}

/** TeamBasicSerializer / TeamSerializer: an environment (a team). */
export interface TeamSummary {
  id: number;
  name: string;
  /** Absent on servers older than projects with environments: the team is the project. */
  project_id?: number;
  organization?: string;
}

export const PROJECTS_SCOPE_HINT =
  'Listing projects needs a personal API key with the organization:read and project:read scopes (besides person:read or person:write); a key limited to some projects needs project:read.';

export class ProjectsApi {
  constructor(private readonly api: PersonsApi) {}

  /**
   * The key's own record; undefined on servers without the `@current` key route (404), or that
   * refuse it (403): the listing that follows then says what the key may do.
   */
  async currentKey(): Promise<PersonalKeyInfo | undefined> {
    try {
      const res = await this.api.http.request<Partial<PersonalKeyInfo>>({ method: 'GET', path: '/api/personal_api_keys/@current/', retry: 'safe' });
      const data = res.data ?? {};
      return {
        scopes: Array.isArray(data.scopes) ? data.scopes : [],
        scoped_teams: Array.isArray(data.scoped_teams) ? data.scoped_teams.map(Number) : [],
        scoped_organizations: Array.isArray(data.scoped_organizations) ? data.scoped_organizations.map(String) : [],
      };
    } catch (error) {
      if (error instanceof NotFoundError || (error instanceof AuthError && error.status === 403)) return undefined;
      throw error;
    }
  }

  /** Every organization the key reaches, page after page (LimitOffset pages of 100). */
  async *organizations(): AsyncGenerator<OrganizationSummary> {
    const path = '/api/organizations/';
    const first = async () => {
      const res = await this.api.http.request<{ results?: OrganizationSummary[]; next?: string | null }>({ method: 'GET', path, retry: 'safe' });
      return { results: res.data?.results ?? [], next: res.data?.next ?? null };
    };
    for await (const page of this.api.pages<OrganizationSummary>(first, () => true, path)) {
      yield* page.results;
    }
  }

  /** One environment (team), with its project and organization. */
  async environment(id: number): Promise<TeamSummary> {
    const res = await this.api.http.request<TeamSummary>({ method: 'GET', path: `/api/environments/${id}/`, retry: 'safe' });
    if (!res.data || typeof res.data.id !== 'number') throw new ApiError(`PostHog's answer for environment ${id} holds no id`, { status: res.status });
    return res.data;
  }

  /**
   * Every project and environment the key reaches: projects in the order PostHog lists them, each
   * followed by its other environments. Errors of a refused key say which scopes are needed.
   * `key`: the key's record when the caller already read it (null: the server has none).
   */
  async *reachable(key?: PersonalKeyInfo | null): AsyncGenerator<ReachableProject> {
    try {
      if (key === undefined) key = (await this.currentKey()) ?? null;
      if (key && key.scoped_teams.length > 0) {
        for (const id of key.scoped_teams) {
          const team = await this.environment(id).catch((error: unknown) => {
            // A key keeps the ids of projects deleted since it was made: they are simply gone.
            if (error instanceof NotFoundError) return undefined;
            throw error;
          });
          if (team) yield fromTeam(team, null);
        }
        return;
      }
      for await (const org of this.organizations()) yield* fromOrganization(org);
    } catch (error) {
      throw withProjectsHint(error);
    }
  }
}

/** A name as text: a server leaving it out (or null) gives an empty one, not a crash later. */
function nameOf(name: unknown): string {
  return typeof name === 'string' ? name : '';
}

function fromTeam(team: TeamSummary, org: OrganizationSummary | null): ReachableProject {
  const projectId = typeof team.project_id === 'number' ? team.project_id : team.id;
  return {
    id: team.id,
    name: nameOf(team.name),
    kind: projectId === team.id ? 'project' : 'environment',
    project_id: projectId,
    organization_id: org?.id ?? team.organization ?? null,
    organization_name: org ? nameOf(org.name) : null,
  };
}

function fromOrganization(org: OrganizationSummary): ReachableProject[] {
  const teams = (org.teams ?? []).map((team) => fromTeam(team, org));
  // Older servers: no `projects`, every team is a project.
  if (!Array.isArray(org.projects)) return teams;
  const rows: ReachableProject[] = [];
  const listed = new Set<number>();
  for (const project of org.projects) {
    rows.push({ id: project.id, name: nameOf(project.name), kind: 'project', project_id: project.id, organization_id: org.id, organization_name: nameOf(org.name) });
    listed.add(project.id);
    for (const env of teams) {
      if (env.kind === 'environment' && env.project_id === project.id) {
        rows.push(env);
        listed.add(env.id);
      }
    }
  }
  // A team PostHog shows without its project (access to one environment only) is still reachable.
  for (const team of teams) if (!listed.has(team.id)) rows.push(team);
  return rows;
}

function withProjectsHint(error: unknown): unknown {
  if (!(error instanceof AuthError) || error.status !== 403) return error;
  const scoped = /scoped projects are only supported/i.test(error.message);
  const hint = scoped
    ? 'This key is limited to some projects, and this PostHog server does not say which: name them with --project, or use a key that is not limited to projects.'
    : PROJECTS_SCOPE_HINT;
  return new AuthError(error.message, hint, error.status);
}

export { parseProjectsSpec } from './projects-spec.js';

/**
 * How a reachable project is named in errors: `2 (Staging)`, `3 (Development, environment of 1)`.
 * The name comes from the server and is escaped for the terminal.
 */
export function describeProject(project: Pick<ReachableProject, 'id' | 'name' | 'kind' | 'project_id'>): string {
  const name = escapeForTerminal(project.name);
  return project.kind === 'environment' ? `${project.id} (${name}, environment of ${project.project_id})` : `${project.id} (${name})`;
}

/**
 * How a resolved project is named in a plan or a summary line: `1 "Production"`,
 * `3 "Development" (environment of 1)`, or the bare id when its name is not known. The name comes
 * from the server, so it is escaped for the terminal.
 */
export function describeResolved(project: ResolvedProject): string {
  if (project.name === null) return String(project.id);
  const named = `${project.id} "${escapeForTerminal(project.name)}"`;
  return project.kind === 'environment' && project.parent !== null ? `${named} (environment of ${project.parent})` : named;
}

/**
 * The projects `--projects` names, checked against what the key reaches (listed first): `all` is
 * every one of them; a list must hold only reachable ids, in the order given. An id the key does
 * not reach stops with the reachable ones listed: exit 4 when the key is limited to some projects
 * (PostHog refuses it the others), exit 5 otherwise (no such project for this key).
 */
export async function resolveProjects(api: PersonsApi, spec: 'all' | readonly string[], options: { keepRefused?: boolean } = {}): Promise<ResolvedProject[]> {
  const projects = new ProjectsApi(api);
  let key: PersonalKeyInfo | null;
  try {
    key = (await projects.currentKey()) ?? null;
  } catch (error) {
    throw withProjectsHint(error);
  }
  const reachable: ReachableProject[] = [];
  try {
    for await (const project of projects.reachable(key)) reachable.push(project);
  } catch (error) {
    // A key with person scopes only may not list projects; the ids it names can still be checked.
    if (spec !== 'all' && error instanceof AuthError && /missing required scope '(organization|project):read'/.test(error.message)) {
      return checkThroughPersons(api, spec, options.keepRefused === true);
    }
    throw error;
  }
  const resolved = (p: ReachableProject): ResolvedProject => ({
    id: p.id,
    name: p.name,
    kind: p.kind,
    parent: p.kind === 'environment' ? p.project_id : null,
    organization: { id: p.organization_id, name: p.organization_name },
  });
  if (spec === 'all') {
    if (reachable.length === 0) throw new NotFoundError('the key reaches no project', PROJECTS_SCOPE_HINT);
    return reachable.map(resolved);
  }
  const byId = new Map(reachable.map((p) => [String(p.id), p]));
  const missing = spec.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    const list = reachable.length > 0 ? reachable.map(describeProject).join(', ') : 'none';
    const message = `${missing.length === 1 ? `project ${missing[0]} is` : `projects ${missing.join(', ')} are`} not among the projects this key reaches: ${list}`;
    const limited = Boolean(key && (key.scoped_teams.length > 0 || key.scoped_organizations.length > 0));
    if (limited && options.keepRefused) return spec.map((id) => (byId.has(id) ? resolved(byId.get(id)!) : refusedProject(id)));
    const hint = 'Check the ids with `posthog-persons projects`, or use --projects all.';
    throw limited ? new AuthError(message, `The key is limited to some projects. ${hint}`, 403) : new NotFoundError(message, hint);
  }
  return spec.map((id) => resolved(byId.get(id)!));
}

/**
 * Each named id checked by reading one person of it (person:read, which every key of this tool
 * has): a 404 "Project not found." means no such project, a 403 that the key may not reach it.
 * Every id is checked before the answer, so the error names them all.
 */
async function checkThroughPersons(api: PersonsApi, ids: readonly string[], keepRefused: boolean): Promise<ResolvedProject[]> {
  const missing: string[] = [];
  const refused: string[] = [];
  for (const id of ids) {
    try {
      await api.forProject(id).list({ limit: 1 });
    } catch (error) {
      if (error instanceof NotFoundError) missing.push(id);
      else if (error instanceof AuthError && error.status === 403) refused.push(id);
      else throw error;
    }
  }
  const how = '(this key may not list projects, so each id was checked through its persons)';
  const named = (list: string[]) => (list.length === 1 ? `project ${list[0]}` : `projects ${list.join(', ')}`);
  if (refused.length > 0 && keepRefused && missing.length === 0) {
    return ids.map((id) => (refused.includes(id) ? refusedProject(id) : { id: Number(id), name: null, kind: null, parent: null, organization: { id: null, name: null } }));
  }
  if (refused.length > 0) {
    throw new AuthError(`${named(refused)} ${refused.length === 1 ? 'is' : 'are'} not open to this key ${how}`, 'Check the ids, or give the key access to those projects.', 403);
  }
  if (missing.length > 0) {
    throw new NotFoundError(`${named(missing)} ${missing.length === 1 ? 'was' : 'were'} not found ${how}`, 'Check the ids: the numbers in PostHog\'s URLs (/project/12345).');
  }
  return ids.map((id) => ({ id: Number(id), name: null, kind: null, parent: null, organization: { id: null, name: null } }));
}

function refusedProject(id: string): ResolvedProject {
  return { id: Number(id), name: null, kind: null, parent: null, organization: { id: null, name: null }, refused: true };
}
