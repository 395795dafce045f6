import { execFileSync, spawn } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { readInput, rowGroups, type InputRow } from '../../../src/bulk/input/read-input.js';
import { collect, ids, inputFile, tempDir } from './helpers.js';

const U1 = '0f8fad5b-d9cb-469f-a165-70867728950e';
const U2 = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

describe('format detection', () => {
  test.each([
    ['people.csv', 'distinct_id\na\n', 'csv'],
    ['people.CSV', 'distinct_id\na\n', 'csv'],
    ['people.jsonl', '{"distinct_id":"a"}\n', 'jsonl'],
    ['people.ndjson', '{"distinct_id":"a"}\n', 'jsonl'],
    ['people.txt', 'a\n', 'plain'],
    // Without a known extension, the first non-blank line decides.
    ['people', '\n  {"distinct_id":"a"}\n', 'jsonl'],
    ['people.dat', 'distinct_id,email\na,a@example.com\n', 'csv'],
    ['people', '"distinct_id"\na\n', 'csv'],
    ['people', 'distinct_id\na\n', 'csv'],
    ['people', 'a\nb\n', 'plain'],
    ['people', '"user 1"\nb\n', 'plain'], // a lone quoted cell is an identifier, not a header
    ['people', 'a,,b\nc\n', 'plain'], // an empty header cell is not plausible
  ])('%s holding %j reads as %s', async (name, content, format) => {
    const result = await readInput({ path: await inputFile(name, content), by: 'distinct_id' });
    expect(result.format).toBe(format);
  });

  test('a forced format wins over the extension', async () => {
    const path = await inputFile('people.csv', 'a,b\nc,d\n');
    const result = await readInput({ path, by: 'distinct_id', format: 'plain' });
    expect(result.format).toBe('plain');
    expect(await ids(result.rows)).toEqual(['a,b', 'c,d']);
  });

  test('--column makes an unknown input CSV, so a missing column is an error, not a guess', async () => {
    const path = await inputFile('people', 'email\nx@example.com\n');
    const result = await readInput({ path, by: 'distinct_id', column: 'email' });
    expect(result).toMatchObject({ format: 'csv', column: 'email' });
    await expect(readInput({ path, by: 'distinct_id', column: 'person' })).rejects.toThrow(
      `${path}: no column "person"; the columns are email`,
    );
  });
});

describe('CSV', () => {
  test('reads the distinct_id column by default', async () => {
    const path = await inputFile('people.csv', 'email,distinct_id,uuid\nx@example.com,d1,' + U1 + '\ny@example.com,d2,' + U2 + '\n');
    const result = await readInput({ path, by: 'distinct_id' });
    expect(result.column).toBe('distinct_id');
    expect(await collect(result.rows)).toEqual([
      { id: 'd1', line: 2 },
      { id: 'd2', line: 3 },
    ]);
  });

  test('else the uuid column', async () => {
    const path = await inputFile('people.csv', `email,uuid\nx@example.com,${U1}\n`);
    const result = await readInput({ path, by: 'uuid' });
    expect(result.column).toBe('uuid');
    expect(await ids(result.rows)).toEqual([U1]);
  });

  test('with --by uuid, a uuid column wins over distinct_id', async () => {
    const path = await inputFile('people.csv', `distinct_id,uuid\nd1,${U1}\n`);
    const result = await readInput({ path, by: 'uuid' });
    expect(result.column).toBe('uuid');
    expect(await ids(result.rows)).toEqual([U1]);
  });

  test('else the only column, whatever its name', async () => {
    const path = await inputFile('people.csv', 'person\nd1\nd2\n');
    const result = await readInput({ path, by: 'distinct_id' });
    expect(result.column).toBe('person');
    expect(await ids(result.rows)).toEqual(['d1', 'd2']);
  });

  test('--column picks any column, and names match case-insensitively when not exact', async () => {
    const path = await inputFile('people.csv', 'Distinct_ID,email\nd1,x@example.com\n');
    expect((await readInput({ path, by: 'distinct_id', column: 'email' })).column).toBe('email');
    const byDefault = await readInput({ path, by: 'distinct_id' });
    expect(byDefault.column).toBe('Distinct_ID');
    expect(await ids(byDefault.rows)).toEqual(['d1']);
  });

  test('quoted cells may hold commas, quotes and line breaks; lines are counted where rows start', async () => {
    const path = await inputFile('people.csv', 'distinct_id,note\n"a,1","say ""hi"""\n"b\nc",x\nd,y\n');
    const result = await readInput({ path, by: 'distinct_id' });
    expect(await collect(result.rows)).toEqual([
      { id: 'a,1', line: 2 },
      { id: 'b\nc', line: 3 },
      { id: 'd', line: 5 },
    ]);
  });

  test('rows whose identifier cell is empty or whitespace are blank', async () => {
    const path = await inputFile('people.csv', 'distinct_id,email\n,x@example.com\n  ,y@example.com\na,z@example.com\n   \n,\n');
    const result = await readInput({ path, by: 'distinct_id' });
    expect(result.stats).toEqual({ rows: 5, blank: 4, duplicates: 0, unique: 1 });
    expect(result.checks.spacesOnly).toBe(2);
  });
});

