// Property-based tests, each written against an implementation it is handed, and each run twice:
// on the real code, where it must hold, and on a plausible mutant (a realistic bug), where
// fast-check must find a counterexample. That second run shows the property can fail. The
// thorough unit properties live in test/unit (where.test.ts, round-trip.test.ts,
// input.property.test.ts); these add the mutant checks and the --where property end to end.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseWhere, type PropertyFilter } from '../../src/filters/where.js';
import { readInput, type InputStats } from '../../src/bulk/input/read-input.js';
import type { RecordSchema } from '../../src/output/columns.js';
import { createRenderer } from '../../src/output/render.js';
import { escapeTsv } from '../../src/output/values.js';
import { unescapeTsv } from '../unit/output/helpers.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../helpers/in-process.js';

/** Holds on the real code; on the mutant, fast-check finds a counterexample. */
async function holdsButCatches<I>(property: (impl: I) => fc.IAsyncProperty<unknown[]> | fc.IProperty<unknown[]>, real: I, mutant: I, numRuns = 200): Promise<void> {
  await fc.assert(property(real) as fc.IAsyncProperty<unknown[]>, { numRuns, seed: 42 });
  const caught = await fc.check(property(mutant) as fc.IAsyncProperty<unknown[]>, { numRuns: numRuns * 5, seed: 42 });
  expect(caught.failed, 'the property let a mutant through').toBe(true);
}

// ---------------------------------------------------------------------------------------------
// --where: every generated expression parses to the filter it describes, or is a UsageError.

type Described = { expression: string; filter: PropertyFilter } | { expression: string; invalid: RegExp };

const anyChar = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });
const key = fc
  .string({ unit: fc.oneof(fc.constantFrom('$', '.', ' ', '!', '*', '\\'), anyChar), minLength: 1, maxLength: 8 })
  .filter((k) => !/[=~<>]/.test(k) && !k.endsWith('!') && k.trim() !== '');
const value = fc.string({ unit: fc.oneof(fc.constantFrom('=', '~', '<', '>', '!', '*', '\\', ' ', ','), anyChar), maxLength: 8 });
const person = (k: string, operator: string, v: PropertyFilter['value']): PropertyFilter => ({ key: k.trim(), value: v, operator, type: 'person' });

const described: fc.Arbitrary<Described> = fc.oneof(
  fc.tuple(key, fc.constantFrom('=', '!='), value).map(([k, token, v]) => ({
    // A value that reads as "is set" (or as an escaped star) is written with one more backslash.
    expression: `${k}${token}${/^\\*\*$/.test(v) ? `\\${v}` : v}`,
    filter: person(k, token === '=' ? 'exact' : 'is_not', v),
  })),
  fc.tuple(key, fc.constantFrom('=', '!=')).map(([k, token]) => {
    const operator = token === '=' ? 'is_set' : 'is_not_set';
    return { expression: `${k}${token}*`, filter: person(k, operator, operator) };
  }),
  fc.tuple(key, fc.constantFrom('~', '!~'), value.filter((v) => v !== '')).map(([k, token, v]) => ({
    expression: `${k}${token}${v}`,
    filter: person(k, token === '~' ? 'icontains' : 'not_icontains', v),
  })),
  fc.tuple(key, fc.constantFrom('>', '>=', '<', '<='), fc.integer({ min: -1e6, max: 1e6 }), fc.constantFrom('', ' ')).map(([k, token, n, pad]) => ({
    expression: `${k}${token}${pad}${n}${pad}`,
    filter: person(k, { '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte' }[token]!, n),
  })),
  // and the ways to get it wrong
  fc.string({ unit: anyChar, maxLength: 8 }).filter((s) => !/[=~<>]/.test(s)).map((s) => ({ expression: s, invalid: /no operator/ })),
  fc.tuple(fc.constantFrom('', ' ', '\t'), fc.constantFrom('=', '!=', '~', '>'), value).map(([blank, token, v]) => ({ expression: `${blank}${token}${v}`, invalid: /the property key is empty/ })),
  fc.tuple(key, fc.constantFrom('>', '<='), fc.constantFrom('', 'ten', '0x1f', 'Infinity', '1,5', 'NaN')).map(([k, token, v]) => ({ expression: `${k}${token}${v}`, invalid: /is not a number/ })),
  key.map((k) => ({ expression: `${k}~`, invalid: /the value is empty/ })),
);

