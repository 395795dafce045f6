// Reads the identifiers (and, for set-prop, the properties) of a bulk run from a file or stdin:
// CSV with a header, JSON Lines, or one identifier a line.
//
// The whole input is validated before anything is returned, so a malformed file fails before the
// first request. For a regular file, memory stays flat in its size: a validating first pass streams
// it, and `rows` streams it again. Stdin and pipes cannot be read twice, so their rows are kept.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { CliError, ExitCode, UsageError } from '../errors.js';
import { parseCsv } from './input-csv.js';
import { parseJsonl, parsePlain } from './input-lines.js';
import { quote, type IdKind, type ParseContext, type ParseState, type RawRow } from './input-rows.js';
import { decodeText, peekFirstLine, splitLines } from './input-text.js';

export type { IdKind } from './input-rows.js';
export type InputFormat = 'csv' | 'jsonl' | 'plain';

export interface InputRow {
  id: string;
  /** 1-based line where the row starts (its first occurrence, for an identifier listed twice). */
  line: number;
  properties?: Record<string, unknown>;
}

/** `rows` counts every data row after the header: rows = blank + duplicates + unique. */
export interface InputStats {
  rows: number;
  blank: number;
  duplicates: number;
  unique: number;
}

export interface ReadInputOptions {
  /** A file path, or '-' for stdin. */
  path: string;
  /** Read when path is '-'. */
  stdin?: NodeJS.ReadableStream;
  /** What the identifiers are; uuid values must be UUID-shaped and are compared lower-cased. */
  by: IdKind;
  /** CSV / JSON Lines: the column or key holding the identifier (default: see chooseColumn). */
  column?: string;
  /** Forces a format instead of guessing it from the extension or the first line. */
  format?: InputFormat;
  /** set-prop: every other column or key is a property to set. */
  withProperties?: boolean;
  /** With withProperties: each CSV cell is parsed as JSON instead of taken as a string. */
  jsonValues?: boolean;
}

export interface InputResult {
  format: InputFormat;
  /** The column or key the identifiers were read from (CSV and JSON Lines). */
  column?: string;
  stats: InputStats;
  /** Each unique identifier once, in input order. A file's rows can be iterated more than once. */
  rows: AsyncIterable<InputRow> | InputRow[];
}