describe('JSON Lines', () => {
  test('reads distinct_id, else uuid, else the only key; numbers become strings', async () => {
    const a = await inputFile('a.jsonl', '{"distinct_id":"d1","email":"x"}\n{"distinct_id":42,"email":"y"}\n');
    expect(await ids((await readInput({ path: a, by: 'distinct_id' })).rows)).toEqual(['d1', '42']);
    const b = await inputFile('b.jsonl', `{"uuid":"${U1}","email":"x"}\n`);
    expect((await readInput({ path: b, by: 'uuid' })).column).toBe('uuid');
    const c = await inputFile('c.jsonl', '{"person":"p1"}\n{"person":"p2"}\n');
    const only = await readInput({ path: c, by: 'distinct_id' });
    expect(only.column).toBe('person');
    expect(await ids(only.rows)).toEqual(['p1', 'p2']);
  });

  test('--column picks the key', async () => {
    const path = await inputFile('people.jsonl', '{"distinct_id":"d1","login":"l1"}\n');
    expect(await ids((await readInput({ path, by: 'distinct_id', column: 'login' })).rows)).toEqual(['l1']);
  });

  test('an empty identifier is blank', async () => {
    const path = await inputFile('people.jsonl', '{"distinct_id":"  "}\n{"distinct_id":"a"}\n\n');
    expect((await readInput({ path, by: 'distinct_id' })).stats).toEqual({ rows: 3, blank: 2, duplicates: 0, unique: 1 });
  });
});

describe('plain', () => {
  test('one identifier a line, kept as written (spaces too), blanks and duplicates counted', async () => {
    const path = await inputFile('people.txt', ' a \n\nb\n\t\na\nc\n a \n');
    const result = await readInput({ path, by: 'distinct_id' });
    expect(result.column).toBeUndefined();
    expect(result.stats).toEqual({ rows: 7, blank: 2, duplicates: 1, unique: 4 });
    expect(result.checks).toEqual({ spacesOnly: 1, spaced: 1, uuidShaped: 0, emailShaped: 0 });
    expect(await collect(result.rows)).toEqual([
      { id: ' a ', line: 1 },
      { id: 'b', line: 3 },
      { id: 'a', line: 5 },
      { id: 'c', line: 6 },
    ]);
  });

  test('a BOM is stripped and CRLF, LF and CR line ends are all accepted', async () => {
    const path = await inputFile('people.txt', '\ufeffa\r\nb\nc\rd\r\n');
    const result = await readInput({ path, by: 'distinct_id' });
    expect(await collect(result.rows)).toEqual([
      { id: 'a', line: 1 },
      { id: 'b', line: 2 },
      { id: 'c', line: 3 },
      { id: 'd', line: 4 },
    ]);
  });
});

describe('BOM and CRLF', () => {
  test('CSV', async () => {
    const path = await inputFile('people.csv', '\ufeffdistinct_id,email\r\na,x\r\n\r\nb,y\r\n');
    const result = await readInput({ path, by: 'distinct_id' });
    expect(result.column).toBe('distinct_id'); // not "\ufeffdistinct_id"
    expect(result.stats).toEqual({ rows: 3, blank: 1, duplicates: 0, unique: 2 });
    expect(await collect(result.rows)).toEqual([
      { id: 'a', line: 2 },
      { id: 'b', line: 4 },
    ]);
  });

  test('JSON Lines', async () => {
    const path = await inputFile('people.jsonl', '\ufeff{"distinct_id":"a"}\r\n\r\n{"distinct_id":"b"}\r\n');
    const result = await readInput({ path, by: 'distinct_id' });
    expect(await collect(result.rows)).toEqual([
      { id: 'a', line: 1 },
      { id: 'b', line: 3 },
    ]);
  });

  test('a CRLF cut between two read chunks is one line break', async () => {
    // The file is read in 64 KiB chunks: put a CRLF across the first boundary.
    const first = 'x'.repeat(65535) + '\r'; // CR is byte 65535, LF byte 65536
    for (const [name, head] of [['people.txt', ''], ['people.csv', 'distinct_id\r\n']] as const) {
      const body = `${first.slice(head.length)}\nnext\r\nlast\r\n`;
      const path = await inputFile(name, head + body);
      const result = await readInput({ path, by: 'distinct_id' });
      const rows = await collect(result.rows);
      expect(rows.map((row) => row.line)).toEqual(head ? [2, 3, 4] : [1, 2, 3]);
      expect(rows.slice(1).map((row) => row.id)).toEqual(['next', 'last']);
      expect(result.stats.blank).toBe(0);
    }
  });
});

