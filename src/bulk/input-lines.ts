// The two line-based formats: one identifier a line, and JSON Lines (one object a line).

import { UsageError } from '../errors.js';
import {
  chooseColumn,
  jsonErrorDetail,
  noColumnError,
  type ParseContext,
  type ParseState,
  type RawRow,
} from './input-rows.js';

/** One identifier a line; surrounding whitespace is not part of it. */
export async function* parsePlain(lines: AsyncIterable<string[]>): AsyncGenerator<RawRow[]> {
  let line = 0;
  for await (const group of lines) {
    yield group.map((text) => ({ line: ++line, id: text.trim() }));
  }
}

/** One JSON object a line; sets `state.column` from the first object. */
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
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${where}: not valid JSON (${jsonErrorDetail(err)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`${where}: not a JSON object (each line must be one object, like {"distinct_id": "…"})`);
  }
  const object = value as Record<string, unknown>;
  if (state.column === undefined) {
    const keys = Object.keys(object);
    const column = chooseColumn(keys, ctx);
    if (column === undefined) throw noColumnError(where, 'key', keys, ctx);
    state.column = column;
  }
  const key = state.column;
  if (!Object.hasOwn(object, key)) throw new UsageError(`${where}: no "${key}" key`);
  const id = identifierOf(object[key], where, key);
  if (id === '' || !ctx.withProperties) return { line, id };
  const properties = Object.fromEntries(Object.entries(object).filter(([name]) => name !== key));
  return { line, id, properties };
}

function identifierOf(value: unknown, where: string, key: string): string {
  // A JSON string is taken exactly (a distinct_id may really have surrounding spaces); only a
  // blank one is treated as a blank row.
  if (typeof value === 'string') return value.trim() === '' ? '' : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  throw new UsageError(`${where}: "${key}" must be a string, not ${got}`);
}
