import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { stripAnsi } from '../helpers/cli.js';
// --wait polls on the CLI's clock: a fake one lets a second of waiting pass at once.
import { fakeClock } from '../helpers/fake-clock.js';
import { ON_A_TERMINAL, runInProcess, screenOf } from '../helpers/in-process.js';

let sandbox: Sandbox;
const ADA = '01900000-0000-7000-8000-0000000000a1';
const PATH = `/api/projects/1/persons/${ADA}/delete_property/`;
const FULL = { email: 'ada@example.com', plan: 'scale', utm_source: 'x', utm_medium: 'y', utm_campaign: 'z', phone: '+1' };

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 5, writeLagMs: 0 });
  sandbox.store.addPerson({ uuid: ADA, distinctIds: ['ada-device'], properties: FULL, createdAt: '2025-03-01T10:00:00.000Z' });
});
beforeEach(() => {
  sandbox.setOptions({ writeLagMs: 0, generation: 'newest' });
  // Put every property back, straight in the store.
  sandbox.store.queue(sandbox.store.person(ADA)!, { kind: 'set', set: FULL }, 0);
  sandbox.store.tick();
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

const writes = () => sandbox.writes().map((q) => [q.path, q.body, q.status]);
const keysLeft = () => Object.keys(sandbox.store.person(ADA)!.properties).sort();

describe('unset-prop', () => {
  it('one key: $unset is a string; piped, nothing on stdout and the confirmation line on stderr', async () => {
    const r = await runInProcess(['unset-prop', 'ada-device', 'phone'], { sandbox });
    expect(r).toMatchObject({
      code: 0,
      stdout: '',
      stderr: `Queued: unset phone on person ${ADA} (ada-device). PostHog applies it within seconds to minutes; add --wait to wait for it.\n`,
    });
    expect(sandbox.requests.map((q) => q.route)).toEqual(['list', 'retrieve', 'delete_property']);
    expect(writes()).toEqual([[PATH, { $unset: 'phone' }, 201]]);
    expect(keysLeft()).not.toContain('phone');
  });

  it('several keys: one request a key, never a list (duplicates dropped); -o json result', async () => {
    const r = await runInProcess(['unset-prop', ADA, 'utm_source', 'utm_medium', 'utm_source', 'utm_campaign', '-o', 'json'], { sandbox });
    expect(r.code).toBe(0);
    expect(writes()).toEqual([
      [PATH, { $unset: 'utm_source' }, 201],
      [PATH, { $unset: 'utm_medium' }, 201],
      [PATH, { $unset: 'utm_campaign' }, 201],
    ]);
    expect(r.stdout).toBe(
      `{\n  "person": "${ADA}",\n  "keys": [\n    "utm_source",\n    "utm_medium",\n    "utm_campaign"\n  ],\n  "status": "queued"\n}\n`,
    );
    expect(keysLeft()).toEqual(['email', 'phone', 'plan']);
  });

  it('-o tsv: person, keys as a JSON array (a key may hold a comma), status', async () => {
    const r = await runInProcess(['unset-prop', ADA, 'plan', 'phone', '-o', 'tsv'], { sandbox });
    expect(r.stdout).toBe(`${ADA}\t["plan","phone"]\tqueued\n`);
  });

  it('server text in the confirmation line is escaped: a distinct_id holding ESC cannot drive the terminal', async () => {
    const uuid = '01900000-0000-7000-8000-0000000000e5';
    sandbox.store.addPerson({ uuid, distinctIds: ['evil\u001b]0;pwned\u0007\u001b[2J'], properties: { plan: 'x' } });
    const r = await runInProcess(['unset-prop', uuid, 'plan'], { sandbox });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `Queued: unset plan on person ${uuid} (evil\\x1b]0;pwned\\x07\\x1b[2J). PostHog applies it within seconds to minutes; add --wait to wait for it.\n`,
    );
  });

  it('-q: nothing on stderr', async () => {
    const r = await runInProcess(['-q', 'unset-prop', ADA, 'plan'], { sandbox });
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(writes()).toEqual([[PATH, { $unset: 'plan' }, 201]]);
  });

  it('an answer of {"success": false} is an error, not "queued": exit 1 with the detail, the next key not sent', async () => {
    sandbox.script({ method: 'POST', path: /delete_property/, kind: 'status', status: 201, body: { success: false, detail: 'Unable to delete property' } });
    const r = await runInProcess(['unset-prop', ADA, 'plan', 'phone'], { sandbox });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: PostHog could not remove the property "plan" (201): Unable to delete property\n');
    expect(sandbox.writes().map((q) => q.body)).toEqual([{ $unset: 'plan' }]);
  });

  it('--wait polls until every key is gone (write lag 800 ms)', async () => {
    sandbox.setOptions({ writeLagMs: 800 });
    const r = await runInProcess(['unset-prop', ADA, 'plan', 'phone', '--wait', '-o', 'jsonl'], { sandbox });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`{"person":"${ADA}","keys":["plan","phone"],"status":"visible"}\n`);
    const routes = sandbox.requests.map((q) => q.route);
    expect(routes.slice(0, 3)).toEqual(['retrieve', 'delete_property', 'delete_property']);
    expect(routes.length).toBeGreaterThan(3);
  });

  it('--wait=1 gives up: exit 1 naming the timeout', async () => {
    sandbox.setOptions({ writeLagMs: 60_000 });
    const r = await runInProcess(['unset-prop', ADA, 'plan', '--wait=1'], { sandbox, clock: fakeClock() });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error: the change was accepted but not visible after 1 s\n');
  });

  it.each([
    [['unset-prop', ADA], "missing required argument 'key'"],
    [['unset-prop', ADA, 'plan', ''], 'the property key is empty'],
    [['unset-prop', ADA, '--wait', 'plan'], '--wait takes a whole number of seconds, not "plan"'],
    [['unset-prop', '42x', 'plan', '--by', 'id'], '"42x" is not a numeric person id (--by id)'],
    [['unset-prop', ADA, 'plan', '--fields', 'nope'], 'unknown field "nope"'],
  ])('bad input %j exits 2 with no request', async (args, message) => {
    const r = await runInProcess(args, { sandbox });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('on a terminal, says what was queued', async () => {
    const t = await runInProcess(['unset-prop', 'ada-device', 'plan', 'phone'], { sandbox, ...ON_A_TERMINAL });
    expect(t.code).toBe(0);
    expect(stripAnsi(screenOf(t))).toBe(
      `Queued: unset plan, phone on person ${ADA} (ada-device). PostHog applies it within seconds to minutes; add --wait to wait for it.\n`,
    );
  });
});
