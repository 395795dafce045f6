import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { resolveFields } from '../../../src/output/columns.js';
import { personSchema } from '../../../src/output/person-schema.js';
import { createRenderer } from '../../../src/output/render.js';
import { ada, FakeTarget, retrieved } from './helpers.js';

const VALID =
  'valid fields: uuid, id, name, distinct_ids, created_at, last_seen_at, is_identified, properties, properties.<key>';

function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    return (error as UsageError).message;
  }
  throw new Error('expected a UsageError');
}

describe('resolveFields', () => {
  it('uses the default fields when --fields is not given', () => {
    const { fields, explicit } = resolveFields(personSchema, undefined);
    expect(fields.map((f) => f.name)).toEqual(['uuid', 'name', 'distinct_ids', 'created_at']);
    expect(explicit).toBe(false);
  });

  it('keeps the order given, trims names, and resolves dynamic properties.<key>', () => {
    const { fields, explicit } = resolveFields(personSchema, ' properties.email , id,properties ');
    expect(fields.map((f) => f.name)).toEqual(['properties.email', 'id', 'properties']);
    expect(explicit).toBe(true);
    expect(fields.map((f) => f.get(ada))).toEqual(['ada@example.com', ada.id, ada.properties]);
    expect(fields.map((f) => f.get(retrieved))).toEqual([undefined, 42, {}]);
  });

  it('reads a dotted property key as one key, and never the prototype', () => {
    const person = { ...ada, properties: { 'utm.source': 'news' } };
    const [dotted, proto, ctor] = resolveFields(
      personSchema,
      'properties.utm.source,properties.__proto__,properties.constructor',
    ).fields;
    expect(dotted!.get(person)).toBe('news');
    expect(proto!.get(person)).toBeUndefined();
    expect(ctor!.get(person)).toBeUndefined();
  });

  it.each([
    ['foo', `unknown field "foo" in --fields; ${VALID}`],
    ['uuid,UUID', `unknown field "UUID" in --fields; ${VALID}`],
    ['properties.', `unknown field "properties." in --fields; ${VALID}`],
    ['uuid,name,uuid', 'field "uuid" is given twice in --fields'],
    ['uuid,,name', '--fields "uuid,,name" has an empty field name; separate names with single commas'],
    ['uuid,', '--fields "uuid," has an empty field name; separate names with single commas'],
    ['', `--fields is empty; ${VALID}`],
    [' , ', `--fields is empty; ${VALID}`],
  ])('rejects --fields %j', (flag, message) => {
    expect(usageMessage(() => resolveFields(personSchema, flag))).toBe(message);
  });

  it('validates --fields when the renderer is created, before anything is written', () => {
    const out = new FakeTarget();
    expect(usageMessage(() => createRenderer({ format: 'json', schema: personSchema, fields: 'email', out }))).toBe(
      `unknown field "email" in --fields; ${VALID}`,
    );
    expect(out.chunks).toEqual([]);
  });
});
