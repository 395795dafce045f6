import { appendFile, readFile, stat, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { Journal, defaultJournalPath, type JournalHeader } from '../../../src/bulk/journal/journal.js';
import { readJournal, type JournalState } from '../../../src/bulk/journal/read.js';
import { tempDir } from './helpers.js';

/** The state with its identifier sets as plain Sets, to compare with toEqual and toMatchObject. */
function plain(state: JournalState): Omit<JournalState, 'done' | 'failed'> & { done: Set<string>; failed: Set<string> } {
  return { ...state, done: new Set(state.done), failed: new Set(state.failed) };
}

const header = {
  run_id: 'r1',
  started_at: '2025-01-02T03:04:05.000Z',
  command: 'delete',
  host: 'https://eu.posthog.com',
  project: '123',
  flags: { batchSize: 2, deleteEvents: true },
  input: { path: 'people.csv', format: 'csv', column: 'distinct_id', rows: 5, unique: 4, blank: 1, duplicates: 0 },
};

function batch(run: string, n: number, ids: string[], status: 'done' | 'failed', extra: Record<string, unknown> = {}) {
  return { run_id: run, time: '2025-01-02T03:04:06.000Z', batch: n, ids, by: 'distinct_id', status, ...extra };
}

async function lines(path: string): Promise<unknown[]> {
  const text = await readFile(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);
}

async function journalAt(name = 'run.journal.jsonl'): Promise<string> {
  return join(await tempDir(), 'nested', 'folder', name);
}

describe('Journal', () => {
  test('header, batches and footer round trip, one line each, in a new private file and folder', async () => {
    const path = await journalAt();
    const journal = await Journal.open(path);
    expect(journal.path).toBe(path);
    await journal.writeHeader(header);
    await journal.writeBatch(batch('r1', 1, ['a', 'b'], 'done', { http_status: 200, response: { deleted: 2 }, attempts: 1 }));
    await journal.writeBatch(batch('r1', 2, ['c', 'd'], 'failed', { http_status: 503, error: 'Service Unavailable', attempts: 6 }));
    await journal.writeFooter({ run_id: 'r1', finished_at: '2025-01-02T03:05:00.000Z', outcome: 'partial', summary: { deleted: 2, failed: 2 } });
    await journal.close();
    await journal.close(); // twice is fine

    expect((await stat(path)).mode & 0o777).toBe(0o600);
    // Each line's `prev` (the hash chain) is tested in journal-chain.test.ts.
    expect((await lines(path)).map((line) => ({ ...(line as object), prev: undefined }))).toEqual([
      { type: 'run', version: 1, ...header },
      { type: 'batch', ...batch('r1', 1, ['a', 'b'], 'done', { http_status: 200, response: { deleted: 2 }, attempts: 1 }) },
      { type: 'batch', ...batch('r1', 2, ['c', 'd'], 'failed', { http_status: 503, error: 'Service Unavailable', attempts: 6 }) },
      { type: 'end', run_id: 'r1', finished_at: '2025-01-02T03:05:00.000Z', outcome: 'partial', summary: { deleted: 2, failed: 2 } },
    ]);

    const state = plain(await readJournal(path));
    expect(state).toEqual({
      runs: 1,
      done: new Set(['a', 'b']),
      failed: new Set(['c', 'd']),
      lastHeader: { type: 'run', version: 1, ...header, prev: null },
      batches: 2,
      corruptTail: false,
    });
  });

  test('concurrent writes never interleave', async () => {
    const path = await journalAt();
    const journal = await Journal.open(path);
    await journal.writeHeader(header);
    const ids = (n: number) => Array.from({ length: 500 }, (_, i) => `batch${n}-person${i}-${'x'.repeat(40)}`);
    await Promise.all(Array.from({ length: 20 }, (_, n) => journal.writeBatch(batch('r1', n, ids(n), 'done'))));
    await journal.close();
    const state = plain(await readJournal(path));
    expect(state.batches).toBe(20);
    expect(state.done.size).toBe(20 * 500);
  });

  test('reopening appends a resumed run; the mode its owner gave the file is kept (the tool never chmods an existing file)', async () => {
    const path = await journalAt();
    let journal = await Journal.open(path);
    await journal.writeHeader(header);
    await journal.writeBatch(batch('r1', 1, ['a'], 'done'));
    await journal.close();
    await chmod(path, 0o644);
    journal = await Journal.open(path);
    await journal.writeHeader({ ...header, run_id: 'r2' });
    await journal.writeBatch(batch('r2', 1, ['b'], 'done'));
    await journal.close();
    expect((await stat(path)).mode & 0o777).toBe(0o644);
    const state = plain(await readJournal(path));
    expect(state).toMatchObject({ runs: 2, batches: 2, done: new Set(['a', 'b']), lastHeader: { run_id: 'r2' } });
  });

  test('writing after close fails', async () => {
    const journal = await Journal.open(await journalAt());
    await journal.close();
    await expect(journal.writeHeader(header)).rejects.toThrow(/closed/);
  });

  test('credentials cannot reach the file, while identifiers are kept exactly', async () => {
    const path = await journalAt();
    const journal = await Journal.open(path);
    const key = 'phx_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
    await journal.writeHeader({ ...header, flags: { apiKey: key, api_key: key, apiKeyFile: '/home/me/key', yes: true } });
    await journal.writeBatch(
      batch('r1', 1, ['a', key], 'failed', {
        error: `401 Unauthorized for Bearer ${key}`,
        response: { headers: { Authorization: `Bearer ${key}`, 'content-type': 'application/json' }, detail: `key ${key} invalid`, token: 'abc' },
      }),
    );
    await journal.close();
    const text = await readFile(path, 'utf8');
    const [head, entry] = text.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(head.flags).toEqual({ apiKey: '[redacted]', api_key: '[redacted]', apiKeyFile: '/home/me/key', yes: true });
    expect(entry.ids).toEqual(['a', key]); // an identifier is data, recorded as sent
    expect(entry.error).toBe('401 Unauthorized for Bearer [redacted]');
    expect(entry.response).toEqual({
      headers: { Authorization: '[redacted]', 'content-type': 'application/json' },
      detail: 'key phx_AbCd…6789 invalid',
      token: '[redacted]',
    });
    expect(text.split(key).length - 1).toBe(1); // only inside ids
  });
});

describe('readJournal', () => {
  async function written(entries: unknown[], tail = ''): Promise<string> {
    const path = await journalAt();
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, entries.map((entry) => JSON.stringify(entry) + '\n').join('') + tail);
    return path;
  }
  const head = { type: 'run', version: 1, ...header };

  test('a torn last line is ignored and reported', async () => {
    const path = await written([head, { type: 'batch', ...batch('r1', 1, ['a'], 'done') }], '{"type":"batch","run_id":"r1","ids":["b","c');
    const state = plain(await readJournal(path));
    expect(state).toMatchObject({ corruptTail: true, batches: 1, done: new Set(['a']), failed: new Set() });
  });

  test('a complete last entry without its line break counts', async () => {
    const path = await written([head], JSON.stringify({ type: 'batch', ...batch('r1', 1, ['a'], 'done') }));
    expect(plain(await readJournal(path))).toMatchObject({ corruptTail: false, batches: 1, done: new Set(['a']) });
  });

  test('a corrupt line elsewhere is an error naming the line', async () => {
    const path = await written([head, { type: 'batch', ...batch('r1', 1, ['a'], 'done') }]);
    await appendFile(path, '{"type":"batch","run_id":"r1","ids":["b"\n' + JSON.stringify({ type: 'batch', ...batch('r1', 3, ['c'], 'done') }) + '\n');
    const error = await readJournal(path).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(`${path} line 3: not valid JSON`);
  });

  test('a finished last line that does not parse is damage, not a torn write', async () => {
    const path = await written([head], 'garbage\n');
    await expect(readJournal(path)).rejects.toThrow(`${path} line 2: not valid JSON`);
  });

  test.each([
    [{ type: 'run', version: 2, run_id: 'r1', command: 'delete', host: 'h', project: '1' }, 'journal version 2 is not supported by this version of posthog-persons'],
    [{ type: 'batch', run_id: 'r1', ids: 'a', status: 'done' }, 'a batch without its list of identifiers'],
    [{ type: 'batch', run_id: 'r1', ids: ['a'], status: 'maybe' }, 'a batch with the unknown status "maybe"'],
    [{ type: 'note', run_id: 'r1' }, 'an entry of the unknown type "note"'],
    [[1, 2], 'not a journal entry'],
  ])('an entry that is not one: %j', async (entry, problem) => {
    const path = await written([head, entry, { type: 'end', run_id: 'r1', finished_at: 'x', outcome: 'completed', summary: {} }]);
    await expect(readJournal(path)).rejects.toThrow(`${path} line 2: ${problem}`);
  });

  test('a batch written before its run header still counts (the header is looked for in the whole file)', async () => {
    const path = await written([{ type: 'batch', ...batch('r1', 1, ['a'], 'done') }, head, { type: 'batch', ...batch('r1', 2, ['b'], 'failed') }]);
    expect(plain(await readJournal(path))).toMatchObject({ runs: 1, batches: 2, done: new Set(['a']), failed: new Set(['b']) });
  });

  test('the first line of a run without a header is the one named', async () => {
    const path = await written([head, { type: 'batch', ...batch('r8', 1, ['a'], 'done') }, { type: 'batch', ...batch('r9', 1, ['b'], 'done') }, { type: 'batch', ...batch('r8', 2, ['c'], 'done') }]);
    await expect(readJournal(path)).rejects.toThrow(`${path} line 2: run "r8" has no header line`);
  });

  test('a batch of a run without a header', async () => {
    const path = await written([head, { type: 'batch', ...batch('r9', 1, ['a'], 'done') }]);
    await expect(readJournal(path)).rejects.toThrow(`${path} line 2: run "r9" has no header line`);
  });

  test('failed identifiers are retried unless a done batch has them, in any order', async () => {
    const path = await written([
      head,
      { type: 'batch', ...batch('r1', 1, ['a', 'b'], 'failed') },
      { type: 'batch', ...batch('r1', 2, ['c'], 'done') },
      { type: 'end', run_id: 'r1', finished_at: 'x', outcome: 'partial', summary: {} },
      { ...head, run_id: 'r2' },
      { type: 'batch', ...batch('r2', 1, ['a'], 'done') },
      { type: 'batch', ...batch('r2', 2, ['c', 'd'], 'failed') },
    ]);
    const state = plain(await readJournal(path));
    expect(state.done).toEqual(new Set(['a', 'c']));
    expect(state.failed).toEqual(new Set(['b', 'd']));
    expect(state).toMatchObject({ runs: 2, batches: 4, lastHeader: { run_id: 'r2' } });
  });

  test('runs of another operation in the same file do not count', async () => {
    const sandbox = { ...head, run_id: 's1', host: 'http://127.0.0.1:8010' };
    const path = await written([
      sandbox,
      { type: 'batch', ...batch('s1', 1, ['a', 'b'], 'done') },
      head,
      { type: 'batch', ...batch('r1', 1, ['b'], 'done') },
    ]);
    const state = plain(await readJournal(path));
    expect(state).toMatchObject({ runs: 1, batches: 1, done: new Set(['b']), lastHeader: { run_id: 'r1' } });
    const rehearsal = plain(await readJournal(path, { command: 'delete', host: 'http://127.0.0.1:8010', project: '123' }));
    expect(rehearsal).toMatchObject({ runs: 1, done: new Set(['a', 'b']), lastHeader: { run_id: 's1' } });
  });

  test('an empty journal, and none at all', async () => {
    const path = await written([]);
    expect(plain(await readJournal(path))).toEqual({ runs: 0, done: new Set(), failed: new Set(), batches: 0, corruptTail: false, lastHeader: undefined });
    const missing = join(await tempDir(), 'none.jsonl');
    await expect(readJournal(missing)).rejects.toThrow(new UsageError(`no journal at ${missing} to resume from`));
  });
});

