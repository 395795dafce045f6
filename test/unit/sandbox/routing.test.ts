import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { formatEnvLines, SANDBOX_KEYS, startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { call, P } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ persons: 200, writeLagMs: 0 });
});
afterAll(() => sb.close());

describe('routing', () => {
  it('serves both prefixes, @current and the legacy route, with or without a trailing slash', async () => {
    const paths = [
      '/api/projects/1/persons/',
      '/api/projects/1/persons',
      '/api/environments/1/persons/',
      '/api/projects/@current/persons/',
      '/api/environments/@current/persons',
      '/api/person/',
    ];
    const firstIds = [];
    for (const path of paths) {
      const answer = await call(sb, `${path}?limit=2`);
      expect(answer.status, path).toBe(200);
      firstIds.push(answer.json.results[0].uuid);
    }
    expect(new Set(firstIds).size).toBe(1);
  });

  it('answers 404 "Project not found." for a non-integer or unknown project', async () => {
    for (const project of ['abc', '999', '1.5']) {
      const answer = await call(sb, `/api/projects/${project}/persons/`);
      expect(answer.status).toBe(404);
      expect(answer.json).toEqual({ type: 'invalid_request', code: 'not_found', detail: 'Project not found.', attr: null });
    }
  });

  it('accepts a person id as UUID or integer pk, and explains a distinct id given as id', async () => {
    const person = sb.store.persons()[0]!;
    const byUuid = await call(sb, `${P}/${person.uuid}/`);
    const byPk = await call(sb, `${P}/${person.pk}`);
    expect(byUuid.status).toBe(200);
    expect(byPk.json).toEqual(byUuid.json);

    const bad = await call(sb, `${P}/jose.alvarez/`);
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({
      type: 'validation_error',
      code: 'invalid_input',
      detail:
        'The ID provided does not look like a personID. If you are using a distinctId, please use /persons?distinct_id=jose.alvarez instead.',
      attr: null,
    });
  });

  it('answers 404 for a missing person and for another project’s person', async () => {
    const other = sb.store.persons(2)[0]!;
    for (const id of ['00000000-0000-4000-8000-000000000000', '999999', other.uuid, String(other.pk)]) {
      const answer = await call(sb, `${P}/${id}/`);
      expect(answer.status).toBe(404);
      expect(answer.json).toEqual({ type: 'invalid_request', code: 'not_found', detail: 'Not found.', attr: null });
    }
    const inOwnProject = await call(sb, `/api/projects/2/persons/${other.uuid}/`);
    expect(inOwnProject.status).toBe(200);
  });

  it('refuses to create persons (405) and form bodies (415), and 404s unknown routes', async () => {
    const create = await call(sb, `${P}/`, { method: 'POST', body: { distinct_ids: ['x'] } });
    expect(create.status).toBe(405);
    expect(create.json).toEqual({
      type: 'invalid_request',
      code: 'method_not_allowed',
      detail:
        'Creating persons via this API is not allowed. Please create persons by sending an $identify event. See https://posthog.com/docs/product-analytics/identify for details.',
      attr: null,
    });
    const form = await call(sb, `${P}/bulk_delete/`, {
      method: 'POST',
      body: 'ids=abc',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(form.json.code).toBe('unsupported_media_type');
    expect(form.json.type).toBe('invalid_request');
    expect((await call(sb, `${P}/bulk_delete/`)).status).toBe(405);
    expect((await call(sb, '/api/projects/1/cohorts/')).status).toBe(404);
    expect((await call(sb, `${P}/a/b/c/`)).status).toBe(404);
  });
});

describe('person shapes', () => {
  it('lists persons in the list shape and retrieves them in the retrieve shape', async () => {
    const list = await call(sb, `${P}/?limit=1`);
    const item = list.json.results[0];
    expect(Object.keys(item)).toEqual([
      'type', 'id', 'uuid', 'created_at', 'last_seen_at', 'properties', 'is_identified', 'name', 'distinct_ids',
      'matched_recordings', 'value_at_data_point',
    ]);
    expect(item.type).toBe('person');
    expect(item.id).toBe(item.uuid);
    expect(item.matched_recordings).toEqual([]);
    expect(item.value_at_data_point).toBeNull();

    const retrieved = await call(sb, `${P}/${item.uuid}/`);
    expect(Object.keys(retrieved.json)).toEqual(['id', 'name', 'distinct_ids', 'properties', 'created_at', 'uuid', 'last_seen_at']);
    expect(typeof retrieved.json.id).toBe('number');
    expect(retrieved.json.uuid).toBe(item.uuid);
    expect(retrieved.json.created_at).toMatch(/Z$/);
  });

  it('sorts distinct ids identified-first and derives names like PostHog', async () => {
    const jose = sb.store.byDistinctId('jose.alvarez')!;
    const answer = await call(sb, `${P}/${jose.uuid}/`);
    expect(jose.distinctIds[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.json.distinct_ids[0]).toBe('jose.alvarez');
    expect(answer.json.name).toBe('jose.alvarez@example.com');

    const noProps = await call(sb, `${P}/${sb.store.byDistinctId('no-props-user')!.uuid}/`);
    expect(noProps.json.properties).toEqual({});
    expect(noProps.json.name).toBe('no-props-user');

    const username = await call(sb, `${P}/?distinct_id=username-only`);
    expect(username.json.results[0].name).toBe('just_a_username');

    const orphan = sb.store.persons().find((p) => p.distinctIds.length === 0)!;
    expect((await call(sb, `${P}/${orphan.uuid}/`)).json.name).toBe('orphan@example.com');
  });

  it('caps distinct ids at 1000 in the list but returns all 1200 on retrieve', async () => {
    const list = await call(sb, `${P}/?distinct_id=many-devices-user`);
    expect(list.json.results[0].distinct_ids).toHaveLength(1000);
    const retrieved = await call(sb, `${P}/${list.json.results[0].uuid}/`);
    expect(retrieved.json.distinct_ids).toHaveLength(1200);
    expect(retrieved.json.distinct_ids[0]).toBe('many-devices-user');
  });

  it('answers batch lookups keyed by input, minimal persons with at most 10 distinct ids', async () => {
    const byIds = await call(sb, `${P}/batch_by_distinct_ids/`, {
      method: 'POST',
      body: { distinct_ids: ['many-devices-user', 'nobody-has-this', 'bobby'] },
    });
    expect(byIds.status).toBe(200);
    expect(Object.keys(byIds.json.results).sort()).toEqual(['bobby', 'many-devices-user']);
    expect(byIds.json.results['many-devices-user'].distinct_ids).toHaveLength(10);
    expect((await call(sb, `${P}/batch_by_distinct_ids/`, { method: 'POST', body: { distinct_ids: 'x' } })).json).toEqual({ results: {} });

    const uuid = sb.store.byDistinctId('bobby')!.uuid;
    const byUuids = await call(sb, `${P}/batch_by_uuids/`, { method: 'POST', body: { uuids: [uuid] } });
    expect(byUuids.json.results[uuid].uuid).toBe(uuid);
    const bad = await call(sb, `${P}/batch_by_uuids/`, { method: 'POST', body: { uuids: ['nope'] } });
    expect(bad.status).toBe(400);
    expect(bad.json.detail).toBe('One or more UUIDs are invalid.');
  });

  it('answers values with counts', async () => {
    const answer = await call(sb, `${P}/values/?key=plan`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('max-age=10');
    expect(answer.json.refreshing).toBe(false);
    const names = answer.json.results.map((r: { name: unknown }) => r.name);
    expect(names).toContain('free');
    expect((await call(sb, `${P}/values/`)).json).toEqual({ results: [], refreshing: false });
  });
});

describe('formatEnvLines', () => {
  it('prints the shell lines with the legacy key by default', () => {
    expect(formatEnvLines(sb)).toBe(
      [`export POSTHOG_HOST=${sb.url}`, 'export POSTHOG_PROJECT_ID=1', `export POSTHOG_PERSONAL_API_KEY=${SANDBOX_KEYS.legacy.key}`].join('\n'),
    );
    expect(formatEnvLines(sb, SANDBOX_KEYS.read)).toContain(SANDBOX_KEYS.read.key);
  });

  it('uses key constants shaped like real keys', () => {
    for (const key of Object.values(SANDBOX_KEYS)) expect(key.key).toMatch(/^phx_[A-Za-z0-9]{40}$/);
  });
});
