// The one renderer layer every command prints records through. Records stream in one at a time
// and go out as they come (except table rows, buffered per block to align them), so `list --all`
// holds at most one page or one table block in memory; `write()` waits when stdout is full.

import { stringifyExact } from '../json/exact.js';
import type { OutputFormat } from './formats.js';
import { resolveFields, type Column, type RecordSchema } from './columns.js';
import { OutputSink, type RenderTarget } from './sink.js';
import { TableRenderer } from './table.js';
import { csvText, escapeTsv, jsonValue } from './values.js';

export type { RenderTarget } from './sink.js';

export { OUTPUT_FORMATS, type OutputFormat } from './formats.js';

export interface RendererOptions<T> {
  format: OutputFormat;
  schema: RecordSchema<T>;
  /** The raw --fields flag. */
  fields?: string;
  out: RenderTarget;
  /** Table only: colour the header when true. */
  color?: boolean;
  /** Table only: the terminal width; long cells are cut with "…" to keep rows on one line. */
  width?: number;
  /** 'single' (e.g. `get`): json prints the one object, not an array. */
  kind?: 'list' | 'single';
  /** For json/jsonl without --fields: the API object printed whole (default: the record itself). */
  raw?: (record: T) => unknown;
}

export interface Renderer<T> {
  write(record: T): Promise<void>;
  /** Finishes the document; `count` lets the caller say "No persons found." on stderr. */
  end(): Promise<{ count: number }>;
}

/** Validates --fields (throwing UsageError) before anything is written, then renders. */
export function createRenderer<T>(options: RendererOptions<T>): Renderer<T> {
  const { fields, explicit } = resolveFields(options.schema, options.fields);
  const sink = new OutputSink(options.out);
  const format = formatFor(options, fields, explicit, sink);

  let count = 0;
  let ended = false;
  return {
    async write(record: T): Promise<void> {
      if (ended) throw new Error('renderer: write() after end()');
      if (options.kind === 'single' && count === 1) {
        throw new Error('renderer: a single-object renderer was given a second record');
      }
      count += 1;
      await format.record(record);
    },
    async end(): Promise<{ count: number }> {
      if (!ended) {
        ended = true;
        await format.finish(count);
        await sink.close();
      }
      return { count };
    },
  };
}

/** What differs between formats: how a record is written, and what closes the document. */
interface Format<T> {
  record(record: T): Promise<void>;
  finish(count: number): Promise<void>;
}

function formatFor<T>(
  options: RendererOptions<T>,
  fields: Column<T>[],
  explicit: boolean,
  sink: OutputSink,
): Format<T> {
  // json/jsonl print the API object whole unless the user picked fields; then an object with
  // exactly those fields, keyed by the names as given (`properties.email` stays one key).
  const toJson = explicit
    ? (record: T) => Object.fromEntries(fields.map((field) => [field.name, jsonValue(field.get(record))]))
    : (record: T) => jsonValue(options.raw ? options.raw(record) : record);

  switch (options.format) {
    case 'table': {
      const table = new TableRenderer({ fields, sink, color: options.color === true, width: options.width });
      // An empty table prints nothing at all; the caller says so on stderr.
      return { record: (record) => table.add(record), finish: () => table.finish() };
    }
    case 'tsv':
      // Cells as in csv (arrays and objects are JSON), then tab, LF, CR and backslash escaped.
      return {
        record: (record) =>
          sink.write(fields.map((field) => escapeTsv(csvText(field.get(record)) ?? '')).join('\t') + '\n'),
        finish: async () => {},
      };
    case 'jsonl':
      return {
        record: (record) => sink.write(stringifyExact(toJson(record)) + '\n'),
        finish: async () => {},
      };
    case 'json':
      return options.kind === 'single' ? singleJson(toJson, sink) : jsonArray(toJson, sink);
    case 'csv':
      return csvFormat(fields, sink);
  }
}

function singleJson<T>(toJson: (record: T) => unknown, sink: OutputSink): Format<T> {
  return {
    record: (record) => sink.write(stringifyExact(toJson(record), 2) + '\n'),
    finish: async () => {},
  };
}

/**
 * A JSON array written as it streams. The bytes are exactly `JSON.stringify(all, null, 2)` plus a
 * newline (integers past 2^53 as their digits), as if the whole list had been collected first, so
 * tools and eyes see ordinary JSON.
 */
function jsonArray<T>(toJson: (record: T) => unknown, sink: OutputSink): Format<T> {
  let first = true;
  return {
    record(record) {
      // JSON strings cannot contain a raw newline, so indenting after every newline is safe.
      const item = '  ' + stringifyExact(toJson(record), 2).replace(/\n/g, '\n  ');
      const chunk = (first ? '[\n' : ',\n') + item;
      first = false;
      return sink.write(chunk);
    },
    finish: (count) => sink.write(count === 0 ? '[]\n' : '\n]\n'),
  };
}

type Stringify = (typeof import('csv-stringify/sync'))['stringify'];
let csvLibrary: Promise<Stringify> | undefined;

const CSV_OPTIONS: Parameters<Stringify>[1] = {
  record_delimiter: '\r\n',
  // csv-stringify quotes a field holding the record delimiter, CRLF, but not a bare LF or CR.
  // Python's csv module, pandas, DuckDB and spreadsheets end a record at either, so a name
  // holding "\n" written unquoted would read back as two persons.
  quoted_match: /[\r\n]/,
  // An empty string is written `""` and a missing value as nothing, so a consumer that cares
  // (PostgreSQL COPY, pandas with keep_default_na) can still tell them apart.
  cast: { string: (value) => (value === '' ? { value, quoted_empty: true } : value) },
};

/** Rows handed to csv-stringify in one call; it costs about as much per call as per 100 rows. */
const CSV_BATCH_ROWS = 256;

/**
 * RFC 4180 through csv-stringify: CRLF between records, fields quoted only when they need it (a
 * comma, a quote, a CR or an LF anywhere in them).
 * The header is printed even when there are no records, so a script always sees the columns.
 *
 * Rows are stringified in batches: csv-stringify sets up its options and state on every call,
 * which made one call per row cost more than the rest of `list --all -o csv`. Each row of a
 * batch is written exactly as a call of its own would write it. A batch goes out when it is
 * full, at the end, or when the event loop turns (so rows never wait on the network).
 */
function csvFormat<T>(fields: Column<T>[], sink: OutputSink): Format<T> {
  let stringify: Stringify | undefined;
  let started: Promise<void> | undefined;
  let rows: (string | null)[][] = [];
  let flushScheduled = false;
  // Loads csv-stringify once; the header is the first row of the first batch.
  const start = (): Promise<void> =>
    (started ??= (csvLibrary ??= import('csv-stringify/sync').then((module) => module.stringify)).then((loaded) => {
      stringify = loaded;
      rows.push(fields.map((field) => field.name));
    }));
  const flush = (): Promise<void> => {
    if (rows.length === 0) return Promise.resolve();
    const text = stringify!(rows, CSV_OPTIONS);
    rows = [];
    return sink.write(text);
  };
  const add = (cells: (string | null)[]): Promise<void> => {
    rows.push(cells);
    if (rows.length >= CSV_BATCH_ROWS) return flush();
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(() => {
        flushScheduled = false;
        void flush();
      });
    }
    return Promise.resolve();
  };
  return {
    record(record) {
      const cells = fields.map((field) => csvText(field.get(record)));
      return stringify ? add(cells) : start().then(() => add(cells));
    },
    finish: () => start().then(flush),
  };
}
