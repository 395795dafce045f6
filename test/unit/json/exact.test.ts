import fc from 'fast-check';
import { isSafeNumber, parse as losslessParse } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { ExactNumber, hasLongDigitRun, parseExact, stringifyExact } from '../../../src/json/exact.js';

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

describe('parseExact against a general lossless parser', () => {
  // lossless-json parses every number and keeps the unsafe ones as text: the reference.
  const reference = (text: string) =>
    losslessParse(text, null, (digits: string) => (isSafeNumber(digits) ? Number(digits) : new ExactNumber(digits)));

  const big = fc.oneof(
    fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map((n) => new ExactNumber(n.toString())),
    fc.constantFrom('9007199254740993', '-9007199254740993', '0.10000000000000000555', '1.2345678901234567e+30', '9007199254740992.0').map((t) => new ExactNumber(t)),
  );
  const text = fc.string({ unit: fc.constantFrom('1', '2', '0', '"', '\\', ':', ',', '{', '[', ' ', 'a', '\n') });
  const digitString = fc.bigInt({ min: 0n, max: 10n ** 25n }).map((n) => n.toString());
  const value = fc.letrec((tie) => ({
    leaf: fc.oneof(big, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), text, digitString),
    node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.oneof(text, digitString), tie('node'), { maxKeys: 4 })),
  })).node;

  it('gives the same values, exact numbers included (property)', () => {
    fc.assert(
      fc.property(value, fc.constantFrom(undefined, 2), (v, space) => {
        const json = stringifyExact(v, space);
        const ours = parseExact(json);
        // Compared as text: the reference also keeps large doubles that JSON.parse reads exactly
        // (1.8e+186) as text, which prints the same.
        expect(stringifyExact(ours)).toBe(stringifyExact(reference(json)));
      }),
      { numRuns: 2000 },
    );
  });

  it('throws exactly when JSON.parse throws (property)', () => {
    const soup = fc.string({ unit: fc.constantFrom('12345678901234567890', '1', '-', '.', 'e', '"', '\\', ':', ',', '{', '}', '[', ']', ' ', 'a', 'true') , maxLength: 12 });
    fc.assert(
      fc.property(soup, (t) => {
        let expected: unknown;
        try {
          JSON.parse(t);
        } catch (error) {
          expected = error;
        }
        if (expected) expect(() => parseExact(t)).toThrow((expected as Error).message);
        else expect(() => parseExact(t)).not.toThrow();
      }),
      { numRuns: 3000 },
    );
  });

  it('finds a run of 16 digits wherever it is, and only then', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('1', '9', '0', 'x', '-', '"') , maxLength: 80 }), (t) => {
        expect(hasLongDigitRun(t)).toBe(/[0-9]{16}/.test(t));
      }),
      { numRuns: 5000 },
    );
  });

  it('keys that look like big numbers and digit strings stay as they are', () => {
    const value = parseExact('{"12345678901234567890":"98765432109876543210","n":[12345678901234567890]}') as Record<string, unknown>;
    expect(value['12345678901234567890']).toBe('98765432109876543210');
    expect(String((value.n as unknown[])[0])).toBe('12345678901234567890');
    expect(() => parseExact('{12345678901234567890:1}')).toThrow(SyntaxError);
    expect(() => parseExact('[012345678901234567890]')).toThrow(SyntaxError);
    // Duplicate keys: the last one wins, as with JSON.parse.
    expect(parseExact('{"a":1,"a":12345678901234567890}')).toEqual({ a: new ExactNumber('12345678901234567890') });
    expect(parseExact('{"a":12345678901234567890,"a":1}')).toEqual({ a: 1 });
    expect(parseExact('12345678901234567890')).toEqual(new ExactNumber('12345678901234567890'));
    expect(parseExact('{"k\\"\\\\":[0,{"x":[12345678901234567890]}]}')).toEqual({ 'k"\\': [0, { x: [new ExactNumber('12345678901234567890')] }] });
  });
});
