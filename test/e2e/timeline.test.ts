import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, SANDBOX_KEYS, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../helpers/in-process.js';

const ADA = '01900000-0000-7000-8000-0000000000a1';
const legacy = SANDBOX_KEYS.legacy.key;
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 5, writeLagMs: 0 });
  const ada = sandbox.store.addPerson({
    uuid: ADA,
    distinctIds: ['ada'],
    properties: { email: 'b@example.com', plan: 'scale', seats: 5 },
    createdAt: '2025-01-01T00:00:00.000Z',
  });
  // A known past: the plan changes once, the email once, seats appear on the way.
  ada.history = [
    { at: Date.parse('2025-01-01T00:00:00.000Z'), properties: { email: 'a@example.com', plan: 'free' }, events: 3 },
    { at: Date.parse('2025-02-01T00:00:00.000Z'), properties: { email: 'a@example.com', plan: 'free', seats: 1 }, events: 2 },
    { at: Date.parse('2025-03-01T00:00:00.000Z'), properties: { email: 'a@example.com', plan: 'scale', seats: 5 }, events: 4 },
    { at: Date.parse('2025-04-01T00:00:00.000Z'), properties: { email: 'b@example.com', plan: 'scale', seats: 5 }, events: 1 },
  ];
});
beforeEach(() => sandbox.clearRequests());
afterAll(() => sandbox.close());

const PLAN_FILTER = JSON.stringify([{ key: 'plan', value: 'is_set', operator: 'is_set', type: 'person' }]);

describe('timeline', () => {
  it('--property makes the key crucial: one point per change, with what changed since the point before', async () => {
    const r = await runInProcess(['timeline', 'ada', '--property', 'plan'], { sandbox, key: legacy });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      '2025-01-01T00:00:00.000Z\tplan: free\t5\n' + '2025-03-01T00:00:00.000Z\tplan: free -> scale; seats: (unset) -> 5\t5\n',
    );
    expect(sandbox.requests.map((q) => q.route)).toEqual(['list', 'retrieve', 'properties_timeline']);
    expect(sandbox.requests[2]!.path).toBe(`/api/projects/1/persons/${ADA}/properties_timeline/`);
    expect(sandbox.requests[2]!.query).toEqual({ properties: PLAN_FILTER });
  });

  it('without --property: one point, showing every starting value', async () => {
    const r = await runInProcess(['timeline', ADA], { sandbox, key: legacy });
    expect(r.stdout).toBe('2025-01-01T00:00:00.000Z\temail: a@example.com; plan: free\t10\n');
    expect(sandbox.requests[1]!.rawQuery).toBe('');
  });

  it('two properties, a window: date_from and date_to are passed on', async () => {
    const r = await runInProcess(['timeline', ADA, '--property', 'plan', '--property', 'email', '--from', '2025-02-15', '--to', '2025-04-30T12:00:00Z'], {
      sandbox,
      key: legacy,
    });
    expect(r.stdout).toBe(
      '2025-03-01T00:00:00.000Z\temail: a@example.com; plan: scale\t4\n' + '2025-04-01T00:00:00.000Z\temail: a@example.com -> b@example.com\t1\n',
    );
    expect(sandbox.requests[1]!.query).toEqual({
      date_from: '2025-02-15',
      date_to: '2025-04-30T12:00:00Z',
      properties: JSON.stringify([
        { key: 'plan', value: 'is_set', operator: 'is_set', type: 'person' },
        { key: 'email', value: 'is_set', operator: 'is_set', type: 'person' },
      ]),
    });
  });

  it('a relative --from is passed as is', async () => {
    await runInProcess(['timeline', ADA, '--from', '-3650d'], { sandbox, key: legacy });
    expect(sandbox.requests[1]!.query).toEqual({ date_from: '-3650d' });
  });

  it("-o json prints the server's answer as is", async () => {
    const r = await runInProcess(['timeline', ADA, '--property', 'plan', '-o', 'json'], { sandbox, key: legacy });
    expect(JSON.parse(r.stdout)).toEqual({
      points: [
        { timestamp: '2025-01-01T00:00:00.000Z', properties: { email: 'a@example.com', plan: 'free' }, relevant_event_count: 5 },
        { timestamp: '2025-03-01T00:00:00.000Z', properties: { email: 'a@example.com', plan: 'scale', seats: 5 }, relevant_event_count: 5 },
      ],
      crucial_property_keys: ['plan'],
      effective_date_from: '2025-01-01T00:00:00+00:00',
      effective_date_to: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/),
    });
  });

  it('-o jsonl: one point a line; -o csv: time, changes, events', async () => {
    const jsonl = await runInProcess(['timeline', ADA, '--property', 'plan', '-o', 'jsonl'], { sandbox, key: legacy });
    expect(jsonl.stdout).toBe(
      '{"timestamp":"2025-01-01T00:00:00.000Z","properties":{"email":"a@example.com","plan":"free"},"relevant_event_count":5}\n' +
        '{"timestamp":"2025-03-01T00:00:00.000Z","properties":{"email":"a@example.com","plan":"scale","seats":5},"relevant_event_count":5}\n',
    );
    const csv = await runInProcess(['timeline', ADA, '--property', 'plan', '-o', 'csv'], { sandbox, key: legacy });
    expect(csv.stdout).toBe(
      'timestamp,changes,events\r\n2025-01-01T00:00:00.000Z,plan: free,5\r\n2025-03-01T00:00:00.000Z,plan: free -> scale; seats: (unset) -> 5,5\r\n',
    );
  });

  it('a window without events: exit 0, nothing on stdout, a note on stderr in table mode', async () => {
    const r = await runInProcess(['timeline', ADA, '--from', '2024-01-01', '--to', '2024-02-01', '-o', 'table'], { sandbox, key: legacy });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('No events of this person between 2024-01-01T00:00:00+00:00 and 2024-02-01T00:00:00+00:00.\n');
  });

  it('a key with scopes (even *) is refused by PostHog: exit 4, and the message says why and what works', async () => {
    const r = await runInProcess(['timeline', ADA, '--property', 'plan'], { sandbox, key: SANDBOX_KEYS.all.key });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'error: PostHog does not let personal API keys with scopes read the properties timeline (403: "This action does not support Personal API Key access"), not even keys with every scope.\n' +
        "Only a personal API key created without scopes (an older, unscoped key) works here. Without one, see the timeline in the PostHog app on the person's page.\n",
    );
    expect(sandbox.requests.map((q) => [q.route, q.status])).toEqual([
      ['retrieve', 200],
      ['properties_timeline', 403],
    ]);
  });

  it.each([
    [['timeline', ADA, '--from', 'yesterday'], '--from "yesterday" is not a date'],
    [['timeline', ADA, '--from', '2024-02-31'], '--from "2024-02-31" is not a date'],
    [['timeline', ADA, '--to', '2024-13-01'], '--to "2024-13-01" is not a date'],
    [['timeline', ADA, '--to', '30d'], '--to "30d" is not a date'],
    [['timeline', ADA, '--from', '2025-02-01', '--to', '2025-01-01'], '--from 2025-02-01 is after --to 2025-01-01'],
    [['timeline', ADA, '--property', ''], '--property is empty'],
    [['timeline', ADA, '--fields', 'time'], 'unknown field "time"'],
    [['timeline'], "missing required argument 'person'"],
  ])('bad input %j exits 2 with no request', async (args, message) => {
    const r = await runInProcess(args, { sandbox, key: legacy });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(sandbox.requests).toHaveLength(0);
  });
});