type Parser = (expression: string) => PropertyFilter;

const whereProperty = (parser: Parser) =>
  fc.property(described, (d) => {
    if ('filter' in d) {
      expect(parser(d.expression)).toEqual(d.filter);
      return;
    }
    let thrown: unknown;
    try {
      parser(d.expression);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as UsageError).exitCode).toBe(2);
    expect((thrown as UsageError).message).toMatch(d.invalid);
    expect((thrown as UsageError).message).toContain(JSON.stringify(d.expression)); // it names the expression
  });

describe('--where parser (property)', () => {
  it('parses what it describes, or rejects with a UsageError naming the expression; a value-trimming parser is caught', async () => {
    const trimsValues: Parser = (e) => {
      const f = parseWhere(e);
      return typeof f.value === 'string' ? { ...f, value: f.value.trim() } : f;
    };
    await holdsButCatches(whereProperty, parseWhere, trimsValues, 1000);
  });

  it('a parser that does not unescape `\\*` is caught', async () => {
    const keepsEscapes: Parser = (e) => {
      const f = parseWhere(e);
      const raw = e.slice(e.indexOf(f.operator === 'is_not' ? '!=' : '=') + (f.operator === 'is_not' ? 2 : 1));
      return f.operator === 'exact' || f.operator === 'is_not' ? { ...f, value: raw } : f;
    };
    await holdsButCatches(whereProperty, parseWhere, keepsEscapes, 1000);
  });
});

// ---------------------------------------------------------------------------------------------
// CSV and TSV writers: any record round-trips.

const nasty = fc.string({ unit: fc.oneof(fc.constantFrom(',', '"', '\r', '\n', '\t', '\\', ' ', '\ufeff', 't', 'n'), anyChar), maxLength: 12 });
const table = fc.integer({ min: 1, max: 4 }).chain((width) => fc.tuple(fc.constant(width), fc.array(fc.array(nasty, { minLength: width, maxLength: width }), { maxLength: 6 })));

function schemaOf(width: number): RecordSchema<string[]> {
  const columns = Array.from({ length: width }, (_, i) => ({ name: `c${i}`, get: (r: string[]) => r[i] }));
  return { columns, defaultFields: columns.map((c) => c.name) };
}

type Writer = (format: 'csv' | 'tsv', width: number, records: string[][]) => Promise<string>;

const realWriter: Writer = async (format, width, records) => {
  let text = '';
  const out = { write: (chunk: string) => ((text += chunk), true), once: () => undefined, on: () => undefined } as unknown as NodeJS.WritableStream;
  const renderer = createRenderer({ format, schema: schemaOf(width), out });
  for (const record of records) await renderer.write(record);
  await renderer.end();
  return text;
};

const csvProperty = (write: Writer) =>
  fc.asyncProperty(table, async ([width, records]) => {
    const text = await write('csv', width, records);
    // Read like Python's csv, pandas and spreadsheets: a bare LF or CR ends a record too.
    expect(parse(text, { bom: false, record_delimiter: ['\r\n', '\n', '\r'] })).toEqual([Array.from({ length: width }, (_, i) => `c${i}`), ...records]);
  });

const tsvProperty = (write: Writer) =>
  fc.asyncProperty(table, async ([width, records]) => {
    const text = await write('tsv', width, records);
    const lines = text === '' ? [] : text.slice(0, -1).split('\n');
    expect(lines.map((line) => line.split('\t').map(unescapeTsv))).toEqual(records);
  });

