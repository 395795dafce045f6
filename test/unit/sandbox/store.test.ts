import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { call, P } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ persons: 12, writeLagMs: 60_000 });
});
afterAll(() => sb.close());

const listed = async () => (await call(sb, `${P}/?limit=100`)).json.results.map((r: { uuid: string }) => r.uuid);

describe('direct store edits (for tests)', () => {
  it('puts a person deleted through the API back, with its pk, visible everywhere at once', async () => {
    const person = sb.store.persons()[2]!;
    const saved = { ...person };
    await call(sb, `${P}/bulk_delete/`, { method: 'POST', body: { ids: [person.uuid] } });
    expect(await listed()).not.toContain(person.uuid);

    expect(sb.store.removePerson(person.uuid)).toBe(false);
    const back = sb.store.addPerson(saved);
    expect(back.pk).toBe(saved.pk);
    expect(await listed()).toContain(person.uuid);
    expect((await call(sb, `${P}/${saved.pk}/`)).json.uuid).toBe(person.uuid);
    expect(sb.store.byDistinctId(saved.distinctIds[0]!)?.uuid).toBe(person.uuid);
  });

  it('drops writes still queued for a removed person', async () => {
    const person = sb.store.persons()[3]!;
    await call(sb, `${P}/${person.uuid}/`, { method: 'PATCH', body: { properties: { x: 1 } } });
    expect(sb.store.pendingWrites().some((w) => w.uuid === person.uuid)).toBe(true);
    sb.store.removePerson(person.uuid);
    expect(sb.store.pendingWrites().some((w) => w.uuid === person.uuid)).toBe(false);
  });

  it('can leave a removed person in the list index as a ghost', async () => {
    const person = sb.store.persons()[0]!;
    sb.store.removePerson(person.uuid, { keepInIndex: true });
    const page = await call(sb, `${P}/?limit=5&include_total`);
    expect(page.json.results).toHaveLength(4);
    expect(page.json.next).not.toBeNull();
    expect(page.json.count).toBe(sb.store.count() + 1);
    expect(() => sb.store.addPerson({ distinctIds: [sb.store.persons()[0]!.distinctIds[0]!] })).toThrow(/already belongs/);
  });
});
