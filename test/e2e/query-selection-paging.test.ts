// A query selection listed while the project changes: offset paging then serves a person twice
// (a newer match pushes every later person one place down), and the selection keeps it once.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../helpers/in-process.js';

const T = Date.parse('2026-01-01T00:00:00Z');
let sandbox: Sandbox | undefined;
// The sandbox's time moves on once the first list page has been answered, so a write queued
// for in between lands after page 1 and before page 2, whatever the real timing.
const clock = { now: () => (sandbox?.requests.some((q) => q.route === 'list' && q.status === 200) ? T + 60_000 : T) };
const uuidOf = (i: number) => `01950005-0000-7000-8000-${String(i).padStart(12, '0')}`;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0, clock });
  for (let i = 1; i <= 1500; i++) sandbox.store.addPerson({ uuid: uuidOf(i), distinctIds: [`p-${i}`], properties: { plan: 'free' }, createdAt: T - i * 1000 });
  // The newest person, not yet on the plan: it is moved to it between the two pages.
  const newcomer = sandbox.store.addPerson({ uuid: uuidOf(0), distinctIds: ['p-0'], properties: { plan: 'scale' }, createdAt: T });
  sandbox.store.queue(newcomer, { kind: 'set', set: { plan: 'free' } }, 30_000);
  sandbox.clearRequests();
});
afterAll(() => sandbox?.close());

it('a person served on two pages is selected once, and the dry run says so', async () => {
  const r = await runInProcess(['delete', '--where', 'plan=free', '--dry-run', '-o', 'json'], { sandbox, cwd: mkdtempSync(join(tmpdir(), 'pp-query-paging-')) });
  expect(r.code).toBe(0);
  expect(sandbox!.requests.map((q) => [q.route, q.query.offset])).toEqual([
    ['list', undefined],
    ['list', '1000'],
  ]);
  const plan = JSON.parse(r.stdout);
  expect(plan).toMatchObject({ selected: 1500, duplicates: 1, list_requests: 2, to_send: 1500 });
  expect(r.stderr).toContain('  1,500 persons matched (2 list requests of up to 1,000), 1 person listed twice kept once.\n');
});
