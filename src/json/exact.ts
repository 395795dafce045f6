// JSON that keeps every digit. JavaScript numbers are doubles, so JSON.parse turns
// 12345678901234567890 into 12345678901234567000, and a person property, a --json value or a
// JSON Lines identifier of that size would be changed on its way through the tool. Numbers that a
// double cannot hold exactly are kept as ExactNumber (their digits as written) and written back
// unchanged; every other number stays a plain number, so the common path is JSON.parse itself.
import { isSafeNumber, parse } from 'lossless-json';
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

// Any integer of at most 15 digits is exact in a double; only text with a longer run of digits
// can hold a number that is not, so everything else goes through JSON.parse unchanged.
const LONG_DIGITS = /[0-9]{16}/;

function parseNumber(text: string): number | ExactNumber {
  return isSafeNumber(text) ? Number(text) : new ExactNumber(text);
}

/** JSON.parse, except that numbers a double cannot hold exactly become ExactNumber. */
export function parseExact(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  try {
    return parse(text, null, parseNumber);
  } catch (error) {
    // Invalid JSON: let JSON.parse describe it, so messages are the same on both paths.
    JSON.parse(text);
    throw error;
  }
}

/** JSON.stringify that writes ExactNumber values as the digits they were read as. */
export function stringifyExact(value: unknown, space?: number): string {
  const text = JSON.stringify(value, null, space);
  if (text === undefined || !text.includes(ENCODED_MARKER)) return text;
  return text.replace(MARKED, '$1');
}
