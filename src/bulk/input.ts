// Reads the identifiers (and, for set-prop, the properties) of a bulk run from a file or stdin:
// CSV with a header, JSON Lines, or one identifier a line.
//
// The whole input is validated before anything is returned, so a malformed file fails before the
// first request. A regular file is streamed twice: a validating first pass, then `rows` reads it
// again; between the two only the lines of duplicates are kept. Stdin and pipes cannot be read
// twice, so their identifiers stay in the duplicate index (outside the JavaScript heap), which
// serves the rows; with properties (set-prop), the rows themselves are kept.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { CliError, ExitCode, UsageError } from '../errors.js';
import { parseCsv } from './input-csv.js';
import { parseJsonl, parsePlain } from './input-lines.js';
import { ROW_GROUP_SIZE, quote, type IdKind, type ParseContext, type ParseState, type RawRow } from './input-rows.js';
import { IdSet, LineList } from './id-set.js';
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
  /**
   * Each unique identifier once, in input order: kept in memory (stdin) or read again from the file
   * (which can be iterated more than once). See rowGroups for the fast way through.
   */
  rows: InputRows | InputRow[];
}

/** Rows read from a file as they are needed: one at a time, or in groups, which costs far less per row. */
export interface InputRows extends AsyncIterable<InputRow> {
  groups(): AsyncIterable<readonly InputRow[]>;
}

/** Anything a bulk run can take rows from. */
export type RowSource = InputRows | AsyncIterable<InputRow> | Iterable<InputRow>;

/** The rows of any source in groups: a file's own groups, slices of an array, or one row at a time. */
export async function* rowGroups(rows: RowSource): AsyncGenerator<readonly InputRow[]> {
  if ('groups' in rows) {
    yield* rows.groups();
  } else if (Array.isArray(rows)) {
    for (let at = 0; at < rows.length; at += ROW_GROUP_SIZE) yield rows.slice(at, at + ROW_GROUP_SIZE);
  } else {
    for await (const row of rows) yield [row];
  }
}

const SENDING_CHUNK_BYTES = 16 * 1024;
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
  // so their rows are kept in memory: the identifiers alone stay in the duplicate index, which
  // holds them in input order anyway; rows with properties are kept as they are.
  const rereadable = stamp?.regular === true ? stamp : undefined;
  const keep = rereadable === undefined && ctx.withProperties ? ([] as InputRow[]) : undefined;
  const first = await openRows(openBytes, options.format ?? formatFromExtension(options.path, fromStdin), ctx).catch((err: unknown) => {
    throw readError(err, ctx.name);
  });
  // A file's size bounds the bytes of the identifiers in it, which lets the duplicate set take its
  // buffer once.
  const { stats, duplicateLines, index } = await validate(first.rows, ctx, { keep, retain: rereadable === undefined && keep === undefined, bytes: stamp?.size ?? 0 });
  if (stats.unique === 0) throw new UsageError(`no identifiers in ${ctx.name}`);

  const column = first.format === 'plain' ? undefined : first.state.column;
  if (index !== undefined) return { format: first.format, column, stats, rows: rowsOf(index) };
  if (rereadable === undefined) return { format: first.format, column, stats, rows: keep ?? [] };
  // The sending pass is read in smaller chunks: its rows wait for the network, and whatever a chunk
  // turns into stays alive until its batch is sent, which makes V8 grow its young generation.
  const reopen = () => createReadStream(options.path, { highWaterMark: SENDING_CHUNK_BYTES });
  const again: SecondPass = { openBytes: reopen, format: first.format, ctx: { ...ctx, column }, stats, duplicateLines, stamp: rereadable, path: options.path };
  const groups = () => readAgain(again);
  return { format: first.format, column, stats, rows: { groups, [Symbol.asyncIterator]: () => eachRow(groups()) } };
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

interface ValidateOptions {
  /** Each unique row is pushed here. */
  keep?: InputRow[];
  /** Keep the duplicate index (with each identifier's line) to serve the rows from. */
  retain: boolean;
  /** What the identifiers may add up to in bytes, if known. */
  bytes: number;
}

/** The first pass: reads everything, counts, and fails at the first malformed row. */
async function validate(rows: AsyncIterable<RawRow[]>, ctx: ParseContext, { keep, retain, bytes }: ValidateOptions): Promise<FirstPass> {
  const stats: InputStats = { rows: 0, blank: 0, duplicates: 0, unique: 0 };
  const filter = new RowFilter(ctx, bytes, retain);
  const skipped = new LineList();
  try {
    for await (const group of rows) {
      for (const raw of group) {
        stats.rows++;
        const verdict = filter.take(raw);
        if (verdict === BLANK) stats.blank++;
        else if (verdict === DUPLICATE) {
          stats.duplicates++;
          skipped.push(raw.line);
        } else {
          stats.unique++;
          keep?.push(asInputRow(raw, verdict));
        }
      }
    }
  } catch (err) {
    throw readError(err, ctx.name);
  }
  if (retain) return { stats, duplicateLines: skipped, index: filter.index };
  filter.release();
  return { stats, duplicateLines: skipped };
}

