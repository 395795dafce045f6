import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SANDBOX_KEYS, startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { call, P } from './helpers.js';
import { manualClock } from '../../helpers/manual-clock.js';

let sb: Sandbox;
let personUuid: string;
beforeAll(async () => {
  sb = await startSandbox({ persons: 40, writeLagMs: 0 });
  personUuid = sb.store.persons()[0]!.uuid;
});
afterAll(() => sb.close());

const forbidden = (detail: string) => ({ type: 'authentication_error', code: 'permission_denied', detail, attr: null });

describe('authentication', () => {
  it('answers 401 not_authenticated without credentials, with the WWW-Authenticate hint', async () => {
    const answer = await call(sb, `${P}/`, { key: null });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({
      type: 'authentication_error',
      code: 'not_authenticated',
      detail: 'Authentication credentials were not provided.',
      attr: null,
    });
    expect(answer.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${sb.url}/.well-known/oauth-protected-resource"`);
  });

  it('names where an invalid key was found', async () => {
    const header = await call(sb, `${P}/`, { key: null, headers: { Authorization: 'Bearer phx_nope' } });
    expect(header.status).toBe(401);
    expect(header.json.code).toBe('authentication_failed');
    expect(header.json.detail).toBe('Personal API key found in request Authorization header is invalid.');
    expect(header.headers.get('www-authenticate')).toContain('resource_metadata=');

    const body = await call(sb, `${P}/bulk_delete/`, { key: null, method: 'POST', body: { personal_api_key: 'phx_nope', ids: [] } });
    expect(body.json.detail).toBe('Personal API key found in request body is invalid.');
    const query = await call(sb, `${P}/?personal_api_key=phx_nope`, { key: null });
    expect(query.json.detail).toBe('Personal API key found in request query string is invalid.');
  });

  it('accepts the key from the body and the query string, and matches Bearer case-sensitively', async () => {
    const body = await call(sb, `${P}/batch_by_distinct_ids/`, {
      key: null,
      method: 'POST',
      body: { personal_api_key: SANDBOX_KEYS.all.key, distinct_ids: [] },
    });
    expect(body.status).toBe(200);
    const query = await call(sb, `${P}/?limit=1&personal_api_key=${SANDBOX_KEYS.read.key}`, { key: null });
    expect(query.status).toBe(200);
    const lower = await call(sb, `${P}/`, { key: null, headers: { Authorization: `bearer ${SANDBOX_KEYS.all.key}` } });
    expect(lower.status).toBe(401);
    expect(lower.json.code).toBe('not_authenticated');
  });

  it('logs which key was used, never the key itself', async () => {
    sb.clearRequests();
    await call(sb, `${P}/?limit=1&personal_api_key=${SANDBOX_KEYS.read.key}`, { key: null });
    await call(sb, `${P}/?limit=1`, { key: SANDBOX_KEYS.write });
    expect(sb.requests.map((r) => r.keyLabel)).toEqual(['read', 'write']);
    expect(JSON.stringify(sb.requests)).not.toContain(SANDBOX_KEYS.read.key);
    expect(sb.requests[0]!.query.personal_api_key).toBe('[redacted]');
    expect(sb.requests[1]!.hasAuthorization).toBe(true);
    expect(sb.requests[1]!.route).toBe('list');
  });
});

describe('scopes', () => {
  it('refuses writes to a read key and lets a write key read', async () => {
    const write = await call(sb, `${P}/${personUuid}/`, { key: SANDBOX_KEYS.read, method: 'PATCH', body: { properties: { a: 1 } } });
    expect(write.status).toBe(403);
    expect(write.json).toEqual(forbidden("API key missing required scope 'person:write'"));
    expect((await call(sb, `${P}/?limit=1`, { key: SANDBOX_KEYS.write })).status).toBe(200);
    expect((await call(sb, `${P}/activity/`, { key: SANDBOX_KEYS.read })).status).toBe(200);
  });

  it('refuses properties_timeline to every scoped key, including *, but not to the legacy key', async () => {
    for (const key of [SANDBOX_KEYS.all, SANDBOX_KEYS.read, SANDBOX_KEYS.write]) {
      const answer = await call(sb, `${P}/${personUuid}/properties_timeline/`, { key });
      expect(answer.status).toBe(403);
      expect(answer.json).toEqual(forbidden('This action does not support Personal API Key access'));
    }
    expect((await call(sb, `${P}/${personUuid}/properties_timeline/`, { key: SANDBOX_KEYS.legacy })).status).toBe(200);
    expect((await call(sb, `${P}/bulk_delete/`, { key: SANDBOX_KEYS.legacy, method: 'POST', body: { ids: ['x'] } })).status).toBe(202);
  });

  it('refuses a project-scoped key on another project', async () => {
    const answer = await call(sb, `${P}/`, { key: SANDBOX_KEYS.otherProject });
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual(forbidden('API key does not have access to the requested project: ID 1.'));
    expect((await call(sb, '/api/projects/@current/persons/', { key: SANDBOX_KEYS.otherProject })).status).toBe(403);
    expect((await call(sb, '/api/projects/2/persons/', { key: SANDBOX_KEYS.otherProject })).status).toBe(200);
  });
});

describe('rate limiting', () => {
  it('throttles per key with Retry-After, after authentication', async () => {
    // On a manual clock no time passes between the requests, so the whole 60 s window is left.
    const limited = await startSandbox({ persons: 5, rateLimit: { read: 3, delete: 2 }, clock: manualClock() });
    try {
      for (let i = 0; i < 3; i++) expect((await call(limited, `${P}/`)).status).toBe(200);
      const throttled = await call(limited, `${P}/`);
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('60');
      expect(throttled.json).toEqual({
        type: 'throttled_error',
        code: 'throttled',
        detail: 'Request was throttled. Expected available in 60 seconds.',
        attr: null,
      });
      // Another key has its own budget; bad credentials are refused before throttling.
      expect((await call(limited, `${P}/`, { key: SANDBOX_KEYS.read })).status).toBe(200);
      expect((await call(limited, `${P}/`, { key: null })).status).toBe(401);
      // Deletes count in their own bucket.
      const del = () => call(limited, `${P}/bulk_delete/`, { method: 'POST', body: { ids: ['00000000-0000-4000-8000-000000000000'] } });
      expect((await del()).status).toBe(202);
      expect((await del()).status).toBe(202);
      expect((await del()).status).toBe(429);

      limited.setOptions({ rateLimit: 0 });
      expect((await call(limited, `${P}/`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('says "1 second" in the singular, as DRF does', async () => {
    const clock = manualClock();
    const limited = await startSandbox({ persons: 1, rateLimit: 1, clock });
    try {
      await call(limited, `${P}/`);
      clock.advance(59_500);
      const answer = await call(limited, `${P}/`);
      expect(answer.headers.get('retry-after')).toBe('1');
      expect(answer.json.detail).toBe('Request was throttled. Expected available in 1 second.');
    } finally {
      await limited.close();
    }
  });
});
