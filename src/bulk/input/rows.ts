// What the format readers (plain, JSON Lines, CSV) share: the row they produce before
// deduplication, the options they read, and how the identifier column is chosen.

import { UsageError } from '../../errors.js';

/** What the identifiers of an input are. Emails are looked up (src/api/email-lookup.ts) and the run then works by person UUID. */
export type IdKind = 'distinct_id' | 'uuid' | 'email';

/** How identifiers of a kind are sent: emails are resolved to persons first, then sent by UUID. */
export function sentAs(kind: IdKind): 'uuid' | 'distinct_id' {
  return kind === 'email' ? 'uuid' : kind;
}

/** One data line or record as a format reader saw it. An empty `id` marks a blank row. */
export interface RawRow {
  line: number;
  id: string;
  properties?: Record<string, unknown>;
}

export interface ParseContext {
  /** The file path as the user gave it, or "stdin": every message starts with it. */
  name: string;
  /** --by: the kind the user named, if any. A column's name decides otherwise (see kindOfColumn). */
  by?: IdKind;
  column?: string;
  withProperties: boolean;
  jsonValues: boolean;
}

/** Filled in by the readers once they know which column holds the identifier, and what kind it is. */
export interface ParseState {
  column?: string;
  kind?: IdKind;
}

/** Rows are handed on in groups: one await per group rather than one per row keeps large files fast. */
export const ROW_GROUP_SIZE = 512;

/**
 * The longest line (or CSV record) an input may hold. Identifiers and a row of properties are far
 * shorter; the limit turns a runaway line (a binary file, a 1 GB line) into a clear error naming the
 * line instead of exhausting memory.
 */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

/** The error for a line longer than MAX_LINE_CHARS. */
export function lineTooLong(name: string, line: number): UsageError {
  return new UsageError(
    `${name} line ${line}: longer than ${MAX_LINE_CHARS / (1024 * 1024)} MiB, the most one line may hold`,
    'Is this the right file? An identifier list holds one short identifier (or one row of properties) a line.',
  );
}

/**
 * Picks the identifier column among `names`: the one the user asked for; else `distinct_id`, then
 * `uuid`, then `person_uuid` (with --by uuid the UUID columns first; with --by email the `email`
 * column, and only it); else the only one. An `email` column among others is never picked
 * without --by email or --column: a file of emails and distinct_ids is read by distinct_id. An exact name wins over a case-insensitive match
 * (spreadsheets like `Distinct_ID`). Returns undefined when nothing fits; the caller words the
 * error for its format.
 */
export function chooseColumn(names: readonly string[], ctx: ParseContext): string | undefined {
  if (ctx.column !== undefined) return findName(names, ctx.column);
  // With --by uuid, a column of UUIDs is the one meant (distinct_id would contradict it).
  const order =
    ctx.by === 'uuid'
      ? ['uuid', 'person_uuid', 'distinct_id']
      : ctx.by === 'email'
        ? ['email']
        : ['distinct_id', 'uuid', 'person_uuid'];
  for (const wanted of order) {
    const found = findName(names, wanted);
    if (found !== undefined) return found;
  }
  return names.length === 1 ? names[0] : undefined;
}

/** The kind a column or key name says, if it says one. */
export function kindNamed(name: string): IdKind | undefined {
  const lower = name.toLowerCase();
  if (lower === 'uuid' || lower === 'person_uuid') return 'uuid';
  // `distinct_ids` is what `list --fields distinct_ids` writes: distinct_ids, one array a cell,
  // which the reader then refuses with the hint to export UUIDs.
  if (lower === 'distinct_id' || lower === 'distinct_ids') return 'distinct_id';
  if (lower === 'email') return 'email';
  return undefined;
}

const KIND_WORDS: Record<IdKind, string> = { uuid: 'person UUIDs', distinct_id: 'distinct_ids', email: 'emails' };
const KIND_FLAGS: Record<IdKind, string> = { uuid: '--by uuid', distinct_id: '--by distinct-id', email: '--by email' };

/**
 * What the identifiers of column (or JSON key) `name` are. `uuid` and `person_uuid` hold person
 * UUIDs and `distinct_id` distinct_ids, whatever --by says (a --by that contradicts the name is an
 * error: one of the two is a mistake, and guessing which could erase the wrong persons). Any other
 * name takes --by; a CSV column needs it, a JSON Lines key defaults to distinct_ids.
 */
export function kindOfColumn(name: string, ctx: ParseContext, where: string, noun: 'column' | 'key'): IdKind {
  const named = kindNamed(name);
  const what = noun === 'column' ? `the column "${name}"` : `the key "${name}"`;
  if (named === undefined) {
    if (ctx.by !== undefined) return ctx.by;
    if (noun === 'key') return 'distinct_id';
    throw new UsageError(
      `${where}: ${what} does not say whether it holds distinct_ids or person UUIDs`,
      'Pass --by distinct-id, --by uuid or --by email (or name the column distinct_id or uuid).',
    );
  }
  // Some projects use the email as the distinct_id: an explicit --by distinct-id (or uuid) reads an
  // `email` column as that kind; without --by it holds emails, looked up by the email property.
  if (named === 'email' && ctx.by !== undefined) return ctx.by;
  if (ctx.by !== undefined && ctx.by !== named) {
    throw new UsageError(
      `${where}: ${what} holds ${KIND_WORDS[named]}, but ${KIND_FLAGS[ctx.by]} says ${KIND_WORDS[ctx.by]}`,
      `Drop ${KIND_FLAGS[ctx.by]} to send them as ${KIND_WORDS[named]}, or pick the ${noun} that holds ${KIND_WORDS[ctx.by]} with --column NAME.`,
    );
  }
  return named;
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