describe('uuids', () => {
  test('--by uuid accepts any case and compares lower-cased', async () => {
    const path = await inputFile('people.txt', `${U1}\n${U1.toUpperCase()}\n${U2.toUpperCase()}\n`);
    const result = await readInput({ path, by: 'uuid' });
    expect(result.stats).toEqual({ rows: 3, blank: 0, duplicates: 1, unique: 2 });
    expect(await ids(result.rows)).toEqual([U1, U2]);
  });

  test('distinct_ids are compared exactly', async () => {
    const path = await inputFile('people.txt', 'Ann\nann\n');
    expect((await readInput({ path, by: 'distinct_id' })).stats.unique).toBe(2);
  });
});

describe('stdin', () => {
  test("'-' reads the given stream once, guessing the format, and keeps the rows", async () => {
    const stdin = Readable.from([Buffer.from('\ufeffdistinct_id,email\n'), Buffer.from('a,x\na,y\n\nb,z\n')]);
    const result = await readInput({ path: '-', stdin, by: 'distinct_id' });
    expect(result).toMatchObject({ format: 'csv', column: 'distinct_id', stats: { rows: 4, blank: 1, duplicates: 1, unique: 2 } });
    const expected = [
      { id: 'a', line: 2 },
      { id: 'b', line: 5 },
    ];
    expect(await collect(result.rows)).toEqual(expected);
    // The stream is spent; the kept rows can be read again (the dry run and the run both do).
    expect(stdin.readableEnded).toBe(true);
    expect(await collect(result.rows)).toEqual(expected);
  });

  test('rows kept from stdin come back in input order, with their lines, in groups', async () => {
    const lines = Array.from({ length: 1500 }, (_, i) => `user-${i % 1200}`); // 300 repeats
    const result = await readInput({ path: '-', stdin: Readable.from([lines.join('\n')]), by: 'distinct_id' });
    expect(result.stats).toEqual({ rows: 1500, blank: 0, duplicates: 300, unique: 1200 });
    const groups: (readonly InputRow[])[] = [];
    for await (const group of rowGroups(result.rows)) groups.push(group);
    expect(groups.map((g) => g.length)).toEqual([512, 512, 176]);
    expect(groups.flat()).toEqual(Array.from({ length: 1200 }, (_, i) => ({ id: `user-${i}`, line: i + 1 })));
  });

  test('with properties, stdin rows are kept whole', async () => {
    const stdin = Readable.from(['distinct_id,plan\na,pro\nb,free\na,pro\n']);
    const result = await readInput({ path: '-', stdin, by: 'distinct_id', withProperties: true });
    expect(await collect(result.rows)).toEqual([
      { id: 'a', line: 2, properties: { plan: 'pro' } },
      { id: 'b', line: 3, properties: { plan: 'free' } },
    ]);
  });

  test('plain and JSON Lines from stdin, with text chunks', async () => {
    const plain = await readInput({ path: '-', stdin: Readable.from(['a\nb', '\na\n']), by: 'distinct_id' });
    expect(plain.format).toBe('plain');
    expect(await ids(plain.rows)).toEqual(['a', 'b']);
    const jsonl = await readInput({ path: '-', stdin: Readable.from(['{"distinct_id":"a"}\n']), by: 'distinct_id' });
    expect(jsonl.format).toBe('jsonl');
    expect(await ids(jsonl.rows)).toEqual(['a']);
  });
});

