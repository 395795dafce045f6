// set-prop / unset-prop --from-file through the real binary: flags, confirmation rules, journal
// and resume. (bulk-props.test.ts covers the run's details in-process.)
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
const did = (i: number) => `bp-${i}`;
const uuidOf = (i: number) => `01940000-0000-7000-8000-${String(i).padStart(12, '0')}`;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
beforeEach(() => {
  for (let i = 0; i < 30; i++) {
    sandbox.store.removePerson(uuidOf(i));
    sandbox.store.addPerson({ uuid: uuidOf(i), distinctIds: [did(i)], properties: { plan: 'free', phone: '+1' } });
  }
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

function file(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pp-bp-cli-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('set-prop --from-file (binary)', () => {
  it('sets every column of each row in one PATCH, keeps a journal, prints the summary as JSON', async () => {
    const csv = file('plans.csv', `distinct_id,plan,seats\n${Array.from({ length: 30 }, (_, i) => `${did(i)},scale,${i}`).join('\n')}\n`);
    const r = await runInProcess(['set-prop', '--from-file', csv, '--yes', '-o', 'json', '--rate-limit', '0'], { sandbox });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ requested: 30, found: 30, queued: 30, not_found: 0, failed: 0 });
    const patches = sandbox.requests.filter((q) => q.route === 'partial_update');
    expect(patches).toHaveLength(30);
    expect(patches.find((q) => q.path.includes(uuidOf(3)))!.body).toEqual({ properties: { plan: 'scale', seats: '3' } });
    expect(sandbox.store.person(uuidOf(3))!.properties).toEqual({ plan: 'scale', seats: '3', phone: '+1' });
    const journal = readFileSync(`${csv}.set-prop.journal.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(journal[0].type).toBe('run');
    expect(journal.at(-1)).toMatchObject({ type: 'end', outcome: 'completed' });
  });

  it('--resume skips the persons recorded done', async () => {
    const csv = file('plans.csv', `distinct_id,plan\n${did(0)},scale\n${did(1)},scale\n`);
    expect((await runInProcess(['set-prop', '--from-file', csv, '--yes'], { sandbox })).code).toBe(0);
    sandbox.clearRequests();
    const again = await runInProcess(['set-prop', '--from-file', csv, '--yes', '--resume', '-o', 'json'], { sandbox });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ skipped: 2 });
    expect(sandbox.writes()).toEqual([]);
  });

  it.each([
    [['set-prop', 'user_1', '--from-file', 'x.csv'], 'give no arguments'],
    [['set-prop', 'user_1', 'plan', 'x', '--yes'], '--yes only applies with --from-file'],
    [['set-prop', 'user_1', 'plan'], "missing required argument 'value'"],
    [['set-prop', '--from-file', 'x.csv', '--wait'], '--wait with --from-file reads the persons back after a --via capture run'],
    [['unset-prop', 'user_1', 'plan', '--resume'], '--resume only applies with --from-file'],
    [['set-prop', '--from-file', 'x.csv', '--batch-size', '500'], '--batch-size'],
  ])('%j exits 2 with no request', async (args, message) => {
    const r = await runInProcess(args, { sandbox });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(sandbox.requests).toEqual([]);
  });

  it('without a terminal --yes is required (exit 2, nothing sent)', async () => {
    const csv = file('p.csv', `distinct_id,plan\n${did(0)},x\n`);
    const r = await runInProcess(['set-prop', '--from-file', csv], { sandbox });
    expect(r.code).toBe(2);
    expect(sandbox.requests).toEqual([]);
  });
});

describe('unset-prop --from-file KEY... (binary)', () => {
  it('removes the keys from every person in the file, one request a key and person', async () => {
    const txt = file('people.txt', `${did(0)}\n${did(1)}\n\n${did(1)}\n`);
    const r = await runInProcess(['unset-prop', '--from-file', txt, 'phone', 'plan', '--yes', '-o', 'json'], { sandbox });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ found: 2, failed: 0 });
    const unsets = sandbox.requests.filter((q) => q.route === 'delete_property');
    expect(unsets.map((q) => q.body)).toEqual([{ $unset: 'phone' }, { $unset: 'plan' }, { $unset: 'phone' }, { $unset: 'plan' }]);
    expect(sandbox.store.person(uuidOf(0))!.properties).toEqual({});
  });

  it('-q with --yes: nothing on stderr (no plan, no summary) and the writes are done; -o json still prints the summary', async () => {
    const txt = file('people.txt', `${did(2)}\n${did(3)}\n`);
    const r = await runInProcess(['-q', 'unset-prop', '--from-file', txt, 'phone', '--yes', '--rate-limit', '0'], { sandbox });
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(sandbox.writes().filter((q) => q.route === 'delete_property').map((q) => q.body)).toEqual([{ $unset: 'phone' }, { $unset: 'phone' }]);
    const del = await runInProcess(['-q', 'delete', '--from-file', file('ids.txt', `${did(4)}\n`), '--yes', '-o', 'json'], { sandbox });
    expect(del).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(del.stdout)).toMatchObject({ requested: 1, deleted: 1 });
    const loud = await runInProcess(['delete', '--from-file', file('ids.txt', `${did(5)}\n`), '--yes'], { sandbox });
    expect(loud.stderr).toContain('About to delete the persons of 1 distinct_id from');
    expect(loud.stderr).toContain('Done (by distinct_id):');
  });

  it('--dry-run sends no write', async () => {
    const txt = file('people.txt', `${did(0)}\n`);
    const r = await runInProcess(['unset-prop', '--from-file', txt, 'phone', 'plan', '--dry-run'], { sandbox });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Would remove phone, plan from the persons of 1 distinct_id from ${txt}: 2 delete_property requests, one a key and person.\n`);
    expect(sandbox.writes()).toEqual([]);
  });
});
