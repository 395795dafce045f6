// Every malformed input is a UsageError (exit 2) naming the file and, where there is one, the line.

import { Readable } from 'node:stream';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { readInput, type ReadInputOptions } from '../../../src/bulk/input/read-input.js';
import { inputFile, tempDir } from './helpers.js';

async function failure(name: string, content: string | Buffer, options: Partial<ReadInputOptions> = {}): Promise<{ message: string; path: string; error: unknown }> {
  const path = await inputFile(name, content);
  const error = await readInput({ path, by: 'distinct_id', ...options }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(UsageError);
  return { message: (error as Error).message, path, error };
}

/** The message with the file's temporary path shortened to its name. */
async function message(name: string, content: string | Buffer, options: Partial<ReadInputOptions> = {}): Promise<string> {
  const { message: text, path } = await failure(name, content, options);
  return text.split(path).join(name);
}

describe('CSV', () => {
  test.each([
    ['unclosed quote', 'distinct_id,email\na,x\nb,y\nc,z\nd,w\ne,v\n"f,u\ng,t\n', 'people.csv line 7: unclosed quote'],
    ['cells beyond the header', 'distinct_id,email\na,x\nb,y\nc,z\nd,w,extra\n', 'people.csv line 5: 3 cells but the header has 2'],
    ['too few cells', 'distinct_id,email,plan\na,x\n', 'people.csv line 2: 2 cells but the header has 3'],
    ['one cell', 'distinct_id,email\na\n', 'people.csv line 2: 1 cell but the header has 2'],
    ['a quote inside an unquoted cell', 'distinct_id\na\nb"c\n', 'people.csv line 3: a double quote inside an unquoted cell'],
    ['text after a closing quote', 'distinct_id\n"a"b\n', 'people.csv line 2: a closing quote must be followed by a comma or the end of the line'],
    ['a line counted after a quoted CRLF', 'distinct_id,n\r\n"a\r\nb",1\r\nc,2,3\r\n', 'people.csv line 4: 3 cells but the header has 2'],
    ['a repeated column', 'distinct_id,email,email\n', 'people.csv line 1: column "email" appears twice in the header'],
    ['header only', 'distinct_id,email\n', 'no identifiers in people.csv'],
    ['only blank rows', 'distinct_id,email\n,x\n\n', 'no identifiers in people.csv'],
  ])('%s', async (_, content, expected) => {
    expect(await message('people.csv', content)).toBe(expected);
  });

  test('a missing --column names the columns found', async () => {
    expect(await message('people.csv', 'distinct_id,email\na,x\n', { column: 'email_id' })).toBe(
      'people.csv: no column "email_id"; the columns are distinct_id, email',
    );
  });

  test('no default column among several', async () => {
    const { error, path } = await failure('people.csv', 'email,name\nx,y\n');
    expect((error as UsageError).message).toBe(`${path}: no "distinct_id" or "uuid" column; the columns are email, name`);
    expect((error as UsageError).hint).toBe('Name the column that holds the identifiers with --column NAME.');
  });

  test('a cell that is not JSON, with jsonValues', async () => {
    const options = { withProperties: true, jsonValues: true };
    expect(await message('people.csv', 'distinct_id,age\na,42\nb,forty\n', options)).toMatch(
      /^people\.csv line 3, column "age": "forty" is not valid JSON \(Unexpected token .+\)$/,
    );
    expect(await message('people.csv', 'distinct_id,age\na,\n', options)).toBe('people.csv line 2, column "age": an empty cell is not JSON');
  });

  test('properties need property columns with names', async () => {
    expect(await message('people.csv', 'distinct_id\na\n', { withProperties: true })).toBe('people.csv: no property columns besides "distinct_id"');
    expect(await message('people.csv', 'distinct_id,,plan\na,x,y\n', { withProperties: true })).toBe(
      'people.csv line 1: column 2 of the header has no name; every other column is a property to set',
    );
  });

  test('the same person twice with different properties', async () => {
    expect(await message('people.csv', 'distinct_id,plan\na,pro\nb,free\na,free\n', { withProperties: true })).toBe(
      'people.csv line 4: "a" appears again with different properties (first on line 2)',
    );
  });
});

describe('JSON Lines', () => {
  test.each([
    ['not JSON', '{"distinct_id":"a"}\n{"distinct_id":"b"}\n{"distinct_id":\n', /^people\.jsonl line 3: not valid JSON \(.+\)$/],
    ['no id key', '{"distinct_id":"a"}\n{"distinct_id":"b"}\n\n{"email":"x"}\n', /^people\.jsonl line 4: no "distinct_id" key$/],
    ['an array', '["a"]\n', /^people\.jsonl line 1: not a JSON object \(each line must be one object, like \{"distinct_id": "…"\}\)$/],
    ['an object id', '{"distinct_id":{"a":1}}\n', /^people\.jsonl line 1: "distinct_id" must be a string or an integer, not an object$/],
    ['a null id', '{"distinct_id":"a"}\n{"distinct_id":null}\n', /^people\.jsonl line 2: "distinct_id" must be a string or an integer, not null$/],
    ['a boolean id', '{"distinct_id":true}\n', /^people\.jsonl line 1: "distinct_id" must be a string or an integer, not a boolean$/],
    ['no usable key', '{"email":"x","name":"y"}\n', /^people\.jsonl line 1: no "distinct_id" or "uuid" key; the keys are email, name$/],
    ['only blank lines', '\n\n', /^no identifiers in people\.jsonl$/],
  ])('%s', async (_, content, expected) => {
    expect(await message('people.jsonl', content)).toMatch(expected);
  });

  test('a missing --column key', async () => {
    expect(await message('people.jsonl', '{"distinct_id":"a"}\n', { column: 'login' })).toBe(
      'people.jsonl line 1: no "login" key; the keys are distinct_id',
    );
    expect(await message('people.jsonl', '{"login":"a"}\n{"distinct_id":"b"}\n', { column: 'login' })).toBe('people.jsonl line 2: no "login" key');
  });
});

describe('plain and any format', () => {
  test('an identifier that is not a UUID with --by uuid', async () => {
    const lines = Array.from({ length: 11 }, () => '0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(await message('people.txt', [...lines, 'abc', ''].join('\n'), { by: 'uuid' })).toBe('people.txt line 12: "abc" is not a UUID (--by uuid)');
    expect(await message('people.csv', 'uuid\n0f8fad5b-d9cb-469f-a165-70867728950\n', { by: 'uuid' })).toBe(
      'people.csv line 2: "0f8fad5b-d9cb-469f-a165-70867728950" is not a UUID (--by uuid)',
    );
  });

  test.each([
    ['empty', ''],
    ['blank lines only', '\n  \n\r\n'],
    ['a BOM only', '\ufeff'],
  ])('an input that is %s has no identifiers', async (_, content) => {
    expect(await message('people.txt', content)).toBe('no identifiers in people.txt');
  });

  test('text that is not UTF-8', async () => {
    const latin1 = Buffer.concat([Buffer.from('a\nb\nJos'), Buffer.from([0xe9]), Buffer.from('\nc\n')]);
    const { error, path } = await failure('people.txt', latin1);
    expect((error as UsageError).message).toBe(`${path} line 3: not UTF-8 text`);
  });

  test('a plain file cannot carry properties or a column', async () => {
    expect(await message('people.txt', 'a\n', { withProperties: true })).toBe('people.txt is read as one identifier a line, which has no properties to set');
    expect(await message('people.txt', 'a\n', { column: 'x' })).toBe('--column needs CSV or JSON Lines input; people.txt is read as one identifier a line');
  });

  test('a missing file, and a folder', async () => {
    const dir = await tempDir();
    const missing = join(dir, 'nope.csv');
    await expect(readInput({ path: missing, by: 'distinct_id' })).rejects.toThrow(new UsageError(`${missing}: no such file`));
    await mkdir(join(dir, 'folder.csv'));
    await expect(readInput({ path: join(dir, 'folder.csv'), by: 'distinct_id' })).rejects.toThrow(`${join(dir, 'folder.csv')} is a folder, not a file`);
  });

  test('stdin is named "stdin"', async () => {
    const read = (text: string, options: Partial<ReadInputOptions> = {}) =>
      readInput({ path: '-', stdin: Readable.from([text]), by: 'distinct_id', ...options });
    await expect(read('a\nnot-a-uuid\n', { by: 'uuid' })).rejects.toThrow(new UsageError('stdin line 1: "a" is not a UUID (--by uuid)'));
    await expect(read('{"distinct_id":"a"}\n{oops\n')).rejects.toThrow(/^stdin line 2: not valid JSON/);
    await expect(read('\n\n')).rejects.toThrow(new UsageError('no identifiers in stdin'));
  });
});
