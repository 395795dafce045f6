// Per-identifier outcomes of a bulk delete: bulk_delete answers with counts only, so each batch is
// looked up first (batch_by_distinct_ids / batch_by_uuids, 200 a request) and the journal's batch
// entry records which identifiers resolved (`found`, `looked_up`). `--no-lookup` skips that.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
const PERSONS = 450;
const did = (i: number) => `look-${String(i).padStart(4, '0')}`;
const uuidOf = (i: number) => `01920000-0000-7000-8000-${String(i).padStart(12, '0')}`;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
beforeEach(() => {
  sandbox.setOptions({ deleteMode: 'sync' });
  for (let i = 0; i < PERSONS; i++) if (!sandbox.store.person(uuidOf(i))) sandbox.store.addPerson({ uuid: uuidOf(i), distinctIds: [did(i)] });
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

const journalLines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
/** 450 existing distinct_ids and 50 that never existed, interleaved. */
function writeIds(dir: string): string[] {
  const ids = Array.from({ length: 500 }, (_, i) => (i % 10 === 9 ? `never-${i}` : did(i - Math.floor(i / 10))));
  writeFileSync(join(dir, 'ids.txt'), `${ids.join('\n')}\n`);
  return ids;
}

describe('delete --from-file looks each batch up first', () => {
  it('a lookup of the batch before each bulk_delete, and the journal records which identifiers resolved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-lookups-'));
    const ids = writeIds(dir);
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--yes', '--batch-size', '250', '--concurrency', '1'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('  2 bulk_delete requests of up to 250 + 4 lookups, 1 at a time.\n');
    // One batch at a time: its lookups (200 a request), then its delete.
    const routes = sandbox.requests.map((q) => q.route);
    expect(routes).toEqual(['batch_by_distinct_ids', 'batch_by_distinct_ids', 'bulk_delete', 'batch_by_distinct_ids', 'batch_by_distinct_ids', 'bulk_delete']);
    const looked = sandbox.requests.filter((q) => q.route === 'batch_by_distinct_ids').map((q) => (q.body as { distinct_ids: string[] }).distinct_ids);
    expect(looked.map((l) => l.length)).toEqual([200, 50, 200, 50]);
    expect(looked.flat()).toEqual(ids);

    const batches = journalLines(join(dir, 'ids.txt.delete.journal.jsonl')).filter((e) => e.type === 'batch');
    expect(batches).toHaveLength(2);
    for (const batch of batches) {
      expect(batch.looked_up).toBe(true);
      const found = batch.found as Record<string, string>;
      const batchIds = batch.ids as string[];
      expect(Object.keys(found)).toEqual(batchIds.filter((id) => !id.startsWith('never-')));
      for (const [id, uuid] of Object.entries(found)) expect(uuid).toBe(uuidOf(Number(id.slice(5))));
    }
  });

  it('--no-lookup sends no lookup and records no outcome per identifier', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-lookups-'));
    writeIds(dir);
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--yes', '--batch-size', '250', '--no-lookup'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('  2 bulk_delete requests of up to 250, 4 at a time.\n');
    expect(sandbox.requests.map((q) => q.route)).toEqual(['bulk_delete', 'bulk_delete']);
    const lines = journalLines(join(dir, 'ids.txt.delete.journal.jsonl'));
    expect(lines[0]).toMatchObject({ type: 'run', flags: { lookup: false } });
    const batches = lines.filter((e) => e.type === 'batch');
    expect(batches.every((b) => !('found' in b) && !('looked_up' in b))).toBe(true);
  });

  it('the dry run counts the lookups too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-lookups-'));
    writeIds(dir);
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--dry-run', '--batch-size', '250'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Would delete the persons of 500 distinct_ids from ids.txt, in 2 bulk_delete requests of up to 250 + 4 lookups.\n');
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('set-prop / unset-prop --from-file journal their lookup the same way', () => {
  it('each batch entry says which persons the lookup found', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-lookups-'));
    writeFileSync(join(dir, 'plans.csv'), `distinct_id,plan\n${did(1)},scale\nnobody-here,free\n${did(2)},team\n`);
    const r = await runInProcess(['set-prop', '--from-file', 'plans.csv', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    const batches = journalLines(join(dir, 'plans.csv.set-prop.journal.jsonl')).filter((e) => e.type === 'batch');
    expect(batches.map((b) => [b.ids, b.looked_up, b.found])).toEqual([
      [[did(1), did(2)], true, { [did(1)]: uuidOf(1), [did(2)]: uuidOf(2) }],
      [['nobody-here'], true, {}],
    ]);
    const u = await runInProcess(['unset-prop', '--from-file', 'plans.csv', 'plan', '--yes', '--journal', 'unset.jsonl'], { sandbox, cwd: dir });
    expect(u.code).toBe(0);
    const unset = journalLines(join(dir, 'unset.jsonl')).filter((e) => e.type === 'batch');
    expect(unset.map((b) => [b.ids, b.looked_up, b.found])).toEqual([
      [[did(1), did(2)], true, { [did(1)]: uuidOf(1), [did(2)]: uuidOf(2) }],
      [['nobody-here'], true, {}],
    ]);
  });
});
