// --max-not-found N|P%: every identifier looked up before the first write, and the run stopped
// (exit 3, nothing written) when more match no person: the guard against a file of the wrong kind
// of identifier "completing" with nothing done.
import { mkdtempSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
const did = (i: number) => `mnf-${String(i).padStart(3, '0')}`;
const uuidOf = (i: number) => `01940000-0000-7000-8000-${String(i).padStart(12, '0')}`;
const PERSONS = 10;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
beforeEach(() => {
  sandbox.setOptions({ deleteMode: 'sync', rateLimit: 0 });
  for (let i = 0; i < PERSONS; i++) {
    if (!sandbox.store.person(uuidOf(i))) sandbox.store.addPerson({ uuid: uuidOf(i), distinctIds: [did(i)], properties: { email: `p${i}@x.com` } });
  }
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

const tempDir = () => mkdtempSync(join(tmpdir(), 'pp-max-not-found-'));
const writes = () => sandbox.requests.filter((q) => q.method !== 'GET' && !q.route.startsWith('batch_by'));
const alive = () => Array.from({ length: PERSONS }, (_, i) => i).filter((i) => sandbox.store.person(uuidOf(i))).length;
/** 10 existing distinct_ids and 10 that match nobody. */
function halfUnknown(dir: string): string {
  const ids = [...Array.from({ length: PERSONS }, (_, i) => did(i)), ...Array.from({ length: 10 }, (_, i) => `nobody-${i}`)];
  writeFileSync(join(dir, 'ids.txt'), `${ids.join('\n')}\n`);
  return 'ids.txt';
}

describe('--max-not-found', () => {
  it('half the identifiers match nobody with --max-not-found 10%: exit 3, nothing written, both counts and the threshold named', async () => {
    const dir = tempDir();
    const r = await runInProcess(['delete', '--from-file', halfUnknown(dir), '--max-not-found', '10%', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      'error: 10 of 20 identifiers match no person, more than --max-not-found 10% allows (2); nothing was written\n' +
        'Check that the file holds the kind of identifier the run reads (distinct_ids here: --by uuid or --by email for others), or raise --max-not-found.\n',
    );
    expect(writes()).toEqual([]);
    // One lookup request for the 20 identifiers (200 a request).
    expect(sandbox.requests.map((q) => q.route)).toEqual(['batch_by_distinct_ids']);
    expect(alive()).toBe(PERSONS);
    expect(existsSync(join(dir, 'ids.txt.delete.journal.jsonl'))).toBe(false);
  });

  it('a count at the limit goes ahead: --max-not-found 10 with 10 not found deletes the others', async () => {
    const dir = tempDir();
    const r = await runInProcess(['delete', '--from-file', halfUnknown(dir), '--max-not-found', '10', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Note: 10 of 20 identifiers match no person (--max-not-found 10 allows 10).');
    expect(alive()).toBe(0);
  });

  it('the dry run looks every identifier up (reads only) and says how many match nobody and that the run would stop', async () => {
    const dir = tempDir();
    const r = await runInProcess(['delete', '--from-file', halfUnknown(dir), '--max-not-found', '10%', '--dry-run'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Note: 10 of 20 identifiers match no person (--max-not-found 10% allows 2): the run would stop here with exit 3.');
    expect(writes()).toEqual([]);
    expect(sandbox.requests.map((q) => q.route)).toEqual(['batch_by_distinct_ids']);
  });

  it.each([['abc'], ['-1'], ['101%'], ['1.5'], ['%']])('--max-not-found %s: exit 2 before any request', async (value) => {
    const dir = tempDir();
    const r = await runInProcess(['delete', '--from-file', halfUnknown(dir), `--max-not-found=${value}`, '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`invalid --max-not-found "${value}": give a number of identifiers (10) or a percentage of them (5%)`);
    expect(sandbox.requests).toEqual([]);
  });

  it('set-prop and unset-prop stop the same way: no write sent', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'plans.csv'), `distinct_id,plan\n${did(0)},scale\nnobody-1,scale\nnobody-2,scale\n`);
    const set = await runInProcess(['set-prop', '--from-file', 'plans.csv', '--max-not-found', '1', '--yes'], { sandbox, cwd: dir });
    expect(set.code).toBe(3);
    expect(set.stderr).toContain('error: 2 of 3 identifiers match no person, more than --max-not-found 1 allows (1); nothing was written');
    const unset = await runInProcess(['unset-prop', '--from-file', halfUnknown(dir), 'plan', '--max-not-found', '0', '--yes'], { sandbox, cwd: dir });
    expect(unset.code).toBe(3);
    expect(writes()).toEqual([]);
  });

  it('an email run counts the emails that match no person', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'emails.csv'), 'email\np1@x.com\nnobody@x.com\n');
    const r = await runInProcess(['delete', '--from-file', 'emails.csv', '--max-not-found', '0', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('error: 1 of 2 emails matches no person, more than --max-not-found 0 allows (0); nothing was written');
    expect(writes()).toEqual([]);
  });

  it('without --max-not-found, a file of emails read as distinct_ids: the plan says so and points to --by email', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'emails.txt'), 'p1@x.com\np2@x.com\n');
    const r = await runInProcess(['delete', '--from-file', 'emails.txt', '--dry-run'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'Note: every identifier is shaped like an email but is read as a distinct_id; if they are the persons\' email addresses, pass --by email (or name the column email).',
    );
  });
});
