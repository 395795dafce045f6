// The sandbox's --generation: each answer below is how that PostHog generation behaves
// (docs/posthog-versions.md). One sandbox, switched between generations with setOptions.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { GENERATIONS, startSandbox, type Generation, type PersonRecord, type Sandbox } from '../../../src/sandbox/index.js';
import { call, P } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ persons: 0, writeLagMs: 0 });
});
beforeEach(() => sb.setOptions({ generation: 'newest', deleteMode: 'sync' }));
afterAll(() => sb.close());

let n = 0;
function person(properties: Record<string, unknown> = { a: 1, b: 2, c: 3 }): PersonRecord {
  n++;
  return sb.store.addPerson({ properties, distinctIds: [`gen-${n}-first`, `gen-${n}-second`] });
}
const post = (path: string, body: unknown) => call(sb, path, { method: 'POST', body });
const propsOf = (p: PersonRecord) => {
  sb.store.tick();
  return sb.store.person(p.uuid)!.properties;
};
const MISSING = '01900000-0000-7000-8000-00000000dead';
const SERVER_ERROR = { type: 'server_error', code: 'error', detail: 'A server error occurred.', attr: null };

describe('delete_property', () => {
  it.each<[Generation, number, unknown, Record<string, unknown>]>([
    ['newest', 201, { success: true }, { c: 3 }],
    ['mid', 500, SERVER_ERROR, { a: 1, b: 2, c: 3 }],
    ['older', 201, { success: true }, { a: 1, b: 2, c: 3 }],
  ])('%s: a list of keys answers %i and removes what it says', async (generation, status, body, left) => {
    sb.setOptions({ generation });
    const p = person();
    const answer = await post(`${P}/${p.uuid}/delete_property/`, { $unset: ['a', 'b'] });
    expect([answer.status, answer.json]).toEqual([status, body]);
    expect(propsOf(p)).toEqual(left);
  });

  it.each(GENERATIONS)('%s: one key is removed', async (generation) => {
    sb.setOptions({ generation });
    const p = person();
    const answer = await post(`${P}/${p.uuid}/delete_property/`, { $unset: 'b' });
    expect([answer.status, answer.json]).toEqual([201, { success: true }]);
    expect(propsOf(p)).toEqual({ a: 1, c: 3 });
  });

  it.each(GENERATIONS)('%s: a person that does not exist is a 500, not a 404', async (generation) => {
    sb.setOptions({ generation });
    const answer = await post(`${P}/${MISSING}/delete_property/`, { $unset: 'a' });
    expect([answer.status, answer.json]).toEqual([500, SERVER_ERROR]);
  });

  it('no $unset: 400 on the newest, a 500 (KeyError) on the others', async () => {
    const p = person();
    const statuses = [];
    for (const generation of GENERATIONS) {
      sb.setOptions({ generation });
      statuses.push((await post(`${P}/${p.uuid}/delete_property/`, {})).status);
    }
    expect(statuses).toEqual([400, 500, 500]);
  });
});

describe('update_property with a null value', () => {
  it.each<[Generation, number]>([
    ['newest', 202],
    ['mid', 202],
    ['older', 400],
  ])('%s answers %i', async (generation, status) => {
    sb.setOptions({ generation });
    const p = person();
    const answer = await post(`${P}/${p.uuid}/update_property/`, { key: 'a', value: null });
    expect(answer.status).toBe(status);
    if (status === 400) {
      expect(answer.json).toEqual({ attr: 'value', code: 'This field is required.', detail: 'required', type: 'validation_error' });
      expect(propsOf(p)).toEqual({ a: 1, b: 2, c: 3 });
    } else {
      expect(propsOf(p)).toEqual({ a: null, b: 2, c: 3 });
    }
    // PATCH with a null value works everywhere
    expect((await call(sb, `${P}/${p.uuid}/`, { method: 'PATCH', body: { properties: { b: null } } })).status).toBe(202);
    expect(propsOf(p).b).toBeNull();
  });
});

