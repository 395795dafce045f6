// How one field value becomes text in each format. json/jsonl keep values as they are; these
// helpers are for the text formats, where every cell must be a single string. Integers a double
// cannot hold arrive as ExactNumber (src/json/exact.ts) and are printed as their digits everywhere.

import { isExactNumber, stringifyExact } from '../json/exact.js';

/**
 * The text of a value in a table cell. Arrays of plain values are joined with commas (how a
 * table shows `distinct_ids`, for people to read); anything nested is JSON so that no
 * information is lost. Times stay the ISO strings the API sent.
 */
export function plainText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (isExactNumber(value)) return value.text;
  if (Array.isArray(value) && value.every(isPlainScalar)) {
    return value.map((item) => plainText(item)).join(',');
  }
  return stringifyExact(value);
}

/**
 * The text of a value in a csv or tsv cell, or null for an empty cell. Arrays and objects are
 * JSON, never joined: a distinct_id may itself hold a comma, so `["a,b","c"]` keeps the element
 * boundaries and round-trips.
 */
export function csvText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (isExactNumber(value)) return value.text;
  return stringifyExact(value);
}

/** The value json/jsonl print for a selected field: JSON has no `undefined`, so absent is null. */
export function jsonValue(value: unknown): unknown {
  return value === undefined ? null : value;
}

function isPlainScalar(item: unknown): boolean {
  return typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean' || isExactNumber(item);
}

const TSV_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Escapes the characters that would break a tsv line (tab, newline, carriage return) and the
 * backslash itself, so every line splits on tabs back into exactly the original values.
 */
export function escapeTsv(text: string): string {
  return text.replace(/[\\\t\n\r]/g, (char) => TSV_ESCAPES[char]!);
}
