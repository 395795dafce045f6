import { describe, expect, it } from 'vitest';
import { ExactNumber, parseExact, stringifyExact } from '../../../src/json/exact.js';

describe('exact JSON numbers', () => {
  it('keeps integers past 2^53 digit for digit, both ways', () => {
    const text = '{"n":12345678901234567890,"m":-9007199254740993,"small":42,"f":1.5}';
    const value = parseExact(text) as Record<string, unknown>;
    expect(value.n).toBeInstanceOf(ExactNumber);
    expect(String(value.n)).toBe('12345678901234567890');
    expect(value.small).toBe(42);
    expect(value.f).toBe(1.5);
    expect(stringifyExact(value)).toBe(text);
    expect(JSON.parse(JSON.stringify(JSON.parse(text))).n).not.toBe(12345678901234567890n.toString());
  });

  it('keeps floats with more digits than a double holds', () => {
    const text = '[0.10000000000000000555,1.0,2.5e3]';
    expect(stringifyExact(parseExact(text))).toBe('[0.10000000000000000555,1,2500]');
  });

  it('leaves long digit runs inside strings alone', () => {
    const value = parseExact('{"id":"12345678901234567890"}');
    expect(value).toEqual({ id: '12345678901234567890' });
  });

  it('a string cannot pose as an exact number', () => {
    const value = { s: '\u0000abcdef:1', n: new ExactNumber('99999999999999999999') };
    expect(JSON.parse(stringifyExact(value).replace('99999999999999999999', '0'))).toEqual({ s: '\u0000abcdef:1', n: 0 });
    expect(stringifyExact(value)).toContain(':99999999999999999999}');
  });

  it('reports invalid JSON like JSON.parse on both paths', () => {
    expect(() => parseExact('{"a":')).toThrow(SyntaxError);
    expect(() => parseExact('{"a":12345678901234567890,')).toThrow(SyntaxError);
  });

  it('indents like JSON.stringify', () => {
    expect(stringifyExact({ a: [new ExactNumber('12345678901234567890')] }, 2)).toBe('{\n  "a": [\n    12345678901234567890\n  ]\n}');
  });
});
