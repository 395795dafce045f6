// The write commands against each PostHog generation the sandbox plays (docs/posthog-versions.md):
// set-prop, unset-prop, split and delete, one person and --from-file. Each command must do what it
// says on every generation, and say it in one line on stderr even when stderr is not a terminal.
// Runs are spawned (piped), a handful per generation.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GENERATIONS, startSandbox, uuidFromDistinctId, type Generation, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
afterAll(() => sandbox.close());

let n = 0;
/** A fresh person for each test: distinct_ids `<tag>-<n>` and `<tag>-<n>-phone`. */
function person(tag: string, properties: Record<string, unknown> = { plan: 'free', a: 1, b: 2, c: 3 }) {
  n++;
  const uuid = `01950000-0000-7000-8000-${String(n).padStart(12, '0')}`;
  const ids = [`${tag}-${n}`, `${tag}-${n}-phone`];
  sandbox.store.addPerson({ uuid, distinctIds: ids, properties, createdAt: '2025-01-01T00:00:00.000Z' });
  return { uuid, ids, label: `person ${uuid} (${ids[0]})` };
}
const propsOf = (uuid: string) => {
  sandbox.store.tick();
  return { ...sandbox.store.person(uuid)?.properties };
};
const writes = () => sandbox.writes().map((q) => [q.route, q.body, q.status]);
const QUEUED_TAIL = 'PostHog applies it within seconds to minutes; add --wait to wait for it.';
const MISSING = '01950000-0000-7000-8000-0000deadbeef';

