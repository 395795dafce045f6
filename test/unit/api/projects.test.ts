// What a key reaches, and --projects resolved against it: against the sandbox's organization
// (projects 1 Production and 2 Staging, environment 3 Development of project 1), through the real
// HTTP client, asserting what the server received.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { AuthError, ExitCode, NotFoundError, UsageError } from '../../../src/errors.js';
import type { PersonsApi } from '../../../src/api/persons.js';
import { describeResolved, parseProjectsSpec, ProjectsApi, resolveProjects, type ReachableProject } from '../../../src/api/projects.js';
import { SANDBOX_KEYS, SANDBOX_ORGANIZATION, startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { testFactory } from '../../helpers/factory.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ persons: 40, writeLagMs: 0 });
});
afterAll(() => sb.close());
beforeEach(() => sb.clearRequests());

async function apiFor(key: string): Promise<PersonsApi> {
  const { factory } = testFactory();
  return factory.createApi({ host: sb.url, apiKey: key, project: '1' });
}

async function all(api: PersonsApi): Promise<ReachableProject[]> {
  const rows: ReachableProject[] = [];
  for await (const row of new ProjectsApi(api).reachable()) rows.push(row);
  return rows;
}

const ORG = SANDBOX_ORGANIZATION.id;
const org = { organization_id: ORG, organization_name: 'Sandbox Organization' };
const routes = () => sb.requests.map((r) => `${r.method} ${r.path}`);

describe('ProjectsApi.reachable', () => {
  it('lists each project followed by its environments, from the organizations listing', async () => {
    expect(await all(await apiFor(SANDBOX_KEYS.all.key))).toEqual([
      { id: 1, name: 'Production', kind: 'project', project_id: 1, ...org },
      { id: 3, name: 'Development', kind: 'environment', project_id: 1, ...org },
      { id: 2, name: 'Staging', kind: 'project', project_id: 2, ...org },
    ]);
    expect(routes()).toEqual(['GET /api/personal_api_keys/@current/', 'GET /api/organizations/']);
  });

  it('follows next links page after page, a relative one against the organizations listing', async () => {
    const other = { id: '0190aaaa-0000-7000-8000-000000000002', name: 'Second Org', projects: [{ id: 7, name: 'Mobile' }], teams: [{ id: 7, project_id: 7, name: 'Mobile' }] };
    sb.script({ method: 'GET', path: '/api/organizations/', kind: 'status', status: 200, body: { count: 2, next: '?limit=1&offset=1', previous: null, results: [other] } });
    const rows = await all(await apiFor(SANDBOX_KEYS.all.key));
    expect(rows.map((r) => [r.id, r.organization_name])).toEqual([[7, 'Second Org']]);
    expect(sb.requests.map((r) => `${r.path}${r.rawQuery ? `?${r.rawQuery}` : ''}`)).toEqual([
      '/api/personal_api_keys/@current/',
      '/api/organizations/',
      '/api/organizations/?limit=1&offset=1',
    ]);
  });

  it('a server without the key route (404) and without projects in its organizations: every team is a project', async () => {
    sb.script(
      { method: 'GET', path: '/api/personal_api_keys/@current/', kind: 'status', status: 404 },
      { method: 'GET', path: '/api/organizations/', kind: 'status', status: 200, body: { count: 1, next: null, previous: null, results: [{ id: ORG, name: 'Old Org', teams: [{ id: 1, name: 'Default' }, { id: 4, name: 'Web' }] }] } },
    );
    expect(await all(await apiFor(SANDBOX_KEYS.all.key))).toEqual([
      { id: 1, name: 'Default', kind: 'project', project_id: 1, organization_id: ORG, organization_name: 'Old Org' },
      { id: 4, name: 'Web', kind: 'project', project_id: 4, organization_id: ORG, organization_name: 'Old Org' },
    ]);
  });

  it('a server that refuses the key route (403) is treated as one without it: the listing decides', async () => {
    sb.script({ method: 'GET', path: '/api/personal_api_keys/@current/', kind: 'status', status: 403 });
    expect((await all(await apiFor(SANDBOX_KEYS.all.key))).map((r) => r.id)).toEqual([1, 3, 2]);
  });

  it('an environment shown without its project is still listed, after the projects', async () => {
    sb.script({
      method: 'GET', path: '/api/organizations/', kind: 'status', status: 200,
      body: { count: 1, next: null, previous: null, results: [{ id: ORG, name: 'O', projects: [{ id: 2, name: 'Staging' }], teams: [{ id: 2, project_id: 2, name: 'Staging' }, { id: 5, project_id: 4, name: 'Preview' }] }] },
    });
    expect((await all(await apiFor(SANDBOX_KEYS.all.key))).map((r) => [r.id, r.kind, r.project_id])).toEqual([[2, 'project', 2], [5, 'environment', 4]]);
  });

  it('a key limited to some projects sees only those, read one by one', async () => {
    expect(await all(await apiFor(SANDBOX_KEYS.otherProject.key))).toEqual([
      { id: 2, name: 'Staging', kind: 'project', project_id: 2, organization_id: ORG, organization_name: null },
    ]);
    expect(routes()).toEqual(['GET /api/personal_api_keys/@current/', 'GET /api/environments/2/']);
  });

  it('a project of a limited key that no longer exists (404) is left out, not an error', async () => {
    sb.script({ method: 'GET', path: '/api/environments/2/', kind: 'status', status: 404 });
    expect(await all(await apiFor(SANDBOX_KEYS.otherProject.key))).toEqual([]);
  });

  it('a key without organization:read is refused with the scopes to ask for (exit 4)', async () => {
    const error = await all(await apiFor(SANDBOX_KEYS.read.key)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).exitCode).toBe(ExitCode.auth);
    expect((error as AuthError).message).toBe("PostHog refused the request (403): API key missing required scope 'organization:read'");
    expect((error as AuthError).hint).toContain('organization:read and project:read');
  });
});

