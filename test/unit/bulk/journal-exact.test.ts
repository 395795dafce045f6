// A journal line keeps an integer past 2^53 (a --json value sent, a number in a server answer)
// as its digits, like every other machine format, not as the marker ExactNumber uses internally.
import { describe, expect, it } from 'vitest';
import { serializeEntry } from '../../../src/bulk/journal/redact.js';
import { ExactNumber } from '../../../src/json/exact.js';

const BIG = '12345678901234567890';

describe('journal lines with exact numbers', () => {
  it('writes them as JSON numbers, digit for digit', () => {
    const line = serializeEntry({ type: 'batch', ids: ['a'], sent: { n: new ExactNumber(BIG) }, response: { found: [new ExactNumber(BIG)], token: 'x' } });
    expect(line).toBe(`{"type":"batch","ids":["a"],"sent":{"n":${BIG}},"response":{"found":[${BIG}],"token":"[redacted]"}}`);
  });
});
