// The --report rows from hand-made journals: every outcome, runs of other operations left out,
// the entries other runs write (an email erasure's resolve entries, a query run's selection).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReport, type SourceRow } from '../../../src/bulk/report/report-rows.js';
import type { ReportRow } from '../../../src/bulk/report/report-file.js';

const HOST = 'https://us.posthog.com';
const scope = { command: 'delete', host: HOST, project: '1' };
const T1 = '2026-12-05T09:00:00.000Z';
const T2 = '2026-12-05T10:00:00.000Z';

function journalOf(entries: object[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pp-report-rows-')), 'j.jsonl');
  writeFileSync(path, entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return path;
}
const header = (run_id: string, extra: object = {}) => ({ type: 'run', version: 1, run_id, started_at: T1, command: 'delete', host: HOST, project: '1', flags: { by: 'distinct_id' }, ...extra });
const answer = (found: number, deleted: number, queued = 0, errors: object[] = []) => ({ persons_found: found, persons_deleted: deleted, persons_queued_for_deletion: queued, deletion_errors: errors });

async function rowsOf(journal: string, input: Array<string | SourceRow>, kind = 'distinct_id', at = scope): Promise<ReportRow[]> {
  const seen = new Set<string>();
  const rows: SourceRow[] = input.map((item) => {
    if (typeof item !== 'string') return item;
    const duplicate = seen.has(item);
    seen.add(item);
    return { id: item, duplicate };
  });
  const out: ReportRow[] = [];
  await buildReport({ journal, scope: at, kind, rows: async function* () { yield rows; } }, async (row) => void out.push(row));
  return out;
}
const brief = (rows: ReportRow[]) => rows.map((r) => [r.identifier, r.person_uuid, r.outcome, r.batch, r.run]);

describe('report rows of a delete', () => {
  it('two runs: deleted, not_found, failed then done, deletion_errors, duplicates, done_earlier, not_sent', async () => {
    const journal = journalOf([
      header('r1'),
      { type: 'batch', run_id: 'r1', time: T1, batch: 1, ids: ['a', 'b'], by: 'distinct_id', status: 'done', http_status: 202, response: answer(1, 1), found: { a: 'u-a' }, looked_up: true },
      { type: 'batch', run_id: 'r1', time: T1, batch: 2, ids: ['c', 'd'], by: 'distinct_id', status: 'failed', http_status: 503, error: 'down' },
      // an older journal's batch: done, nothing per identifier
      { type: 'batch', run_id: 'r1', time: T1, batch: 3, ids: ['f'], by: 'distinct_id', status: 'done', http_status: 202, response: answer(1, 1) },
      { type: 'end', run_id: 'r1', finished_at: T1, outcome: 'partial', summary: {} },
      header('r2', { flags: { by: 'distinct_id', resume: true } }),
      { type: 'batch', run_id: 'r2', time: T2, batch: 1, ids: ['c', 'd', 'e'], by: 'distinct_id', status: 'done', http_status: 202, response: answer(2, 1, 0, [{ person_uuid: 'U-E' }]), found: { c: 'u-c', e: 'u-e' }, looked_up: true },
    ]);
    const rows = await rowsOf(journal, ['a', 'b', 'a', 'c', 'd', 'e', 'f', 'g']);
    expect(brief(rows)).toEqual([
      ['a', 'u-a', 'deleted', 1, 1],
      ['b', null, 'not_found', 1, 1],
      ['a', 'u-a', 'duplicate', null, null],
      ['c', 'u-c', 'deleted', 1, 2],
      ['d', null, 'not_found', 1, 2],
      ['e', 'u-e', 'failed', 1, 2],
      ['f', null, 'done_earlier', 3, 1],
      ['g', null, 'not_sent', null, null],
    ]);
    expect(rows[0]).toEqual({ identifier: 'a', kind: 'distinct_id', person_uuid: 'u-a', outcome: 'deleted', batch: 1, time: T1, http_status: 202, run: 1 });
    expect(rows[3]).toMatchObject({ time: T2, http_status: 202 });
  });

  it('a batch that failed and was never retried is failed, with its status', async () => {
    const journal = journalOf([header('r1'), { type: 'batch', run_id: 'r1', time: T1, batch: 1, ids: ['x'], by: 'distinct_id', status: 'failed', http_status: 500, error: 'boom' }]);
    expect(await rowsOf(journal, ['x'])).toEqual([{ identifier: 'x', kind: 'distinct_id', person_uuid: null, outcome: 'failed', batch: 1, time: T1, http_status: 500, run: 1 }]);
  });

  it('queued when the server queued its deletions (async mode), and with --keep-person', async () => {
    const asyncMode = journalOf([header('r1'), { type: 'batch', run_id: 'r1', time: T1, batch: 1, ids: ['a', 'b'], by: 'distinct_id', status: 'done', http_status: 202, response: answer(1, 0, 1), found: { a: 'u-a' }, looked_up: true }]);
    expect(brief(await rowsOf(asyncMode, ['a', 'b']))).toEqual([['a', 'u-a', 'queued', 1, 1], ['b', null, 'not_found', 1, 1]]);
    const keep = journalOf([header('r1', { flags: { by: 'distinct_id', keep_person: true, delete_events: true } }), { type: 'batch', run_id: 'r1', time: T1, batch: 1, ids: ['a'], by: 'distinct_id', status: 'done', http_status: 202, response: answer(1, 0), found: { a: 'u-a' }, looked_up: true }]);
    expect(brief(await rowsOf(keep, ['a']))).toEqual([['a', 'u-a', 'queued', 1, 1]]);
  });

  it('leaves out runs of another command, host or project in the same file', async () => {
    const journal = journalOf([
      header('other', { host: 'http://127.0.0.1:8010' }),
      { type: 'batch', run_id: 'other', time: T1, batch: 1, ids: ['a'], by: 'distinct_id', status: 'done', http_status: 202, response: answer(1, 1), found: { a: 'sandbox-a' }, looked_up: true },
      header('r1'),
      { type: 'batch', run_id: 'r1', time: T2, batch: 1, ids: ['b'], by: 'distinct_id', status: 'done', http_status: 202, response: answer(1, 1), found: { b: 'u-b' }, looked_up: true },
    ]);
    expect(brief(await rowsOf(journal, ['a', 'b']))).toEqual([['a', null, 'not_sent', null, null], ['b', 'u-b', 'deleted', 1, 1]]);
  });

  it('no journal at all (the run stopped before writing one): every identifier not_sent', async () => {
    const rows = await rowsOf(join(mkdtempSync(join(tmpdir(), 'pp-report-rows-')), 'none.jsonl'), ['a', 'a']);
    expect(brief(rows)).toEqual([['a', null, 'not_sent', null, null], ['a', null, 'duplicate', null, null]]);
  });

  it('named persons: the argument, by the UUID it was resolved to', async () => {
    const journal = journalOf([header('r1', { flags: { by: 'uuid' } }), { type: 'batch', run_id: 'r1', time: T1, batch: 1, ids: ['u-1'], by: 'uuid', status: 'done', http_status: 202, response: answer(1, 1), found: { 'u-1': 'u-1' }, looked_up: true }]);
    const rows = await rowsOf(journal, [{ id: 'user_1', duplicate: false, key: 'u-1', kind: 'distinct_id' }, { id: 'user_2', duplicate: false, key: 'u-2', kind: 'distinct_id' }], 'uuid');
    expect(rows.map((r) => [r.identifier, r.kind, r.person_uuid, r.outcome])).toEqual([['user_1', 'distinct_id', 'u-1', 'deleted'], ['user_2', 'distinct_id', 'u-2', 'not_sent']]);
  });
});

describe('report rows of property writes', () => {
  it('queued, not_found and failed, with the person the lookup found', async () => {
    const journal = journalOf([
      { ...header('w1'), command: 'set-prop' },
      { type: 'batch', run_id: 'w1', time: T1, batch: 1, ids: ['a'], by: 'distinct_id', status: 'done', response: { outcome: 'queued' }, found: { a: 'u-a' }, looked_up: true },
      { type: 'batch', run_id: 'w1', time: T1, batch: 1, ids: ['b'], by: 'distinct_id', status: 'done', response: { outcome: 'not_found' }, found: {}, looked_up: true },
      { type: 'batch', run_id: 'w1', time: T1, batch: 1, ids: ['c'], by: 'distinct_id', status: 'failed', http_status: 500, error: 'x', found: { c: 'u-c' }, looked_up: true },
    ]);
    const rows = await rowsOf(journal, ['a', 'b', 'c'], 'distinct_id', { ...scope, command: 'set-prop' });
    expect(rows.map((r) => [r.identifier, r.person_uuid, r.outcome, r.http_status])).toEqual([['a', 'u-a', 'queued', null], ['b', null, 'not_found', null], ['c', 'u-c', 'failed', 500]]);
  });
});

describe('report rows of runs other areas journal', () => {
  it('an email erasure: one row per email, every person it matched, the outcome from their batches', async () => {
    const journal = journalOf([
      header('e1', { flags: { by: 'email' } }),
      { type: 'resolve', run_id: 'e1', time: T1, by: 'email', matches: { 'ada@x.io': ['u-1', 'u-2'], 'bob@x.io': ['u-3'], 'cy@x.io': [] } },
      { type: 'resolve', run_id: 'e1', time: T1, by: 'email', matches: { 'dee@x.io': ['u-4'] } },
      { type: 'batch', run_id: 'e1', time: T2, batch: 1, ids: ['u-1', 'u-2', 'u-3'], by: 'uuid', status: 'done', http_status: 202, response: answer(3, 3), found: { 'u-1': 'u-1', 'u-2': 'u-2', 'u-3': 'u-3' }, looked_up: true },
    ]);
    const rows = await rowsOf(journal, ['ada@x.io', 'bob@x.io', 'cy@x.io', 'ghost@x.io', 'dee@x.io', 'ada@x.io'], 'distinct_id');
    expect(rows.map((r) => [r.identifier, r.kind, r.person_uuid, r.outcome, r.batch])).toEqual([
      ['ada@x.io', 'email', ['u-1', 'u-2'], 'deleted', 1],
      ['bob@x.io', 'email', ['u-3'], 'deleted', 1],
      ['cy@x.io', 'email', [], 'not_found', null],
      ['ghost@x.io', 'email', [], 'not_found', null],
      ['dee@x.io', 'email', ['u-4'], 'not_sent', null],
      ['ada@x.io', 'email', ['u-1', 'u-2'], 'duplicate', null],
    ]);
  });

  it('an email whose persons fared differently takes the outcome that needs attention', async () => {
    const journal = journalOf([
      header('e1', { flags: { by: 'email' } }),
      { type: 'resolve', run_id: 'e1', time: T1, by: 'email', matches: { 'ada@x.io': ['u-1', 'u-2'] } },
      { type: 'batch', run_id: 'e1', time: T2, batch: 1, ids: ['u-1'], by: 'uuid', status: 'done', http_status: 202, response: answer(1, 1), found: { 'u-1': 'u-1' }, looked_up: true },
      { type: 'batch', run_id: 'e1', time: T2, batch: 2, ids: ['u-2'], by: 'uuid', status: 'failed', http_status: 503, error: 'x' },
    ]);
    expect((await rowsOf(journal, ['ada@x.io'])).map((r) => [r.outcome, r.batch, r.http_status])).toEqual([['failed', 2, 503]]);
  });

  it('a query run: one row per selected UUID, in the snapshot order, across its chunks', async () => {
    const journal = journalOf([
      header('q1', { flags: { by: 'uuid' } }),
      { type: 'selection', run_id: 'q1', time: T1, query: { where: ['plan=free'] }, total: 3, uuids: ['u-1', 'u-2'] },
      { type: 'selection', run_id: 'q1', time: T1, query: { where: ['plan=free'] }, total: 3, uuids: ['u-3'] },
      { type: 'batch', run_id: 'q1', time: T2, batch: 1, ids: ['u-1', 'u-2'], by: 'uuid', status: 'done', http_status: 202, response: answer(1, 1), found: { 'u-1': 'u-1' }, looked_up: true },
      header('q2', { flags: { by: 'uuid', resume: true } }),
      { type: 'batch', run_id: 'q2', time: T2, batch: 1, ids: ['u-3'], by: 'uuid', status: 'done', http_status: 202, response: answer(1, 1), found: { 'u-3': 'u-3' }, looked_up: true },
    ]);
    const rows = await rowsOf(journal, [], 'uuid');
    expect(rows.map((r) => [r.identifier, r.kind, r.person_uuid, r.outcome, r.run])).toEqual([
      ['u-1', 'uuid', 'u-1', 'deleted', 1],
      ['u-2', 'uuid', null, 'not_found', 1],
      ['u-3', 'uuid', 'u-3', 'deleted', 2],
    ]);
  });
});