const EXTENSIONS: Record<string, InputFormat> = { '.csv': 'csv', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.txt': 'plain' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Validates the whole input first (so a malformed file fails before any request), then yields unique rows. */
export async function readInput(options: ReadInputOptions): Promise<InputResult> {
  const fromStdin = options.path === '-';
  const ctx: ParseContext = {
    name: fromStdin ? 'stdin' : options.path,
    by: options.by,
    column: options.column,
    withProperties: options.withProperties ?? false,
    jsonValues: options.jsonValues ?? false,
  };
  let openBytes: () => AsyncIterable<Buffer | string>;
  let stamp: FileStamp | undefined;
  if (fromStdin) {
    const stdin = options.stdin;
    if (stdin === undefined) throw new TypeError('readInput: path "-" needs the stdin stream');
    openBytes = () => stdin;
  } else {
    stamp = await stampOf(options.path, ctx.name);
    openBytes = () => createReadStream(options.path);
  }

  // Only a regular file can be read a second time; stdin, pipes and process substitutions cannot,
  // so their rows are kept in memory.
  const rereadable = stamp?.regular === true ? stamp : undefined;
  const keep = rereadable === undefined ? ([] as InputRow[]) : undefined;
  const first = await openRows(openBytes, options.format ?? formatFromExtension(options.path, fromStdin), ctx).catch((err: unknown) => {
    throw readError(err, ctx.name);
  });
  const stats = await validate(first.rows, ctx, keep);
  if (stats.unique === 0) throw new UsageError(`no identifiers in ${ctx.name}`);

  const column = first.format === 'plain' ? undefined : first.state.column;
  if (rereadable === undefined) return { format: first.format, column, stats, rows: keep ?? [] };
  const again: SecondPass = { openBytes, format: first.format, ctx: { ...ctx, column }, stats, stamp: rereadable, path: options.path };
  return { format: first.format, column, stats, rows: { [Symbol.asyncIterator]: () => readAgain(again) } };
}

interface OpenedRows {
  format: InputFormat;
  state: ParseState;
  rows: AsyncIterable<RawRow[]>;
}

async function openRows(openBytes: () => AsyncIterable<Buffer | string>, known: InputFormat | undefined, ctx: ParseContext): Promise<OpenedRows> {
  let format = known;
  let text: AsyncIterable<string>;
  if (format !== undefined) {
    checkFormatFits(format, ctx);
    text = decodeText(openBytes(), ctx.name);
  } else {
    const peeked = await peekFirstLine(decodeText(openBytes(), ctx.name));
    try {
      format = await guessFormat(peeked.firstLine, ctx);
      checkFormatFits(format, ctx);
    } catch (err) {
      await peeked.close();
      throw err;
    }
    text = peeked.text;
  }
  const state: ParseState = {};
  const lines = format === 'csv' ? undefined : splitLines(text);
  const rows = lines === undefined ? parseCsv(text, ctx, state) : format === 'jsonl' ? parseJsonl(lines, ctx, state) : parsePlain(lines);
  return { format, state, rows };
}

function formatFromExtension(path: string, fromStdin: boolean): InputFormat | undefined {
  return fromStdin ? undefined : EXTENSIONS[extname(path).toLowerCase()];
}

/**
 * Guesses from the first non-blank line: `{` starts JSON Lines; a plausible header makes CSV; else
 * one identifier a line. A lone cell counts as a header only when it is a known column name, so a
 * plain list whose first identifier happens to be quoted does not lose that identifier to a header.
 */
async function guessFormat(firstLine: string | undefined, ctx: ParseContext): Promise<InputFormat> {
  const line = firstLine?.trim() ?? '';
  if (line.startsWith('{')) return 'jsonl';
  // Columns were asked for: read CSV, so a missing column is an error rather than a silent guess.
  if (ctx.column !== undefined || ctx.withProperties) return 'csv';
  const known = (cell: string): boolean => ['distinct_id', 'uuid'].includes(cell.trim().toLowerCase());
  if (!line.includes(',') && !line.includes('"')) return known(line) ? 'csv' : 'plain';
  const { parse } = await import('csv-parse/sync');
  let records: string[][];
  try {
    records = parse(line, { relax_column_count: true }) as string[][];
  } catch {
    return 'plain';
  }
  if (records.length !== 1) return 'plain';
  const cells = records[0];
  if (cells.some((cell) => cell.trim() === '')) return 'plain';
  return cells.length > 1 || known(cells[0]) ? 'csv' : 'plain';
}

function checkFormatFits(format: InputFormat, ctx: ParseContext): void {
  if (format !== 'plain') return;
  if (ctx.withProperties) {
    throw new UsageError(
      `${ctx.name} is read as one identifier a line, which has no properties to set`,
      'Use CSV with a header (one column per property) or JSON Lines.',
    );
  }
  if (ctx.column !== undefined) {
    throw new UsageError(`--column needs CSV or JSON Lines input; ${ctx.name} is read as one identifier a line`);
  }
}

/** The first pass: reads everything, counts, and fails at the first malformed row. */
async function validate(rows: AsyncIterable<RawRow[]>, ctx: ParseContext, keep: InputRow[] | undefined): Promise<InputStats> {
  const stats: InputStats = { rows: 0, blank: 0, duplicates: 0, unique: 0 };
  const filter = new RowFilter(ctx);
  try {
    for await (const group of rows) {
      for (const raw of group) {
        stats.rows++;
        const row = filter.take(raw);
        if (row === 'blank') stats.blank++;
        else if (row === 'duplicate') stats.duplicates++;
        else {
          stats.unique++;
          keep?.push(row);
        }
      }
    }
  } catch (err) {
    throw readError(err, ctx.name);
  }
  return stats;
}

/** Turns rows into unique identifiers, checking UUIDs on the way. */
class RowFilter {
  // The only memory that grows with the input: one entry per unique identifier. With properties,
  // the entry also holds a fingerprint of them, so a person listed twice with different values is
  // an error rather than a silently dropped row.
  private readonly seen = new Set<string>();
  private readonly firstSeen = new Map<string, string>();

  constructor(private readonly ctx: ParseContext) {}

  take(raw: RawRow): InputRow | 'blank' | 'duplicate' {
    if (raw.id === '') return 'blank';
    const id = this.ctx.by === 'uuid' ? this.uuid(raw) : raw.id;
    if (raw.properties === undefined) {
      if (this.seen.has(id)) return 'duplicate';
      this.seen.add(id);
      return { id, line: raw.line };
    }
    const print = fingerprint(raw.properties);
    const first = this.firstSeen.get(id);
    if (first === undefined) {
      this.firstSeen.set(id, `${raw.line}:${print}`);
      return { id, line: raw.line, properties: raw.properties };
    }
    const [firstLine, firstPrint] = first.split(':');
    if (firstPrint === print) return 'duplicate';
    throw new UsageError(
      `${this.ctx.name} line ${raw.line}: ${quote(id)} appears again with different properties (first on line ${firstLine})`,
    );
  }

  private uuid(raw: RawRow): string {
    if (!UUID.test(raw.id)) throw new UsageError(`${this.ctx.name} line ${raw.line}: ${quote(raw.id)} is not a UUID (--by uuid)`);
    return raw.id.toLowerCase();
  }
}

function fingerprint(properties: Record<string, unknown>): string {
  const ordered = Object.keys(properties)
    .sort()
    .map((key) => [key, properties[key]]);
  return createHash('sha1').update(JSON.stringify(ordered)).digest('base64');
}

interface FileStamp {
  regular: boolean;
  size: number;
  mtimeMs: number;
}

async function stampOf(path: string, name: string): Promise<FileStamp> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new UsageError(`${name} is a folder, not a file`);
    return { regular: info.isFile(), size: info.size, mtimeMs: info.mtimeMs };
  } catch (err) {
    throw readError(err, name);
  }
}

