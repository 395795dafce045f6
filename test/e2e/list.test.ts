import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { stripAnsi } from '../helpers/cli.js';
import { ON_A_TERMINAL, runInProcess, screenOf } from '../helpers/in-process.js';

// A small, fully known data set: the three newest persons are added by the test.
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
  sandbox.store.addPerson({
    uuid: '01900000-0000-7000-8000-000000000001',
    distinctIds: ['ada@example.com', 'ada-device'],
    properties: { email: 'ada@example.com', name: 'Ada Lovelace', plan: 'scale', age: 36 },
    createdAt: '2025-03-01T10:00:00.000Z',
  });
  sandbox.store.addPerson({
    uuid: '01900000-0000-7000-8000-000000000002',
    distinctIds: ['grace'],
    properties: { email: 'grace@example.com', name: 'Grace Hopper, "Amazing"', plan: 'free', age: 85, note: 'tab\there' },
    createdAt: '2025-02-01T10:00:00.000Z',
  });
  sandbox.store.addPerson({
    uuid: '01900000-0000-7000-8000-000000000003',
    distinctIds: ['6a1f3c2e-1111-4222-8333-944455556666'],
    properties: {},
    createdAt: '2025-01-01T10:00:00.000Z',
  });
});
beforeEach(() => sandbox.clearRequests());
afterAll(() => sandbox.close());

// tsv cells hold arrays as JSON (a distinct_id may contain a comma).
const ADA = '01900000-0000-7000-8000-000000000001\tada@example.com\t["ada@example.com","ada-device"]\t2025-03-01T10:00:00.000Z';
const GRACE = '01900000-0000-7000-8000-000000000002\tgrace@example.com\t["grace"]\t2025-02-01T10:00:00.000Z';
const ANON =
  '01900000-0000-7000-8000-000000000003\t6a1f3c2e-1111-4222-8333-944455556666\t["6a1f3c2e-1111-4222-8333-944455556666"]\t2025-01-01T10:00:00.000Z';

