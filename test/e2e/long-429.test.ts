// A 429 whose Retry-After is longer than a minute means an hourly budget is used up: it is
// announced as such, with the time the run goes on and, in a bulk run, the note that stopping now
// and resuming later is safe. Shorter waits keep the ordinary retry line.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { runInProcess } from '../helpers/in-process.js';

// One clock for the CLI and the sandbox: sleeping moves it, so the sandbox's hour rolls too.
const clock = fakeClock();
let sandbox: Sandbox;
const did = (i: number) => `hourly-${i}`;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0, clock });
});
beforeEach(() => {
  const day = 86_400_000;
  clock.advance((Math.floor(clock.now() / day) + 1) * day + 10 * 3_600_000 + 18 * 60_000 - clock.now()); // 10:18 UTC, the next day
  for (let i = 0; i < 6; i++) if (!sandbox.store.byDistinctId(did(i))) sandbox.store.addPerson({ distinctIds: [did(i)], properties: {} });
  sandbox.clearRequests();
  clock.sleeps.length = 0;
});
afterAll(() => sandbox.close());

describe('a long 429', () => {
  it('in a bulk run: announced as the hourly limit, with the time and the --resume note; the run then finishes', async () => {
    sandbox.setOptions({ rateLimit: { read: 0, delete: 100, deleteHourly: 2 } });
    const dir = mkdtempSync(join(tmpdir(), 'pp-long-429-'));
    writeFileSync(join(dir, 'ids.txt'), [did(0), did(1), did(2)].join('\n'));
    const r = await runInProcess(['--rate-limit', '0', 'delete', '--from-file', 'ids.txt', '--batch-size', '1', '--concurrency', '1', '--yes'], { sandbox, cwd: dir, clock });
    expect(r.code).toBe(0);
    // The sandbox's Retry-After: the hour window's oldest request leaves it 3,600 s after it started, at 11:18.
    expect(r.stderr).toContain(
      "PostHog's hourly limit is used up: waiting 1 h (until 11:18 UTC). Ctrl-C now and rerun with --resume later is safe.\n",
    );
    expect(r.stderr).not.toContain('retrying in');
    expect(clock.sleeps).toContain(3_600_000);
    expect(sandbox.requests.filter((q) => q.route === 'bulk_delete').map((q) => q.status)).toEqual([202, 202, 429, 202]);
  });

  it('outside a bulk run: the same announcement without the --resume note', async () => {
    sandbox.setOptions({ rateLimit: { read: 100, delete: 100, readHourly: 1 } });
    const r = await runInProcess(['--rate-limit', '0', 'list', '--all', '--page-size', '4', '--fields', 'uuid'], { sandbox, clock });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("PostHog's hourly limit is used up: waiting 1 h (until 11:18 UTC).\n");
  });

  it('a wait of a minute or less keeps the ordinary retry line', async () => {
    sandbox.setOptions({ rateLimit: { read: 1, delete: 100 } });
    const r = await runInProcess(['--rate-limit', '0', 'list', '--all', '--page-size', '4', '--fields', 'uuid'], { sandbox, clock });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('Rate limited by PostHog (429); retrying in 60 s (attempt 2 of 6).\n');
  });

  it('the client\'s own hourly window: announced once, the same way, before any 429', async () => {
    sandbox.setOptions({ rateLimit: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'pp-long-wait-'));
    writeFileSync(join(dir, 'ids.txt'), [did(0), did(1), did(2), did(3)].join('\n'));
    const r = await runInProcess(['--rate-limit', '100/min,2/hour', 'delete', '--from-file', 'ids.txt', '--batch-size', '1', '--concurrency', '2', '--yes'], { sandbox, cwd: dir, clock });
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((line) => line.includes('hourly limit'));
    expect(lines).toEqual(['The hourly limit of --rate-limit is used up: waiting 1 h (until 11:18 UTC). Ctrl-C now and rerun with --resume later is safe.']);
    expect(sandbox.requests.filter((q) => q.route === 'bulk_delete').map((q) => q.status)).toEqual([202, 202, 202, 202]);
  });
});
