// How one field value becomes text in each format. json/jsonl keep values as they are; these
// helpers are for the text formats, where every cell must be a single string.

/**
 * The text of a value in table and tsv cells. Arrays of plain values are joined with commas (the
 * contract's `distinct_ids` rendering); anything nested is JSON so that no information is lost.
 * Times stay the ISO strings the API sent.
 */
export function plainText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (Array.isArray(value) && value.every(isPlainScalar)) {
    return value.map((item) => plainText(item)).join(',');
  }
  return JSON.stringify(value);
}

/**
 * The text of a value in a csv cell, or null for an empty cell. Unlike tsv, arrays are JSON here:
 * a csv cell may hold commas, so `["a,b","c"]` keeps the element boundaries and round-trips.
 */
export function csvText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return JSON.stringify(value);
}

/** The value json/jsonl print for a selected field: JSON has no `undefined`, so absent is null. */
export function jsonValue(value: unknown): unknown {
  return value === undefined ? null : value;
}

function isPlainScalar(item: unknown): boolean {
  return typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean';
}

const TSV_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const TSV_UNESCAPES: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r' };

/**
 * Escapes the characters that would break a tsv line (tab, newline, carriage return) and the
 * backslash itself, so every line splits on tabs back into exactly the original values.
 */
export function escapeTsv(text: string): string {
  return text.replace(/[\\\t\n\r]/g, (char) => TSV_ESCAPES[char]!);
}

/** The inverse of escapeTsv. A backslash before any other character is kept as it is. */
export function unescapeTsv(text: string): string {
  // The regex consumes escape pairs left to right, so `\\t` is an escaped backslash then a `t`.
  return text.replace(/\\([\\tnr])/g, (_match, char: string) => TSV_UNESCAPES[char]!);
}

/**
 * Makes a value safe to print in a table on a terminal: one line, and no control characters.
 * Person properties are written by whoever sends events, so an escape sequence in one could
 * otherwise move the cursor, recolour or retitle the user's terminal.
 */
export function terminalText(text: string): string {
  return escapeTsv(text).replace(
    // C0 controls (tab, LF and CR are already escaped above), DEL and the C1 controls.
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