describe('list (piped)', () => {
  it('prints tsv by default, newest first, with the default fields', async () => {
    const r = await runInProcess(['list'], { sandbox });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${ADA}\n${GRACE}\n${ANON}\n`);
    expect(sandbox.requests).toHaveLength(1);
    expect(sandbox.requests[0]).toMatchObject({ method: 'GET', route: 'list', query: { limit: '100' }, keyLabel: 'all' });
    expect(sandbox.requests[0]!.userAgent).toMatch(/^posthog-persons\/\d+\.\d+\.\d+/);
  });

  it('selects fields, including properties.<key>', async () => {
    const r = await runInProcess(['list', '--fields', 'properties.email,properties.age,distinct_ids'], { sandbox });
    expect(r.stdout).toBe('ada@example.com\t36\t["ada@example.com","ada-device"]\ngrace@example.com\t85\t["grace"]\n\t\t["6a1f3c2e-1111-4222-8333-944455556666"]\n');
  });

  it('rejects an unknown field before sending anything, listing the valid ones', async () => {
    const r = await runInProcess(['list', '--fields', 'uuid,emial'], { sandbox });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('emial');
    expect(r.stderr).toContain('uuid');
    expect(r.stderr).toContain('properties.<key>');
    expect(sandbox.requests).toHaveLength(0);
  });

  it('writes CSV with a header and quoting', async () => {
    const r = await runInProcess(['list', '-o', 'csv', '--fields', 'uuid,properties.name,properties.note,distinct_ids'], { sandbox });
    expect(r.stdout).toBe(
      'uuid,properties.name,properties.note,distinct_ids\r\n' +
        '01900000-0000-7000-8000-000000000001,Ada Lovelace,,"[""ada@example.com"",""ada-device""]"\r\n' +
        '01900000-0000-7000-8000-000000000002,"Grace Hopper, ""Amazing""",tab\there,"[""grace""]"\r\n' +
        '01900000-0000-7000-8000-000000000003,,,"[""6a1f3c2e-1111-4222-8333-944455556666""]"\r\n',
    );
  });

  it('prints the API objects whole as JSON Lines and as one JSON array', async () => {
    const jsonl = await runInProcess(['list', '-o', 'jsonl', '--limit', '2'], { sandbox });
    const lines = jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((p) => p.uuid)).toEqual(['01900000-0000-7000-8000-000000000001', '01900000-0000-7000-8000-000000000002']);
    expect(lines[0]).toMatchObject({ type: 'person', id: '01900000-0000-7000-8000-000000000001', is_identified: true, matched_recordings: [] });
    const json = await runInProcess(['list', '-o', 'json'], { sandbox });
    expect(JSON.parse(json.stdout)).toHaveLength(3);
  });

  it('sends each filter as the API expects', async () => {
    await runInProcess(['list', '--email', 'ada@example.com'], { sandbox });
    await runInProcess(['list', '--distinct-id', 'grace'], { sandbox });
    await runInProcess(['list', '--search', 'hopper'], { sandbox });
    const r = await runInProcess(['list', '--where', 'plan=scale', '--where', 'age>=30', '--where', 'email=*', '--properties', '[{"key":"name","value":"Ada","operator":"icontains"}]'], { sandbox });
    expect(r.stdout).toBe(`${ADA}\n`);
    const queries = sandbox.requests.map((q) => q.query);
    expect(queries[0]).toEqual({ email: 'ada@example.com', limit: '100' });
    expect(queries[1]).toEqual({ distinct_id: 'grace', limit: '100' });
    expect(queries[2]).toEqual({ search: 'hopper', limit: '100' });
    expect(JSON.parse(queries[3]!.properties!)).toEqual([
      { key: 'name', value: 'Ada', operator: 'icontains' },
      { key: 'plan', value: 'scale', operator: 'exact', type: 'person' },
      { key: 'age', value: 30, operator: 'gte', type: 'person' },
      { key: 'email', value: 'is_set', operator: 'is_set', type: 'person' },
    ]);
  });

  it('counts with include_total', async () => {
    const r = await runInProcess(['list', '--count', '--where', 'age>50'], { sandbox });
    expect(r.stdout).toBe('1\n');
    expect(sandbox.requests[0]!.query).toMatchObject({ include_total: '', limit: '1' });
  });

  it('--count against a server that reports no totals: exit 1 with another way to count', async () => {
    sandbox.script({ path: '/persons/', kind: 'status', status: 200, body: { results: [], next: null } });
    const r = await runInProcess(['list', '--count'], { sandbox });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: this PostHog server does not report totals (its answer has no "count" with include_total)\n' +
        'Count with `posthog-persons list --all --fields uuid | wc -l` instead.\n',
    );
  });

  it('an empty result is not an error', async () => {
    const r = await runInProcess(['list', '--email', 'nobody@example.com'], { sandbox });
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it.each([
    [['list', '--where', 'age>abc'], 'age>abc'],
    [['list', '--where', 'plan'], 'plan'],
    [['list', '--properties', '{"key":"x"}'], '--properties'],
    [['list', '--page-size', '0'], '--page-size'],
    [['list', '--page-size', '1001'], '--page-size'],
    [['list', '--limit', 'ten'], '--limit'],
    [['list', '--all', '--count'], '--count'],
    [['list', '-o', 'xml'], 'xml'],
    [['list', '--bogus'], '--bogus'],
  ])('%j exits 2 naming the problem, with no request', async (args, named) => {
    const r = await runInProcess(args, { sandbox });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(named);
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('list (terminal)', () => {
  it('draws a table and says so when empty', async () => {
    const t = await runInProcess(['list'], { sandbox, ...ON_A_TERMINAL });
    expect(t.code).toBe(0);
    expect(stripAnsi(screenOf(t))).toBe(
      [
        'UUID                                  NAME                         DISTINCT_IDS                 CREATED_AT',
        '01900000-0000-7000-8000-000000000001  ada@example.com              ada@example.com,ada-device   2025-03-01T10:00:00.000Z',
        '01900000-0000-7000-8000-000000000002  grace@example.com            grace                        2025-02-01T10:00:00.000Z',
        '01900000-0000-7000-8000-000000000003  6a1f3c2e-1111-4222-8333-94…  6a1f3c2e-1111-4222-8333-94…  2025-01-01T10:00:00.000Z',
        '',
      ].join('\n'),
    );
    const empty = await runInProcess(['list', '--email', 'nobody@example.com'], { sandbox, ...ON_A_TERMINAL });
    expect(stripAnsi(screenOf(empty)).trim()).toBe('No persons found.');
  });
});

describe('list --all across short and empty pages', () => {
  let big: Sandbox;
  beforeAll(async () => {
    big = await startSandbox({ persons: 2500, ghosts: 40, seed: 7, writeLagMs: 0 });
  });
  afterAll(() => big.close());

  it('streams every person once, following next past short pages to the final empty page', async () => {
    const r = await runInProcess(['list', '--all', '--page-size', '100', '--fields', 'uuid'], { sandbox: big });
    expect(r.code).toBe(0);
    const printed = r.stdout.trim().split('\n');
    const expected = big.store.persons().map((p) => p.uuid);
    expect(printed).toHaveLength(2500);
    expect(new Set(printed)).toEqual(new Set(expected));
    const pages = big.requests.filter((q) => q.route === 'list');
    // 2,540 index entries (40 ghosts) at 100 a page: 26 pages, the last one short; short pages carry next.
    expect(pages.map((q) => q.query.offset ?? '0')).toEqual(Array.from({ length: 26 }, (_, i) => String(i * 100)));
  });

  it('a full last page is followed by an empty one', async () => {
    const exact = await startSandbox({ persons: 200, writeLagMs: 0 });
    try {
      const r = await runInProcess(['list', '--all', '--page-size', '100', '--fields', 'uuid'], { sandbox: exact });
      expect(r.stdout.trim().split('\n')).toHaveLength(200);
      expect(exact.requests.map((q) => q.query.offset ?? '0')).toEqual(['0', '100', '200']);
    } finally {
      await exact.close();
    }
  });
});
