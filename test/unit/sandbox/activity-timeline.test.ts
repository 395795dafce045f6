import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SANDBOX_KEYS, startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { call, filterQuery, P } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ persons: 40, writeLagMs: 0 });
});
afterAll(() => sb.close());

describe('activity', () => {
  it('pages all persons’ activity newest first with page/limit links', async () => {
    const first = await call(sb, `${P}/activity/?limit=3`);
    expect(first.status).toBe(200);
    expect(Object.keys(first.json)).toEqual(['results', 'next', 'previous', 'total_count']);
    expect(first.json.total_count).toBe(8);
    expect(first.json.results).toHaveLength(3);
    expect(first.json.next).toBe(`${sb.url}${P}/activity/?limit=3&page=2`);
    expect(first.json.previous).toBeNull();
    const second = await call(sb, `${P}/activity/?limit=3&page=2`);
    expect(second.json.previous).toBe(`${sb.url}${P}/activity/?limit=3&page=1`);
    const entry = first.json.results[0];
    expect(Object.keys(entry)).toEqual(['id', 'user', 'activity', 'scope', 'item_id', 'detail', 'created_at']);
    expect(entry.scope).toBe('Person');
    expect(Object.keys(entry.detail)).toEqual(['id', 'changes', 'merge', 'trigger', 'name', 'short_id', 'type']);
    const times = [...first.json.results, ...second.json.results].map((e: { created_at: string }) => e.created_at);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('validates page and limit', async () => {
    for (const query of ['page=0', 'limit=abc', 'page=-1']) {
      const answer = await call(sb, `${P}/activity/?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.json.type).toBe('validation_error');
    }
  });

  it('shows one person’s activity, and a deleted person’s only through /activity/', async () => {
    const person = sb.store.persons()[5]!;
    await call(sb, `${P}/${person.uuid}/`, { method: 'PATCH', body: { properties: { plan: 'scale' } } });
    const own = await call(sb, `${P}/${person.uuid}/activity/`);
    expect(own.json.results[0].activity).toBe('updated');
    expect(own.json.results[0].item_id).toBe(String(person.pk));
    expect(own.json.results[0].user).toEqual({ first_name: 'Sandbox', email: 'sandbox@example.com' });
    expect(own.json.results.every((e: { item_id: string }) => e.item_id === String(person.pk))).toBe(true);

    await call(sb, `${P}/${person.uuid}/`, { method: 'DELETE' });
    expect((await call(sb, `${P}/${person.uuid}/activity/`)).status).toBe(404);
    const all = await call(sb, `${P}/activity/?limit=1`);
    expect(all.json.results[0].activity).toBe('deleted');
    expect(all.json.results[0].detail.name).toBe(person.uuid);
  });
});

describe('properties_timeline', () => {
  const legacy = { key: SANDBOX_KEYS.legacy };

  it('emits a point each time a crucial property changes', async () => {
    const person = sb.store.addPerson({ properties: { plan: 'free', email: 't@example.com' }, distinctIds: ['timeline'], createdAt: Date.now() - 60_000 });
    await call(sb, `${P}/${person.uuid}/`, { method: 'PATCH', body: { properties: { plan: 'scale' } } });
    await call(sb, `${P}/${person.uuid}/`, { method: 'PATCH', body: { properties: { name: 'Tim' } } });
    await call(sb, `${P}/`); // applies the pending write

    const keyed = await call(sb, `${P}/${person.uuid}/properties_timeline/?${filterQuery([{ key: 'plan', value: 'x' }])}`, legacy);
    expect(keyed.status).toBe(200);
    expect(keyed.json.crucial_property_keys).toEqual(['plan']);
    expect(keyed.json.points.map((p: { properties: { plan: string }; relevant_event_count: number }) => [p.properties.plan, p.relevant_event_count])).toEqual([
      ['free', 1],
      ['scale', 2],
    ]);
    expect(keyed.json.effective_date_from).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);

    const unkeyed = await call(sb, `${P}/${person.uuid}/properties_timeline/`, legacy);
    expect(unkeyed.json.crucial_property_keys).toEqual([]);
    expect(unkeyed.json.points).toHaveLength(1);
    expect(unkeyed.json.points[0].relevant_event_count).toBe(3);

    const future = await call(sb, `${P}/${person.uuid}/properties_timeline/?date_from=2999-01-01&date_to=2999-01-02`, legacy);
    expect(future.json.points).toEqual([]);
  });

  it('has a seeded history ending with the current properties', async () => {
    const person = sb.store.byDistinctId('jose.alvarez')!;
    const answer = await call(sb, `${P}/${person.uuid}/properties_timeline/?date_from=all&${filterQuery([{ key: 'plan' }, { key: 'age' }])}`, legacy);
    expect(answer.json.crucial_property_keys).toEqual(['age', 'plan']);
    const points = answer.json.points;
    expect(points.length).toBeGreaterThanOrEqual(1);
    expect(points.at(-1).properties).toEqual(person.properties);
    const times = points.map((p: { timestamp: string }) => p.timestamp);
    expect([...times].sort()).toEqual(times);
  });
});