test.skipIf(process.platform === 'win32')('a named pipe (like <(grep …)) is read once, its rows kept', async () => {
  const fifo = join(await tempDir(), 'ids');
  execFileSync('mkfifo', [fifo]);
  const writer = spawn('sh', ['-c', 'printf "a\\nb\\na\\n" > "$0"', fifo]);
  const exited = new Promise((done) => writer.on('exit', done));
  const result = await readInput({ path: fifo, by: 'distinct_id' });
  await exited;
  // Read twice: the pipe is not opened again (it would block with no writer).
  expect(await ids(result.rows)).toEqual(['a', 'b']);
  expect(await ids(result.rows)).toEqual(['a', 'b']);
});

describe('properties (set-prop --from-file)', () => {
  test('CSV: every other column is a string property; an empty cell is the empty string', async () => {
    const path = await inputFile('people.csv', 'plan,distinct_id,age\npro,a,42\n,b,\n');
    const result = await readInput({ path, by: 'distinct_id', withProperties: true });
    expect(await collect(result.rows)).toEqual([
      { id: 'a', line: 2, properties: { plan: 'pro', age: '42' } },
      { id: 'b', line: 3, properties: { plan: '', age: '' } },
    ]);
  });

  test('CSV with jsonValues: each cell is parsed as JSON', async () => {
    const path = await inputFile('people.csv', 'distinct_id,age,vip,tags,plan,note\na,42,true,"[""x"",1]","""pro""",null\n');
    const result = await readInput({ path, by: 'distinct_id', withProperties: true, jsonValues: true });
    expect(await collect(result.rows)).toEqual([
      { id: 'a', line: 2, properties: { age: 42, vip: true, tags: ['x', 1], plan: 'pro', note: null } },
    ]);
  });

  test('JSON Lines keep their JSON types', async () => {
    const path = await inputFile('people.jsonl', '{"distinct_id":"a","age":42,"tags":["x"],"vip":false,"o":{"k":null}}\n');
    const result = await readInput({ path, by: 'distinct_id', withProperties: true });
    expect(await collect(result.rows)).toEqual([
      { id: 'a', line: 1, properties: { age: 42, tags: ['x'], vip: false, o: { k: null } } },
    ]);
  });

  test('a column named __proto__ is an ordinary property', async () => {
    const path = await inputFile('people.csv', 'distinct_id,__proto__\na,x\n');
    const [row] = await collect((await readInput({ path, by: 'distinct_id', withProperties: true })).rows);
    expect(Object.keys(row.properties!)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(row.properties)).toBe(Object.prototype);
  });

  test('a row repeated with the same values is a duplicate', async () => {
    const path = await inputFile('people.jsonl', '{"distinct_id":"a","x":1,"y":2}\n{"y":2,"distinct_id":"a","x":1}\n');
    const result = await readInput({ path, by: 'distinct_id', withProperties: true });
    expect(result.stats).toEqual({ rows: 2, blank: 0, duplicates: 1, unique: 1 });
  });
});

describe('two passes over a file', () => {
  test('rows stream the file again, each unique identifier once in file order, as often as asked', async () => {
    const path = await inputFile('people.txt', 'c\na\nc\nb\na\n\nd\n');
    const result = await readInput({ path, by: 'distinct_id' });
    expect(Array.isArray(result.rows)).toBe(false);
    expect(result.stats).toEqual({ rows: 7, blank: 1, duplicates: 2, unique: 4 });
    expect(await ids(result.rows)).toEqual(['c', 'a', 'b', 'd']);
    expect(await ids(result.rows)).toEqual(['c', 'a', 'b', 'd']);
  });

  test('stopping early is fine', async () => {
    const path = await inputFile('people.csv', 'distinct_id\n' + Array.from({ length: 5000 }, (_, i) => `id${i}`).join('\n'));
    const result = await readInput({ path, by: 'distinct_id' });
    const seen: string[] = [];
    for await (const row of result.rows) {
      seen.push(row.id);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['id0', 'id1', 'id2']);
  });

  test('a file grown between the passes is refused before anything of it is handed on', async () => {
    const path = await inputFile('people.txt', 'a\nb\n');
    const result = await readInput({ path, by: 'distinct_id' });
    await appendFile(path, 'c\n');
    const seen: string[] = [];
    const error = await (async () => {
      for await (const row of result.rows) seen.push(row.id);
    })().catch((err: unknown) => err);
    expect((error as Error).message).toBe(`${path} changed after it was checked (it is longer than the 4 bytes checked); nothing from the changed part was sent`);
    expect(seen).toEqual([]);
  });
});
