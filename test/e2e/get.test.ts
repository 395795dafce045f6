import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, SANDBOX_KEYS, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
const ADA_UUID = '01900000-0000-7000-8000-0000000000a1';
const ANON_ID = '6a1f3c2e-1111-4222-8333-944455556666';
let adaPk: number;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 20, writeLagMs: 0 });
  adaPk = sandbox.store.addPerson({
    uuid: ADA_UUID,
    distinctIds: ['ada@example.com', 'ada-device'],
    properties: { email: 'ada@example.com', name: 'Ada Lovelace', plan: 'scale' },
    createdAt: '2025-03-01T10:00:00.000Z',
  }).pk;
  sandbox.store.addPerson({ distinctIds: [ANON_ID], properties: { plan: 'free' }, createdAt: '2025-01-01T00:00:00.000Z' });
});
beforeEach(() => sandbox.clearRequests());
afterAll(() => sandbox.close());

describe('get', () => {
  it('by distinct_id: looks it up in the list, then retrieves the full record', async () => {
    const r = await runInProcess(['get', 'ada-device', '-o', 'json'], { sandbox });
    expect(r.code).toBe(0);
    const person = JSON.parse(r.stdout);
    expect(person).toMatchObject({ id: adaPk, uuid: ADA_UUID, name: 'ada@example.com', distinct_ids: ['ada@example.com', 'ada-device'] });
    expect(sandbox.requests.map((q) => [q.route, q.query.distinct_id ?? q.path])).toEqual([
      ['list', 'ada-device'],
      ['retrieve', `/api/projects/1/persons/${ADA_UUID}/`],
    ]);
  });

  it('by UUID: one retrieve', async () => {
    const r = await runInProcess(['get', ADA_UUID], { sandbox });
    expect(r.stdout).toBe(`${ADA_UUID}\tada@example.com\t["ada@example.com","ada-device"]\t2025-03-01T10:00:00.000Z\n`);
    expect(sandbox.requests.map((q) => q.route)).toEqual(['retrieve']);
  });

  it('a UUID that is no person UUID falls back to a distinct_id (anonymous ids are UUIDs)', async () => {
    const r = await runInProcess(['get', ANON_ID, '--fields', 'properties.plan'], { sandbox });
    expect(r).toMatchObject({ code: 0, stdout: 'free\n' });
    expect(sandbox.requests.map((q) => [q.route, q.status])).toEqual([
      ['retrieve', 404],
      ['list', 200],
      ['retrieve', 200],
    ]);
  });

  it('--by distinct-id skips the UUID lookup; --by id uses the integer key', async () => {
    await runInProcess(['get', ANON_ID, '--by', 'distinct-id'], { sandbox });
    expect(sandbox.requests.map((q) => q.route)).toEqual(['list', 'retrieve']);
    sandbox.clearRequests();
    const r = await runInProcess(['get', String(adaPk), '--by', 'id', '--fields', 'uuid'], { sandbox });
    expect(r.stdout).toBe(`${ADA_UUID}\n`);
    expect(sandbox.requests.map((q) => q.path)).toEqual([`/api/projects/1/persons/${adaPk}/`]);
  });

  it('exits 5 naming what was looked up, and where', async () => {
    const r = await runInProcess(['get', 'nobody'], { sandbox });
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: no person with distinct_id "nobody" in project 1 at ${sandbox.url}\n`);
    const u = await runInProcess(['get', '01900000-0000-7000-8000-00000000ffff'], { sandbox });
    expect(u.stderr).toBe(`error: no person with UUID or distinct_id 01900000-0000-7000-8000-00000000ffff in project 1 at ${sandbox.url}\n`);
  });

  it('shows a card on a terminal-like table output', async () => {
    const r = await runInProcess(['get', 'ada-device', '-o', 'table'], { sandbox });
    expect(r.stdout).toBe(
      [
        'Name          ada@example.com',
        `UUID          ${ADA_UUID}`,
        `ID            ${adaPk}`,
        'Created       2025-03-01T10:00:00.000Z',
        'Last seen     —',
        '',
        'Distinct IDs (2)',
        '  ada@example.com',
        '  ada-device',
        '',
        'Properties (3)',
        '  email  ada@example.com',
        '  name   Ada Lovelace',
        '  plan   scale',
        '',
      ].join('\n'),
    );
  });

  it.each([
    [['get', 'x', '--by', 'email'], 'invalid --by "email": use uuid, distinct-id or id'],
    [['get', 'not-a-uuid', '--by', 'uuid'], '"not-a-uuid" is not a UUID (--by uuid)'],
    [['get', '12x', '--by', 'id'], '"12x" is not a numeric person id (--by id)'],
    [['get'], "missing required argument 'person'"],
  ])('%j exits 2 with no request', async (args, message) => {
    const r = await runInProcess(args, { sandbox });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('maps auth and project errors to their exit codes', async () => {
    const bad = await runInProcess(['get', 'ada-device'], { sandbox, key: 'phx_notARealKey0000000000000000000000000000' });
    expect(bad.code).toBe(4);
    expect(bad.stderr).toContain('PostHog rejected the API key (401): Personal API key found in request Authorization header is invalid.');
    const other = await runInProcess(['get', 'ada-device'], { sandbox, key: SANDBOX_KEYS.otherProject.key });
    expect(other.code).toBe(4);
    expect(other.stderr).toContain('API key does not have access to the requested project: ID 1.');
    const project = await runInProcess(['get', 'ada-device'], { sandbox, env: { POSTHOG_PROJECT_ID: '999' } });
    expect(project.code).toBe(5);
    expect(project.stderr).toContain('project 999 not found');
  });
});
