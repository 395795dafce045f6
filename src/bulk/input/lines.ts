// The two line-based formats: one identifier a line, and JSON Lines (one object a line).

import { parse as parseLossless } from 'lossless-json';
import { UsageError } from '../../errors.js';
import { ExactNumber, isExactNumber, parseExact } from '../../json/exact.js';
import {
  chooseColumn,
  jsonErrorDetail,
  kindOfColumn,
  noColumnError,
  type ParseContext,
  type ParseState,
  type RawRow,
} from './rows.js';

/**
 * One identifier a line, exactly as written: spaces are part of it (only the line break, LF, CRLF
 * or CR, is not). An empty line, or one of only spaces, is a blank row.
 */
export async function* parsePlain(lines: AsyncIterable<string[]>, ctx: ParseContext, state: ParseState): AsyncGenerator<RawRow[]> {
  state.kind = ctx.by ?? 'distinct_id';
  let line = 0;
  for await (const group of lines) {
    yield group.map((text) => ({ line: ++line, id: text }));
  }
}

/** One JSON object a line; sets `state.column` and `state.kind` from the first object. */
export async function* parseJsonl(lines: AsyncIterable<string[]>, ctx: ParseContext, state: ParseState): AsyncGenerator<RawRow[]> {
  let line = 0;
  for await (const group of lines) {
    const rows: RawRow[] = [];
    for (const text of group) {
      line++;
      rows.push(text.trim() === '' ? { line, id: '' } : readObjectLine(text, line, ctx, state));
    }
    yield rows;
  }
}

function readObjectLine(text: string, line: number, ctx: ParseContext, state: ParseState): RawRow {
  const where = `${ctx.name} line ${line}`;
  let value: unknown;
  try {
    // Numbers a double cannot hold (an integer identifier, a property value) keep their digits.
    value = parseExact(text);
  } catch (err) {
    throw new UsageError(`${where}: not valid JSON (${jsonErrorDetail(err)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || isExactNumber(value)) {
    throw new UsageError(`${where}: not a JSON object (each line must be one object, like {"distinct_id": "…"})`);
  }
  const object = value as Record<string, unknown>;
  if (state.column === undefined) {
    const keys = Object.keys(object);
    const column = chooseColumn(keys, ctx);
    if (column === undefined) throw noColumnError(where, 'key', keys, ctx);
    state.kind = kindOfColumn(column, ctx, where, 'key');
    state.column = column;
  }
  const key = state.column;
  if (!Object.hasOwn(object, key)) throw new UsageError(`${where}: no "${key}" key`);
  const id = identifierOf(object[key], text, where, key);
  if (id === '' || !ctx.withProperties) return { line, id };
  const properties = Object.fromEntries(Object.entries(object).filter(([name]) => name !== key));
  return { line, id, properties };
}

const INTEGER = /^-?[0-9]+$/;

/**
 * A string is taken exactly (a distinct_id may really have surrounding spaces); an empty one is a
 * blank row. An integer is taken as the digits written in the file, never rounded through a
 * double. Anything else (a fraction, an exponent, true, null, an object, an array) is refused.
 */
function identifierOf(value: unknown, text: string, where: string, key: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || isExactNumber(value)) {
    const written = writtenNumber(value, text, key);
    if (written !== undefined && INTEGER.test(written)) return written;
    throw new UsageError(`${where}: "${key}" must be a string or an integer, not the number ${written ?? String(value)}`);
  }
  if (Array.isArray(value)) {
    throw new UsageError(
      `${where}: "${key}" is a JSON array, which matches no person (it is how \`list --fields distinct_ids\` writes a person's distinct_ids)`,
      'Export the persons\' UUIDs instead: posthog-persons list … --fields uuid -o csv > erasure.csv',
    );
  }
  const got = value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  throw new UsageError(`${where}: "${key}" must be a string or an integer, not ${got}`);
}

/** The number as written in the line (1e3 stays "1e3", 12.0 stays "12.0"): parsed again, rarely. */
function writtenNumber(value: number | ExactNumber, text: string, key: string): string | undefined {
  if (isExactNumber(value)) return value.text;
  const again = parseLossless(text, null, (raw: string) => new ExactNumber(raw)) as Record<string, unknown>;
  const number = again[key];
  return isExactNumber(number) ? number.text : undefined;
}
