// The snapshot of a query-selected run in the journal: chunks of at most 10,000 UUIDs, read back
// whole for --resume, only from runs of the same operation, and never when it was cut short.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { Journal } from '../../../src/bulk/journal/journal.js';
import { readJournal } from '../../../src/bulk/journal/read.js';
import { readSelection, writeSelection, type Selection } from '../../../src/bulk/input/query-selection.js';
import { tempDir } from './helpers.js';

const SCOPE = { command: 'delete', host: 'http://127.0.0.1:8010', project: '1' };
const uuid = (i: number) => `01950000-0000-7000-8000-${String(i).padStart(12, '0')}`;
const selection = (n: number): Selection => ({ query: { where: ['plan=free'] }, uuids: Array.from({ length: n }, (_, i) => uuid(i)), pages: Math.ceil(n / 1000), duplicates: 0, preview: [] });

async function journalWith(runs: Array<{ runId: string; command?: string; selection?: Selection }>): Promise<string> {
  const path = join(await tempDir(), 'q.jsonl');
  const journal = await Journal.open(path);
  for (const run of runs) {
    await journal.writeHeader({ run_id: run.runId, started_at: '2026-01-01T00:00:00.000Z', command: run.command ?? 'delete', host: SCOPE.host, project: SCOPE.project, flags: {} });
    if (run.selection) await writeSelection(journal, run.runId, '2026-01-01T00:00:01.000Z', run.selection);
  }
  await journal.close();
  return path;
}

test('25,000 UUIDs: three selection lines of 10,000, 10,000 and 5,000, each with the total; read back whole and in order', async () => {
  const path = await journalWith([{ runId: 'r1', selection: selection(25_000) }]);
  const lines = (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  expect(lines.map((l) => [l.type, l.uuids?.length, l.total])).toEqual([
    ['run', undefined, undefined],
    ['selection', 10_000, 25_000],
    ['selection', 10_000, 25_000],
    ['selection', 5_000, 25_000],
  ]);
  expect(lines[1]).toMatchObject({ run_id: 'r1', query: { where: ['plan=free'] }, time: '2026-01-01T00:00:01.000Z' });
  const back = await readSelection(path, SCOPE);
  expect(back?.uuids).toEqual(selection(25_000).uuids);
  expect(back?.fromJournal).toEqual({ runId: 'r1', time: '2026-01-01T00:00:01.000Z' });
  // The journal stays readable for --resume: selection lines are known entries.
  expect((await readJournal(path, SCOPE)).runs).toBe(1);
});

test('the last complete snapshot of the same operation wins; another command, or a run without one, is passed over', async () => {
  const path = await journalWith([
    { runId: 'r1', selection: selection(3) },
    { runId: 'r2' }, // a resumed run: it used r1's snapshot
    { runId: 'r3', command: 'set-prop', selection: selection(5) },
  ]);
  expect((await readSelection(path, SCOPE))?.uuids).toEqual(selection(3).uuids);
  expect((await readSelection(path, { ...SCOPE, command: 'set-prop' }))?.uuids).toHaveLength(5);
  expect(await readSelection(path, { ...SCOPE, project: '2' })).toBeUndefined();
});

test('a snapshot missing a chunk is not used', async () => {
  const path = await journalWith([{ runId: 'r1', selection: selection(12_000) }]);
  const lines = (await readFile(path, 'utf8')).trim().split('\n');
  await writeFile(path, `${lines.slice(0, 2).join('\n')}\n`);
  expect(await readSelection(path, SCOPE)).toBeUndefined();
});
