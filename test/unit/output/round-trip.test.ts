// CSV and TSV must give back exactly the values that went in: csv through a real CSV parser,
// tsv by splitting on tabs and unescaping.

import { parse as csvParse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecordSchema } from '../../../src/output/columns.js';
import { createRenderer, type OutputFormat } from '../../../src/output/render.js';
import { escapeTsv } from '../../../src/output/values.js';
import { ada, FakeTarget, render, tricky, unescapeTsv } from './helpers.js';

/**
 * csv-parse the way Python's csv module, pandas, DuckDB and spreadsheets read: a record ends at
 * CRLF, a bare LF or a bare CR alike. (Left to itself, csv-parse adopts the first line ending it
 * sees and then reads a bare LF inside an unquoted cell as data, which hides the bug.)
 */
function parse(text: string): string[][] {
  return csvParse(text, { record_delimiter: ['\r\n', '\n', '\r'] }) as string[][];
}

/** Records that are plain arrays of strings, one column per position. */
function stringSchema(width: number): RecordSchema<string[]> {
  const columns = Array.from({ length: width }, (_, i) => ({ name: `c${i}`, get: (r: string[]) => r[i] }));
  return { columns, defaultFields: columns.map((c) => c.name) };
}

async function renderStrings(format: OutputFormat, width: number, records: string[][]): Promise<string> {
  const out = new FakeTarget();
  const renderer = createRenderer({ format, schema: stringSchema(width), out });
  for (const record of records) await renderer.write(record);
  await renderer.end();
  return out.text;
}

/** Any Unicode text, weighted towards the characters that need quoting or escaping. */
const nastyString = fc.string({
  unit: fc.oneof(
    fc.constantFrom(',', '"', '\r', '\n', '\t', '\\', ' ', "'", '\u2028', '\ufeff', '='),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 20,
});

const tableOf = (width: number) =>
  fc.array(fc.array(nastyString, { minLength: width, maxLength: width }), { maxLength: 8 });

describe('csv round-trip through csv-parse', () => {
  it('gives back the person fields exactly', async () => {
    const fields = 'uuid,name,distinct_ids,properties,properties.note,properties.empty';
    const { text } = await render('csv', [ada, tricky], { fields });
    expect(parse(text)).toEqual([
      fields.split(','),
      [ada.uuid, ada.name, JSON.stringify(ada.distinct_ids), JSON.stringify(ada.properties), '', ''],
      [tricky.uuid, tricky.name, '["a,b","c"]', JSON.stringify(tricky.properties), 'tab\there', ''],
    ]);
    const [, , row] = parse(text) as string[][];
    expect(JSON.parse(row![2]!)).toEqual(tricky.distinct_ids);
    expect(JSON.parse(row![3]!)).toEqual(tricky.properties);
  });

  it('quotes a field holding a bare LF or a bare CR, so a reader that ends records there keeps one record', async () => {
    const records = [['line one\nline two', 'plain'], ['a\rb', 'x'], ['crlf\r\ninside', ''], ['ok', 'end\n']];
    const text = await renderStrings('csv', 2, records);
    expect(text).toBe('c0,c1\r\n"line one\nline two",plain\r\n"a\rb",x\r\n"crlf\r\ninside",""\r\nok,"end\n"\r\n');
    expect(parse(text)).toEqual([['c0', 'c1'], ...records]);
  });

  it('gives back any records of arbitrary strings (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }).chain((width) => fc.tuple(fc.constant(width), tableOf(width))), async ([width, records]) => {
        const text = await renderStrings('csv', width, records);
        const header = Array.from({ length: width }, (_, i) => `c${i}`);
        expect(parse(text)).toEqual([header, ...records]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('tsv round-trip', () => {
  it('escapes and unescapes the specials', () => {
    expect(escapeTsv('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(unescapeTsv('a\\tb\\nc\\rd\\\\e')).toBe('a\tb\nc\rd\\e');
    // `\\t` is an escaped backslash followed by "t", not a backslash and a tab.
    expect(unescapeTsv('\\\\t')).toBe('\\t');
    // Sequences escapeTsv never writes are left alone.
    expect(unescapeTsv('C:\\x \\')).toBe('C:\\x \\');
  });

  it('unescapeTsv(escapeTsv(s)) is s, and the escaped text has no tab or line break (property)', () => {
    fc.assert(
      fc.property(nastyString, (value) => {
        const escaped = escapeTsv(value);
        expect(escaped).not.toMatch(/[\t\n\r]/);
        expect(unescapeTsv(escaped)).toBe(value);
      }),
      { numRuns: 1000 },
    );
  });

  it('any records of arbitrary strings split back into their values, one line each (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }).chain((width) => fc.tuple(fc.constant(width), tableOf(width))), async ([width, records]) => {
        const text = await renderStrings('tsv', width, records);
        const lines = text === '' ? [] : text.slice(0, -1).split('\n');
        expect(text === '' || text.endsWith('\n')).toBe(true);
        expect(lines.map((line) => line.split('\t').map(unescapeTsv))).toEqual(records);
      }),
      { numRuns: 300 },
    );
  });
});