/** The unique rows of a retained duplicate index: its entries are the identifiers in input order. */
function rowsOf(index: IdSet): InputRows {
  async function* groups(): AsyncGenerator<readonly InputRow[]> {
    for (let at = 0; at < index.size; at += ROW_GROUP_SIZE) {
      const group: InputRow[] = [];
      const end = Math.min(index.size, at + ROW_GROUP_SIZE);
      for (let entry = at; entry < end; entry++) group.push({ id: index.idAt(entry), line: index.valueAt(entry) });
      yield group;
    }
  }
  return { groups, [Symbol.asyncIterator]: () => eachRow(groups()) };
}

interface FirstPass {
  stats: InputStats;
  /** The lines of the rows that repeat an earlier identifier, for the second pass to skip. */
  duplicateLines: LineList;
  /** With `retain`: every unique identifier, in input order, each with the line it was first on. */
  index?: IdSet;
}

const BLANK = Symbol('blank');
const DUPLICATE = Symbol('duplicate');

/** Turns rows into unique identifiers, checking UUIDs on the way. */
class RowFilter {
  // The only memory that grows with the input: each unique identifier once, in an IdSet (its UTF-8
  // bytes and a few numbers, outside the JavaScript heap). With properties, a second set holds each
  // identifier with a fingerprint of its properties, so a person listed twice with different
  // values is an error rather than a silently dropped row.
  private readonly seen: IdSet;
  private readonly seenWith: IdSet | undefined;

  constructor(
    private readonly ctx: ParseContext,
    bytes: number,
    retain: boolean,
  ) {
    // The line of each identifier's first row is kept for the message about conflicting
    // properties, and for rows served from the index.
    this.seen = new IdSet({ expectedBytes: bytes, values: ctx.withProperties || retain });
    this.seenWith = ctx.withProperties ? new IdSet() : undefined;
  }

  get index(): IdSet {
    return this.seen;
  }

  /** Done with the filter: its sets' buffers go to the next sets made (the journal's, on --resume). */
  release(): void {
    this.seen.release();
    this.seenWith?.release();
  }

  /** A blank row, a duplicate, or the identifier (as sent) of a row seen for the first time. */
  take(raw: RawRow): string | typeof BLANK | typeof DUPLICATE {
    if (raw.id === '') return BLANK;
    const id = normalizeId(raw, this.ctx);
    const firstLine = this.seen.addOrGet(id, raw.line);
    if (raw.properties === undefined || this.seenWith === undefined) {
      return firstLine === -1 ? id : DUPLICATE;
    }
    const withPrint = `${id}\u0000${fingerprint(raw.properties)}`;
    if (firstLine === -1) {
      this.seenWith.add(withPrint);
      return id;
    }
    if (this.seenWith.has(withPrint)) return DUPLICATE;
    throw new UsageError(
      `${this.ctx.name} line ${raw.line}: ${quote(id)} appears again with different properties (first on line ${firstLine})`,
    );
  }
}

/** A raw row as a unique row: the same object unless its identifier was normalized. */
function asInputRow(raw: RawRow, id: string): InputRow {
  if (id === raw.id) return raw;
  return raw.properties === undefined ? { id, line: raw.line } : { id, line: raw.line, properties: raw.properties };
}

async function* eachRow(groups: AsyncIterable<readonly InputRow[]>): AsyncGenerator<InputRow> {
  for await (const group of groups) yield* group;
}

/** The identifier as it is sent and compared: a UUID (--by uuid) is checked and lower-cased. */
function normalizeId(raw: RawRow, ctx: ParseContext): string {
  if (ctx.by !== 'uuid') return raw.id;
  if (!UUID.test(raw.id)) throw new UsageError(`${ctx.name} line ${raw.line}: ${quote(raw.id)} is not a UUID (--by uuid)`);
  return raw.id.toLowerCase();
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
  duplicateLines: LineList;
  stamp: FileStamp;
  path: string;
}

/**
 * The second pass over a regular file: the same reading, yielding each unique row once. It needs no
 * set of identifiers: the first pass listed the lines of the duplicates, and those are skipped.
 */
async function* readAgain(pass: SecondPass): AsyncGenerator<readonly InputRow[]> {
  const now = await stampOf(pass.path, pass.ctx.name);
  if (now.size !== pass.stamp.size || now.mtimeMs !== pass.stamp.mtimeMs) throw changed(pass.ctx.name, 'it was modified');
  const { rows } = await openRows(pass.openBytes, pass.format, pass.ctx);
  const isDuplicate = pass.duplicateLines.cursor();
  let unique = 0;
  try {
    for await (const group of rows) {
      const out: InputRow[] = [];
      for (const raw of group) {
        if (raw.id === '' || isDuplicate(raw.line)) continue;
        out.push(asInputRow(raw, normalizeId(raw, pass.ctx)));
      }
      unique += out.length;
      if (out.length > 0) yield out;
    }
  } catch (err) {
    throw err instanceof UsageError ? changed(pass.ctx.name, err.message) : readError(err, pass.ctx.name);
  }
  if (unique !== pass.stats.unique) throw changed(pass.ctx.name, `it now holds ${unique} identifiers, not ${pass.stats.unique}`);
}

function changed(name: string, detail: string): CliError {
  return new CliError(`${name} changed after it was checked (${detail})`, ExitCode.failure, 'Check the file, then rerun with --resume.');
}