describe.each(GENERATIONS)('on the %s generation', (generation: Generation) => {
  beforeEach(() => {
    sandbox.setOptions({ generation, writeLagMs: 0 });
    sandbox.clearRequests();
  });

  it('unset-prop a b: one delete_property a key, both removed, one line on stderr', async () => {
    const p = person('unset');
    sandbox.clearRequests();
    const r = await runInProcess(['unset-prop', p.ids[0]!, 'a', 'b'], { sandbox });
    expect(r).toEqual({ code: 0, signal: null, stdout: '', stderr: `Queued: unset a, b on ${p.label}. ${QUEUED_TAIL}\n` });
    expect(writes()).toEqual([
      ['delete_property', { $unset: 'a' }, 201],
      ['delete_property', { $unset: 'b' }, 201],
    ]);
    expect(propsOf(p.uuid)).toEqual({ plan: 'free', c: 3 });
  });

  it('unset-prop of a person that does not exist: exit 5, no delete_property sent', async () => {
    const r = await runInProcess(['unset-prop', MISSING, 'a', '--by', 'uuid'], { sandbox });
    expect(r.code).toBe(5);
    expect(r.stderr).toBe(`error: no person with UUID ${MISSING} in project 1 at ${sandbox.url}\nWithout --by uuid, a UUID is also tried as a distinct_id.\n`);
    expect(sandbox.writes()).toEqual([]);
  });

  it('set-prop k v, and set-prop k null --json (PATCH where update_property refuses null)', async () => {
    const p = person('set');
    sandbox.clearRequests();
    const r = await runInProcess(['set-prop', p.ids[0]!, 'plan', 'scale'], { sandbox });
    expect(r).toEqual({ code: 0, signal: null, stdout: '', stderr: `Queued: set plan = "scale" on ${p.label}. ${QUEUED_TAIL}\n` });
    sandbox.clearRequests();
    const nul = await runInProcess(['set-prop', p.uuid, 'a', 'null', '--json'], { sandbox });
    expect(nul).toEqual({ code: 0, signal: null, stdout: '', stderr: `Queued: set a = null on ${p.label}. ${QUEUED_TAIL}\n` });
    expect(writes()).toEqual(
      generation === 'older'
        ? [
            ['update_property', { key: 'a', value: null }, 400],
            ['partial_update', { properties: { a: null } }, 202],
          ]
        : [['update_property', { key: 'a', value: null }, 202]],
    );
    expect(propsOf(p.uuid)).toEqual({ plan: 'scale', a: null, b: 2, c: 3 });
  });

  it('split without --keep/--only: sends the first distinct_id as main_distinct_id; properties survive', async () => {
    const p = person('split');
    sandbox.clearRequests();
    const r = await runInProcess(['split', p.uuid, '-y'], { sandbox });
    expect(r).toEqual({
      code: 0,
      signal: null,
      stdout: '',
      stderr:
        `Queued: split ${p.label}: 1 distinct_id moves to a new person ("${p.ids[1]}"); "${p.ids[0]}" stays ` +
        `(the first distinct_id, sent as main_distinct_id). PostHog runs splits in the background, within seconds to minutes; add --wait to wait for it.\n`,
    });
    expect(writes()).toEqual([['split', { main_distinct_id: p.ids[0] }, 201]]);
    expect(propsOf(p.uuid)).toEqual({ plan: 'free', a: 1, b: 2, c: 3 });
    expect(sandbox.store.byDistinctId(p.ids[1]!)?.uuid).toBe(uuidFromDistinctId(1, p.ids[1]!));
  });

  it('delete of one person: one line naming it, honest about what the server said', async () => {
    const p = person('del');
    sandbox.clearRequests();
    const r = await runInProcess(['delete', p.ids[0]!, '--yes'], { sandbox });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      generation === 'older'
        ? `Accepted: delete ${p.label}. This PostHog server's answer does not say what it found or deleted.\n`
        : `Deleted: ${p.label}.\n`,
    );
    expect(sandbox.store.person(p.uuid)).toBeUndefined();
  });

  it('delete --from-file: the summary says unknown where the server did not say, never zero', async () => {
    const people = [person('bulkdel'), person('bulkdel')];
    const dir = mkdtempSync(join(tmpdir(), 'pp-gen-'));
    writeFileSync(join(dir, 'ids.txt'), `${people.map((p) => p.ids[0]).join('\n')}\nnobody-${generation}\n`);
    sandbox.clearRequests();
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    const counts = {
      newest: ['2', '2', '0', '1', ''],
      mid: ['2', '2', 'unknown', '1', "This PostHog server's summary does not say how many persons it queued for deletion: unknown, not zero.\n"],
      older: ['unknown', 'unknown', 'unknown', 'unknown', 'This PostHog server answered without a summary: it accepted 3 identifiers, but what it found and deleted is unknown.\n'],
    }[generation];
    const w = Math.max(...counts.slice(0, 4).map((c) => c.length), 1);
    const row = (label: string, value: string) => `  ${label.padEnd(19)}  ${value.padStart(w)}\n`;
    expect(r.stderr).toContain(
      'Done (by distinct_id):\n' +
        row('requested', '3') +
        row('found', counts[0]!) +
        row('deleted', counts[1]!) +
        row('queued for deletion', counts[2]!) +
        row('not found', counts[3]!) +
        row('failed', '0') +
        row('skipped', '0') +
        counts[4]!,
    );
    for (const p of people) expect(sandbox.store.person(p.uuid)).toBeUndefined();
  });

  it('unset-prop --from-file --by uuid: persons looked up first; a missing one is not found and gets no write', async () => {
    const people = [person('bulkunset'), person('bulkunset')];
    const dir = mkdtempSync(join(tmpdir(), 'pp-gen-'));
    writeFileSync(join(dir, 'uuids.txt'), `${people[0]!.uuid}\n${MISSING}\n${people[1]!.uuid}\n`);
    sandbox.clearRequests();
    const r = await runInProcess(['unset-prop', '--from-file', 'uuids.txt', '--by', 'uuid', 'a', 'c', '--yes', '-o', 'json', '--rate-limit', '0'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ requested: 3, found: 2, queued: 2, not_found: 1, failed: 0 });
    expect(sandbox.requests.map((q) => q.route)).toEqual(['batch_by_uuids', 'delete_property', 'delete_property', 'delete_property', 'delete_property']);
    expect(sandbox.writes().filter((q) => q.route === 'delete_property').map((q) => [q.path.split('/')[5], q.body, q.status])).toEqual([
      [people[0]!.uuid, { $unset: 'a' }, 201],
      [people[0]!.uuid, { $unset: 'c' }, 201],
      [people[1]!.uuid, { $unset: 'a' }, 201],
      [people[1]!.uuid, { $unset: 'c' }, 201],
    ]);
    for (const p of people) expect(propsOf(p.uuid)).toEqual({ plan: 'free', b: 2 });
  });

  it('set-prop --from-file: one PATCH a person; a missing distinct_id gets no write', async () => {
    const people = [person('bulkset'), person('bulkset')];
    const dir = mkdtempSync(join(tmpdir(), 'pp-gen-'));
    writeFileSync(join(dir, 'plans.csv'), `distinct_id,plan\n${people[0]!.ids[0]},scale\nnobody-${n},x\n${people[1]!.ids[1]},startup\n`);
    sandbox.clearRequests();
    const r = await runInProcess(['set-prop', '--from-file', 'plans.csv', '--yes', '-o', 'json', '--rate-limit', '0'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ requested: 3, found: 2, queued: 2, not_found: 1, failed: 0 });
    expect(writes().filter(([route]) => route === 'partial_update')).toEqual([
      ['partial_update', { properties: { plan: 'scale' } }, 202],
      ['partial_update', { properties: { plan: 'startup' } }, 202],
    ]);
    expect(propsOf(people[0]!.uuid).plan).toBe('scale');
    expect(propsOf(people[1]!.uuid).plan).toBe('startup');
  });
});
