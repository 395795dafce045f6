// The sandbox's capture endpoint (/batch/ and friends) and project detail route
// (src/sandbox/capture.ts, src/sandbox/project-detail.ts): PostHog's ingestion answers, traps included.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sandboxProjectToken, SANDBOX_KEYS, SANDBOX_OTHER_PROJECT_ID, startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { call } from './helpers.js';

let sb: Sandbox;
const ADA = '01950000-0000-7000-8000-000000000001';
const token = () => sandboxProjectToken(1);

beforeAll(async () => {
  sb = await startSandbox({ persons: 3, writeLagMs: 0 });
  sb.store.addPerson({ uuid: ADA, distinctIds: ['ada'], properties: { plan: 'free', phone: '+1' } });
});
beforeEach(() => sb.clearRequests());
afterAll(() => sb.close());

const capture = (body: unknown, path = '/batch/', headers?: Record<string, string>) => call(sb, path, { method: 'POST', key: null, body, headers });

describe('capture', () => {
  it('applies $set and $unset for the project of the token, without any Authorization; logged as capture', async () => {
    const r = await capture({ api_key: token(), batch: [{ event: '$set', distinct_id: 'ada', properties: { $set: { plan: 'scale' }, $unset: ['phone'] } }] });
    expect(r.status).toBe(200);
    expect(sb.store.person(ADA)!.properties).toEqual({ plan: 'scale' });
    expect(sb.requests.map((q) => [q.route, q.status, q.hasAuthorization])).toEqual([['capture', 200, false]]);
  });

  it('an unknown distinct_id creates a new person (the trap a client must avoid)', async () => {
    const before = sb.store.count();
    expect((await capture({ api_key: token(), batch: [{ event: '$set', distinct_id: 'stranger', properties: { $set: { plan: 'x' } } }] }, '/e/')).status).toBe(200);
    expect(sb.store.count()).toBe(before + 1);
    expect(sb.store.byDistinctId('stranger')!.properties).toEqual({ plan: 'x' });
  });

  it('a well-formed token of no project: 200, every event dropped; a malformed or missing token: 401', async () => {
    const before = sb.store.count();
    expect((await capture({ api_key: 'phc_ThisTokenBelongsToNobody0000', batch: [{ event: '$set', distinct_id: 'ghost', properties: { $set: { a: 1 } } }] })).status).toBe(200);
    expect(sb.store.count()).toBe(before);
    expect((await capture({ api_key: 'not-a-token', batch: [] })).status).toBe(401);
    expect((await capture({ batch: [] })).status).toBe(401);
  });

  it('each project has its own token', async () => {
    expect(sandboxProjectToken(SANDBOX_OTHER_PROJECT_ID)).not.toBe(token());
    expect(token()).toMatch(/^phc_[A-Za-z0-9]{20,}$/);
  });

  it('an event over 1 MB: 400 EventTooBig; a body over 20 MB: 413; nothing applied', async () => {
    // Both bodies are built before the first request: an idle keep-alive connection closed by the
    // server while a slow machine builds the second one would reset it.
    const bigBody = JSON.stringify({ api_key: token(), batch: [{ event: '$set', distinct_id: 'ada', properties: { $set: { blob: 'z'.repeat(1_100_000) } } }] });
    const blob = 'w'.repeat(900_000);
    const hugeBody = JSON.stringify({ api_key: token(), batch: Array.from({ length: 24 }, () => ({ event: '$set', distinct_id: 'ada', properties: { $set: { blob } } })) });
    const big = await capture(bigBody);
    expect(big.status).toBe(400);
    expect(big.text).toContain('EventTooBig');
    const huge = await capture(hugeBody, '/batch/', { connection: 'close' });
    expect(huge.status).toBe(413);
    expect(sb.store.person(ADA)!.properties.blob).toBeUndefined();
  }, 60_000); // a 21 MB body to build, send and parse: slow on a loaded machine, not a bound on speed
});

describe('GET /api/projects/{id}/', () => {
  it('answers the project with its api_token; @current too', async () => {
    const r = await call(sb, '/api/projects/1/');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id: 1, api_token: token() });
    expect((await call(sb, '/api/projects/@current/')).json).toMatchObject({ id: 1 });
    expect(sb.requests.map((q) => q.route)).toEqual(['project_detail', 'project_detail']);
  });

  it("needs project:read (403 naming it), the key's project, and a key (401); an unknown project is a 404", async () => {
    const r = await call(sb, '/api/projects/1/', { key: SANDBOX_KEYS.read });
    expect(r.status).toBe(403);
    expect(r.json.detail).toBe("API key missing required scope 'project:read'");
    expect((await call(sb, '/api/projects/1/', { key: SANDBOX_KEYS.otherProject })).status).toBe(403);
    expect((await call(sb, '/api/projects/1/', { key: null })).status).toBe(401);
    expect((await call(sb, '/api/projects/999/')).status).toBe(404);
    expect((await call(sb, '/api/projects/1/', { key: SANDBOX_KEYS.legacy })).status).toBe(200);
  });
});
