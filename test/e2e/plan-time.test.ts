// Plans are honest about time: a dry run and the plan before a confirmation state how many
// requests the run needs and the shortest time the rate limits allow for them (src/api/rate-model.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
const ids = (n: number, prefix = 'plan') => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
function file(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pp-plan-time-'));
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
beforeEach(() => sandbox.clearRequests());
afterAll(() => sandbox.close());

describe('delete: the plan states the limit-bound time', () => {
  it('6,000 bulk_delete requests: at least 1 h 2 min at PostHog\'s 4,800 an hour (the first 4,800 in 9 minutes, the rest once the hour rolls)', async () => {
    const path = file('ids.txt', ids(6000).join('\n'));
    const r = await runInProcess(['delete', '--from-file', path, '--dry-run', '--batch-size', '1'], { sandbox });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'Dry run: nothing was sent.\n' +
        `Would delete the persons of 6,000 distinct_ids from ${path}, in 6,000 bulk_delete requests of up to 1 + 6,000 lookups.\n` +
        "  6,000 bulk_delete requests: at least 1 h 2 min at PostHog's 4,800 an hour.\n" +
        '  6,000 rows: 6,000 unique identifiers, 0 blank, 0 duplicates\n' +
        'First distinct_ids: plan-0, plan-1, plan-2, plan-3, plan-4, …\n',
    );
    expect(sandbox.requests).toEqual([]);
  });

  it('names --rate-limit when it sets the limits, and the minute limit when that is what binds', async () => {
    const path = file('ids.txt', ids(250).join('\n'));
    const r = await runInProcess(['--rate-limit', '100', 'delete', '--from-file', path, '--dry-run', '--batch-size', '1'], { sandbox });
    expect(r.stderr).toContain("  250 bulk_delete requests: at least 2 min at --rate-limit's 100 a minute.\n");
  });

  it('a run the limits do not slow down gets no time line; --rate-limit 0 none either', async () => {
    const path = file('ids.txt', ids(2500).join('\n'));
    const r = await runInProcess(['delete', '--from-file', path, '--dry-run'], { sandbox });
    expect(r.stderr).not.toContain('at least');
    const off = await runInProcess(['--rate-limit', '0', 'delete', '--from-file', path, '--dry-run', '--batch-size', '1'], { sandbox });
    expect(off.stderr).not.toContain('at least');
  });

  it('the plan before the confirmation says it too', async () => {
    const path = file('ids.txt', ids(3).join('\n'));
    const r = await runInProcess(['--rate-limit', '2', 'delete', '--from-file', path, '--batch-size', '1', '--yes'], { sandbox, clock: fakeClock() });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("  3 bulk_delete requests of up to 1 + 3 lookups, 4 at a time.\n  3 bulk_delete requests: at least 1 min at --rate-limit's 2 a minute.\nJournal: ");
  });
});

describe('property writes: lookups and writes share the 240-a-minute budget', () => {
  it('set-prop: 13 lookups and 1,300 writes; a self-hosted host also gets an older release\'s time', async () => {
    const path = file('plans.csv', `distinct_id,plan\n${ids(1300).map((id) => `${id},scale`).join('\n')}\n`);
    const r = await runInProcess(['set-prop', '--from-file', path, '--dry-run'], { sandbox });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `Would set properties on the persons of 1,300 distinct_ids from ${path}: 1,300 requests, one a person.\n` +
        "  1,313 requests (13 lookups and 1,300 writes): at least 5 min at PostHog's 240 a minute; an older self-hosted PostHog (1,200 an hour) needs at least 1 h.\n",
    );
    expect(sandbox.requests).toEqual([]);
  });

  it('unset-prop: one delete_property request a key and person', async () => {
    const path = file('ids.txt', ids(300).join('\n'));
    const r = await runInProcess(['--rate-limit', '180/min,1200/hour', 'unset-prop', '--from-file', path, 'a', 'b', '--dry-run'], { sandbox });
    expect(r.stderr).toContain("  603 requests (3 lookups and 600 writes): at least 3 min at --rate-limit's 180 a minute.\n");
  });
});