describe('CSV and TSV writers (property)', () => {
  it('CSV: any records read back identical through csv-parse; a writer that only quotes commas is caught', async () => {
    const quotesCommasOnly: Writer = async (_format, width, records) =>
      [Array.from({ length: width }, (_, i) => `c${i}`), ...records].map((r) => r.map((c) => (c.includes(',') ? `"${c}"` : c)).join(',') + '\n').join('');
    await holdsButCatches(csvProperty, realWriter, quotesCommasOnly);
  });

  it('CSV: a writer that quotes CRLF but not a bare LF or CR (csv-stringify left to itself) is caught', async () => {
    const { stringify } = await import('csv-stringify/sync');
    const bareLfUnquoted: Writer = async (_format, width, records) =>
      stringify([Array.from({ length: width }, (_, i) => `c${i}`), ...records], { record_delimiter: '\r\n' });
    await holdsButCatches(csvProperty, realWriter, bareLfUnquoted);
  });

  it('TSV: any records split back on tabs and unescape identical; a writer that does not escape backslashes is caught', async () => {
    const forgetsBackslash: Writer = async (_format, _width, records) =>
      records.map((r) => r.map((c) => c.replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')).join('\t') + '\n').join('');
    await holdsButCatches(tsvProperty, realWriter, forgetsBackslash);
    // and the escaping on its own: no tab or line break survives, and it inverts exactly
    fc.assert(
      fc.property(nasty, (s) => {
        expect([/[\t\n\r]/.test(escapeTsv(s)), unescapeTsv(escapeTsv(s))]).toEqual([false, s]);
      }),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Input readers: identifiers written in any supported format read back identical, counted.

type Format = 'plain' | 'csv' | 'jsonl';
interface Sample {
  format: Format;
  ids: string[];
  /** which id (index) or a blank, line by line */
  plan: Array<number | 'blank'>;
  crlf: boolean;
}

const idChars = fc.oneof(fc.constantFrom(',', '"', ' ', '{', '\\', 'é', '😀', '\t'), anyChar.filter((c) => !/[\r\n]/.test(c)));
const sample: fc.Arbitrary<Sample> = fc.record({
  format: fc.constantFrom<Format>('plain', 'csv', 'jsonl'),
  ids: fc.array(fc.string({ unit: idChars, minLength: 1, maxLength: 8 }).map((s) => s.trim()).filter((s) => s !== '' && !s.startsWith('\ufeff')), { minLength: 1, maxLength: 12 }),
  plan: fc.array(fc.oneof({ weight: 4, arbitrary: fc.nat(20) }, { weight: 1, arbitrary: fc.constant('blank' as const) }), { minLength: 1, maxLength: 40 }),
  crlf: fc.boolean(),
});

function render(s: Sample): { text: string; ids: string[]; stats: InputStats } {
  const eol = s.crlf ? '\r\n' : '\n';
  const cell = (id: string) => (/[",\s]/.test(id) || id !== id.trim() ? `"${id.replaceAll('"', '""')}"` : id);
  const lines: string[] = s.format === 'csv' ? ['distinct_id'] : [];
  const seen = new Set<string>();
  const stats: InputStats = { rows: 0, blank: 0, duplicates: 0, unique: 0 };
  for (const step of s.plan) {
    stats.rows++;
    if (step === 'blank') {
      stats.blank++;
      lines.push('');
      continue;
    }
    const id = s.ids[step % s.ids.length]!;
    if (seen.has(id)) stats.duplicates++;
    else (seen.add(id), stats.unique++);
    lines.push(s.format === 'csv' ? cell(id) : s.format === 'jsonl' ? JSON.stringify({ distinct_id: id }) : id);
  }
  return { text: lines.map((l) => l + eol).join(''), ids: [...seen], stats };
}

type Reader = (path: string, format: Format) => Promise<{ ids: string[]; stats: InputStats }>;

const realReader: Reader = async (path, format) => {
  const result = await readInput({ path, by: 'distinct_id', format });
  const ids: string[] = [];
  for await (const row of result.rows) ids.push(row.id);
  return { ids, stats: result.stats };
};

let folder: string;
const readerProperty = (read: Reader) =>
  fc.asyncProperty(sample, async (s) => {
    const written = render(s);
    const path = join(folder, `in-${Math.random().toString(36).slice(2)}.${s.format === 'plain' ? 'txt' : s.format}`);
    await writeFile(path, written.text);
    if (written.stats.unique === 0) {
      await expect(read(path, s.format)).rejects.toBeInstanceOf(UsageError);
      return;
    }
    expect(await read(path, s.format)).toEqual({ ids: written.ids, stats: written.stats });
  });

describe('input readers (property)', () => {
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'pp-prop-input-'));
  });

  it('plain, CSV and JSON Lines read back the unique identifiers in order with blanks and duplicates counted; a reader that miscounts duplicates is caught', async () => {
    const noDuplicates: Reader = async (path, format) => {
      const { ids, stats } = await realReader(path, format);
      return { ids, stats: { ...stats, duplicates: 0, blank: stats.blank + stats.duplicates } };
    };
    await holdsButCatches(readerProperty, realReader, noDuplicates, 60);
  });

  it('a reader that splits CSV on commas (no quoting) is caught', async () => {
    const naiveCsv: Reader = async (path, format) => {
      if (format !== 'csv') return realReader(path, format);
      const { readFile } = await import('node:fs/promises');
      const lines = (await readFile(path, 'utf8')).split(/\r?\n/).slice(1, -1);
      const seen = new Set<string>();
      const stats: InputStats = { rows: lines.length, blank: 0, duplicates: 0, unique: 0 };
      for (const line of lines) {
        const id = line.split(',')[0]!.trim();
        if (id === '') stats.blank++;
        else if (seen.has(id)) stats.duplicates++;
        else (seen.add(id), stats.unique++);
      }
      return { ids: [...seen], stats };
    };
    await holdsButCatches(readerProperty, realReader, naiveCsv, 60);
  });
});

// ---------------------------------------------------------------------------------------------
// --where end to end: generated expressions through the CLI; the filter the server receives is
// the one described, and a bad expression exits 2 with nothing sent.

describe('--where end to end (property, sampled)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ persons: 3, writeLagMs: 0 });
  });
  afterAll(() => sandbox.close());

  it('30 generated expressions: exit 0 with exactly that filter sent, or exit 2 with nothing sent', async () => {
    // Expressions that start with "-" would read as flags; `--where=EXPR` keeps them whole.
    const cases = fc.sample(described.filter((d) => !d.expression.includes('\u0000')), { numRuns: 30, seed: 7 });
    const results = await Promise.all(
      cases.map(async (d) => {
        const r = await runInProcess(['list', `--where=${d.expression}`, '--limit', '1', '--fields', 'uuid', '--rate-limit', '0'], { sandbox });
        return { d, r };
      }),
    );
    // Both kinds were drawn, so both halves of the property were exercised.
    expect(results.filter(({ d }) => 'filter' in d).length).toBeGreaterThan(5);
    expect(results.filter(({ d }) => !('filter' in d)).length).toBeGreaterThan(5);
    const sent = new Map(sandbox.requests.map((q) => [q.query.properties, q]));
    for (const { d, r } of results) {
      if ('filter' in d) {
        expect({ expression: d.expression, code: r.code }).toEqual({ expression: d.expression, code: 0 });
        expect(sent.has(JSON.stringify([d.filter])), `filter of ${JSON.stringify(d.expression)} reached the server`).toBe(true);
      } else {
        expect({ expression: d.expression, code: r.code }).toEqual({ expression: d.expression, code: 2 });
        expect(r.stderr).toContain(`invalid --where expression ${JSON.stringify(d.expression)}`);
      }
    }
    // Only the valid ones sent anything, one request each.
    expect(sandbox.requests).toHaveLength(results.filter(({ d }) => 'filter' in d).length);
  }, 30_000);
});
