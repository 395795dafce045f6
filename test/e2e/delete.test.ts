// `delete <person>...`: each reference resolved, then one bulk_delete by person UUID; the
// confirmation rules (terminal prompt, type-the-count, --yes without a terminal); the summary.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runInTerminal, stripAnsi } from '../helpers/cli.js';
import { ON_A_TERMINAL, runInProcess, screenOf } from '../helpers/in-process.js';

let sandbox: Sandbox;
const ADA = '01900000-0000-7000-8000-0000000000a1';
const BOB = '01900000-0000-7000-8000-0000000000b2';
const ANON = '01900000-0000-7000-8000-0000000000c3';
const ANON_DISTINCT_ID = '5f2c1e9a-0b7d-4c3e-8a6f-1d2e3f4a5b6c';
const BULK = '/api/projects/1/persons/bulk_delete/';

const PEOPLE = [
  { uuid: ADA, distinctIds: ['ada-device', 'ada@example.com'], properties: { email: 'ada@example.com' }, createdAt: '2025-03-01T10:00:00.000Z' },
  { uuid: BOB, distinctIds: ['bob-1'], properties: { email: 'bob@example.com' }, createdAt: '2025-03-02T10:00:00.000Z' },
  { uuid: ANON, distinctIds: [ANON_DISTINCT_ID], properties: {}, createdAt: '2025-03-03T10:00:00.000Z' },
];

