// `deletion-status --journal`: the event-deletion status of every person an erasure run deleted
// with --delete-events, by identifier, fetched one person at a time for a few persons and by
// paging the whole list for many.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, SANDBOX_KEYS, type Sandbox } from '../../src/sandbox/index.js';
import { Journal } from '../../src/bulk/journal/journal.js';
import { runInProcess } from '../helpers/in-process.js';
import { manualClock } from '../helpers/manual-clock.js';

const EVENT_BATCH_MS = 3_000;
let sandbox: Sandbox;
const clock = manualClock();
const uuidOf = (i: number) => `01950000-0000-7000-8000-${String(i).padStart(12, '0')}`;
const did = (i: number) => `ds-${i}`;
const tempDir = () => mkdtempSync(join(tmpdir(), 'pp-deletion-status-journal-'));

async function bulkDelete(ids: string[], deleteEvents = true): Promise<void> {
  const res = await fetch(`${sandbox.url}/api/projects/1/persons/bulk_delete/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SANDBOX_KEYS.all.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ids, ...(deleteEvents ? { delete_events: true } : {}) }),
  });
  expect(res.status).toBe(202);
  await res.text();
}

const created = (uuid: string) => sandbox.store.deletionStatus().find((row) => row.person_uuid === uuid)!.created_at;
const verified = (uuid: string) => sandbox.store.deletionStatus().find((row) => row.person_uuid === uuid)!.delete_verified_at;

interface RunSpec {
  flags: Record<string, unknown>;
  batches: Array<Record<string, unknown>>;
}

async function journalOf(runs: RunSpec[]): Promise<string> {
  const path = join(tempDir(), 'erasure.journal.jsonl');
  const journal = await Journal.open(path);
  for (const [n, run] of runs.entries()) {
    const runId = `run-${n}`;
    await journal.writeHeader({ run_id: runId, started_at: '2026-01-01T00:00:00.000Z', command: 'delete', host: sandbox.url, project: '1', flags: run.flags });
    for (const [i, batch] of run.batches.entries()) {
      await journal.writeBatch({ run_id: runId, time: '2026-01-01T00:00:00.000Z', batch: i + 1, status: 'done', http_status: 202, ...batch } as never);
    }
  }
  await journal.close();
  return path;
}

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0, eventBatchMs: EVENT_BATCH_MS, clock });
  for (let i = 0; i < 200; i++) sandbox.store.addPerson({ uuid: uuidOf(i), distinctIds: [did(i)] });
  // 0 and 1 deleted first, their events since; 2 and 4 (by distinct_id) later, still pending; 3 never queued.
  await bulkDelete([uuidOf(0), uuidOf(1)]);
  clock.advance(EVENT_BATCH_MS + 1_000);
  await bulkDelete([uuidOf(2), uuidOf(4)]);
  await bulkDelete([uuidOf(3)], false);
  // 150 more, for the paging test
  await bulkDelete(Array.from({ length: 150 }, (_, i) => uuidOf(50 + i)));
});
beforeEach(() => sandbox.clearRequests());
afterAll(() => sandbox.close());

describe('deletion-status --journal', () => {
  it('a row per identifier of the runs that deleted events, one request per person for a few persons', async () => {
    const path = await journalOf([
      { flags: { by: 'uuid', delete_events: true }, batches: [{ by: 'uuid', ids: [uuidOf(0), uuidOf(1), uuidOf(2), uuidOf(3)] }] },
      {
        flags: { by: 'distinct_id', delete_events: true },
        batches: [
          { by: 'distinct_id', ids: [did(4), 'nobody'], found: { [did(4)]: uuidOf(4) }, looked_up: true },
          { by: 'distinct_id', ids: ['old-1', 'old-2'] },
          { by: 'distinct_id', ids: ['failed-1'], status: 'failed', http_status: 503 },
        ],
      },
      // no events deleted: not part of the answer
      { flags: { by: 'uuid', delete_events: false }, batches: [{ by: 'uuid', ids: [uuidOf(9)] }] },
    ]);
    const r = await runInProcess(['deletion-status', '--journal', path], { sandbox });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `${uuidOf(0)}\t${uuidOf(0)}\tcompleted\t${created(uuidOf(0))}\t${verified(uuidOf(0))}\n` +
        `${uuidOf(1)}\t${uuidOf(1)}\tcompleted\t${created(uuidOf(1))}\t${verified(uuidOf(1))}\n` +
        `${uuidOf(2)}\t${uuidOf(2)}\tpending\t${created(uuidOf(2))}\t\n` +
        `${uuidOf(3)}\t${uuidOf(3)}\tnone\t\t\n` +
        `${did(4)}\t${uuidOf(4)}\tpending\t${created(uuidOf(4))}\t\n`,
    );
    expect(r.stderr).toBe(
      'Note: 2 identifiers of a distinct_id run were deleted without a lookup first, so the journal does not name their persons and their event deletions cannot be matched.\n' +
        'Event deletion of 5 persons (2 delete runs with --delete-events): 2 pending, 2 completed, 1 with no row.\n' +
        'PostHog deletes events in a weekly batch, so "pending" is normal until then. No row does not mean the events are gone: none were queued for that person (or the row was removed).\n',
    );
    expect(sandbox.requests.map((q) => q.query)).toEqual([0, 1, 2, 3, 4].map((i) => ({ person_uuid: uuidOf(i), limit: '1' })));
  });

  it('many persons: the whole list is paged through instead (fewer requests than one per person)', async () => {
    const uuids = Array.from({ length: 120 }, (_, i) => uuidOf(60 + i));
    const path = await journalOf([{ flags: { by: 'uuid', delete_events: true }, batches: [{ by: 'uuid', ids: uuids }] }]);
    const r = await runInProcess(['deletion-status', '--journal', path, '-o', 'jsonl', '--fields', 'identifier,status'], { sandbox });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(uuids.map((u) => `{"identifier":"${u}","status":"pending"}\n`).join(''));
    const total = sandbox.store.deletionStatus().length;
    expect(sandbox.requests.map((q) => q.query)).toEqual(
      Array.from({ length: Math.ceil(total / 100) }, (_, page) => (page === 0 ? { limit: '100' } : { limit: '100', offset: String(page * 100) })),
    );
    expect(r.stderr).toContain('Event deletion of 120 persons (1 delete run with --delete-events): 120 pending, 0 completed, 0 with no row.\n');
  });

  it('a few more persons than one by one, in a long list: the first page says paging would cost more, so the rest is asked for one by one', async () => {
    // 1,300 newer rows put the 11 persons of this journal far down the list.
    const newer = Array.from({ length: 1300 }, (_, i) => `01950000-0000-7000-8000-1${String(i).padStart(11, '0')}`);
    for (const uuid of newer) sandbox.store.addPerson({ uuid, distinctIds: [`newer-${uuid.slice(-6)}`] });
    await bulkDelete(newer.slice(0, 1000));
    await bulkDelete(newer.slice(1000));
    sandbox.clearRequests();
    const uuids = [0, 1, 2, 4, ...Array.from({ length: 7 }, (_, i) => 60 + i)].map(uuidOf);
    const path = await journalOf([{ flags: { by: 'uuid', delete_events: true }, batches: [{ by: 'uuid', ids: uuids }] }]);
    const r = await runInProcess(['deletion-status', '--journal', path, '--fields', 'identifier,status'], { sandbox });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(uuids.map((u, i) => `${u}\t${i < 2 ? 'completed' : 'pending'}\n`).join(''));
    expect(sandbox.requests.map((q) => q.query)).toEqual([{ limit: '100' }, ...uuids.map((u) => ({ person_uuid: u, limit: '1' }))]);
  });

  it('a journal whose runs deleted no events: says so, exit 0, no request', async () => {
    const path = await journalOf([{ flags: { by: 'uuid' }, batches: [{ by: 'uuid', ids: [uuidOf(9)] }] }]);
    const r = await runInProcess(['deletion-status', '--journal', path], { sandbox });
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toBe('No run of this journal deleted events (delete --delete-events): there is no event deletion to follow.\n');
    expect(sandbox.requests).toHaveLength(0);
  });

  it.each([
    [['deletion-status', '--journal', 'j.jsonl', uuidOf(0)], 'person UUIDs or --journal, not both'],
    [['deletion-status', '--journal', 'j.jsonl', '--all'], '--journal and --all cannot be used together'],
    [['deletion-status', '--journal', 'j.jsonl', '--limit', '3'], '--journal and --limit cannot be used together'],
    [['deletion-status', '--journal', 'j.jsonl', '--status', 'pending'], '--journal and --status cannot be used together'],
    [['deletion-status', '--journal', 'missing.jsonl'], 'no journal at'],
  ])('bad input %j exits 2 with no request', async (args, message) => {
    const r = await runInProcess(args, { sandbox, cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(sandbox.requests).toHaveLength(0);
  });
});
