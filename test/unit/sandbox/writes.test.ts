import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSandbox, uuidFromDistinctId, type PersonRecord, type Sandbox } from '../../../src/sandbox/index.js';
import { manualClock } from '../../helpers/manual-clock.js';
import { call, P } from './helpers.js';

const LAG = 120;
let sb: Sandbox;
// Write lag and the event batch run on this clock: the test moves it instead of sleeping.
const clock = manualClock();
beforeAll(async () => {
  sb = await startSandbox({ persons: 0, writeLagMs: LAG, clock });
});
afterAll(() => sb.close());

let n = 0;
function person(properties: Record<string, unknown> = { email: 'p@example.com', plan: 'free' }, distinctIds?: string[]): PersonRecord {
  n++;
  return sb.store.addPerson({ properties, distinctIds: distinctIds ?? [`anon-${n}-0000-0000-0000`, `user-${n}`] });
}

const swapped = (attr: string) => ({ attr, code: 'This field is required.', detail: 'required', type: 'validation_error' });

describe('property updates', () => {
  it('PATCH and PUT answer 202 with an empty body and merge after the lag', async () => {
    const p = person();
    const patch = await call(sb, `${P}/${p.uuid}/`, { method: 'PATCH', body: { properties: { plan: 'scale', age: 40 }, name: 'ignored' } });
    expect(patch.status).toBe(202);
    expect(patch.text).toBe('');
    expect((await call(sb, `${P}/${p.uuid}/`)).json.properties).toEqual({ email: 'p@example.com', plan: 'free' });
    expect(sb.store.pendingWrites()).toHaveLength(1);
    const put = await call(sb, `${P}/${p.pk}/`, { method: 'PUT', body: { properties: { city: 'Oslo' } } });
    expect(put.status).toBe(202);
    clock.advance(LAG + 30);
    expect((await call(sb, `${P}/${p.uuid}/`)).json.properties).toEqual({ email: 'p@example.com', plan: 'scale', age: 40, city: 'Oslo' });
    expect(sb.store.pendingWrites()).toHaveLength(0);
    const activity = sb.store.activity()[0]!;
    expect(activity.activity).toBe('updated');
    expect(activity.itemId).toBe(String(p.pk));
  });

  it('answers the swapped-code 400 when properties are missing', async () => {
    const p = person();
    const answer = await call(sb, `${P}/${p.uuid}/`, { method: 'PATCH', body: { name: 'x' } });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual(swapped('properties'));
  });

  it('update_property sets one key (null allowed) and checks key and value', async () => {
    const p = person();
    const set = await call(sb, `${P}/${p.uuid}/update_property/`, { method: 'POST', body: { key: 'plan', value: null } });
    expect(set.status).toBe(202);
    expect(set.text).toBe('');
    expect((await call(sb, `${P}/${p.uuid}/update_property/`, { method: 'POST', body: { value: 1 } })).json).toEqual(swapped('key'));
    expect((await call(sb, `${P}/${p.uuid}/update_property/`, { method: 'POST', body: { key: 'a' } })).json).toEqual(swapped('value'));
    clock.advance(LAG + 30);
    expect(sb.store.person(p.uuid)!.properties).toEqual({ email: 'p@example.com', plan: null });
  });

  it('visible on the next request when writeLagMs is 0', async () => {
    sb.setOptions({ writeLagMs: 0 });
    try {
      const p = person();
      await call(sb, `${P}/${p.uuid}/`, { method: 'PATCH', body: { properties: { plan: 'enterprise' } } });
      expect((await call(sb, `${P}/${p.uuid}/`)).json.properties.plan).toBe('enterprise');
    } finally {
      sb.setOptions({ writeLagMs: LAG });
    }
  });
});

