// --rate-limit's forms as a user types them: refused before any request when malformed, and
// N/min,M/hour holding a bulk run to both windows.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
const did = (i: number) => `rate-${i}`;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
beforeEach(() => {
  for (let i = 0; i < 20; i++) if (!sandbox.store.byDistinctId(did(i))) sandbox.store.addPerson({ distinctIds: [did(i)], properties: {} });
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

describe('--rate-limit validation', () => {
  it.each([
    ['10/sec', 'error: option \'--rate-limit <rate>\' argument \'10/sec\' is invalid. --rate-limit "10/sec": "10/sec" is not a rate; use N (a minute), N/min, N/hour or N/min,M/hour'],
    ['-1', 'error: option \'--rate-limit <rate>\' argument \'-1\' is invalid. --rate-limit must be between 0 and 100000, not "-1"'],
    ['x/min', 'error: option \'--rate-limit <rate>\' argument \'x/min\' is invalid. --rate-limit "x/min": "x/min" is not a rate; use N (a minute), N/min, N/hour or N/min,M/hour'],
  ])('%s exits 2 naming the value, and sends nothing', async (value, message) => {
    const r = await runInProcess([`--rate-limit=${value}`, 'list'], { sandbox });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
    expect(sandbox.requests).toEqual([]);
  });
});

describe('--rate-limit N/min,M/hour', () => {
  it('holds a bulk delete to the hourly budget as well as the minute one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-rate-'));
    writeFileSync(join(dir, 'ids.txt'), Array.from({ length: 7 }, (_, i) => did(i)).join('\n'));
    const clock = fakeClock();
    const r = await runInProcess(['--rate-limit', '2/min,5/hour', 'delete', '--from-file', 'ids.txt', '--batch-size', '1', '--concurrency', '1', '--yes'], { sandbox, cwd: dir, clock });
    expect(r.code).toBe(0);
    expect(sandbox.requests.filter((q) => q.route === 'bulk_delete').map((q) => q.status)).toEqual([202, 202, 202, 202, 202, 202, 202]);
    // 2 at once, 2 a minute later, 1 more a minute after that (5 in the hour), then the hour rolls;
    // each wait runs 100 ms past its window (the limiter's margin, src/factory.ts).
    expect(clock.sleeps.filter((ms) => ms > 0)).toEqual([60_100, 60_100, 3_600_100 - 120_200]);
  });
});
