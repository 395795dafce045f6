// What the format readers (plain, JSON Lines, CSV) share: the row they produce before
// deduplication, the options they read, and how the identifier column is chosen.

import { UsageError } from '../errors.js';

export type IdKind = 'distinct_id' | 'uuid';

/** One data line or record as a format reader saw it. An empty `id` marks a blank row. */
export interface RawRow {
  line: number;
  id: string;
  properties?: Record<string, unknown>;
}

export interface ParseContext {
  /** The file path as the user gave it, or "stdin": every message starts with it. */
  name: string;
  by: IdKind;
  column?: string;
  withProperties: boolean;
  jsonValues: boolean;
}

/** Filled in by the CSV and JSON Lines readers once they know which column holds the identifier. */
export interface ParseState {
  column?: string;
}

/** Rows are handed on in groups: one await per group rather than one per row keeps large files fast. */
export const ROW_GROUP_SIZE = 512;

/**
 * Picks the identifier column among `names`: the one the user asked for; else the column named like
 * the kind of identifier (`uuid` for --by uuid), then `distinct_id`, then `uuid`; else the only one.
 * An exact name wins over a case-insensitive match (spreadsheets like `Distinct_ID`).
 * Returns undefined when nothing fits; the caller words the error for its format.
 */
export function chooseColumn(names: readonly string[], ctx: ParseContext): string | undefined {
  if (ctx.column !== undefined) return findName(names, ctx.column);
  const preferred = ctx.by === 'uuid' ? ['uuid', 'distinct_id'] : ['distinct_id', 'uuid'];
  for (const wanted of preferred) {
    const found = findName(names, wanted);
    if (found !== undefined) return found;
  }
  return names.length === 1 ? names[0] : undefined;
}

function findName(names: readonly string[], wanted: string): string | undefined {
  if (names.includes(wanted)) return wanted;
  const lower = wanted.toLowerCase();
  const matches = names.filter((name) => name.toLowerCase() === lower);
  return matches.length === 1 ? matches[0] : undefined;
}

/** The error for a file whose identifier column cannot be found. */
export function noColumnError(where: string, noun: 'column' | 'key', names: readonly string[], ctx: ParseContext): UsageError {
  // A wide export can have thousands of columns: name the first few.
  const found = names.length === 0 ? 'none' : names.length > 20 ? `${names.slice(0, 20).join(', ')}, … (${names.length} in all)` : names.join(', ');
  if (ctx.column !== undefined) {
    const missing = noun === 'column' ? `column "${ctx.column}"` : `"${ctx.column}" key`;
    return new UsageError(`${where}: no ${missing}; the ${noun}s are ${found}`);
  }
  return new UsageError(
    `${where}: no "distinct_id" or "uuid" ${noun}; the ${noun}s are ${found}`,
    `Name the ${noun} that holds the identifiers with --column NAME.`,
  );
}

/** A value quoted for a message: JSON-escaped so invisible characters show, and cut if long. */
export function quote(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 77)}…` : value;
  return JSON.stringify(shown);
}

/** The message of a JSON.parse failure, kept short. */
export function jsonErrorDetail(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.length > 120 ? `${message.slice(0, 117)}…` : message;
}