describe('split', () => {
  it.each<[Generation, Record<string, unknown>]>([
    ['newest', { a: 1, b: 2, c: 3 }],
    ['mid', { a: 1, b: 2, c: 3 }],
    ['older', {}],
  ])('%s without main_distinct_id: the person keeps its first distinct_id, properties %j', async (generation, left) => {
    sb.setOptions({ generation });
    const p = person();
    expect((await post(`${P}/${p.uuid}/split/`, {})).status).toBe(201);
    expect(propsOf(p)).toEqual(left);
    expect(sb.store.person(p.uuid)!.distinctIds).toEqual([`gen-${n}-first`]);
  });

  it.each(GENERATIONS)('%s with main_distinct_id: properties kept', async (generation) => {
    sb.setOptions({ generation });
    const p = person();
    expect((await post(`${P}/${p.uuid}/split/`, { main_distinct_id: `gen-${n}-first` })).status).toBe(201);
    expect(propsOf(p)).toEqual({ a: 1, b: 2, c: 3 });
    expect(sb.store.person(p.uuid)!.distinctIds).toEqual([`gen-${n}-first`]);
  });
});

describe('bulk_delete answers', () => {
  it('newest: the six-field summary; mid: no persons_queued_for_deletion; older: an empty 202', async () => {
    const answers = [];
    for (const generation of GENERATIONS) {
      sb.setOptions({ generation });
      const p = person();
      const answer = await post(`${P}/bulk_delete/`, { ids: [p.uuid] });
      answers.push([answer.status, answer.text === '' ? '' : answer.json]);
      expect(sb.store.person(p.uuid)).toBeUndefined();
    }
    const common = { persons_found: 1, persons_deleted: 1, events_queued_for_deletion: false, recordings_queued_for_deletion: false, deletion_errors: [] };
    expect(answers).toEqual([
      [202, { ...common, persons_queued_for_deletion: 0 }],
      [202, common],
      [202, ''],
    ]);
  });

  it('async mode belongs to the newest generation only', async () => {
    sb.setOptions({ generation: 'mid', deleteMode: 'async' });
    const p = person();
    const answer = await post(`${P}/bulk_delete/`, { ids: [p.uuid] });
    expect(answer.json).toMatchObject({ persons_found: 1, persons_deleted: 1 });
    expect(sb.store.person(p.uuid)).toBeUndefined();
  });
});

describe('deletion_status', () => {
  it('older: no such route, the id segment "deletion_status" is not a person id (400)', async () => {
    sb.setOptions({ generation: 'older' });
    const answer = await call(sb, `${P}/deletion_status/`);
    expect(answer.status).toBe(400);
    expect(answer.json.detail).toBe(
      'The ID provided does not look like a personID. If you are using a distinctId, please use /persons?distinct_id=deletion_status instead.',
    );
    sb.setOptions({ generation: 'mid' });
    expect((await call(sb, `${P}/deletion_status/`)).status).toBe(200);
  });
});

describe('options', () => {
  it('legacy: true is the older generation', async () => {
    const old = await startSandbox({ persons: 0, legacy: true });
    try {
      const p = old.store.addPerson({ properties: { a: 1 }, distinctIds: ['x1', 'x2'] });
      expect((await call(old, `${P}/bulk_delete/`, { method: 'POST', body: { ids: [p.uuid] } })).text).toBe('');
    } finally {
      await old.close();
    }
  });
});

describe('throttles', () => {
  it('older: 180 requests a minute per user even with rate limiting off; the newest has no such limit', async () => {
    const p = person();
    sb.setOptions({ rateLimit: 0 }); // forget the requests of the tests above
    try {
      sb.setOptions({ generation: 'newest' });
      for (let i = 0; i < 200; i++) expect((await call(sb, `${P}/${p.uuid}/`)).status).toBe(200);
      sb.setOptions({ generation: 'older' });
      for (let i = 0; i < 180; i++) expect((await call(sb, `${P}/${p.uuid}/`)).status).toBe(200);
      const throttled = await call(sb, `${P}/${p.uuid}/`);
      expect(throttled.status).toBe(429);
      expect(throttled.json.type).toBe('throttled_error');
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      sb.setOptions({ rateLimit: 0 }); // forgets the recorded requests
    }
  });
});
