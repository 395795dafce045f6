// Reads the identifiers (and, for set-prop, the properties) of a bulk run from a file or stdin:
// CSV with a header, JSON Lines, or one identifier a line.
//
// The whole input is validated before anything is returned, so a malformed file fails before the
// first request. A regular file is opened once and streamed twice from that same open file: a
// validating first pass, then `rows` reads it again; between the two only the lines of duplicates
// are kept. The first pass hashes the bytes in blocks, and the second pass hands a block on only
// once its hash matches, so what is sent is exactly what was checked and confirmed, even if the
// file is rewritten, appended to or replaced meanwhile. Stdin and other streams (pipes, process
// substitution) cannot be read twice, so their identifiers stay in the duplicate index (outside
// the JavaScript heap), which serves the rows; with properties (set-prop), the rows themselves are
// kept.

import { createHash } from 'node:crypto';
import { close as closeFd, createReadStream, fstat as fstatFd, open as openFd, read as readFd, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CliError, UsageError } from '../../errors.js';
import { parseCsv } from './csv.js';
import { parseJsonl, parsePlain } from './lines.js';
import { MAX_LINE_CHARS, ROW_GROUP_SIZE, lineTooLong, quote, type IdKind, type ParseContext, type ParseState, type RawRow } from './rows.js';
import { IdSet, LineList } from './id-set.js';
import { BlockHashes, changed, type InputDigest } from './snapshot.js';
import { decodeText, peekFirstLine, splitLines } from './text.js';

export type { IdKind } from './rows.js';
export { sentAs } from './rows.js';
export type { InputDigest } from './snapshot.js';
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
  /** A file path, or '-' for stdin. Messages name it as given. */
  path: string;
  /**
   * The folder a relative path is read from: the factory's cwd (commands never use the process's
   * own folder). Without it, a relative path is opened as Node opens it.
   */
  cwd?: string;
  /** Read when path is '-'. */
  stdin?: NodeJS.ReadableStream;
  /**
   * --by: what the identifiers are, when the user said. A column named distinct_id, uuid or
   * person_uuid says it itself; plain lines default to distinct_ids. UUIDs must be UUID-shaped and
   * are compared lower-cased.
   */
  by?: IdKind;
  /** CSV / JSON Lines: the column or key holding the identifier (default: see chooseColumn). */
  column?: string;
  /** Forces a format instead of guessing it from the extension or the first line. */
  format?: InputFormat;
  /** set-prop: every other column or key is a property to set. */
  withProperties?: boolean;
  /** With withProperties: each CSV cell is parsed as JSON instead of taken as a string. */
  jsonValues?: boolean;
}

/** Things about the identifiers worth telling the user before they confirm. */
export interface InputChecks {
  /** Blank rows whose identifier held only whitespace (skipped, and said so). */
  spacesOnly: number;
  /** Unique identifiers with leading or trailing whitespace (kept as written). */
  spaced: number;
  /** Unique identifiers shaped like a UUID. */
  uuidShaped: number;
  /** Unique identifiers shaped like an email address. */
  emailShaped: number;
}

export interface InputResult {
  format: InputFormat;
  /** The column or key the identifiers were read from (CSV and JSON Lines). */
  column?: string;
  /** What the identifiers are: from the column's name, --by, or the default (distinct_id). */
  kind: IdKind;
  stats: InputStats;
  checks: InputChecks;
  digest: InputDigest;
  /** A regular file, read twice; false for stdin, pipes and process substitution (read once). */
  rereadable: boolean;
  /**
   * Each unique identifier once, in input order: kept in memory (stdin) or read again from the file
   * (which can be iterated more than once). See rowGroups for the fast way through.
   */
  rows: InputRows | InputRow[];
  /**
   * A regular file only: every non-blank row once more, duplicates included and marked, in input
   * order (the --report has a row for each). Streams are read once, so they have none.
   */
  everyRow?: () => AsyncIterable<readonly EveryRow[]>;
  /** Closes the file the rows are read from (nothing to do for stdin). */
  close(): Promise<void>;
}