describe('forProject', () => {
  it('shares the HTTP client (and so the rate limiter) and targets the other project', async () => {
    const api = await apiFor(SANDBOX_KEYS.all.key);
    const staging = api.forProject(2);
    expect(staging.http).toBe(api.http);
    expect(staging.project).toBe('2');
    const found = await api.forProject('3').lookupPersons(['dev-tester-1', 'team2-user-1'], 'distinct_id');
    expect([...found.keys()]).toEqual(['dev-tester-1']);
    expect(routes()).toEqual(['POST /api/projects/3/persons/batch_by_distinct_ids/']);
    expect(() => api.forProject('2; rm')).toThrow('not a project id');
  });
});

describe('factory.apiAnyProject', () => {
  it('without a project setting: a client for @current (api() would exit 2); its forProject reaches each id', async () => {
    const { factory } = testFactory({ env: { POSTHOG_HOST: sb.url, POSTHOG_PERSONAL_API_KEY: SANDBOX_KEYS.all.key } });
    factory.setGlobals({});
    await expect(factory.api()).rejects.toThrow('no project');
    const api = await factory.apiAnyProject();
    expect(api.project).toBe('@current');
    expect(await api.forProject(2).lookupPersons(['team2-user-2'], 'distinct_id')).toHaveProperty('size', 1);
  });

  it('with a project setting: the very client api() gives (one rate limiter for the run)', async () => {
    const { factory } = testFactory({ env: { POSTHOG_HOST: sb.url, POSTHOG_PERSONAL_API_KEY: SANDBOX_KEYS.all.key, POSTHOG_PROJECT_ID: '2' } });
    factory.setGlobals({});
    const any = await factory.apiAnyProject();
    expect(any).toBe(await factory.api());
    expect(any.project).toBe('2');
  });
});

describe('resolveProjects', () => {
  it('all: every reachable project and environment, with its parent and organization', async () => {
    const resolved = await resolveProjects(await apiFor(SANDBOX_KEYS.all.key), 'all');
    expect(resolved.map((p) => [p.id, p.name, p.kind, p.parent])).toEqual([
      [1, 'Production', 'project', null],
      [3, 'Development', 'environment', 1],
      [2, 'Staging', 'project', null],
    ]);
    expect(resolved[0]!.organization).toEqual({ id: ORG, name: 'Sandbox Organization' });
  });

  it('a list: those ids, in the order given', async () => {
    const resolved = await resolveProjects(await apiFor(SANDBOX_KEYS.all.key), ['2', '3']);
    expect(resolved.map((p) => [p.id, p.kind, p.parent])).toEqual([[2, 'project', null], [3, 'environment', 1]]);
  });

  it('an id the key does not reach: exit 5 naming the reachable ones', async () => {
    const error = await resolveProjects(await apiFor(SANDBOX_KEYS.all.key), ['2', '9']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).exitCode).toBe(ExitCode.notFound);
    expect((error as NotFoundError).message).toBe(
      'project 9 is not among the projects this key reaches: 1 (Production), 3 (Development, environment of 1), 2 (Staging)',
    );
  });

  it('a name the server leaves null is empty text, in the listing and in errors', async () => {
    sb.script({ method: 'GET', path: '/api/organizations/', kind: 'status', status: 200, body: { count: 1, next: null, previous: null, results: [{ id: ORG, name: null, projects: [{ id: 1, name: null }], teams: [] }] } });
    const error = await resolveProjects(await apiFor(SANDBOX_KEYS.all.key), ['2']).catch((e: unknown) => e);
    expect((error as NotFoundError).message).toBe('project 2 is not among the projects this key reaches: 1 ()');
  });

  it('names from the server are escaped in the error', async () => {
    sb.script({ method: 'GET', path: '/api/organizations/', kind: 'status', status: 200, body: { count: 1, next: null, previous: null, results: [{ id: ORG, name: 'O', projects: [{ id: 1, name: 'A\x1b]0;owned\x07' }], teams: [] }] } });
    const error = await resolveProjects(await apiFor(SANDBOX_KEYS.all.key), ['2']).catch((e: unknown) => e);
    expect((error as NotFoundError).message).toBe('project 2 is not among the projects this key reaches: 1 (A\\x1b]0;owned\\x07)');
  });

  it('a key limited to some projects, asked for another: exit 4 naming the ones it reaches', async () => {
    const error = await resolveProjects(await apiFor(SANDBOX_KEYS.otherProject.key), ['1', '3']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toBe('projects 1, 3 are not among the projects this key reaches: 2 (Staging)');
    expect((error as AuthError).hint).toContain('limited to some projects');
    expect(sb.writes()).toEqual([]);
  });
});

