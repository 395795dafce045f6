import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, SANDBOX_KEYS, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../helpers/in-process.js';
import { manualClock } from '../helpers/manual-clock.js';

const EVENT_BATCH_MS = 3_000;
const ADA = '01900000-0000-7000-8000-0000000000a1';
const BOB = '01900000-0000-7000-8000-0000000000b2';
let sandbox: Sandbox;
// The sandbox's event-deletion batch runs on this clock, so rows stay "pending" however slow the
// machine is, until the test moves time past the batch.
const clock = manualClock();

/** What a user's script would do: a bulk_delete with delete_events, straight against the API. */
async function bulkDelete(ids: string[]): Promise<void> {
  const res = await fetch(`${sandbox.url}/api/projects/1/persons/bulk_delete/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SANDBOX_KEYS.all.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ids, delete_events: true }),
  });
  expect(res.status).toBe(202);
  await res.text();
}

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 150, writeLagMs: 0, eventBatchMs: EVENT_BATCH_MS, clock });
  sandbox.store.addPerson({ uuid: ADA, distinctIds: ['ada'], createdAt: '2025-01-01T00:00:00.000Z' });
  sandbox.store.addPerson({ uuid: BOB, distinctIds: ['bob'], createdAt: '2025-01-02T00:00:00.000Z' });
  await bulkDelete([ADA]);
  await bulkDelete([BOB]);
});
beforeEach(() => sandbox.clearRequests());
afterAll(() => sandbox.close());

const created = (uuid: string) => sandbox.store.deletionStatus().find((row) => row.person_uuid === uuid)!.created_at;

describe('deletion-status', () => {
  it('lists every row, newest first, as tsv: person_uuid, status, created_at, delete_verified_at', async () => {
    const r = await runInProcess(['deletion-status'], { sandbox });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(`${BOB}\tpending\t${created(BOB)}\t\n${ADA}\tpending\t${created(ADA)}\t\n`);
    expect(sandbox.requests.map((q) => [q.route, q.rawQuery])).toEqual([['deletion_status', 'limit=100']]);
  });

  it('one request per person UUID (person_uuid=), rows streamed in argument order', async () => {
    const r = await runInProcess(['deletion-status', ADA, BOB, '--fields', 'person_uuid,status'], { sandbox });
    expect(r.stdout).toBe(`${ADA}\tpending\n${BOB}\tpending\n`);
    expect(sandbox.requests.map((q) => q.query)).toEqual([
      { person_uuid: ADA, limit: '100' },
      { person_uuid: BOB, limit: '100' },
    ]);
  });

  it('--status filters on the server; -o json is one array of the API rows', async () => {
    const pending = await runInProcess(['deletion-status', '--status', 'pending', '-o', 'json'], { sandbox });
    expect(JSON.parse(pending.stdout)).toEqual([
      { person_uuid: BOB, created_at: created(BOB), status: 'pending', delete_verified_at: null },
      { person_uuid: ADA, created_at: created(ADA), status: 'pending', delete_verified_at: null },
    ]);
    const completed = await runInProcess(['deletion-status', '--status', 'completed', '-o', 'json'], { sandbox });
    expect(completed.stdout).toBe('[]\n');
    expect(sandbox.requests.map((q) => q.query.status)).toEqual(['pending', 'completed']);
  });

  it('--limit caps the rows and the page size', async () => {
    const r = await runInProcess(['deletion-status', '--limit', '1', '-o', 'jsonl', '--fields', 'person_uuid'], { sandbox });
    expect(r.stdout).toBe(`{"person_uuid":"${BOB}"}\n`);
    expect(sandbox.requests.map((q) => q.rawQuery)).toEqual(['limit=1']);
  });

  it('a person without a row prints nothing (exit 0); table mode explains what the rows mean', async () => {
    const r = await runInProcess(['deletion-status', '01900000-0000-7000-8000-00000000ffff', '-o', 'table'], { sandbox });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'No event deletions found.\n' +
        'These rows track event deletion (delete --delete-events), which PostHog runs in a weekly batch; "pending" is normal until then. ' +
        'No row does not mean the events are gone: it means none were queued for deletion.\n',
    );
  });

  it('-o csv has a header row', async () => {
    const r = await runInProcess(['deletion-status', ADA, '-o', 'csv'], { sandbox });
    expect(r.stdout).toBe(`person_uuid,status,created_at,delete_verified_at\r\n${ADA},pending,${created(ADA)},\r\n`);
  });

  it.each([
    [['deletion-status', 'ada'], '"ada" is not a person UUID'],
    [['deletion-status', ADA, 'bob', '42'], '"bob", "42" are not person UUIDs'],
    [['deletion-status', '--status', 'done'], "argument 'done' is invalid"],
    [['deletion-status', '--limit', '0'], '--limit must be at least 1'],
    [['deletion-status', '--all', '--limit', '5'], '--all and --limit cannot be used together'],
    [['deletion-status', '--fields', 'uuid'], 'unknown field "uuid"'],
  ])('bad input %j exits 2 with no request', async (args, message) => {
    const r = await runInProcess(args, { sandbox });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('rows complete after the event batch has run', async () => {
    clock.advance(EVENT_BATCH_MS + 100);
    const r = await runInProcess(['deletion-status', ADA, '-o', 'jsonl'], { sandbox });
    const row = JSON.parse(r.stdout);
    expect(row).toMatchObject({ person_uuid: ADA, status: 'completed' });
    expect(Date.parse(row.delete_verified_at)).toBe(Date.parse(row.created_at) + EVENT_BATCH_MS);
    const pending = await runInProcess(['deletion-status', '--status', 'pending'], { sandbox });
    expect(pending.stdout).toBe('');
  });

  it('--all follows next across pages', async () => {
    const others = sandbox.store.persons().slice(0, 120).map((p) => p.uuid);
    await bulkDelete(others);
    sandbox.clearRequests();
    const r = await runInProcess(['deletion-status', '--all', '-o', 'jsonl', '--fields', 'person_uuid'], { sandbox });
    const uuids = r.stdout.trim().split('\n').map((line) => JSON.parse(line).person_uuid);
    expect(uuids).toHaveLength(122);
    expect(new Set(uuids).size).toBe(122);
    expect(sandbox.requests.map((q) => q.query)).toEqual([{ limit: '100' }, { limit: '100', offset: '100' }]);
  });
});