/** A non-blank input row: its identifier as sent, and whether an earlier row had it. */
export interface EveryRow {
  id: string;
  line: number;
  duplicate: boolean;
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

const READING_CHUNK_BYTES = 64 * 1024;
const SENDING_CHUNK_BYTES = 16 * 1024;
const EXTENSIONS: Record<string, InputFormat> = { '.csv': 'csv', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.txt': 'plain' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LINE_LIMIT = { maxChars: MAX_LINE_CHARS };
/** What PostHog's search treats as a full email address. */
const EMAIL_SHAPED = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

const openFile = promisify(openFd);
const fstatFile = promisify(fstatFd);
const closeFile = promisify(closeFd);
const readFile = promisify(readFd);

/**
 * The bytes of an open file from its start, by position: any number of passes can read the same
 * descriptor, and one stopped early leaves it open (a ReadStream would close it when destroyed).
 */
async function* readOpenFile(fd: number, chunkBytes: number): AsyncGenerator<Buffer> {
  for (let position = 0; ; ) {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    const { bytesRead } = await readFile(fd, buffer, 0, chunkBytes, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield bytesRead === chunkBytes ? buffer : buffer.subarray(0, bytesRead);
  }
}

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
  let file: OpenFile | undefined;
  if (fromStdin) {
    const stdin = options.stdin;
    if (stdin === undefined) throw new TypeError('readInput: path "-" needs the stdin stream');
    openBytes = () => stdin;
  } else {
    const path = options.cwd === undefined ? options.path : resolve(options.cwd, options.path);
    file = await openInput(path, ctx.name);
    const fd = file.fd;
    openBytes = fd === undefined ? () => createReadStream(path) : () => readOpenFile(fd, READING_CHUNK_BYTES);
  }
  const close = async (): Promise<void> => {
    const fd = file?.fd;
    if (fd === undefined) return;
    file!.fd = undefined;
    await closeFile(fd).catch(() => undefined);
  };
  try {
    return await readOpened(options, ctx, openBytes, file, close, fromStdin);
  } catch (err) {
    await close();
    throw err;
  }
}

async function readOpened(
  options: ReadInputOptions,
  ctx: ParseContext,
  openBytes: () => AsyncIterable<Buffer | string>,
  file: OpenFile | undefined,
  close: () => Promise<void>,
  fromStdin: boolean,
): Promise<InputResult> {
  // Only a regular file can be read a second time; stdin, pipes and process substitutions cannot,
  // so their rows are kept in memory: the identifiers alone stay in the duplicate index, which
  // holds them in input order anyway; rows with properties are kept as they are.
  const rereadable = file?.fd !== undefined;
  const keep = !rereadable && ctx.withProperties ? ([] as InputRow[]) : undefined;
  const blocks = new BlockHashes();
  const first = await openRows(() => blocks.hashing(openBytes()), options.format ?? formatFromExtension(options.path, fromStdin), ctx).catch((err: unknown) => {
    throw readError(err, ctx.name);
  });
  // A file's size bounds the bytes of the identifiers in it, which lets the duplicate set take its
  // buffer once.
  const { stats, checks, duplicateLines, index } = await validate(first.rows, ctx, first.state, { keep, retain: !rereadable && keep === undefined, bytes: file?.size ?? 0 });
  if (stats.unique === 0) throw new UsageError(`no identifiers in ${ctx.name}`);

  const column = first.format === 'plain' ? undefined : first.state.column;
  const kind = first.state.kind ?? ctx.by ?? 'distinct_id';
  const digest = blocks.digest();
  const base = { format: first.format, column, kind, stats, checks, digest, rereadable, close };
  if (index !== undefined) return { ...base, rows: rowsOf(index) };
  if (!rereadable) return { ...base, rows: keep ?? [] };
  // The sending pass is read in smaller chunks: its rows wait for the network, and whatever a chunk
  // turns into stays alive until its batch is sent, which makes V8 grow its young generation.
  const fd = file!.fd!;
  const reopen = () => blocks.verifying(readOpenFile(fd, SENDING_CHUNK_BYTES), ctx.name);
  const again: SecondPass = { openBytes: reopen, format: first.format, ctx, state: { column: first.state.column, kind }, stats, duplicateLines };
  const groups = () => readAgain(again);
  return { ...base, rows: { groups, [Symbol.asyncIterator]: () => eachRow(groups()) }, everyRow: () => readEvery(again) };
}

interface OpenedRows {
  format: InputFormat;
  state: ParseState;
  rows: AsyncIterable<RawRow[]>;
}

async function openRows(openBytes: () => AsyncIterable<Buffer | string>, knownFormat: InputFormat | undefined, ctx: ParseContext, known: ParseState = {}): Promise<OpenedRows> {
  let format = knownFormat;
  let text: AsyncIterable<string>;
  if (format !== undefined) {
    checkFormatFits(format, ctx);
    text = decodeText(openBytes(), ctx.name);
  } else {
    const peeked = await peekFirstLine(decodeText(openBytes(), ctx.name), { ...LINE_LIMIT, tooLong: (line) => lineTooLong(ctx.name, line) });
    try {
      format = await guessFormat(peeked.firstLine, ctx);
      checkFormatFits(format, ctx);
    } catch (err) {
      await peeked.close();
      throw err;
    }
    text = peeked.text;
  }
  const state: ParseState = { ...known };
  const lines = format === 'csv' ? undefined : splitLines(text, { ...LINE_LIMIT, tooLong: (line) => lineTooLong(ctx.name, line) });
  const rows = lines === undefined ? parseCsv(text, ctx, state) : format === 'jsonl' ? parseJsonl(lines, ctx, state) : parsePlain(lines, ctx, state);
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
  const known = (cell: string): boolean => ['distinct_id', 'uuid', 'person_uuid', 'email'].includes(cell.trim().toLowerCase());
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
async function validate(rows: AsyncIterable<RawRow[]>, ctx: ParseContext, state: ParseState, { keep, retain, bytes }: ValidateOptions): Promise<FirstPass> {
  const stats: InputStats = { rows: 0, blank: 0, duplicates: 0, unique: 0 };
  const checks: InputChecks = { spacesOnly: 0, spaced: 0, uuidShaped: 0, emailShaped: 0 };
  const filter = new RowFilter(ctx, state, bytes, retain);
  const skipped = new LineList();
  try {
    for await (const group of rows) {
      for (const raw of group) {
        stats.rows++;
        const verdict = filter.take(raw);
        if (verdict === BLANK) {
          stats.blank++;
          if (raw.id !== '') checks.spacesOnly++;
        }
        else if (verdict === DUPLICATE) {
          stats.duplicates++;
          skipped.push(raw.line);
        } else {
          stats.unique++;
          if (hasOuterSpace(verdict)) checks.spaced++;
          if (UUID.test(verdict)) checks.uuidShaped++;
          else if (EMAIL_SHAPED.test(verdict)) checks.emailShaped++;
          keep?.push(asInputRow(raw, verdict));
        }
      }
    }
  } catch (err) {
    throw readError(err, ctx.name);
  }
  if (retain) return { stats, checks, duplicateLines: skipped, index: filter.index };
  filter.release();
  return { stats, checks, duplicateLines: skipped };
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
  checks: InputChecks;
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
    private readonly state: ParseState,
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
    if (isBlankId(raw.id)) return BLANK;
    const id = checkId(raw, this.ctx, this.state);
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

/**
 * An empty identifier, or one of only whitespace: a blank row, skipped. (Spaces around an
 * identifier are part of it; only an identifier that is nothing but spaces is no identifier. The
 * dry run and the confirmation count those rows, so none is dropped unseen.)
 */
function isBlankId(id: string): boolean {
  return id === '' || (hasOuterSpace(id) && id.trim() === '');
}

/**
 * The identifier as it is sent and compared, checked first: never a JSON array (an export of
 * `distinct_ids`, which would match nobody); a UUID is checked and lower-cased.
 */
function checkId(raw: RawRow, ctx: ParseContext, state: ParseState): string {
  const id = raw.id;
  if (hasOuterSpace(id) ? isJsonArray(id.trim()) : isJsonArray(id)) throw arrayError(`${ctx.name} line ${raw.line}`, id);
  if (state.kind !== 'uuid') return id;
  if (!UUID.test(id)) {
    const why = ctx.by === 'uuid' ? '--by uuid' : `the ${state.column === undefined ? 'input' : `"${state.column}" column`} holds person UUIDs`;
    throw new UsageError(`${ctx.name} line ${raw.line}: ${quote(id)} is not a UUID (${why})`);
  }
  return id.toLowerCase();
}

/** Cheap on the common path: only a value that starts with "[" and ends with "]" is parsed. */
function isJsonArray(text: string): boolean {
  if (text.charCodeAt(0) !== 0x5b || text.charCodeAt(text.length - 1) !== 0x5d) return false;
  try {
    return Array.isArray(JSON.parse(text));
  } catch {
    return false;
  }
}

function arrayError(where: string, id: string): UsageError {
  return new UsageError(
    `${where}: ${quote(id)} is a JSON array, which matches no person (it is how \`list --fields distinct_ids\` writes a person's distinct_ids)`,
    "Export the persons' UUIDs instead: posthog-persons list … --fields uuid -o csv > erasure.csv",
  );
}

function hasOuterSpace(id: string): boolean {
  return id.length > 0 && (isSpace(id.charCodeAt(0)) || isSpace(id.charCodeAt(id.length - 1)));
}

/** What String.prototype.trim removes, tested on one character. */
function isSpace(code: number): boolean {
  if (code === 0x20 || (code >= 0x09 && code <= 0x0d)) return true;
  return code > 0x7f && String.fromCharCode(code).trim() === '';
}

function fingerprint(properties: Record<string, unknown>): string {
  const ordered = Object.keys(properties)
    .sort()
    .map((key) => [key, properties[key]]);
  return createHash('sha1').update(JSON.stringify(ordered)).digest('base64');
}

interface OpenFile {
  /** Open for the run when the input is a regular file; undefined for pipes and once closed. */
  fd: number | undefined;
  size: number;
}

/**
 * Opens a regular file once for both passes, so a file replaced meanwhile (an editor saving by
 * rename, `mv other ids.csv`) cannot change what is read. Pipes, FIFOs and process substitution
 * (`--from-file <(…)`) are read once, by path, like stdin.
 */
async function openInput(path: string, name: string): Promise<OpenFile> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (err) {
    throw readError(err, name);
  }
  if (info.isDirectory()) throw new UsageError(`${name} is a folder, not a file`);
  if (!info.isFile()) return { fd: undefined, size: 0 };
  let fd: number;
  try {
    fd = await openFile(path, 'r');
  } catch (err) {
    throw readError(err, name);
  }
  try {
    const opened = await fstatFile(fd);
    if (!opened.isFile()) throw new UsageError(`${name} changed while it was being opened`);
    return { fd, size: opened.size };
  } catch (err) {
    await closeFile(fd).catch(() => undefined);
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
  /** The column and kind found by the first pass. */
  state: ParseState;
  stats: InputStats;
  duplicateLines: LineList;
}

/**
 * The second pass over a regular file: the same reading of the same bytes (see BlockHashes),
 * yielding each unique row once. It needs no set of identifiers: the first pass listed the lines
 * of the duplicates, and those are skipped.
 */
async function* readAgain(pass: SecondPass): AsyncGenerator<readonly InputRow[]> {
  const state: ParseState = { ...pass.state };
  const { rows } = await openRows(pass.openBytes, pass.format, pass.ctx, state);
  const isDuplicate = pass.duplicateLines.cursor();
  let unique = 0;
  try {
    for await (const group of rows) {
      const out: InputRow[] = [];
      for (const raw of group) {
        if (isBlankId(raw.id) || isDuplicate(raw.line)) continue;
        out.push(asInputRow(raw, checkId(raw, pass.ctx, state)));
      }
      unique += out.length;
      if (out.length > 0) yield out;
    }
  } catch (err) {
    if (err instanceof CliError && !(err instanceof UsageError)) throw err;
    throw err instanceof UsageError ? changed(pass.ctx.name, err.message) : readError(err, pass.ctx.name);
  }
  if (unique !== pass.stats.unique) throw changed(pass.ctx.name, `it now holds ${unique} identifiers, not ${pass.stats.unique}`);
}

/** Another pass like readAgain, keeping the duplicates (marked by the first pass's list of their lines). */
async function* readEvery(pass: SecondPass): AsyncGenerator<readonly EveryRow[]> {
  const state: ParseState = { ...pass.state };
  const { rows } = await openRows(pass.openBytes, pass.format, pass.ctx, state);
  const isDuplicate = pass.duplicateLines.cursor();
  try {
    for await (const group of rows) {
      const out: EveryRow[] = [];
      for (const raw of group) {
        if (isBlankId(raw.id)) continue;
        out.push({ id: checkId(raw, pass.ctx, state), line: raw.line, duplicate: isDuplicate(raw.line) });
      }
      if (out.length > 0) yield out;
    }
  } catch (err) {
    if (err instanceof CliError && !(err instanceof UsageError)) throw err;
    throw err instanceof UsageError ? changed(pass.ctx.name, err.message) : readError(err, pass.ctx.name);
  }
}
