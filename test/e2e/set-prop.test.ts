import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, SANDBOX_KEYS, type Sandbox } from '../../src/sandbox/index.js';
import { stripAnsi } from '../helpers/cli.js';
// --wait polls on the CLI's clock: a fake one lets a second of waiting pass at once.
import { fakeClock } from '../helpers/fake-clock.js';
import { ON_A_TERMINAL, runInProcess, screenOf } from '../helpers/in-process.js';
import { manualClock } from '../helpers/manual-clock.js';

let sandbox: Sandbox;
const ADA = '01900000-0000-7000-8000-0000000000a1';

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 5, writeLagMs: 0 });
  sandbox.store.addPerson({
    uuid: ADA,
    distinctIds: ['ada-device', 'ada@example.com'],
    properties: { email: 'ada@example.com', name: 'Ada Lovelace', plan: 'free' },
    createdAt: '2025-03-01T10:00:00.000Z',
  });
});
beforeEach(() => {
  sandbox.setOptions({ writeLagMs: 0 });
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

const writeBodies = () => sandbox.writes().map((q) => [q.route, q.path, q.body]);
const properties = () => ({ ...sandbox.store.person(ADA)!.properties });

describe('set-prop', () => {
  it('sets a string value: resolves the person, then one update_property; piped, nothing on stdout, one line on stderr', async () => {
    const r = await runInProcess(['set-prop', 'ada-device', 'plan', 'scale'], { sandbox });
    expect(r).toMatchObject({
      code: 0,
      stdout: '',
      stderr: `Queued: set plan = "scale" on person ${ADA} (ada-device). PostHog applies it within seconds to minutes; add --wait to wait for it.\n`,
    });
    expect(sandbox.requests.map((q) => q.route)).toEqual(['list', 'retrieve', 'update_property']);
    expect(writeBodies()).toEqual([['update_property', `/api/projects/1/persons/${ADA}/update_property/`, { key: 'plan', value: 'scale' }]]);
    expect(properties().plan).toBe('scale');
  });

  it('a value that looks like JSON is still a string without --json', async () => {
    await runInProcess(['set-prop', ADA, 'seats', '25'], { sandbox });
    expect(writeBodies()).toEqual([['update_property', `/api/projects/1/persons/${ADA}/update_property/`, { key: 'seats', value: '25' }]]);
  });

  it('-o json prints the result object on stdout', async () => {
    const r = await runInProcess(['set-prop', 'ada-device', 'plan', 'startup', '-o', 'json'], { sandbox });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`{\n  "person": "${ADA}",\n  "key": "plan",\n  "value": "startup",\n  "status": "queued"\n}\n`);
    expect(r.stderr).toBe(`Queued: set plan = "startup" on person ${ADA} (ada-device). PostHog applies it within seconds to minutes; add --wait to wait for it.\n`);
  });

  it('-q (--quiet): the confirmation line is silenced; data on stdout and errors are not', async () => {
    const quiet = await runInProcess(['--quiet', 'set-prop', 'ada-device', 'plan', 'startup', '-o', 'tsv'], { sandbox });
    expect(quiet).toMatchObject({ code: 0, stdout: `${ADA}\tplan\tstartup\tqueued\n`, stderr: '' });
    const missing = await runInProcess(['-q', 'set-prop', 'nobody', 'plan', 'x'], { sandbox });
    expect(missing.code).toBe(5);
    expect(missing.stderr).toContain('error: no person with distinct_id "nobody"');
  });

  it('-o tsv prints one line: person, key, value, status', async () => {
    const r = await runInProcess(['set-prop', ADA, 'plan', 'scale', '-o', 'tsv'], { sandbox });
    expect(r.stdout).toBe(`${ADA}\tplan\tscale\tqueued\n`);
  });

  it.each([
    ['25', 25],
    ['2.5', 2.5],
    ['true', true],
    ['false', false],
    ['null', null],
    ['"quoted"', 'quoted'],
    ['["a","b"]', ['a', 'b']],
    ['{"city":"Berlin","geo":{"lat":52.5}}', { city: 'Berlin', geo: { lat: 52.5 } }],
  ])('--json %s sends the parsed value', async (raw, value) => {
    const r = await runInProcess(['set-prop', ADA, 'v', raw, '--json', '-o', 'jsonl'], { sandbox });
    expect(r.code).toBe(0);
    expect(writeBodies()).toEqual([['update_property', `/api/projects/1/persons/${ADA}/update_property/`, { key: 'v', value }]]);
    expect(JSON.parse(r.stdout)).toEqual({ person: ADA, key: 'v', value, status: 'queued' });
    expect(properties().v).toEqual(value);
  });

  it('--json with invalid JSON exits 2 naming the problem, with no request', async () => {
    const r = await runInProcess(['set-prop', ADA, 'plan', 'scale', '--json'], { sandbox });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error: --json: the value "scale" is not valid JSON');
    expect(r.stderr).toContain("leave out --json to set the value as a string");
    expect(sandbox.requests).toHaveLength(0);
  });

  it.each([
    [['set-prop', ADA, '', 'x'], 'the property key is empty'],
    [['set-prop', 'ada-device', 'plan', 'x', '--by', 'uuid'], '"ada-device" is not a UUID (--by uuid)'],
    [['set-prop', 'ada-device', 'plan', 'x', '--by', 'email'], 'invalid --by "email"'],
    [['set-prop', ADA, 'plan', 'x', '--wait=abc'], '--wait takes a whole number of seconds, not "abc"'],
    [['set-prop', ADA, 'plan', 'x', '--wait=0'], '--wait must be between 1 and 86400 seconds'],
    [['set-prop', ADA, 'plan', 'x', '-o', 'xml'], 'xml'],
    [['set-prop', ADA, 'plan', 'x', '--fields', 'person,colour'], 'unknown field "colour"'],
    [['set-prop', ADA, 'plan'], "missing required argument 'value'"],
    [['set-prop', '  ', 'plan', 'x'], 'the person is empty'],
  ])('bad input %j exits 2 with no request', async (args, message) => {
    const r = await runInProcess(args, { sandbox });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('--wait polls until the value is visible (write lag 800 ms)', async () => {
    // One clock for the sandbox's write lag and the CLI's polling: each wait of the CLI moves it
    // forward at once, so the 800 ms lag passes without a real timer.
    const time = manualClock();
    const lagged = await startSandbox({ persons: 0, writeLagMs: 800, clock: time });
    try {
      lagged.store.addPerson({ uuid: ADA, distinctIds: ['ada-device'], properties: { plan: 'free' } });
      const started = time.now();
      const clock = { now: time.now, sleep: async (ms: number) => time.advance(ms) };
      const r = await runInProcess(['set-prop', ADA, 'plan', 'enterprise', '--wait', '-o', 'json'], { sandbox: lagged, clock });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ person: ADA, key: 'plan', value: 'enterprise', status: 'visible' });
      expect(time.now() - started).toBeGreaterThanOrEqual(800);
      const routes = lagged.requests.map((q) => q.route);
      expect(routes.slice(0, 2)).toEqual(['retrieve', 'update_property']);
      // several polls, all fresh retrieves of the person by UUID
      expect(routes.length).toBeGreaterThan(3);
      expect(new Set(routes.slice(2))).toEqual(new Set(['retrieve']));
    } finally {
      await lagged.close();
    }
  });

  it('--wait=1 gives up after 1 s: exit 1 naming the timeout, the result still says queued', async () => {
    sandbox.setOptions({ writeLagMs: 60_000 });
    const r = await runInProcess(['set-prop', ADA, 'plan', 'never', '--wait=1', '-o', 'json'], { sandbox, clock: fakeClock() });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ person: ADA, key: 'plan', value: 'never', status: 'queued' });
    expect(r.stderr).toBe(
      `Queued: set plan = "never" on person ${ADA} (ada-device). Waiting up to 1 s for PostHog to apply it…\n` +
        'error: the change was accepted but not visible after 1 s\n' +
        `PostHog may still apply it (its ingestion pipeline can lag by minutes). Check later with: posthog-persons get ${ADA} --fields properties.plan\n`,
    );
    expect(sandbox.writes()).toHaveLength(1);
  });

  it('a read-only key gets exit 4 with the missing scope, after the read', async () => {
    const r = await runInProcess(['set-prop', ADA, 'plan', 'scale'], { sandbox, key: SANDBOX_KEYS.read.key });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("API key missing required scope 'person:write'");
    expect(r.stderr).toContain('person:write');
    expect(sandbox.requests.map((q) => [q.route, q.status])).toEqual([
      ['retrieve', 200],
      ['update_property', 403],
    ]);
  });

  it('an unknown person exits 5 and sends no write', async () => {
    const r = await runInProcess(['set-prop', 'nobody', 'plan', 'scale'], { sandbox });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('no person with distinct_id "nobody"');
    expect(sandbox.writes()).toHaveLength(0);
  });

  it('on a terminal, says the change is queued and how to wait for it', async () => {
    const t = await runInProcess(['set-prop', 'ada-device', 'plan', 'scale'], { sandbox, ...ON_A_TERMINAL });
    expect(t.code).toBe(0);
    expect(stripAnsi(screenOf(t))).toBe(
      `Queued: set plan = "scale" on person ${ADA} (ada-device). PostHog applies it within seconds to minutes; add --wait to wait for it.\n`,
    );
  });

  it('on a terminal with --wait, says when the value became visible', async () => {
    sandbox.setOptions({ writeLagMs: 300 });
    const t = await runInProcess(['set-prop', ADA, 'seats', '7', '--json', '--wait=10'], { sandbox, ...ON_A_TERMINAL });
    expect(t.code).toBe(0);
    const screen = stripAnsi(screenOf(t));
    expect(screen).toContain(`Queued: set seats = 7 on person ${ADA} (ada-device). Waiting up to 10 s for PostHog to apply it…\n`);
    expect(screen).toMatch(new RegExp(`Done: seats = 7 is visible on person ${ADA} \\(after \\d+\\.\\d s\\)\\.\\n$`));
  });
});