/** Puts the test persons back as they were, whatever the previous test deleted. */
function resetPeople(): void {
  for (const person of PEOPLE) {
    sandbox.store.removePerson(person.uuid);
    sandbox.store.addPerson(person);
  }
}

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 5, writeLagMs: 0 });
});
beforeEach(() => {
  sandbox.setOptions({ generation: 'newest', deleteMode: 'sync' });
  sandbox.store.tick(); // apply queued (async) deletions now, not after the persons are put back
  resetPeople();
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

const routes = () => sandbox.requests.map((q) => q.route);
const bulkBodies = () => sandbox.requests.filter((q) => q.route === 'bulk_delete').map((q) => [q.path, q.body]);
const exists = (uuid: string) => sandbox.store.person(uuid) !== undefined;
const tempDir = () => mkdtempSync(join(tmpdir(), 'pp-delete-'));

function summary(rows: Record<string, number | string>, head = 'Done (by uuid):'): string {
  const labels = Object.keys(rows);
  const width = Math.max(...labels.map((l) => l.length));
  const values = Object.values(rows).map(String);
  const valueWidth = Math.max(...values.map((v) => v.length));
  return [head, ...labels.map((l, i) => `  ${l.padEnd(width)}  ${values[i]!.padStart(valueWidth)}`)].join('\n') + '\n';
}
const ONE_DELETED = { requested: 1, found: 1, deleted: 1, 'queued for deletion': 0, 'not found': 0, failed: 0, skipped: 0 };

describe('delete <person>: resolution and the exact bulk_delete body', () => {
  it('a distinct_id: looked up, then deleted by its person UUID; one line naming the person on stderr, nothing on stdout', async () => {
    const r = await runInProcess(['delete', 'ada-device', '--yes'], { sandbox });
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: `Deleted: person ${ADA} (ada-device).\n` });
    expect(routes()).toEqual(['list', 'retrieve', 'bulk_delete']);
    expect(bulkBodies()).toEqual([[BULK, { ids: [ADA] }]]);
    expect(exists(ADA)).toBe(false);
    expect(exists(BOB)).toBe(true);
  });

  it('a person UUID: one retrieve, then bulk_delete with the flags in the body', async () => {
    const r = await runInProcess(['delete', ADA, '--yes', '--delete-events', '--delete-recordings'], { sandbox });
    expect(r.code).toBe(0);
    expect(routes()).toEqual(['retrieve', 'bulk_delete']);
    expect(bulkBodies()).toEqual([[BULK, { ids: [ADA], delete_events: true, delete_recordings: true }]]);
    expect(r.stderr).toBe(`Deleted: person ${ADA} (ada-device). Its events and recordings are queued for deletion.\n`);
  });

  it('an anonymous distinct_id shaped like a UUID: tried as a UUID first, then as a distinct_id', async () => {
    const r = await runInProcess(['delete', ANON_DISTINCT_ID, '--yes'], { sandbox });
    expect(r.code).toBe(0);
    expect(routes()).toEqual(['retrieve', 'list', 'retrieve', 'bulk_delete']);
    expect(bulkBodies()).toEqual([[BULK, { ids: [ANON] }]]);
    expect(exists(ANON)).toBe(false);
  });

  it('--by id: the integer primary key', async () => {
    const pk = sandbox.store.person(BOB)!.pk;
    const r = await runInProcess(['delete', String(pk), '--by', 'id', '--yes'], { sandbox });
    expect(r.code).toBe(0);
    expect(routes()).toEqual(['retrieve', 'bulk_delete']);
    expect(bulkBodies()).toEqual([[BULK, { ids: [BOB] }]]);
  });

  it('--by distinct-id skips the UUID reading', async () => {
    const r = await runInProcess(['delete', ANON_DISTINCT_ID, '--by', 'distinct-id', '--yes'], { sandbox });
    expect(r.code).toBe(0);
    expect(routes()).toEqual(['list', 'retrieve', 'bulk_delete']);
  });

  it('--keep-person with --delete-events removes the events and keeps the person', async () => {
    const r = await runInProcess(['delete', 'bob-1', '--delete-events', '--keep-person', '--yes'], { sandbox });
    expect(r.code).toBe(0);
    expect(bulkBodies()).toEqual([[BULK, { ids: [BOB], delete_events: true, keep_person: true }]]);
    expect(exists(BOB)).toBe(true);
    expect(r.stderr).toBe(`Queued: delete the events of person ${BOB} (bob-1), keeping the person.\n`);
  });

  it('several persons: one bulk_delete with every UUID, a journal with header, batch and footer', async () => {
    const dir = tempDir();
    const r = await runInProcess(['delete', 'ada-device', 'bob-1', ANON, '--yes', '--journal', 'run.jsonl'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(bulkBodies()).toEqual([[BULK, { ids: [ADA, BOB, ANON] }]]);
    const lines = readFileSync(join(dir, 'run.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['run', 'batch', 'end']);
    expect(lines[0]).toMatchObject({ command: 'delete', host: sandbox.url, project: '1', flags: { by: 'uuid', delete_events: false } });
    expect(lines[1]).toMatchObject({ batch: 1, ids: [ADA, BOB, ANON], by: 'uuid', status: 'done', http_status: 202, response: { persons_found: 3 } });
    expect(lines[2]).toMatchObject({ outcome: 'completed', summary: { requested: 3, found: 3, deleted: 3 } });
    expect(JSON.stringify(lines)).not.toContain('phx_');
    expect(r.stderr).toContain(`Journal: ${join(dir, 'run.jsonl')}\n`);
  });

  it('several persons without --journal: the journal goes to the current folder, named with the time', async () => {
    const dir = tempDir();
    const r = await runInProcess(['delete', 'ada-device', 'bob-1', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(readdirSync(dir)).toEqual([expect.stringMatching(/^posthog-persons-delete-\d{8}-\d{6}-\d{3}-\d+\.journal\.jsonl$/)]);
  });

  it('two references to one person delete it once', async () => {
    const r = await runInProcess(['delete', 'ada-device', ADA, '--yes', '--journal', join(tempDir(), 'j.jsonl')], { sandbox });
    expect(r.code).toBe(0);
    expect(bulkBodies()).toEqual([[BULK, { ids: [ADA] }]]);
  });

  it('one person that cannot be found stops everything before any delete: exit 5', async () => {
    const r = await runInProcess(['delete', 'ada-device', 'nobody-here', '--yes', '--journal', join(tempDir(), 'j.jsonl')], { sandbox });
    expect(r.code).toBe(5);
    expect(r.stderr).toBe(`error: no person with distinct_id "nobody-here" in project 1 at ${sandbox.url}\n`);
    expect(sandbox.writes()).toEqual([]);
    expect(exists(ADA)).toBe(true);
  });

  it('-o json prints the summary on stdout', async () => {
    const r = await runInProcess(['delete', 'bob-1', '--yes', '-o', 'json'], { sandbox });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      command: 'delete',
      outcome: 'completed',
      by: 'uuid',
      requested: 1,
      accepted: 1,
      found: 1,
      deleted: 1,
      queued_for_deletion: 0,
      not_found: 0,
      failed: 0,
      skipped: 0,
      not_sent: 0,
      events_queued_for_deletion: false,
      recordings_queued_for_deletion: false,
      deletion_errors: [],
      batches: { done: 1, failed: 0 },
    });
  });

  it('async deletion: the summary says queued, not deleted', async () => {
    sandbox.setOptions({ deleteMode: 'async' });
    const r = await runInProcess(['delete', 'bob-1', '--yes'], { sandbox });
    expect(r.stderr).toBe(`Queued for deletion: person ${BOB} (bob-1). PostHog removes it within minutes.\n`);
    // several persons: the table of counts
    const both = await runInProcess(['delete', 'ada-device', ANON, '--yes', '--journal', join(tempDir(), 'j.jsonl')], { sandbox });
    expect(both.stderr).toContain(summary({ ...ONE_DELETED, requested: 2, found: 2, deleted: 0, 'queued for deletion': 2 }));
  });

  it('-q: nothing on stderr; -o json still prints the summary', async () => {
    const r = await runInProcess(['-q', 'delete', 'bob-1', '--yes', '-o', 'json'], { sandbox });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toMatchObject({ deleted: 1 });
  });

  it('an old server answering an empty 202: the counts are reported as unknown, not as zero', async () => {
    sandbox.setOptions({ generation: 'older' });
    const r = await runInProcess(['delete', 'bob-1', '--yes', '-o', 'json'], { sandbox });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`Accepted: delete person ${BOB} (bob-1). This PostHog server's answer does not say what it found or deleted.\n`);
    expect(JSON.parse(r.stdout)).toMatchObject({ accepted: 1, found: null, deleted: null, queued_for_deletion: null, not_found: null });
  });
});

describe('delete: safety before any request', () => {
  it.each([
    [['delete', 'ada-device'], 'error: refusing to delete persons without confirmation: there is no terminal to confirm on\nPass --yes to confirm, or --dry-run to see what would happen without sending anything.\n'],
    [['delete', '--keep-person', 'ada-device', '--yes'], 'error: --keep-person keeps the persons: use it with --delete-events or --delete-recordings (alone it would delete nothing)\n'],
    [['delete', '--yes'], 'error: nothing to delete: give one or more persons, or --from-file PATH, or a query (--where, --email, --search, --properties)\n'],
    [['delete', 'ada-device', '--from-file', 'x.csv', '--yes'], 'error: give persons as arguments or --from-file, not both\n'],
    [['delete', 'ada-device', '--column', 'email', '--yes'], 'error: --column only applies to --from-file\n'],
    [['delete', 'ada-device', '--by', 'uuid', '--yes'], 'error: "ada-device" is not a UUID (--by uuid)\n'],
    [['delete', 'ada-device', 'bob-1', '--resume', '--yes'], 'error: --resume needs --journal PATH: the journal of the run to resume\nRuns without an input file keep their journal in a file named with the start time; pass that file.\n'],
  ])('%j exits 2 and sends nothing', async (args, stderr) => {
    const r = await runInProcess(args, { sandbox });
    expect(r).toMatchObject({ code: 2, stdout: '', stderr });
    expect(sandbox.requests).toEqual([]);
  });

  it.each([
    ['--batch-size', '0'],
    ['--batch-size', '1001'],
    ['--concurrency', '17'],
    ['--concurrency', 'x'],
  ])('%s %s exits 2 and sends nothing', async (flag, value) => {
    const r = await runInProcess(['delete', 'ada-device', '--yes', flag, value], { sandbox });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: option '${flag} <n>' argument '${value}' is invalid`));
    expect(sandbox.requests).toEqual([]);
  });

  it('--dry-run prints uuid, name and distinct_ids of each person and sends no write', async () => {
    const r = await runInProcess(['delete', 'ada-device', 'bob-1', '--dry-run', '--delete-events'], { sandbox });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${ADA}\tada@example.com\t["ada-device","ada@example.com"]\n${BOB}\tbob@example.com\t["bob-1"]\n`);
    expect(r.stderr).toBe('Dry run: would delete 2 persons and their events in 1 bulk_delete request; nothing was sent.\n');
    expect(sandbox.writes()).toEqual([]);
    expect(routes()).toEqual(['list', 'retrieve', 'list', 'retrieve']);
  });
});

describe('delete: confirmation in a terminal', () => {
  it('one person: a y/N question naming the person; "y" deletes', async () => {
    const t = await runInTerminal(['delete', 'ada-device'], [{ expect: '[y/N]', send: 'y\r' }], { sandbox });
    const screen = stripAnsi(t.screen);
    expect(screen).toContain(`Delete person ada@example.com (${ADA})? [y/N]`);
    expect(t.code).toBe(0);
    expect(bulkBodies()).toEqual([[BULK, { ids: [ADA] }]]);
    expect(screen).toContain(`Deleted: person ${ADA} (ada-device).`);
  });

  it('declining exits 3 and sends no write', async () => {
    const t = await runInProcess(['delete', 'ada-device'], { sandbox, ...ON_A_TERMINAL, stdin: 'n\r' });
    expect(t.code).toBe(3);
    expect(stripAnsi(screenOf(t))).toContain('error: Cancelled. Nothing was deleted.');
    expect(sandbox.writes()).toEqual([]);
    expect(exists(ADA)).toBe(true);
  });

  it('several persons: the user types the count', async () => {
    const dir = tempDir();
    const t = await runInProcess(['delete', 'ada-device', 'bob-1', '--delete-events'], { sandbox, cwd: dir, ...ON_A_TERMINAL, stdin: '2\r' });
    const screen = stripAnsi(screenOf(t));
    expect(screen).toContain('Type 2 to delete 2 persons and their events:');
    expect(screen).toContain(`About to delete 2 persons and their events in project 1 at ${sandbox.url}:\n  ada@example.com (${ADA}): ada-device, ada@example.com\n  bob@example.com (${BOB}): bob-1\n`);
    expect(t.code).toBe(0);
    expect(bulkBodies()).toEqual([[BULK, { ids: [ADA, BOB], delete_events: true }]]);
  });

  it('a mistyped count cancels: exit 3, says what was typed, no write', async () => {
    const dir = tempDir();
    const t = await runInProcess(['delete', 'ada-device', 'bob-1'], { sandbox, cwd: dir, ...ON_A_TERMINAL, stdin: '3\r' });
    expect(t.code).toBe(3);
    expect(stripAnsi(screenOf(t))).toContain('error: Cancelled: you typed "3", not 2. Nothing was deleted.');
    expect(sandbox.writes()).toEqual([]);
    expect(readdirSync(dir)).toEqual([]); // no journal for a run that never started
  });

  it('--no-input on a terminal needs --yes like a pipe', async () => {
    const t = await runInProcess(['--no-input', 'delete', 'ada-device'], { sandbox, ...ON_A_TERMINAL });
    expect(t.code).toBe(2);
    expect(stripAnsi(screenOf(t))).toContain('error: refusing to delete persons without confirmation: --no-input is set');
    expect(sandbox.requests).toEqual([]);
  });

  it('--yes on a terminal asks nothing', async () => {
    const t = await runInProcess(['delete', 'bob-1', '--yes'], { sandbox, ...ON_A_TERMINAL });
    expect(t.code).toBe(0);
    expect(stripAnsi(screenOf(t))).not.toContain('[y/N]');
    expect(exists(BOB)).toBe(false);
  });
});
