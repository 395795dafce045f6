// What the identifiers are follows the input, never a guess: a `uuid` or `person_uuid` column holds
// person UUIDs, a `distinct_id` column distinct_ids, any other column needs --by (JSON Lines keys
// and plain lines default to distinct_ids). Also: JSON arrays refused, JSON Lines integers kept
// digit for digit, and a runaway line refused by its number.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { readInput, type ReadInputOptions } from '../../../src/bulk/input/read-input.js';
import { isExactNumber } from '../../../src/json/exact.js';
import { collect, ids, inputFile } from './helpers.js';

const U1 = '0190a5c2-6f1e-7c3a-9d0b-2e4f6a8c0b1d';
const U2 = '0190a5c2-6f1e-7c3a-9d0b-2e4f6a8c0b2e';

async function failure(name: string, content: string, options: Partial<ReadInputOptions> = {}): Promise<string> {
  const path = await inputFile(name, content);
  const error = await readInput({ path, ...options }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(UsageError);
  return (error as Error).message.split(path).join(name);
}

describe('the identifier kind of a CSV', () => {
  it('a uuid column holds person UUIDs (what `list --fields uuid -o csv` writes), lower-cased', async () => {
    const path = await inputFile('f.csv', `uuid\n${U1}\n${U2.toUpperCase()}\n`);
    const input = await readInput({ path });
    expect(input.kind).toBe('uuid');
    expect(await ids(input.rows)).toEqual([U1, U2]);
  });

  it('so does a person_uuid column', async () => {
    const path = await inputFile('f.csv', `email,person_uuid\na@x,${U1}\n`);
    const input = await readInput({ path });
    expect([input.column, input.kind]).toEqual(['person_uuid', 'uuid']);
  });

  it('a distinct_id column holds distinct_ids, and wins over a uuid column', async () => {
    const path = await inputFile('f.csv', `uuid,distinct_id\n${U1},d1\n`);
    const input = await readInput({ path });
    expect([input.column, input.kind]).toEqual(['distinct_id', 'distinct_id']);
    expect(await ids(input.rows)).toEqual(['d1']);
  });

  it('any other column needs --by', async () => {
    expect(await failure('f.csv', 'person\nd1\n')).toBe('f.csv line 1: the column "person" does not say whether it holds distinct_ids or person UUIDs');
    const path = await inputFile('f.csv', `person\n${U1}\n`);
    expect((await readInput({ path, by: 'uuid' })).kind).toBe('uuid');
    expect((await readInput({ path, by: 'distinct_id' })).kind).toBe('distinct_id');
  });

  it('--column picks a column; its name still decides the kind', async () => {
    const path = await inputFile('f.csv', `distinct_id,uuid\nd1,${U1}\n`);
    const input = await readInput({ path, column: 'uuid' });
    expect(input.kind).toBe('uuid');
    expect(await ids(input.rows)).toEqual([U1]);
  });

  it('a --by that contradicts the column name is refused, naming both', async () => {
    expect(await failure('f.csv', `uuid\n${U1}\n`, { by: 'distinct_id' })).toBe(
      'f.csv line 1: the column "uuid" holds person UUIDs, but --by distinct-id says distinct_ids',
    );
    expect(await failure('f.csv', 'distinct_id\nd1\n', { by: 'uuid' })).toBe('f.csv line 1: the column "distinct_id" holds distinct_ids, but --by uuid says person UUIDs');
  });

  it('a value in a uuid column that is not a UUID is refused, naming its line', async () => {
    expect(await failure('f.csv', `uuid\n${U1}\nd-17\n`)).toBe('f.csv line 3: "d-17" is not a UUID (the "uuid" column holds person UUIDs)');
  });
});

describe('JSON Lines and plain lines', () => {
  it('a "uuid" key holds person UUIDs; any other key and plain lines default to distinct_ids', async () => {
    const a = await inputFile('a.jsonl', `{"uuid":"${U1}"}\n`);
    expect((await readInput({ path: a })).kind).toBe('uuid');
    const b = await inputFile('b.jsonl', `{"user":"${U1}"}\n`);
    expect((await readInput({ path: b })).kind).toBe('distinct_id');
    const c = await inputFile('c.txt', `${U1}\n`);
    expect((await readInput({ path: c })).kind).toBe('distinct_id');
    expect((await readInput({ path: c, by: 'uuid' })).kind).toBe('uuid');
  });

  it('counts distinct_ids shaped like UUIDs', async () => {
    const path = await inputFile('c.txt', `${U1}\n${U2}\nd1\n`);
    expect((await readInput({ path })).checks.uuidShaped).toBe(2);
  });
});

describe('JSON arrays are refused (an export of distinct_ids matches no person)', () => {
  it('a CSV cell', async () => {
    expect(await failure('f.csv', 'distinct_id\nd1\n"[""a"",""b""]"\n')).toBe(
      'f.csv line 3: "[\\"a\\",\\"b\\"]" is a JSON array, which matches no person (it is how `list --fields distinct_ids` writes a person\'s distinct_ids)',
    );
  });

  it('a plain line, with the hint to export --fields uuid', async () => {
    const path = await inputFile('f.txt', '["a"]\n');
    const error = (await readInput({ path }).catch((err: unknown) => err)) as UsageError;
    expect(error.exitCode).toBe(2);
    expect(error.hint).toBe("Export the persons' UUIDs instead: posthog-persons list … --fields uuid -o csv > erasure.csv");
  });

  it('a JSON Lines value', async () => {
    expect(await failure('f.jsonl', '{"distinct_id":"a"}\n{"distinct_id":["a","b"]}\n')).toBe(
      'f.jsonl line 2: "distinct_id" is a JSON array, which matches no person (it is how `list --fields distinct_ids` writes a person\'s distinct_ids)',
    );
  });

  it('a distinct_id that merely has brackets is not an array', async () => {
    const path = await inputFile('f.txt', '[a]\n[]x\n');
    expect(await ids((await readInput({ path })).rows)).toEqual(['[a]', '[]x']);
  });
});

describe('JSON Lines integers', () => {
  it('keep every digit as written', async () => {
    const path = await inputFile('f.jsonl', '{"distinct_id":1234567890123456789}\n{"distinct_id":-42}\n');
    expect(await ids((await readInput({ path })).rows)).toEqual(['1234567890123456789', '-42']);
  });

  it('anything but a string or an integer is refused, naming the line', async () => {
    expect(await failure('f.jsonl', '{"distinct_id":"a"}\n{"distinct_id":1.5}\n')).toBe('f.jsonl line 2: "distinct_id" must be a string or an integer, not the number 1.5');
    expect(await failure('f.jsonl', '{"distinct_id":1e3}\n')).toBe('f.jsonl line 1: "distinct_id" must be a string or an integer, not the number 1e3');
    expect(await failure('f.jsonl', '{"distinct_id":12.0}\n')).toBe('f.jsonl line 1: "distinct_id" must be a string or an integer, not the number 12.0');
    expect(await failure('f.jsonl', '{"distinct_id":false}\n')).toBe('f.jsonl line 1: "distinct_id" must be a string or an integer, not a boolean');
  });

  it('property values past 2^53 keep their digits (set-prop --from-file)', async () => {
    const path = await inputFile('f.jsonl', '{"distinct_id":"a","n":12345678901234567890}\n');
    const [row] = await collect((await readInput({ path, withProperties: true })).rows);
    expect(isExactNumber(row!.properties!.n)).toBe(true);
    expect(String(row!.properties!.n)).toBe('12345678901234567890');
  });

  it('and so do CSV cells read as JSON', async () => {
    const path = await inputFile('f.csv', 'distinct_id,n\na,12345678901234567890\n');
    const [row] = await collect((await readInput({ path, withProperties: true, jsonValues: true })).rows);
    expect(String(row!.properties!.n)).toBe('12345678901234567890');
  });
});

describe('a line too long to be an identifier', () => {
  const long = 'x'.repeat(20 * 1024 * 1024);

  it.each([
    ['f.txt', `a\nb\n${long}\nc\n`, 3],
    ['f.txt', `${long}\n`, 1],
    ['f.jsonl', `{"distinct_id":"a"}\n{"distinct_id":"${long}"}\n`, 2],
    ['f.csv', `distinct_id\na\n${long}\n`, 3],
    ['f', `\n\n${long}`, 3],
  ])('%s: exit 2 naming the line', async (name, content, line) => {
    expect(await failure(name, content)).toBe(`${name} line ${line}: longer than 16 MiB, the most one line may hold`);
  });
});
