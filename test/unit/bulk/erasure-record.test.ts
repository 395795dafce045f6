// The whole-journal reader: every run with its header, batches, footer, resolve and selection
// entries; and which identifiers count as erased.
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Journal } from '../../../src/bulk/journal/journal.js';
import { erasedIdentifiers, readErasureRecord } from '../../../src/bulk/journal/erasure-record.js';
import { tempDir } from './helpers.js';

const header = (run: string, flags: Record<string, unknown>, command = 'delete') => ({
  run_id: run,
  started_at: '2026-01-01T00:00:00.000Z',
  command,
  host: 'https://eu.posthog.com',
  project: '1',
  flags,
});
const batch = (run: string, n: number, ids: string[], by: string, extra: Record<string, unknown> = {}) =>
  ({ run_id: run, time: '2026-01-01T00:00:01.000Z', batch: n, ids, by, status: 'done', ...extra }) as never;

describe('readErasureRecord', () => {
  test('runs in header order, each with its batches, footer and the entries that chose its persons', async () => {
    const path = join(await tempDir(), 'j.jsonl');
    const journal = await Journal.open(path);
    await journal.writeHeader(header('a', { by: 'distinct_id' }));
    await journal.writeBatch(batch('a', 1, ['x', 'y'], 'distinct_id', { found: { x: '01900000-0000-7000-8000-000000000001' }, looked_up: true }));
    await journal.writeFooter({ run_id: 'a', finished_at: '2026-01-01T00:00:02.000Z', outcome: 'completed', summary: {} });
    await journal.writeHeader(header('b', { by: 'uuid', keep_person: true, delete_events: true }));
    await journal.writeBatch(batch('b', 1, ['01900000-0000-7000-8000-000000000002'], 'uuid'));
    await journal.writeHeader(header('c', { by: 'uuid' }, 'set-prop'));
    await journal.writeBatch(batch('c', 1, ['01900000-0000-7000-8000-000000000003'], 'uuid'));
    await journal.writeHeader(header('d', { by: 'email' }));
    await journal.close();
    // Entries of other kinds, written by runs by email and by query; and one of a type this version does not know.
    await appendFile(
      path,
      `${JSON.stringify({ type: 'resolve', run_id: 'd', time: 't', by: 'email', matches: { 'a@b.c': ['01900000-0000-7000-8000-000000000004'] } })}\n` +
        `${JSON.stringify({ type: 'selection', run_id: 'd', time: 't', query: { where: ['plan=free'] }, total: 1, uuids: ['01900000-0000-7000-8000-000000000005'] })}\n` +
        `${JSON.stringify({ type: 'something-new', run_id: 'd' })}\n` +
        `${JSON.stringify({ type: 'batch', run_id: 'd', time: 't', batch: 1, ids: ['01900000-0000-7000-8000-000000000004'], by: 'uuid', status: 'done' })}\n` +
        `${JSON.stringify({ type: 'batch', run_id: 'd', time: 't', batch: 2, ids: ['01900000-0000-7000-8000-000000000006'], by: 'uuid', status: 'failed' })}\n` +
        '{"type":"batch","run_id":"d","ti',
    );
    const record = await readErasureRecord(path);
    expect(record.tornTail).toBe(true);
    expect(record.runs.map((run) => [run.header.run_id, run.line, run.batches.length, run.footer?.outcome, run.resolves.length, run.selections.length])).toEqual([
      ['a', 1, 1, 'completed', 0, 0],
      ['b', 4, 1, undefined, 0, 0],
      ['c', 6, 1, undefined, 0, 0],
      ['d', 8, 2, undefined, 1, 1],
    ]);
    // Only the persons delete runs removed: a looked-up batch names what it found, a UUID batch its
    // ids; a --keep-person run and a set-prop run remove no person, a failed batch nothing.
    expect([...erasedIdentifiers(record)].map((e) => [e.id, e.kind, e.personUuid ?? null, e.run.header.run_id])).toEqual([
      ['x', 'distinct_id', '01900000-0000-7000-8000-000000000001', 'a'],
      ['01900000-0000-7000-8000-000000000004', 'uuid', '01900000-0000-7000-8000-000000000004', 'd'],
    ]);
  });

  test('a damaged line elsewhere is an error naming it; a batch of a run without a header too', async () => {
    const path = join(await tempDir(), 'j.jsonl');
    await writeFile(path, `${JSON.stringify({ type: 'run', version: 1, ...header('a', {}) })}\nnot json\n{}\n`);
    await expect(readErasureRecord(path)).rejects.toThrow(`${path} line 2: not valid JSON`);
    await writeFile(path, `${JSON.stringify({ type: 'batch', run_id: 'zz', time: 't', batch: 1, ids: ['q'], by: 'distinct_id', status: 'done' })}\n`);
    await expect(readErasureRecord(path)).rejects.toThrow(`${path} line 1: run "zz" has no header line`);
  });
});
