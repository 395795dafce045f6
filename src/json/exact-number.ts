// ExactNumber and stringifyExact, without the lossless parser: modules loaded with the command
// tree (which must stay free of dependencies for a fast start) print exact numbers through this
// file; parsing them (src/json/exact.ts) is for the modules loaded when a command runs.
import { randomBytes } from 'node:crypto';

/** A JSON number a double cannot hold exactly, kept as the text it was written as. */
export class ExactNumber {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
  /** Only for arithmetic comparisons; printing and sending use `text`. */
  valueOf(): number {
    return Number(this.text);
  }
  toJSON(): string {
    return MARKER + this.text;
  }
}

export function isExactNumber(value: unknown): value is ExactNumber {
  return value instanceof ExactNumber;
}

// JSON.stringify cannot write a raw number from an object, so ExactNumber serialises as a string
// holding this marker and the digits, and stringifyExact unquotes it. The marker starts with NUL
// and carries a per-process random part, so no string from a server or a file can pose as one.
const NONCE = randomBytes(6).toString('hex');
const MARKER = `\u0000${NONCE}:`;
const ENCODED_MARKER = `"\\u0000${NONCE}:`;
const MARKED = new RegExp(`"\\\\u0000${NONCE}:(-?[0-9.eE+-]+)"`, 'g');

/**
 * JSON.stringify that writes ExactNumber values as the digits they were read as. A replacer, if
 * given, sees an ExactNumber as its marked string and should pass it through unchanged.
 */
export function stringifyExact(
  value: unknown,
  space?: number,
  replacer?: (this: unknown, key: string, value: unknown) => unknown,
): string {
  const text = replacer ? JSON.stringify(value, replacer, space) : JSON.stringify(value, null, space);
  if (text === undefined || !text.includes(ENCODED_MARKER)) return text;
  return text.replace(MARKED, '$1');
}