describe('a run killed mid-write', () => {
  test('reopening cuts the torn line off, so the next entry starts on a line of its own', async () => {
    const path = await journalAt();
    let journal = await Journal.open(path);
    await journal.writeHeader(header);
    await journal.writeBatch(batch('r1', 1, ['a'], 'done'));
    await journal.close();
    await appendFile(path, '{"type":"batch","run_id":"r1","batch":2,"ids":["b","c"'); // the kill
    expect((await readJournal(path)).corruptTail).toBe(true);

    journal = await Journal.open(path);
    await journal.writeHeader({ ...header, run_id: 'r2' });
    await journal.writeBatch(batch('r2', 1, ['b', 'c'], 'done'));
    await journal.close();
    const state = plain(await readJournal(path));
    expect(state).toMatchObject({ corruptTail: false, runs: 2, batches: 2, done: new Set(['a', 'b', 'c']) });
    expect((await lines(path)).length).toBe(4);
  });

  test('reopening completes an entry that lost only its line break', async () => {
    const path = await journalAt();
    let journal = await Journal.open(path);
    await journal.writeHeader(header);
    await journal.close();
    await appendFile(path, JSON.stringify({ type: 'batch', ...batch('r1', 1, ['a'], 'done') }));
    journal = await Journal.open(path);
    await journal.writeBatch(batch('r1', 2, ['b'], 'done'));
    await journal.close();
    expect(plain(await readJournal(path))).toMatchObject({ batches: 2, done: new Set(['a', 'b']), corruptTail: false });
  });

  test('a torn line longer than one read chunk', async () => {
    const path = await journalAt();
    let journal = await Journal.open(path);
    await journal.writeHeader(header);
    await journal.close();
    await appendFile(path, `{"type":"batch","run_id":"r1","ids":["${'x'.repeat(200_000)}`);
    journal = await Journal.open(path);
    await journal.close();
    expect((await readFile(path, 'utf8')).split('\n')).toHaveLength(2);
    expect((await readJournal(path)).corruptTail).toBe(false);
  });
});