describe('delete_property', () => {
  it('removes one key or a list of keys: 201 {"success":true}', async () => {
    const p = person({ a: 1, b: 2, c: 3, d: 4 });
    const one = await call(sb, `${P}/${p.uuid}/delete_property/`, { method: 'POST', body: { $unset: 'a' } });
    expect(one.status).toBe(201);
    expect(one.json).toEqual({ success: true });
    const many = await call(sb, `${P}/${p.uuid}/delete_property/`, { method: 'POST', body: { $unset: ['b', 'c', 'zz'] } });
    expect(many.status).toBe(201);
    expect(sb.store.person(p.uuid)!.properties).toEqual({ a: 1, b: 2, c: 3, d: 4 });
    clock.advance(LAG + 30);
    expect(sb.store.person(p.uuid)!.properties).toEqual({ d: 4 });
    expect(sb.store.activity()[0]!.activity).toBe('delete_property');
  });

  it('rejects invalid $unset values and persons without distinct ids', async () => {
    const p = person();
    const detail = "Provide '$unset' as a property key or a non-empty list of property keys.";
    for (const body of [{}, { $unset: [] }, { $unset: 5 }, { $unset: '' }, { $unset: Array.from({ length: 1001 }, (_, i) => `k${i}`) }]) {
      const answer = await call(sb, `${P}/${p.uuid}/delete_property/`, { method: 'POST', body });
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual({ type: 'validation_error', code: 'invalid_input', detail, attr: '$unset' });
    }
    const orphan = person({ email: 'o@example.com' }, []);
    const answer = await call(sb, `${P}/${orphan.uuid}/delete_property/`, { method: 'POST', body: { $unset: 'email' } });
    expect(answer.status).toBe(400);
    expect(answer.json.detail).toBe("This person has no distinct IDs, so its properties can't be removed.");
  });
});

describe('split', () => {
  it('moves every other distinct id to new persons with derived UUIDs, after the lag', async () => {
    const p = person({ email: 'split@example.com' }, ['keep-me', 'move-1', 'move-2']);
    const answer = await call(sb, `${P}/${p.uuid}/split/`, { method: 'POST', body: { main_distinct_id: 'keep-me' } });
    expect(answer.status).toBe(201);
    expect(answer.json).toEqual({ success: true });
    expect(sb.store.byDistinctId('move-1')!.uuid).toBe(p.uuid);
    clock.advance(LAG + 30);
    const moved = sb.store.byDistinctId('move-1')!;
    expect(moved.uuid).toBe(uuidFromDistinctId(1, 'move-1'));
    expect(moved.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(moved.properties).toEqual({});
    const original = (await call(sb, `${P}/${p.uuid}/`)).json;
    expect(original.distinct_ids).toEqual(['keep-me']);
    expect(original.properties).toEqual({ email: 'split@example.com' });
    const entry = sb.store.activity()[0]!;
    expect(entry.activity).toBe('split_person');
    expect(entry.changes![0]!.after).toEqual({ distinct_ids: ['keep-me', 'move-1', 'move-2'] });
  });

  it('moves only distinct_ids_to_split, and validates it', async () => {
    const p = person({}, ['one', 'two', 'three']);
    const split = (body: unknown) => call(sb, `${P}/${p.uuid}/split/`, { method: 'POST', body });
    const error = (detail: string) => ({ type: 'validation_error', code: 'invalid_input', detail, attr: 'distinct_ids_to_split' });
    expect((await split({ distinct_ids_to_split: 'two' })).json).toEqual(error('must be a list of strings'));
    expect((await split({ distinct_ids_to_split: [] })).json).toEqual(error('must not be empty'));
    expect((await split({ distinct_ids_to_split: ['two'], main_distinct_id: 'one' })).status).toBe(400);
    const unknown = await split({ distinct_ids_to_split: ['two', 'x'] });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual(error("not on this person: ['x']"));
    expect((await split({ distinct_ids_to_split: ['two'] })).status).toBe(201);
    clock.advance(LAG + 30);
    expect(sb.store.person(p.uuid)!.distinctIds).toEqual(['one', 'three']);
    expect(sb.store.byDistinctId('two')!.uuid).toBe(uuidFromDistinctId(1, 'two'));
  });
});
