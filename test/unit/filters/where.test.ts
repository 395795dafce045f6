import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { parseWhere, parseWhereList, type PropertyFilter } from '../../../src/filters/where.js';

const person = (key: string, operator: string, value?: PropertyFilter['value']): PropertyFilter =>
  value === undefined ? { key, operator, type: 'person' } : { key, value, operator, type: 'person' };

const SYNTAX_HELP =
  'use KEY=VALUE, KEY!=VALUE, KEY~VALUE, KEY!~VALUE, KEY>N, KEY>=N, KEY<N, KEY<=N, KEY=* or KEY!=*';

describe('parseWhere: valid expressions', () => {
  it.each<[string, PropertyFilter]>([
    ['email=ada@example.com', person('email', 'exact', 'ada@example.com')],
    ['plan!=free', person('plan', 'is_not', 'free')],
    ['name~ada', person('name', 'icontains', 'ada')],
    ['name!~bot', person('name', 'not_icontains', 'bot')],
    ['age>30', person('age', 'gt', 30)],
    ['age>=30', person('age', 'gte', 30)],
    ['age<1.5', person('age', 'lt', 1.5)],
    ['age<=-2', person('age', 'lte', -2)],
    ['score>1e3', person('score', 'gt', 1000)],
    ['score>.5', person('score', 'gt', 0.5)],
    ['score<+7.', person('score', 'lt', 7)],
    ['age > 30 ', person('age', 'gt', 30)],
    ['email=*', person('email', 'is_set', 'is_set')],
    ['email!=*', person('email', 'is_not_set', 'is_not_set')],
    // Operator characters after the first operator belong to the value.
    ['url=https://x.com/?a=b', person('url', 'exact', 'https://x.com/?a=b')],
    ['k=v!=w', person('k', 'exact', 'v!=w')],
    ['k~a>b', person('k', 'icontains', 'a>b')],
    ['k!=>=', person('k', 'is_not', '>=')],
    ['age=>5', person('age', 'exact', '>5')],
    // `*` is only special alone; `\*` is a literal star, and one backslash is removed per escape.
    ['email=\\*', person('email', 'exact', '*')],
    ['email!=\\*', person('email', 'is_not', '*')],
    ['email=\\\\*', person('email', 'exact', '\\*')],
    ['email=**', person('email', 'exact', '**')],
    ['email=a*', person('email', 'exact', 'a*')],
    ['email=\\a', person('email', 'exact', '\\a')],
    ['name~*', person('name', 'icontains', '*')],
    // The key is trimmed, the value is literal.
    ['  first name =Bob', person('first name', 'exact', 'Bob')],
    ['name= Bob ', person('name', 'exact', ' Bob ')],
    ['name=', person('name', 'exact', '')],
    ['name!=', person('name', 'is_not', '')],
    ['a!b=c', person('a!b', 'exact', 'c')],
    ['$browser=Chrome', person('$browser', 'exact', 'Chrome')],
    ['plan=3', person('plan', 'exact', '3')],
    ['bio~multi\nline', person('bio', 'icontains', 'multi\nline')],
  ])('%j', (expression, filter) => {
    expect(parseWhere(expression)).toEqual(filter);
  });

  it('parses a list in order', () => {
    expect(parseWhereList(['plan=pro', 'age>=18'])).toEqual([
      person('plan', 'exact', 'pro'),
      person('age', 'gte', 18),
    ]);
    expect(parseWhereList([])).toEqual([]);
  });
});

describe('parseWhere: malformed expressions', () => {
  const notNumber = (value: string) => `${JSON.stringify(value)} is not a number (>, >=, <, <= compare numbers)`;
  const emptyValue = (token: string) =>
    `the value is empty (${token} matches a substring; use KEY=* or KEY!=* to test whether a property is set)`;

  it.each([
    ['plan', `no operator; ${SYNTAX_HELP}`],
    ['', `no operator; ${SYNTAX_HELP}`],
    ['a!', `no operator; ${SYNTAX_HELP}`],
    ['=foo', 'the property key is empty'],
    ['   =foo', 'the property key is empty'],
    ['!=x', 'the property key is empty'],
    ['>5', 'the property key is empty'],
    ['age>abc', notNumber('abc')],
    ['age>', notNumber('')],
    ['age>= ', notNumber(' ')],
    ['age<0x10', notNumber('0x10')],
    ['age<Infinity', notNumber('Infinity')],
    ['age<NaN', notNumber('NaN')],
    ['age<1e400', notNumber('1e400')],
    ['age<1,5', notNumber('1,5')],
    ['age<=1 2', notNumber('1 2')],
    ['age>=5=', notNumber('5=')],
    ['name~', emptyValue('~')],
    ['name!~', emptyValue('!~')],
  ])('%j', (expression, problem) => {
    expect(() => parseWhere(expression)).toThrow(UsageError);
    expect(() => parseWhere(expression)).toThrow(`invalid --where expression ${JSON.stringify(expression)}: ${problem}`);
  });

  it('shows control characters of the expression escaped', () => {
    expect(() => parseWhere('plan\n')).toThrow('invalid --where expression "plan\\n": no operator');
  });

  it('names the failing expression in a list', () => {
    expect(() => parseWhereList(['plan=pro', 'age>old'])).toThrow('invalid --where expression "age>old"');
  });

  it('exits 2', () => {
    try {
      parseWhere('plan');
      expect.unreachable();
    } catch (error) {
      expect((error as UsageError).exitCode).toBe(2);
    }
  });
});

