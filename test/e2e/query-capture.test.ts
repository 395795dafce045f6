// A query-selected property write through capture: the selection is listed and snapshotted as for
// any query run, then every batch is looked up and its persons' $set / $unset events go to the
// capture endpoint: no REST write at all.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
const uuidOf = (block: string, i: number) => `0196${block}-0000-7000-8000-${String(i).padStart(12, '0')}`;
const FREE = 1200;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
beforeEach(() => {
  for (const i of range(FREE)) {
    sandbox.store.removePerson(uuidOf('0001', i));
    sandbox.store.addPerson({ uuid: uuidOf('0001', i), distinctIds: [`free-${i}`], properties: { plan: 'free', phone: '1' } });
  }
  sandbox.store.removePerson(uuidOf('0002', 0));
  sandbox.store.addPerson({ uuid: uuidOf('0002', 0), distinctIds: ['scale-0'], properties: { plan: 'scale', phone: '2' } });
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

const writes = () => sandbox.requests.filter((q) => q.method !== 'GET' && !q.route.startsWith('batch_by') && q.route !== 'capture');

describe('set-prop / unset-prop --where … --via capture', () => {
  it('sets the value on every selected person in 2 capture requests, with no REST write; the bystander keeps its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-query-capture-'));
    const r = await runInProcess(['set-prop', '--where', 'plan=free', '--via', 'capture', 'tier', 'legacy', '--expect', '1200', '--yes'], { sandbox, cwd: dir });
    expect(r.stderr).toContain('capture request');
    expect(r.code).toBe(0);
    expect(writes()).toEqual([]);
    expect(sandbox.requests.filter((q) => q.route === 'capture')).toHaveLength(2);
    sandbox.store.tick(Date.now() + 60_000);
    expect(range(FREE).filter((i) => sandbox.store.person(uuidOf('0001', i))?.properties.tier !== 'legacy')).toEqual([]);
    expect(sandbox.store.person(uuidOf('0002', 0))?.properties.tier).toBeUndefined();
  });

  it('unset-prop removes the keys through capture; the dry run counts lookups and capture requests and sends nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-query-capture-'));
    const dry = await runInProcess(['unset-prop', '--where', 'plan=free', '--via', 'capture', 'phone', '--dry-run'], { sandbox, cwd: dir });
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain('6 lookups and 2 capture requests');
    expect(sandbox.requests.every((q) => q.method === 'GET')).toBe(true);
    const r = await runInProcess(['unset-prop', '--where', 'plan=free', '--via', 'capture', 'phone', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(writes()).toEqual([]);
    sandbox.store.tick(Date.now() + 60_000);
    expect(range(FREE).filter((i) => 'phone' in (sandbox.store.person(uuidOf('0001', i))?.properties ?? {}))).toEqual([]);
    expect(sandbox.store.person(uuidOf('0002', 0))?.properties.phone).toBe('2');
  });
});