describe('resolveProjects with a key that may not list projects (person scopes only)', () => {
  it('named ids are checked through their persons route, one read each; names are unknown', async () => {
    const resolved = await resolveProjects(await apiFor(SANDBOX_KEYS.write.key), ['2', '3']);
    expect(resolved).toEqual([
      { id: 2, name: null, kind: null, parent: null, organization: { id: null, name: null } },
      { id: 3, name: null, kind: null, parent: null, organization: { id: null, name: null } },
    ]);
    expect(sb.requests.map((r) => `${r.method} ${r.path}${r.rawQuery ? `?${r.rawQuery}` : ''} ${r.status}`)).toEqual([
      'GET /api/personal_api_keys/@current/ 200',
      'GET /api/organizations/ 403',
      'GET /api/projects/2/persons/?limit=1 200',
      'GET /api/projects/3/persons/?limit=1 200',
    ]);
  });

  it('an id with no such project: exit 5, after checking every id', async () => {
    const error = await resolveProjects(await apiFor(SANDBOX_KEYS.write.key), ['9', '2', '8']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).message).toBe('projects 9, 8 were not found (this key may not list projects, so each id was checked through its persons)');
    expect(sb.writes()).toEqual([]);
  });

  it('a person-scoped key limited to project 2: 2 passes, 1 is refused (exit 4) after checking both', async () => {
    const api = await apiFor(SANDBOX_KEYS.projectPersons.key);
    expect((await resolveProjects(api, ['2'])).map((p) => p.id)).toEqual([2]);
    const error = await resolveProjects(api, ['1', '2', '3']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toBe('projects 1, 3 are not open to this key (this key may not list projects, so each id was checked through its persons)');
    expect(sb.requests.filter((r) => r.path.endsWith('/persons/')).map((r) => `${r.path} ${r.status}`)).toEqual([
      '/api/projects/2/persons/ 200',
      '/api/projects/1/persons/ 403',
      '/api/projects/2/persons/ 200',
      '/api/projects/3/persons/ 403',
    ]);
    const listing = await all(api).catch((e: unknown) => e);
    expect((listing as AuthError).message).toBe("PostHog refused the request (403): API key missing required scope 'project:read'");
  });

  it('all still needs the listing: exit 4 naming the scopes', async () => {
    const error = await resolveProjects(await apiFor(SANDBOX_KEYS.write.key), 'all').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).hint).toContain('organization:read and project:read');
  });
});

describe('describeResolved', () => {
  it('names a project, an environment and an id known only by number, escaping server text for the terminal', () => {
    const org = { id: null, name: null };
    expect(describeResolved({ id: 1, name: 'Production', kind: 'project', parent: null, organization: org })).toBe('1 "Production"');
    expect(describeResolved({ id: 3, name: 'Development', kind: 'environment', parent: 1, organization: org })).toBe('3 "Development" (environment of 1)');
    expect(describeResolved({ id: 12345, name: null, kind: null, parent: null, organization: org })).toBe('12345');
    expect(describeResolved({ id: 4, name: 'Evil\x1b[2J', kind: 'project', parent: null, organization: org })).toBe('4 "Evil\\x1b[2J"');
  });
});

describe('parseProjectsSpec', () => {
  it('reads all, or numeric ids separated by commas', () => {
    expect(parseProjectsSpec('all')).toBe('all');
    expect(parseProjectsSpec(' 1, 2 ,3')).toEqual(['1', '2', '3']);
    expect(parseProjectsSpec('007')).toEqual(['7']);
  });

  it.each([
    ['', '--projects is empty'],
    ['1,,2', '--projects "1,,2" has an empty entry'],
    ['1,', '--projects "1," has an empty entry'],
    ['staging', '--projects: "staging" is not a project id'],
    ['all,2', '--projects: "all" is not a project id'],
    ['-1', '--projects: "-1" is not a project id'],
    ['0', '--projects: "0" is not a project id'],
    ['@current', '--projects: "@current" is not a project id'],
    ['2,02', '--projects names project 2 twice'],
  ])('refuses %j with exit 2: %s', (text, message) => {
    let error: unknown;
    try {
      parseProjectsSpec(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(message);
    expect((error as UsageError).hint).toContain('--projects all');
  });
});
