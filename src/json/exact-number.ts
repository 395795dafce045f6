// ExactNumber and stringifyExact, without the lossless parser: modules loaded with the command
// tree (which must stay free of dependencies for a fast start) print exact numbers through this
// file; parsing them (src/json/exact.ts) is for the modules loaded when a command runs.
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
    return marker().text + this.text;
  }
}

export function isExactNumber(value: unknown): value is ExactNumber {
  return value instanceof ExactNumber;
}

// JSON.stringify cannot write a raw number from an object, so ExactNumber serialises as a string
// holding this marker and the digits, and stringifyExact unquotes it. The marker starts with NUL
// and carries a per-process random part, so no string from a server or a file can pose as one.
// It is made on first use (Web Crypto, a global), so loading this file costs nothing at start-up.
let made: { text: string; encoded: string; pattern: RegExp } | undefined;

function marker(): { text: string; encoded: string; pattern: RegExp } {
  if (made === undefined) {
    const bytes = new Uint8Array(6);
    globalThis.crypto.getRandomValues(bytes);
    const nonce = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
    made = {
      text: `\u0000${nonce}:`,
      encoded: `"\\u0000${nonce}:`,
      pattern: new RegExp(`"\\\\u0000${nonce}:(-?[0-9.eE+-]+)"`, 'g'),
    };
  }
  return made;
}

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
  // No marker yet means no ExactNumber was ever written, this call included.
  if (text === undefined || made === undefined || !text.includes(made.encoded)) return text;
  return text.replace(made.pattern, '$1');
}
