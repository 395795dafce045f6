import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSandbox, type PersonRecord, type Sandbox } from '../../../src/sandbox/index.js';
import { manualClock } from '../../helpers/manual-clock.js';
import { call, P } from './helpers.js';

const LAG = 100;
const BATCH = 150;
let sb: Sandbox;
// Write lag and the event batch run on this clock: the test moves it instead of sleeping.
const clock = manualClock();
beforeAll(async () => {
  sb = await startSandbox({ persons: 0, writeLagMs: LAG, eventBatchMs: BATCH, clock });
});
afterAll(() => sb.close());

let n = 0;
function people(count: number): PersonRecord[] {
  return Array.from({ length: count }, () => {
    n++;
    return sb.store.addPerson({ properties: { email: `d${n}@example.com` }, distinctIds: [`del-${n}`] });
  });
}

const invalid = (detail: string) => ({ type: 'validation_error', code: 'invalid_input', detail, attr: null });
const bulk = (body: unknown) => call(sb, `${P}/bulk_delete/`, { method: 'POST', body });

describe('DELETE /{id}/', () => {
  it('answers 202 with an empty body, then 404', async () => {
    const [p] = people(1);
    const first = await call(sb, `${P}/${p!.uuid}/`, { method: 'DELETE' });
    expect(first.status).toBe(202);
    expect(first.text).toBe('');
    expect((await call(sb, `${P}/${p!.uuid}/`, { method: 'DELETE' })).status).toBe(404);
    const entry = sb.store.activity()[0]!;
    expect(entry.activity).toBe('deleted');
    expect(entry.name).toBe(p!.uuid);
  });

  it('treats query flags as presence-only', async () => {
    const [p] = people(1);
    await call(sb, `${P}/${p!.uuid}/?delete_events=false`, { method: 'DELETE' });
    expect(sb.store.deletionStatus().some((row) => row.person_uuid === p!.uuid)).toBe(true);
  });

  it('answers 204 in legacy mode', async () => {
    const [p] = people(1);
    sb.setOptions({ legacy: true });
    try {
      expect((await call(sb, `${P}/${p!.uuid}/`, { method: 'DELETE' })).status).toBe(204);
    } finally {
      sb.setOptions({ legacy: false });
    }
  });
});

describe('bulk_delete', () => {
  it('validates in PostHog’s order', async () => {
    sb.clearRequests();
    const many = Array.from({ length: 1001 }, (_, i) => `x${i}`);
    const both = await bulk({ ids: many, distinct_ids: many });
    expect(both.status).toBe(400);
    expect(both.json).toEqual(invalid('You must provide either distinct_ids or ids, not both'));
    expect((await bulk({ distinct_ids: many })).json).toEqual(invalid('You can only pass 1000 distinct_ids in one call'));
    expect((await bulk({ ids: many })).json).toEqual(invalid('You can only pass 1000 ids in one call'));
    expect((await bulk({})).json).toEqual(invalid('You need to specify either distinct_ids or ids'));
    expect((await bulk({ ids: [], distinct_ids: [] })).json).toEqual(invalid('You need to specify either distinct_ids or ids'));
    expect(sb.writes().map((e) => `${e.route} ${e.status}`)).toEqual(Array(5).fill('bulk_delete 400'));
  });

  it('deletes synchronously and reports the six-field summary; unknown ids do not count', async () => {
    const victims = people(3);
    const answer = await bulk({ distinct_ids: [...victims.map((p) => p.distinctIds[0]), 'nobody', 'nobody'] });
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({
      persons_found: 3,
      persons_deleted: 3,
      persons_queued_for_deletion: 0,
      events_queued_for_deletion: false,
      recordings_queued_for_deletion: false,
      deletion_errors: [],
    });
    for (const p of victims) expect(sb.store.person(p.uuid)).toBeUndefined();
    const again = await bulk({ ids: victims.map((p) => p.uuid) });
    expect(again.json.persons_found).toBe(0);
    expect(again.json.persons_deleted).toBe(0);
  });

  it('queues in async mode and applies after the lag', async () => {
    sb.setOptions({ deleteMode: 'async' });
    try {
      const victims = people(2);
      const answer = await bulk({ ids: victims.map((p) => p.uuid), delete_recordings: 'false' });
      expect(answer.json).toMatchObject({ persons_found: 2, persons_deleted: 0, persons_queued_for_deletion: 2, recordings_queued_for_deletion: true });
      expect(sb.store.person(victims[0]!.uuid)).toBeDefined();
      clock.advance(LAG + 30);
      expect(sb.store.person(victims[0]!.uuid)).toBeUndefined();
      const kept = people(1);
      const keep = await bulk({ ids: [kept[0]!.uuid], keep_person: true, delete_events: true });
      expect(keep.json).toMatchObject({ persons_found: 1, persons_deleted: 0, persons_queued_for_deletion: 0, events_queued_for_deletion: true });
    } finally {
      sb.setOptions({ deleteMode: 'sync' });
    }
  });

  it('keeps the person with keep_person and answers an empty 202 in legacy mode', async () => {
    const [p] = people(1);
    const keep = await bulk({ ids: [p!.uuid], keep_person: 1, delete_events: 1 });
    expect(keep.json.persons_deleted).toBe(0);
    expect(sb.store.person(p!.uuid)).toBeDefined();
    sb.setOptions({ legacy: true });
    try {
      const legacy = await bulk({ ids: [p!.uuid] });
      expect(legacy.status).toBe(202);
      expect(legacy.text).toBe('');
    } finally {
      sb.setOptions({ legacy: false });
    }
  });
});

