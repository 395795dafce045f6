// The sandbox's organization, projects and environments: the listing routes answer like PostHog's
// (LimitOffset pages, the serializers' fields, scoped keys refused on listings), and persons that
// share distinct_ids live apart in each project, reached through both route prefixes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  SANDBOX_ENVIRONMENT_ID, SANDBOX_KEYS, SANDBOX_ORGANIZATION, SANDBOX_OTHER_PROJECT_ID, SANDBOX_PROJECT_ID, startSandbox, type Sandbox,
} from '../../../src/sandbox/index.js';
import { call } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ persons: 60, writeLagMs: 0 });
});
afterAll(() => sb.close());

const forbidden = (detail: string) => ({ type: 'authentication_error', code: 'permission_denied', detail, attr: null });
const ORG = SANDBOX_ORGANIZATION.id;

describe('organizations, projects and environments', () => {
  it('keeps its ids: project 1 and 2, and environment 3 of project 1, in one organization', () => {
    expect([SANDBOX_PROJECT_ID, SANDBOX_OTHER_PROJECT_ID, SANDBOX_ENVIRONMENT_ID]).toEqual([1, 2, 3]);
    expect(SANDBOX_ORGANIZATION.name).toBe('Sandbox Organization');
  });

  it('GET /api/organizations/ is a LimitOffset page of organizations with their projects and environments (teams)', async () => {
    const answer = await call(sb, '/api/organizations/');
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ count: 1, next: null, previous: null });
    const [org] = answer.json.results;
    expect(org).toMatchObject({ id: ORG, name: 'Sandbox Organization', slug: 'sandbox-organization', membership_level: 15 });
    expect(org.projects).toEqual([
      { id: 1, organization_id: ORG, name: 'Production' },
      { id: 2, organization_id: ORG, name: 'Staging' },
    ]);
    expect(org.teams.map((t: { id: number; project_id: number; name: string; organization: string }) => [t.id, t.project_id, t.name, t.organization])).toEqual([
      [1, 1, 'Production', ORG],
      [2, 2, 'Staging', ORG],
      [3, 1, 'Development', ORG],
    ]);
    expect(Object.keys(org.teams[0]).sort()).toEqual(
      ['access_control', 'api_token', 'completed_snippet_onboarding', 'has_completed_onboarding_for', 'id', 'ingested_event', 'is_demo', 'name', 'organization', 'project_id', 'timezone', 'uuid'],
    );
    expect(org.teams[0].api_token).toMatch(/^phc_/);
  });

  it('GET /api/projects/ and /api/organizations/{id}/projects/ page with absolute next links', async () => {
    const first = await call(sb, '/api/projects/?limit=1');
    expect(first.json).toMatchObject({ count: 2, next: `${sb.url}/api/projects/?limit=1&offset=1`, previous: null });
    expect(first.json.results).toHaveLength(1);
    expect(first.json.results[0]).toMatchObject({ id: 1, project_id: 1, name: 'Production', organization: ORG });
    const second = await call(sb, '/api/projects/?limit=1&offset=1');
    expect(second.json).toMatchObject({ count: 2, next: null, previous: `${sb.url}/api/projects/?limit=1` });
    expect(second.json.results.map((p: { id: number }) => p.id)).toEqual([2]);

    const nested = await call(sb, `/api/organizations/${ORG}/projects/`);
    expect(nested.json.results.map((p: { id: number; name: string }) => [p.id, p.name])).toEqual([[1, 'Production'], [2, 'Staging']]);
    const current = await call(sb, '/api/organizations/@current/projects');
    expect(current.json.count).toBe(2);
    expect((await call(sb, '/api/organizations/not-a-uuid/projects/')).json).toMatchObject({ detail: 'Organization not found.' });
  });

  it('lists environments (teams) at the root and per project, and retrieves one', async () => {
    const all = await call(sb, '/api/environments/');
    expect(all.json.results.map((t: { id: number; project_id: number }) => [t.id, t.project_id])).toEqual([[1, 1], [2, 2], [3, 1]]);
    const ofProduction = await call(sb, '/api/projects/1/environments/');
    expect(ofProduction.json.results.map((t: { id: number; name: string }) => [t.id, t.name])).toEqual([[1, 'Production'], [3, 'Development']]);
    const one = await call(sb, '/api/environments/3/');
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ id: 3, project_id: 1, name: 'Development', organization: ORG });
    expect((await call(sb, '/api/environments/99/')).status).toBe(404);
  });

  it('retrieves an organization by id or @current; an unknown one is a 404; only GET is served', async () => {
    const byId = await call(sb, `/api/organizations/${ORG}/`);
    expect(byId.json).toMatchObject({ id: ORG, name: 'Sandbox Organization' });
    expect((await call(sb, '/api/organizations/@current')).json.id).toBe(ORG);
    expect((await call(sb, '/api/organizations/01900000-0000-7000-8000-000000000000/')).status).toBe(404);
    expect((await call(sb, '/api/organizations/', { method: 'POST', body: { name: 'New' } })).status).toBe(405);
    expect((await call(sb, '/api/projects/9/environments/')).json).toMatchObject({ detail: 'Project not found.' });
    expect((await call(sb, '/api/personal_api_keys/')).json).toEqual(forbidden('This action does not support Personal API Key access'));
  });

  it('tells a personal key about itself at /api/personal_api_keys/@current/ (no scope needed)', async () => {
    const scoped = await call(sb, '/api/personal_api_keys/@current/', { key: SANDBOX_KEYS.otherProject });
    expect(scoped.status).toBe(200);
    expect(scoped.json).toMatchObject({ scopes: ['*'], scoped_teams: [2], scoped_organizations: [] });
    expect(scoped.text).not.toContain(SANDBOX_KEYS.otherProject.key);
    const legacy = await call(sb, '/api/personal_api_keys/@current/', { key: SANDBOX_KEYS.legacy });
    expect(legacy.json).toMatchObject({ scopes: ['*'], scoped_teams: [], scoped_organizations: [] });
    expect((await call(sb, '/api/personal_api_keys/@current/', { key: null })).status).toBe(401);
  });

  it('refuses listings to a project-scoped key, and other projects, but serves its own project', async () => {
    const key = SANDBOX_KEYS.otherProject;
    for (const path of ['/api/organizations/', '/api/projects/', '/api/environments/', `/api/organizations/${ORG}/projects/`]) {
      const answer = await call(sb, path, { key });
      expect([path, answer.status, answer.json]).toEqual([path, 403, forbidden('API keys with scoped projects are only supported on project-based endpoints.')]);
    }
    expect((await call(sb, '/api/environments/2/', { key })).json).toMatchObject({ id: 2, name: 'Staging' });
    expect((await call(sb, '/api/environments/1/', { key })).json).toEqual(forbidden('API key does not have access to the requested project: ID 1.'));
    expect((await call(sb, '/api/environments/3/persons/', { key })).json).toEqual(forbidden('API key does not have access to the requested project: ID 3.'));
  });

  it('needs organization:read for organizations and project:read for projects', async () => {
    const org = await call(sb, '/api/organizations/', { key: SANDBOX_KEYS.read });
    expect([org.status, org.json]).toEqual([403, forbidden("API key missing required scope 'organization:read'")]);
    const projects = await call(sb, '/api/projects/', { key: SANDBOX_KEYS.read });
    expect(projects.json).toEqual(forbidden("API key missing required scope 'project:read'"));
    expect((await call(sb, '/api/organizations/', { key: null })).status).toBe(401);
  });
});

