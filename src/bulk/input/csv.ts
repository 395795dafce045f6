// CSV with a header row, read with csv-parse's streaming parser. Line numbers are counted here
// from each record's raw text, because csv-parse counts a CRLF inside a quoted cell as two lines.
// Line breaks are LF or CRLF (a lone CR is kept as text, as csv-parse's own detection would).

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import type { Options } from 'csv-parse';
import { CliError, UsageError } from '../../errors.js';
import { parseExact } from '../../json/exact.js';
import {
  MAX_LINE_CHARS,
  ROW_GROUP_SIZE,
  chooseColumn,
  jsonErrorDetail,
  kindOfColumn,
  lineTooLong,
  noColumnError,
  quote,
  type ParseContext,
  type ParseState,
  type RawRow,
} from './rows.js';

interface Header {
  names: string[];
  idIndex: number;
}

interface CsvRecord {
  record: string[];
  /** The line where the record starts. */
  line: number;
}

/**
 * Yields the data rows of a CSV text in groups; sets `state.column` and `state.kind` once the header
 * is read. When they are already set (the second pass over a file), the header was checked before
 * and is only looked up.
 */
export async function* parseCsv(text: AsyncIterable<string>, ctx: ParseContext, state: ParseState): AsyncGenerator<RawRow[]> {
  const { parse } = await import('csv-parse'); // loaded only when a CSV file is read
  // Counted as csv-parse goes (on_record runs synchronously, in order), so that when it stops at
  // a syntax error this is the line where the bad record starts, whatever has been consumed yet.
  let nextLine = 1;
  const options: Options<CsvRecord, { record: string[]; raw: string }> = {
    raw: true,
    relax_column_count: true, // checked here, to word the error and to let blank rows through
    skip_empty_lines: false, // counted here as blank rows
    // RFC 4180: spaces are part of a field. `  id  ` is that identifier with its spaces (Python's
    // csv module writes it so, unquoted); trimming it would name another person.
    trim: false,
    max_record_size: MAX_LINE_CHARS,
    record_delimiter: ['\r\n', '\n'],
    on_record: ({ record, raw }) => {
      const line = nextLine;
      nextLine += linesSpanned(raw);
      return { record, line };
    },
  };
  // csv-parse's overloads only type on_record for plain string[] records, hence the cast.
  const parser = parse(options as unknown as Options);
  // Errors of either stream surface through the iteration of the parser below.
  pipeline(Readable.from(text), parser, () => {});

  let header: Header | undefined;
  let group: RawRow[] = [];
  try {
    for await (const { record, line } of parser as AsyncIterable<CsvRecord>) {
      if (record.every((cell) => cell.trim() === '')) {
        // A blank row (its cell count is not checked); one of only spaces is counted as such.
        group.push({ line, id: record.some((cell) => cell !== '') ? ' ' : '' });
      } else if (header === undefined) {
        header = state.kind !== undefined && state.column !== undefined ? knownHeader(record, state.column) : readHeader(record, ctx, line, state);
      } else {
        group.push(readRecord(record, header, ctx, line));
      }
      if (group.length >= ROW_GROUP_SIZE) {
        yield group;
        group = [];
      }
    }
  } catch (err) {
    throw err instanceof CliError ? err : syntaxError(err, ctx.name, nextLine);
  }
  if (group.length > 0) yield group;
}

/** How many lines a record covers, judged from its raw text (which ends with `\n` or `\r` when a line break ended it). */
function linesSpanned(raw: string): number {
  let newlines = 0;
  for (let at = raw.indexOf('\n'); at !== -1; at = raw.indexOf('\n', at + 1)) newlines++;
  // A CRLF that ended the record shows only as its CR; LF and everything inside the record show whole.
  return raw.endsWith('\r') ? newlines + 1 : newlines;
}

/** The header of a file read before: its identifier column is known. */
function knownHeader(record: string[], column: string): Header {
  const names = record.map((cell) => cell.trim());
  return { names, idIndex: names.indexOf(column) };
}

function readHeader(record: string[], ctx: ParseContext, line: number, state: ParseState): Header {
  const names = record.map((cell) => cell.trim());
  const where = `${ctx.name} line ${line}`;
  // One pass with a set: a header can be very wide (an export of every property), and comparing
  // each name with every other took seconds at 100,000 columns.
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '') continue;
    if (seen.has(name)) throw new UsageError(`${where}: column "${name}" appears twice in the header`);
    seen.add(name);
  }
  const named = names.filter((name) => name !== '');
  const column = chooseColumn(named, ctx);
  if (column === undefined) throw noColumnError(ctx.name, 'column', named, ctx);
  const idIndex = names.indexOf(column);
  state.kind = kindOfColumn(column, ctx, where, 'column');
  state.column = column;
  if (ctx.withProperties) {
    const unnamed = names.findIndex((name) => name === '');
    if (unnamed !== -1) {
      throw new UsageError(`${where}: column ${unnamed + 1} of the header has no name; every other column is a property to set`);
    }
    if (names.length === 1) {
      throw new UsageError(`${ctx.name}: no property columns besides "${column}"`, 'Add one column per property to set.');
    }
  }
  return { names, idIndex };
}

function readRecord(record: string[], header: Header, ctx: ParseContext, line: number): RawRow {
  if (record.length !== header.names.length) {
    const cells = record.length === 1 ? '1 cell' : `${record.length} cells`;
    throw new UsageError(`${ctx.name} line ${line}: ${cells} but the header has ${header.names.length}`);
  }
  const id = record[header.idIndex];
  if (id === '' || !ctx.withProperties) return { line, id };
  const entries: [string, unknown][] = [];
  record.forEach((cell, index) => {
    if (index === header.idIndex) return;
    const name = header.names[index];
    entries.push([name, ctx.jsonValues ? parseJsonCell(cell, ctx, line, name) : cell]);
  });
  // fromEntries defines own properties, so a column named __proto__ stays a plain property.
  return { line, id, properties: Object.fromEntries(entries) };
}

function parseJsonCell(cell: string, ctx: ParseContext, line: number, column: string): unknown {
  const where = `${ctx.name} line ${line}, column "${column}"`;
  if (cell.trim() === '') {
    throw new UsageError(`${where}: an empty cell is not JSON`, 'With JSON values, write "" for an empty string and null for null.');
  }
  try {
    return parseExact(cell); // keeps every digit of a number a double cannot hold
  } catch (err) {
    throw new UsageError(`${where}: ${quote(cell)} is not valid JSON (${jsonErrorDetail(err)})`);
  }
}

/** csv-parse's errors, reworded for people and placed at the line where the bad record starts. */
function syntaxError(err: unknown, name: string, line: number): Error {
  const code = (err as { code?: unknown } | null)?.code;
  const where = `${name} line ${line}`;
  switch (code) {
    case 'CSV_MAX_RECORD_SIZE':
      return lineTooLong(name, line);
    case 'CSV_QUOTE_NOT_CLOSED':
      return new UsageError(`${where}: unclosed quote`);
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new UsageError(`${where}: a closing quote must be followed by a comma or the end of the line`);
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_OPENING_QUOTE':
      return new UsageError(`${where}: a double quote inside an unquoted cell`, 'Quote the whole cell and double the quote inside it: "a""b".');
    default:
      if (typeof code === 'string' && code.startsWith('CSV_')) {
        return new UsageError(`${where}: ${(err as Error).message}`);
      }
      return err instanceof Error ? err : new Error(String(err));
  }
}
