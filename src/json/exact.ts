// JSON that keeps every digit. JavaScript numbers are doubles, so JSON.parse turns
// 12345678901234567890 into 12345678901234567000, and a person property, a --json value or a
// JSON Lines identifier of that size would be changed on its way through the tool. Numbers that a
// double cannot hold exactly are kept as ExactNumber (their digits as written) and written back
// unchanged; every other number stays a plain number, so the common path is JSON.parse itself.
import { isSafeNumber, parse } from 'lossless-json';
import { ExactNumber } from './exact-number.js';

export { ExactNumber, isExactNumber, stringifyExact } from './exact-number.js';

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