describe('persons across projects', () => {
  const byDistinctId = async (prefix: string, id: number, distinctId: string) =>
    (await call(sb, `/api/${prefix}/${id}/persons/?distinct_id=${encodeURIComponent(distinctId)}`)).json.results as Array<{ uuid: string }>;

  it('a distinct_id can be a person in every project, a different person (UUID) in each', async () => {
    const uuids: string[] = [];
    for (const [prefix, id] of [['projects', 1], ['projects', 2], ['environments', 3], ['projects', 3]] as const) {
      const found = await byDistinctId(prefix, id, 'ava-stone');
      expect(found, `${prefix}/${id}`).toHaveLength(1);
      uuids.push(found[0]!.uuid);
    }
    expect(new Set(uuids.slice(0, 3)).size).toBe(3);
    expect(uuids[3]).toBe(uuids[2]);
  });

  it('some live in one project only', async () => {
    expect(await byDistinctId('environments', 3, 'dev-tester-1')).toHaveLength(1);
    expect(await byDistinctId('projects', 1, 'dev-tester-1')).toHaveLength(0);
    expect(await byDistinctId('projects', 2, 'dev-tester-1')).toHaveLength(0);
    expect(await byDistinctId('projects', 2, 'team2-user-3')).toHaveLength(1);
    expect(await byDistinctId('projects', 1, 'team2-user-3')).toHaveLength(0);
    expect(sb.store.count(SANDBOX_OTHER_PROJECT_ID)).toBe(8);
    expect(sb.store.count(SANDBOX_ENVIRONMENT_ID)).toBe(7);
  });

  it('a delete in one project leaves the others alone', async () => {
    const [inStaging] = await byDistinctId('projects', 2, 'yamada-taro');
    const answer = await call(sb, '/api/projects/2/persons/bulk_delete/', { method: 'POST', body: { distinct_ids: ['yamada-taro'] } });
    expect(answer.json).toMatchObject({ persons_found: 1, persons_deleted: 1 });
    expect(sb.store.person(inStaging!.uuid, 2)).toBeUndefined();
    expect(await byDistinctId('projects', 1, 'yamada-taro')).toHaveLength(1);
    expect(await byDistinctId('environments', 3, 'yamada-taro')).toHaveLength(1);
  });
});