/** File-system errors worded for the user; errors already worded pass through. */
function readError(err: unknown, name: string): unknown {
  if (err instanceof CliError || !(err instanceof Error)) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UsageError(`${name}: no such file`);
  if (code === 'EACCES' || code === 'EPERM') return new UsageError(`${name}: permission denied`);
  if (code === 'EISDIR') return new UsageError(`${name} is a folder, not a file`);
  return code === undefined ? err : new UsageError(`cannot read ${name}: ${err.message}`);
}

interface SecondPass {
  openBytes: () => AsyncIterable<Buffer | string>;
  format: InputFormat;
  ctx: ParseContext;
  stats: InputStats;
  stamp: FileStamp;
  path: string;
}

/** The second pass over a regular file: the same reading, yielding each unique row once. */
async function* readAgain(pass: SecondPass): AsyncGenerator<InputRow> {
  const now = await stampOf(pass.path, pass.ctx.name);
  if (now.size !== pass.stamp.size || now.mtimeMs !== pass.stamp.mtimeMs) throw changed(pass.ctx.name, 'it was modified');
  const { rows } = await openRows(pass.openBytes, pass.format, pass.ctx);
  const filter = new RowFilter(pass.ctx); // a fresh set: the first pass's is gone by now
  let unique = 0;
  try {
    for await (const group of rows) {
      for (const raw of group) {
        const row = filter.take(raw);
        if (typeof row !== 'object') continue;
        unique++;
        yield row;
      }
    }
  } catch (err) {
    throw err instanceof UsageError ? changed(pass.ctx.name, err.message) : readError(err, pass.ctx.name);
  }
  if (unique !== pass.stats.unique) throw changed(pass.ctx.name, `it now holds ${unique} identifiers, not ${pass.stats.unique}`);
}

function changed(name: string, detail: string): CliError {
  return new CliError(`${name} changed after it was checked (${detail})`, ExitCode.failure, 'Check the file, then rerun with --resume.');
}