describe('parseWhere: properties', () => {
  /** Keys the grammar can express: no operator character, and not ending in "!" (`a!` + `=` reads as `a` `!=`). */
  const expressibleKey = fc
    .string({ unit: fc.oneof(fc.constantFrom('!', ' ', '.', '$', '*', '\\'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) })
    .filter((key) => !/[=~<>]/.test(key) && !key.endsWith('!') && key.trim() !== '');

  const anyValue = fc.string({ unit: fc.oneof(fc.constantFrom('=', '~', '<', '>', '!', '*', '\\', ' '), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) });

  /** A filter the grammar can express, with how a user would write it. */
  const filterAndExpression = fc.oneof(
    fc.tuple(expressibleKey, fc.constantFrom('=', '!='), anyValue).map(([key, token, value]) => {
      const operator = token === '=' ? 'exact' : 'is_not';
      // A value that would read as "is set" (or as an escape) gets one more backslash.
      const written = /^\\*\*$/.test(value) ? `\\${value}` : value;
      return { filter: person(key.trim(), operator, value), expression: `${key}${token}${written}` };
    }),
    fc.tuple(expressibleKey, fc.constantFrom('~', '!~'), anyValue.filter((v) => v !== '')).map(([key, token, value]) => ({
      filter: person(key.trim(), token === '~' ? 'icontains' : 'not_icontains', value),
      expression: `${key}${token}${value}`,
    })),
    fc
      .tuple(expressibleKey, fc.constantFrom('>', '>=', '<', '<='), fc.double({ noNaN: true, noDefaultInfinity: true }))
      .map(([key, token, number]) => ({
        filter: person(key.trim(), { '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte' }[token]!, number === 0 ? 0 : number),
        expression: `${key}${token}${String(number)}`,
      })),
    fc.tuple(expressibleKey, fc.constantFrom('=', '!=')).map(([key, token]) => {
      const operator = token === '=' ? 'is_set' : 'is_not_set';
      return { filter: person(key.trim(), operator, operator), expression: `${key}${token}*` };
    }),
  );

  it('a filter written as an expression parses back to the same filter', () => {
    fc.assert(
      fc.property(filterAndExpression, ({ filter, expression }) => {
        expect(parseWhere(expression)).toEqual(filter);
      }),
      { numRuns: 2000 },
    );
  });

  it('comparisons reject anything that is not a decimal number', () => {
    const notANumber = fc.string().filter((value) => /[a-df-zA-DF-Z]/.test(value));
    fc.assert(
      fc.property(expressibleKey, fc.constantFrom('>', '>=', '<', '<='), notANumber, (key, token, value) => {
        expect(() => parseWhere(`${key}${token}${value}`)).toThrow(/is not a number/);
      }),
    );
  });

  it('a blank key is rejected whatever follows', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[ \t]*$/), fc.constantFrom('=', '!=', '~', '!~', '>', '>=', '<', '<='), anyValue, (key, token, value) => {
        expect(() => parseWhere(`${key}${token}${value}`)).toThrow(/the property key is empty/);
      }),
    );
  });

  it('any string either parses to a filter whose key holds no operator, or is a UsageError', () => {
    fc.assert(
      fc.property(anyValue, (expression) => {
        let filter: PropertyFilter;
        try {
          filter = parseWhere(expression);
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          return;
        }
        expect(filter.key).not.toMatch(/[=~<>]/);
        expect(filter.key).toBe(filter.key.trim());
        expect(filter.key).not.toBe('');
        expect(filter.type).toBe('person');
        expect(expression.startsWith(filter.key) || expression.trimStart().startsWith(filter.key)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
