import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { parsePropertiesJson } from '../../../src/filters/properties.js';

describe('parsePropertiesJson', () => {
  it('returns the filters as given, including other types and operators', () => {
    const filters = [
      { key: 'email', value: 'ada@example.com', operator: 'exact', type: 'person' },
      { key: 'plan', value: ['pro', 'team'] },
      { key: 'name', value: '^a', operator: 'regex', type: 'person' },
      { key: 'id', value: 12, type: 'cohort' },
      { key: "properties.seats > 3", type: 'hogql', operator: null },
    ];
    expect(parsePropertiesJson(JSON.stringify(filters))).toEqual(filters);
    expect(parsePropertiesJson(' [ ] ')).toEqual([]);
  });

  it.each([
    ['', /^--properties is not valid JSON: /],
    ['[{"key":"email",}]', /^--properties is not valid JSON: /],
    ["[{'key':'email'}]", /^--properties is not valid JSON: /],
    ['{"key":"email","value":"x"}', '--properties must be a JSON array of property filters, got an object'],
    ['null', '--properties must be a JSON array of property filters, got null'],
    ['"email"', '--properties must be a JSON array of property filters, got a string'],
    ['3', '--properties must be a JSON array of property filters, got a number'],
    ['["email"]', '--properties item 1 is not an object: "email"'],
    ['[{"key":"a"},null]', '--properties item 2 is not an object: null'],
    ['[[{"key":"a"}]]', '--properties item 1 is not an object: [{"key":"a"}]'],
    ['[{"value":"x"}]', '--properties item 1 has no "key" string: {"value":"x"}'],
    ['[{"key":3}]', '--properties item 1 has no "key" string: {"key":3}'],
    ['[{"key":""}]', '--properties item 1 has no "key" string: {"key":""}'],
    ['[{"key":"a","operator":1}]', '--properties item 1 has a non-string "operator": {"key":"a","operator":1}'],
    ['[{"key":"a","type":["person"]}]', '--properties item 1 has a non-string "type": {"key":"a","type":["person"]}'],
  ])('rejects %j', (raw, message) => {
    let caught: unknown;
    try {
      parsePropertiesJson(raw);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    if (typeof message === 'string') expect((caught as UsageError).message).toBe(message);
    else expect((caught as UsageError).message).toMatch(message);
  });

  it('suggests wrapping a single filter object in an array', () => {
    try {
      parsePropertiesJson('{"key":"email"}');
      expect.unreachable();
    } catch (error) {
      expect((error as UsageError).hint).toBe('wrap the filter in [ ]');
    }
  });
});
