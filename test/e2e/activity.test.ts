import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../helpers/in-process.js';

const ADA = '01900000-0000-7000-8000-0000000000a1';
const BOB = '01900000-0000-7000-8000-0000000000b2';
let sandbox: Sandbox;
let adaPk: number;
let bobPk: number;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 5, writeLagMs: 0 });
  adaPk = sandbox.store.addPerson({
    uuid: ADA,
    distinctIds: ['ada', 'ada-laptop'],
    properties: { email: 'ada@example.com', plan: 'free', phone: '+1 555' },
    createdAt: '2025-01-01T00:00:00.000Z',
  }).pk;
  bobPk = sandbox.store.addPerson({ uuid: BOB, distinctIds: ['bob'], createdAt: '2025-01-02T00:00:00.000Z' }).pk;
  // Bob has a long history written by PostHog itself: more than one page of 100.
  for (let i = 0; i < 120; i++) {
    sandbox.store.logActivity({
      teamId: 1, personUuid: BOB, itemId: String(bobPk), activity: 'updated',
      user: { first_name: 'System', email: null, is_system: true },
      changes: [{ type: 'Person', action: 'changed', field: 'properties', before: { n: i }, after: { n: i + 1 } }], name: null,
    });
  }
});
beforeEach(() => sandbox.clearRequests());
afterAll(() => sandbox.close());

/** The newest activity entry of a person, as the API dates it. */
const newestAt = (uuid: string) => new Date(sandbox.store.activity().find((e) => e.personUuid === uuid)!.createdAt).toISOString();

describe('activity', () => {
  it('one person after set-prop: the update, by whom, and what changed', async () => {
    expect((await runInProcess(['set-prop', 'ada', 'plan', 'scale'], { sandbox })).code).toBe(0);
    sandbox.clearRequests();
    const r = await runInProcess(['activity', 'ada'], { sandbox });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(`${newestAt(ADA)}\tsandbox@example.com\tupdated\t${adaPk}\tplan: free -> scale\n`);
    expect(sandbox.requests.map((q) => [q.route, q.path, q.query])).toEqual([
      ['list', '/api/projects/1/persons/', { distinct_id: 'ada' }],
      ['retrieve', `/api/projects/1/persons/${ADA}/`, {}],
      ['activity', `/api/projects/1/persons/${adaPk}/activity/`, { limit: '10', page: '1' }],
    ]);
  });

  it('unset-prop and split show up too, newest first', async () => {
    await runInProcess(['unset-prop', ADA, 'phone'], { sandbox });
    await runInProcess(['split', ADA, '--keep', 'ada', '--yes'], { sandbox });
    const r = await runInProcess(['activity', ADA, '--fields', 'activity,person,changes'], { sandbox });
    expect(r.stdout).toBe(
      `split_person\t${ADA}\tdistinct_ids: ["ada","ada-laptop"]\n` +
        `delete_property\t${adaPk}\tphone: +1 555 -> (unset)\n` +
        `updated\t${adaPk}\tplan: free -> scale\n`,
    );
  });

  it('-o json is one array of the API entries', async () => {
    const r = await runInProcess(['activity', ADA, '--limit', '1', '-o', 'json'], { sandbox });
    const entries = JSON.parse(r.stdout);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      activity: 'split_person',
      scope: 'Person',
      item_id: String(adaPk),
      user: { first_name: 'Sandbox', email: 'sandbox@example.com' },
      detail: { name: ADA, changes: [{ type: 'Person', action: 'split', field: null }] },
    });
    expect(sandbox.requests.at(-1)!.query).toEqual({ limit: '1', page: '1' });
  });

  it('without a person: every person, newest first; PostHog\'s own changes are by "System"', async () => {
    const r = await runInProcess(['activity', '--limit', '4', '--fields', 'user,activity,person,changes'], { sandbox });
    expect(r.stdout).toBe(
      `sandbox@example.com\tsplit_person\t${ADA}\tdistinct_ids: ["ada","ada-laptop"]\n` +
        `sandbox@example.com\tdelete_property\t${adaPk}\tphone: +1 555 -> (unset)\n` +
        `sandbox@example.com\tupdated\t${adaPk}\tplan: free -> scale\n` +
        `System\tupdated\t${bobPk}\tn: 119 -> 120\n`,
    );
    expect(sandbox.requests.map((q) => [q.route, q.path, q.query])).toEqual([
      ['all_activity', '/api/projects/1/persons/activity/', { limit: '4', page: '1' }],
    ]);
  });

  it('--all follows next (page and limit) to the end', async () => {
    const r = await runInProcess(['activity', 'bob', '--all', '-o', 'jsonl', '--fields', 'changes'], { sandbox });
    const lines = r.stdout.trim().split('\n').map((line) => JSON.parse(line).changes);
    expect(lines).toHaveLength(120);
    expect(lines[0]).toBe('n: 119 -> 120');
    expect(lines[119]).toBe('n: 0 -> 1');
    expect(sandbox.requests.filter((q) => q.route === 'activity').map((q) => q.query)).toEqual([
      { limit: '100', page: '1' },
      { page: '2', limit: '100' },
    ]);
  });

  it('--limit above one page takes several pages and stops at the limit', async () => {
    const r = await runInProcess(['activity', 'bob', '--limit', '105', '-o', 'jsonl', '--fields', 'changes'], { sandbox });
    expect(r.stdout.trim().split('\n')).toHaveLength(105);
    expect(sandbox.requests.filter((q) => q.route === 'activity')).toHaveLength(2);
  });

  it('-o csv names the fields in the header; -o table has readable headers', async () => {
    const csv = await runInProcess(['activity', ADA, '--limit', '1', '-o', 'csv', '--fields', 'activity,person'], { sandbox });
    expect(csv.stdout).toBe(`activity,person\r\nsplit_person,${ADA}\r\n`);
    const table = await runInProcess(['activity', ADA, '--limit', '1', '-o', 'table', '--fields', 'user,activity,person'], { sandbox });
    expect(table.stdout).toBe(`WHO                  WHAT          PERSON\nsandbox@example.com  split_person  ${ADA}\n`);
  });

  it('a person without activity: exit 0, nothing on stdout, a note in table mode', async () => {
    sandbox.store.addPerson({ uuid: '01900000-0000-7000-8000-0000000000c3', distinctIds: ['quiet'] });
    const r = await runInProcess(['activity', 'quiet', '-o', 'table'], { sandbox });
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: 'No activity found for this person.\n' });
  });

  it('an unknown person exits 5', async () => {
    const r = await runInProcess(['activity', 'nobody'], { sandbox });
    expect(r.code).toBe(5);
    expect(sandbox.requests.map((q) => q.route)).toEqual(['list']);
  });

  it.each([
    [['activity', '--limit', '0'], '--limit must be at least 1'],
    [['activity', '--limit', 'ten'], '--limit must be a whole number'],
    [['activity', '--all', '--limit', '5'], '--all and --limit cannot be used together'],
    [['activity', 'ada', '--by', 'uuid'], '"ada" is not a UUID (--by uuid)'],
    [['activity', '--fields', 'who'], 'unknown field "who"'],
  ])('bad input %j exits 2 with no request', async (args, message) => {
    const r = await runInProcess(args, { sandbox });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(sandbox.requests).toHaveLength(0);
  });
});