describe('defaultJournalPath', () => {
  const now = new Date(Date.UTC(2025, 0, 2, 3, 4, 5));
  test('beside the input file', () => {
    expect(defaultJournalPath({ inputPath: 'data/people.csv', command: 'delete', now, cwd: '/work', pid: 4321 })).toBe('/work/data/people.csv.delete.journal.jsonl');
    expect(defaultJournalPath({ inputPath: '/tmp/ids.txt', command: 'set-prop', now, cwd: '/work', pid: 4321 })).toBe('/tmp/ids.txt.set-prop.journal.jsonl');
  });
  test('in the current folder, stamped with the start time in UTC, without an input file', () => {
    expect(defaultJournalPath({ command: 'delete', now, cwd: '/work', pid: 4321 })).toBe('/work/posthog-persons-delete-20250102-030405-000-4321.journal.jsonl');
    expect(defaultJournalPath({ inputPath: '-', command: 'unset-prop', now, cwd: '/work', pid: 4321 })).toBe(
      '/work/posthog-persons-unset-prop-20250102-030405-000-4321.journal.jsonl',
    );
  });
  test('a command with odd characters stays one file name', () => {
    expect(defaultJournalPath({ command: 'set prop/x', now, cwd: '/w', pid: 4321 })).toBe('/w/posthog-persons-set-prop-x-20250102-030405-000-4321.journal.jsonl');
  });
});

// Type-level check: the header type is what the runner builds.
const _typed: Omit<JournalHeader, 'type' | 'version'> = header;
void _typed;
