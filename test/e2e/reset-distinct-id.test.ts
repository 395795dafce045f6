// reset-distinct-id: PostHog's reset_person_distinct_id, one request a distinct_id (202, empty
// body), named or from a file with the journal, --resume, --dry-run, the summary and --report; and
// delete --reset-distinct-ids, which resets the input's distinct_ids once their persons are deleted.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
const did = (i: number) => `rdi-${i}`;
const uuidOf = (i: number) => `01950000-0000-7000-8000-${String(i).padStart(12, '0')}`;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
beforeEach(() => {
  sandbox.setOptions({ deleteMode: 'sync', rateLimit: 0 });
  for (let i = 0; i < 5; i++) if (!sandbox.store.person(uuidOf(i))) sandbox.store.addPerson({ uuid: uuidOf(i), distinctIds: [did(i)], properties: { email: `r${i}@x.com` } });
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

const tempDir = () => mkdtempSync(join(tmpdir(), 'pp-reset-'));
const resets = () => sandbox.requests.filter((q) => q.route === 'reset_person_distinct_id');
const resetIds = () => resets().map((q) => (q.body as { distinct_id: string }).distinct_id);

describe('reset-distinct-id', () => {
  it('named distinct_ids: one POST each with {"distinct_id": …}, no confirmation needed off a terminal', async () => {
    const dir = tempDir();
    const r = await runInProcess(['reset-distinct-id', 'gone-1', 'gone-2'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(resetIds()).toEqual(['gone-1', 'gone-2']);
    expect(resets().every((q) => q.status === 202 && q.method === 'POST')).toBe(true);
    expect(resets().map((q) => q.path)).toEqual(['/api/projects/1/persons/reset_person_distinct_id/', '/api/projects/1/persons/reset_person_distinct_id/']);
    expect(r.stderr).toContain('Done (reset-distinct-id):');
    expect(r.stderr).toMatch(/ {2}reset +2\n/);
  });

  it('one named distinct_id prints one line naming it', async () => {
    const r = await runInProcess(['reset-distinct-id', 'gone-1'], { sandbox, cwd: tempDir() });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('Reset: distinct_id "gone-1". New events with it start a new person.\n');
  });

  it('an empty distinct_id is refused before any request', async () => {
    const r = await runInProcess(['reset-distinct-id', ''], { sandbox, cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('a distinct_id is empty');
    expect(sandbox.requests).toEqual([]);
  });

  it('--from-file needs --yes off a terminal; with it, every distinct_id once, journaled, and a --report', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), 'a-1\na-2\na-1\n\na-3\n');
    const refused = await runInProcess(['reset-distinct-id', '--from-file', 'ids.txt'], { sandbox, cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('without confirmation');
    expect(sandbox.requests).toEqual([]);

    const r = await runInProcess(['reset-distinct-id', '--from-file', 'ids.txt', '--yes', '--report', 'report.csv'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(resetIds()).toEqual(['a-1', 'a-2', 'a-3']);
    const journal = readFileSync(join(dir, 'ids.txt.reset-distinct-id.journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; ids?: string[] });
    expect(journal.filter((e) => e.type === 'batch').flatMap((e) => e.ids)).toEqual(['a-1', 'a-2', 'a-3']);
    const report = readFileSync(join(dir, 'report.csv'), 'utf8').trim().split('\r\n');
    expect(report[0]).toBe('identifier,kind,person_uuid,outcome,batch,time,http_status');
    expect(report.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual(['a-1,distinct_id,,queued', 'a-2,distinct_id,,queued', 'a-3,distinct_id,,queued']);

    // A resume after everything is done sends nothing again.
    sandbox.clearRequests();
    const again = await runInProcess(['reset-distinct-id', '--from-file', 'ids.txt', '--yes', '--resume'], { sandbox, cwd: dir });
    expect(again.code).toBe(0);
    expect(resets()).toEqual([]);
  });

  it('a uuid column is refused before any request: only distinct_ids can be reset', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.csv'), `uuid\n${uuidOf(1)}\n`);
    const r = await runInProcess(['reset-distinct-id', '--from-file', 'ids.csv', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: ids.csv line 1: the column "uuid" holds person UUIDs, and reset-distinct-id resets distinct_ids');
    expect(sandbox.requests).toEqual([]);
  });

  it('--dry-run sends nothing and says how many requests it would take', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), 'a-1\na-2\n');
    const r = await runInProcess(['reset-distinct-id', '--from-file', 'ids.txt', '--dry-run'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Would reset 2 distinct_ids from ids.txt: 2 reset_person_distinct_id requests, one a distinct_id.');
    expect(sandbox.requests).toEqual([]);
  });
});

describe('delete --reset-distinct-ids', () => {
  it('resets every distinct_id of the input once its batch is deleted, journaled with the batch', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), `${did(0)}\n${did(1)}\n`);
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--reset-distinct-ids', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(sandbox.requests.map((q) => q.route)).toEqual(['batch_by_distinct_ids', 'bulk_delete', 'reset_person_distinct_id', 'reset_person_distinct_id']);
    expect(resetIds()).toEqual([did(0), did(1)]);
    expect(sandbox.store.person(uuidOf(0))).toBeUndefined();
    expect(r.stderr).toContain('then reset_person_distinct_id for each distinct_id (2 requests)');
  });

  it('with UUID input there is no distinct_id the input named: refused before any request', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.csv'), `uuid\n${uuidOf(2)}\n`);
    const r = await runInProcess(['delete', '--from-file', 'ids.csv', '--reset-distinct-ids', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--reset-distinct-ids resets the distinct_ids the input names, and ids.csv names persons by UUID');
    expect(sandbox.requests).toEqual([]);
  });
});

describe('delete --reset-distinct-ids: named persons and resume', () => {
  it('named persons: the arguments that were distinct_ids are reset after the delete', async () => {
    const r = await runInProcess(['delete', did(3), uuidOf(4), '--reset-distinct-ids', '--yes'], { sandbox, cwd: tempDir() });
    expect(r.code).toBe(0);
    expect(resetIds()).toEqual([did(3)]);
    expect(sandbox.store.person(uuidOf(3))).toBeUndefined();
    expect(sandbox.store.person(uuidOf(4))).toBeUndefined();
  });

  it('a reset that fails leaves its batch failed, saying the persons were deleted; --resume deletes again harmlessly and finishes the resets', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), `${did(0)}\n${did(1)}\n`);
    sandbox.script({ method: 'POST', path: '/persons/reset_person_distinct_id/', kind: 'status', status: 500 });
    const first = await runInProcess(['--retries', '0', 'delete', '--from-file', 'ids.txt', '--reset-distinct-ids', '--yes'], { sandbox, cwd: dir });
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('error: nothing succeeded: deleted, but reset_person_distinct_id failed: PostHog answered 500: A server error occurred. (1 distinct_id not reset)');
    expect(sandbox.store.person(uuidOf(0))).toBeUndefined();
    sandbox.clearRequests();
    const second = await runInProcess(['delete', '--from-file', 'ids.txt', '--reset-distinct-ids', '--yes', '--resume'], { sandbox, cwd: dir });
    expect(second.code).toBe(0);
    expect(resetIds()).toEqual([did(0), did(1)]);
  });
});
