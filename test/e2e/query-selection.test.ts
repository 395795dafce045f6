// Query-selected bulk runs: `delete`, `set-prop` and `unset-prop` with --where/--email/--search/
// --properties. The selection is listed first (page size 1000), kept in the journal as a snapshot
// of UUIDs before any write, and the run works on that snapshot by UUID; --expect N guards it.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { stripAnsi } from '../helpers/cli.js';
import { ON_A_TERMINAL, runInProcess, screenOf } from '../helpers/in-process.js';

let sandbox: Sandbox;
const FREE = 1500;
const SCALE = 700;
const TRIAL = 3;
const uuidOf = (block: string, i: number) => `0195${block}-0000-7000-8000-${String(i).padStart(12, '0')}`;
const free = (i: number) => uuidOf('0001', i);
const scale = (i: number) => uuidOf('0002', i);
const trial = (i: number) => uuidOf('0003', i);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
beforeEach(() => {
  sandbox.setOptions({ legacy: false, deleteMode: 'sync', rateLimit: 0 });
  // Everyone back as they were, so each test starts from the same store.
  const reset = (uuid: string, distinctId: string, properties: Record<string, unknown>, createdAt?: string) => {
    sandbox.store.removePerson(uuid);
    sandbox.store.addPerson({ uuid, distinctIds: [distinctId], properties, createdAt });
  };
  for (const i of range(FREE)) reset(free(i), `free-${i}`, { plan: 'free' });
  for (const i of range(SCALE)) reset(scale(i), `scale-${i}`, { plan: 'scale' });
  // Newest first in the list: trial-2, trial-1, trial-0.
  reset(trial(0), 'trial-0', { plan: 'trial', email: 'ada@example.com', legacy: 1 }, '2025-01-01T00:00:00Z');
  reset(trial(1), 'trial-1', { plan: 'trial', name: 'Bob \x1b[2J', legacy: 1 }, '2025-01-02T00:00:00Z');
  reset(trial(2), 'trial-2', { plan: 'trial', legacy: 1 }, '2025-01-03T00:00:00Z');
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

const tempDir = () => mkdtempSync(join(tmpdir(), 'pp-query-'));
const routes = () => sandbox.requests.map((q) => q.route);
const journalLines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const alive = (uuids: string[]) => uuids.filter((u) => sandbox.store.person(u));

describe('delete --where: the selection, the snapshot and --expect', () => {
  it('deletes exactly the selected persons by UUID, listing 1000 a page first; bystanders survive', async () => {
    const dir = tempDir();
    const r = await runInProcess(['delete', '--where', 'plan=free', '--expect', '1500', '--yes', '--journal', 'q.jsonl'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    // The listing is over before the first write: 2 list pages of up to 1000, then 2 bulk_deletes.
    // Each batch of 1,000 is looked up (5 batch_by_uuids of 200) just before its bulk_delete.
    expect(routes().filter((r) => r !== 'batch_by_uuids')).toEqual(['list', 'list', 'bulk_delete', 'bulk_delete']);
    expect(routes().slice(0, 2)).toEqual(['list', 'list']);
    const lists = sandbox.requests.filter((q) => q.route === 'list');
    expect(lists.map((q) => q.query.limit)).toEqual(['1000', '1000']);
    expect(lists.every((q) => q.query.properties === JSON.stringify([{ key: 'plan', value: 'free', operator: 'exact', type: 'person' }]))).toBe(true);
    const bodies = sandbox.requests.filter((q) => q.route === 'bulk_delete').map((q) => q.body as { ids: string[] });
    expect(bodies.map((b) => Object.keys(b).join())).toEqual(['ids', 'ids']);
    expect(new Set(bodies.flatMap((b) => b.ids))).toEqual(new Set(range(FREE).map(free)));
    expect(alive(range(FREE).map(free))).toEqual([]);
    expect(alive(range(SCALE).map(scale))).toHaveLength(SCALE);
    expect(alive(range(TRIAL).map(trial))).toHaveLength(TRIAL);

    const entries = journalLines(join(dir, 'q.jsonl'));
    expect(entries.map((e) => e.type)).toEqual(['run', 'selection', 'batch', 'batch', 'end']);
    expect(entries[0].flags).toMatchObject({ by: 'uuid', query: { where: ['plan=free'] } });
    expect(entries[1]).toMatchObject({ type: 'selection', run_id: entries[0].run_id, query: { where: ['plan=free'] }, total: FREE });
    expect(new Set(entries[1].uuids)).toEqual(new Set(range(FREE).map(free)));
    expect(r.stderr).toContain(`About to delete 1,500 persons selected by --where plan=free, in project 1 at ${sandbox.url}:\n`);
    expect(r.stderr).toContain('  1,500 persons matched (2 list requests of up to 1,000); their UUIDs are kept in the journal, and only they are deleted.\n');
    expect(r.stderr).toContain('  2 bulk_delete requests of up to 1,000, 4 at a time.\n');
  });

  it('a wrong --expect stops before any write: exit 3 naming both counts, only list requests sent', async () => {
    const dir = tempDir();
    const r = await runInProcess(['delete', '--where', 'plan=free', '--expect', '1499', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('error: the selection has 1,500 persons, --expect said 1,499: nothing was written\n');
    expect(routes()).toEqual(['list', 'list']);
    expect(sandbox.writes()).toEqual([]);
    expect(alive(range(FREE).map(free))).toHaveLength(FREE);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--dry-run shows the count, the query, the requests and the first persons (escaped); sends no write', async () => {
    const r = await runInProcess(['delete', '--where', 'plan=trial', '--where', 'legacy>0', '--dry-run'], { sandbox, cwd: tempDir() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(routes()).toEqual(['list']);
    expect(r.stderr).toBe(
      [
        'Dry run: nothing was sent.',
        "Would delete 3 persons selected by --where plan=trial --where 'legacy>0', in 1 bulk_delete request of up to 1,000.",
        '  3 persons matched (1 list request of up to 1,000).',
        'First persons:',
        `  ${trial(2)}  trial-2  trial-2`,
        `  ${trial(1)}  Bob \\x1b[2J  trial-1`,
        `  ${trial(0)}  ada@example.com  trial-0`,
        '',
      ].join('\n'),
    );
    expect(sandbox.writes()).toEqual([]);
  });

  it('--dry-run -o json: the plan as JSON on stdout', async () => {
    const r = await runInProcess(['delete', '--where', 'plan=trial', '--dry-run', '-o', 'json'], { sandbox, cwd: tempDir() });
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan).toMatchObject({ dry_run: true, command: 'delete', by: 'uuid', query: { where: ['plan=trial'] }, selected: 3, list_requests: 1, to_send: 3, batches: 1 });
    expect(plan.first.map((p: { uuid: string }) => p.uuid).sort()).toEqual([trial(0), trial(1), trial(2)]);
  });

  it('an empty selection: exit 0 with a clear line, no write, no journal', async () => {
    const dir = tempDir();
    const r = await runInProcess(['delete', '--where', 'plan=none', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('No person matches --where plan=none; nothing to do.\n');
    expect(routes()).toEqual(['list']);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('on a terminal the user types the count of the selection', async () => {
    const dir = tempDir();
    const t = await runInProcess(['delete', '--where', 'plan=trial'], { sandbox, cwd: dir, ...ON_A_TERMINAL, stdin: '3\r' });
    expect(stripAnsi(screenOf(t))).toContain('Type 3 to delete 3 persons:');
    expect(t.code).toBe(0);
    expect(alive(range(TRIAL).map(trial))).toEqual([]);
  });

  it('without a terminal, --yes is required: exit 2 before any request', async () => {
    const r = await runInProcess(['delete', '--where', 'plan=trial'], { sandbox, cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: refusing to delete persons without confirmation: there is no terminal to confirm on');
    expect(sandbox.requests).toEqual([]);
  });
});

describe('every PostHog generation', () => {
  it.each(['mid', 'older'] as const)('%s: delete and set-prop by query select and write the same persons', async (generation) => {
    sandbox.setOptions({ generation });
    const dir = tempDir();
    const set = await runInProcess(['set-prop', '--where', 'plan=trial', 'tier', 'gold', '--expect', '3', '--yes', '--journal', 'set.jsonl'], { sandbox, cwd: dir });
    expect(set.code).toBe(0);
    for (const i of range(TRIAL)) expect(sandbox.store.person(trial(i))!.properties.tier).toBe('gold');
    const del = await runInProcess(['delete', '--where', 'tier=gold', '--expect', '3', '--yes', '--journal', 'del.jsonl'], { sandbox, cwd: dir });
    expect(del.code).toBe(0);
    expect(alive(range(TRIAL).map(trial))).toEqual([]);
    expect(alive(range(SCALE).map(scale))).toHaveLength(SCALE);
    sandbox.setOptions({ generation: 'newest' });
  });
});

describe('query flags refused before any request', () => {
  const cases: Array<[string, string[], string]> = [
    ['a malformed --where', ['delete', '--where', 'plan', '--yes'], 'error: invalid --where expression "plan"'],
    ['malformed --properties', ['delete', '--properties', '{', '--yes'], 'error: --properties'],
    ['a query and persons', ['delete', 'user_1', '--where', 'plan=free', '--yes'], 'error: give persons as arguments, --from-file or a query (--where, --email, --search, --properties), only one of them: got arguments and a query'],
    ['a query and --from-file', ['delete', '--from-file', 'x.csv', '--email', 'a@b.c', '--yes'], 'error: give persons as arguments, --from-file or a query (--where, --email, --search, --properties), only one of them: got --from-file and a query'],
    ['--expect without a query', ['delete', 'user_1', '--expect', '1', '--yes'], 'error: --expect applies to a query selection (--where, --email, --search, --properties)'],
    ['--expect not a number', ['delete', '--where', 'plan=free', '--expect', 'many', '--yes'], "error: option '--expect <n>' argument 'many' is invalid. --expect must be a whole number"],
    ['set-prop: a query and three arguments', ['set-prop', '--where', 'plan=free', 'user_1', 'tier', 'gold', '--yes'], 'error: with a query, give KEY VALUE: the persons come from the query'],
    ['unset-prop: a query without keys', ['unset-prop', '--where', 'plan=free', '--yes'], 'error: give the property keys to remove'],
  ];
  it.each(cases)('%s: exit 2, no request', async (_what, args, message) => {
    const r = await runInProcess(args, { sandbox, cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(sandbox.requests).toEqual([]);
  });
});

describe('--resume works on the snapshot, not a new listing', () => {
  it('a failed batch, then --resume: no list request, the newcomer matching the query is untouched', async () => {
    const dir = tempDir();
    // The first bulk_delete fails (no retry): batch 1 failed, batch 2 done → exit 7.
    sandbox.script({ method: 'POST', path: '/persons/bulk_delete/', kind: 'status', status: 500 });
    const first = await runInProcess(['--retries', '0', 'delete', '--where', 'plan=free', '--yes', '--journal', 'q.jsonl', '--concurrency', '1'], { sandbox, cwd: dir });
    expect(first.code).toBe(7);
    expect(alive(range(FREE).map(free))).toHaveLength(1000);
    // A person matching the query arrives after the snapshot: the resumed run must not see it.
    sandbox.store.addPerson({ uuid: uuidOf('0004', 1), distinctIds: ['late-1'], properties: { plan: 'free' } });
    sandbox.clearRequests();

    const r = await runInProcess(['delete', '--where', 'plan=free', '--yes', '--journal', 'q.jsonl', '--resume'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(routes().filter((r) => r !== 'batch_by_uuids')).toEqual(['bulk_delete']);
    expect((sandbox.requests.find((q) => q.route === 'bulk_delete')!.body as { ids: string[] }).ids).toHaveLength(1000);
    expect(r.stderr).toContain('Resuming with the snapshot of 1,500 persons kept in the journal; the query is not run again.\n');
    expect(alive(range(FREE).map(free))).toEqual([]);
    expect(alive([uuidOf('0004', 1)])).toHaveLength(1);
    const types = journalLines(join(dir, 'q.jsonl')).map((e) => e.type);
    expect(types).toEqual(['run', 'selection', 'batch', 'batch', 'end', 'run', 'batch', 'end']);
    sandbox.store.removePerson(uuidOf('0004', 1));
  });

  it('a snapshot cut short (the run stopped while writing it, before any batch): --resume lists the query again', async () => {
    const dir = tempDir();
    sandbox.script({ method: 'POST', path: '/persons/bulk_delete/', kind: 'status', status: 500 });
    await runInProcess(['--retries', '0', 'delete', '--where', 'plan=trial', '--yes', '--journal', 'q.jsonl'], { sandbox, cwd: dir });
    // Keep the header and a selection entry holding only part of its total: what a kill between two chunks leaves.
    const [header, selection] = readFileSync(join(dir, 'q.jsonl'), 'utf8').split('\n');
    const cut = { ...JSON.parse(selection!), uuids: JSON.parse(selection!).uuids.slice(0, 1) };
    writeFileSync(join(dir, 'q.jsonl'), `${header}\n${JSON.stringify(cut)}\n`);
    sandbox.clearRequests();
    const r = await runInProcess(['delete', '--where', 'plan=trial', '--yes', '--journal', 'q.jsonl', '--resume'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(routes()).toEqual(['list', 'batch_by_uuids', 'bulk_delete']);
    expect(r.stderr).not.toContain('Resuming with the snapshot');
    expect(alive(range(TRIAL).map(trial))).toEqual([]);
    expect(journalLines(join(dir, 'q.jsonl')).map((e) => e.type)).toEqual(['run', 'selection', 'run', 'selection', 'batch', 'end']);
  });

  it('--resume with another query is refused, naming both', async () => {
    const dir = tempDir();
    sandbox.script({ method: 'POST', path: '/persons/bulk_delete/', kind: 'status', status: 500 });
    await runInProcess(['--retries', '0', 'delete', '--where', 'plan=trial', '--yes', '--journal', 'q.jsonl'], { sandbox, cwd: dir });
    sandbox.clearRequests();
    const r = await runInProcess(['delete', '--where', 'plan=free', '--yes', '--journal', 'q.jsonl', '--resume'], { sandbox, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --resume with different flags: the journal\'s run had query={"where":["plan=trial"]}, this one has query={"where":["plan=free"]}');
    expect(sandbox.requests).toEqual([]);
  });
});

describe('set-prop and unset-prop by query', () => {
  it('set-prop --where plan=trial tier gold: one write a selected person, by UUID', async () => {
    const dir = tempDir();
    const r = await runInProcess(['set-prop', '--where', 'plan=trial', 'tier', 'gold', '--expect', '3', '--yes', '--journal', 'j.jsonl'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    for (const i of range(TRIAL)) expect(sandbox.store.person(trial(i))!.properties.tier).toBe('gold');
    expect(sandbox.store.person(free(0))!.properties.tier).toBeUndefined();
    // The listing, one lookup of the batch (persons deleted since the listing get no write), one PATCH a person.
    expect(routes()).toEqual(['list', 'batch_by_uuids', 'partial_update', 'partial_update', 'partial_update']);
    expect(new Set(sandbox.requests.filter((q) => q.route === 'partial_update').map((q) => q.path.split('/').at(-2)))).toEqual(new Set(range(TRIAL).map(trial)));
    expect(journalLines(join(dir, 'j.jsonl')).map((e) => e.type).slice(0, 2)).toEqual(['run', 'selection']);
  });

  it('set-prop --dry-run by query: the write, the query, the requests and the first persons', async () => {
    const r = await runInProcess(['set-prop', '--where', 'plan=trial', 'tier', 'gold', '--dry-run'], { sandbox, cwd: tempDir() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      [
        'Dry run: nothing was sent.',
        'Would set tier = "gold" on 3 persons selected by --where plan=trial, in 3 requests, one a person, after 1 lookup.',
        '  3 persons matched (1 list request of up to 1,000).',
        'First persons:',
        `  ${trial(2)}  trial-2  trial-2`,
        `  ${trial(1)}  Bob \\x1b[2J  trial-1`,
        `  ${trial(0)}  ada@example.com  trial-0`,
        '',
      ].join('\n'),
    );
    expect(routes()).toEqual(['list']);
  });

  it('set-prop --json by query: typed values', async () => {
    const r = await runInProcess(['set-prop', '--email', 'ada@example.com', 'seats', '12', '--json', '--yes', '--journal', join(tempDir(), 'j.jsonl')], { sandbox });
    expect(r.code).toBe(0);
    expect(sandbox.store.person(trial(0))!.properties.seats).toBe(12);
    expect(sandbox.store.person(trial(1))!.properties.seats).toBeUndefined();
  });

  it('unset-prop --where plan=trial legacy: removed from the selection only', async () => {
    const r = await runInProcess(['unset-prop', '--where', 'plan=trial', 'legacy', '--yes', '--journal', join(tempDir(), 'j.jsonl')], { sandbox });
    expect(r.code).toBe(0);
    for (const i of range(TRIAL)) expect(Object.hasOwn(sandbox.store.person(trial(i))!.properties, 'legacy')).toBe(false);
    expect(sandbox.requests.filter((q) => q.route === 'delete_property')).toHaveLength(3);
  });

  it('set-prop with a wrong --expect writes nothing', async () => {
    const r = await runInProcess(['set-prop', '--where', 'plan=trial', 'tier', 'gold', '--expect', '4', '--yes'], { sandbox, cwd: tempDir() });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('error: the selection has 3 persons, --expect said 4: nothing was written\n');
    expect(routes()).toEqual(['list']);
  });
});