describe('deletion_status', () => {
  it('lists pending rows that complete after the simulated batch', async () => {
    const victims = people(2);
    await bulk({ ids: victims.map((p) => p.uuid), delete_events: true });
    const pending = await call(sb, `${P}/deletion_status/?status=pending&person_uuid=${victims[1]!.uuid}`);
    expect(pending.status).toBe(200);
    expect(pending.json.count).toBe(1);
    expect(pending.json.results[0]).toMatchObject({ person_uuid: victims[1]!.uuid, status: 'pending', delete_verified_at: null });
    clock.advance(BATCH + 30);
    const done = await call(sb, `${P}/deletion_status/?person_uuid=${victims[1]!.uuid}`);
    expect(done.json.results[0].status).toBe('completed');
    expect(done.json.results[0].delete_verified_at).toMatch(/Z$/);
    expect((await call(sb, `${P}/deletion_status/?status=pending`)).json.count).toBe(0);
  });

  it('queues one row per person: a second delete_events for the same person is ignored (a unique row per person, created once)', async () => {
    const [p] = people(1);
    await bulk({ ids: [p!.uuid], delete_events: true, keep_person: true });
    const first = (await call(sb, `${P}/deletion_status/?person_uuid=${p!.uuid}`)).json;
    clock.advance(10);
    await bulk({ ids: [p!.uuid], delete_events: true });
    const after = (await call(sb, `${P}/deletion_status/?person_uuid=${p!.uuid}`)).json;
    expect(after.count).toBe(1);
    expect(after.results).toEqual(first.results);
  });

  it('pages newest first with LimitOffset links and rejects bad values', async () => {
    const all = await call(sb, `${P}/deletion_status/`);
    const page = await call(sb, `${P}/deletion_status/?limit=1&offset=1`);
    expect(page.json.results[0]).toEqual(all.json.results[1]);
    expect(page.json.next).toBe(`${sb.url}${P}/deletion_status/?limit=1&offset=2`);
    expect(page.json.previous).toBe(`${sb.url}${P}/deletion_status/?limit=1`);
    const times = all.json.results.map((r: { created_at: string }) => r.created_at);
    expect([...times].sort().reverse()).toEqual(times);
    expect((await call(sb, `${P}/deletion_status/?status=done`)).status).toBe(400);
    expect((await call(sb, `${P}/deletion_status/?person_uuid=abc`)).status).toBe(400);
  });
});
