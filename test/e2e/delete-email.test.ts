// Erasure by email: an `email` column (or --by email) is looked up through the persons list's
// `email` property filter (a list value with `exact` matches any of them), every person found is
// deleted by UUID, and the journal records what each email resolved to before the first write, so
// --resume re-uses it instead of looking up again.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { ON_A_TERMINAL, runInProcess, screenOf } from '../helpers/in-process.js';

let sandbox: Sandbox;
const uuid = (i: number) => `01920000-0000-7000-8000-${String(i).padStart(12, '0')}`;
/** Two persons share ada@x.com; grace@x.com has one; a bystander and a case variant must survive. */
const PEOPLE = [
  { uuid: uuid(1), distinctIds: ['ada-web'], properties: { email: 'ada@x.com' } },
  { uuid: uuid(2), distinctIds: ['ada-mobile'], properties: { email: 'ada@x.com' } },
  { uuid: uuid(3), distinctIds: ['grace'], properties: { email: 'grace@x.com' } },
  { uuid: uuid(4), distinctIds: ['bystander'], properties: { email: 'bystander@x.com' } },
  { uuid: uuid(5), distinctIds: ['ada-upper'], properties: { email: 'ADA@x.com' } },
];

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
beforeEach(() => {
  sandbox.setOptions({ deleteMode: 'sync', rateLimit: 0 });
  for (const p of PEOPLE) if (!sandbox.store.person(p.uuid)) sandbox.store.addPerson(p);
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

const tempDir = () => mkdtempSync(join(tmpdir(), 'pp-delete-email-'));
const alive = () => PEOPLE.filter((p) => sandbox.store.person(p.uuid)).map((p) => p.distinctIds[0]);
const writes = () => sandbox.requests.filter((q) => q.method !== 'GET' && !q.route.startsWith('batch_by'));
const journalLines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('delete --from-file with an email column', () => {
  it('erases exactly the persons with those emails: both persons sharing one, none of the bystanders', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'emails.csv'), 'email\nada@x.com\ngrace@x.com\nnobody@x.com\n');
    const r = await runInProcess(['delete', '--from-file', 'emails.csv', '--yes'], { sandbox, cwd: dir });
    expect(r.stderr).toContain('1 email matches more than one person: ada@x.com (2 persons)');
    expect(r.stderr).toContain('3 emails: 2 match 3 persons, 1 matches no person.');
    expect(r.stderr).toContain('  Note: matching no person: nobody@x.com.');
    expect(r.code).toBe(0);
    expect(alive()).toEqual(['bystander', 'ada-upper']);

    // One lookup for all three emails, through the property filter with a list value.
    const lookups = sandbox.requests.filter((q) => q.route === 'list');
    expect(lookups).toHaveLength(1);
    expect(JSON.parse(lookups[0]!.query.properties!)).toEqual([{ key: 'email', value: ['ada@x.com', 'grace@x.com', 'nobody@x.com'], operator: 'exact', type: 'person' }]);
    expect(lookups[0]!.query.limit).toBe('1000');
    // The persons are deleted by UUID, in one request.
    const deletes = writes();
    expect(deletes.map((q) => q.route)).toEqual(['bulk_delete']);
    expect((deletes[0]!.body as { ids: string[] }).ids.sort()).toEqual([uuid(1), uuid(2), uuid(3)]);

    // The journal says what each email resolved to, before the first batch.
    const lines = journalLines(join(dir, 'emails.csv.delete.journal.jsonl'));
    expect(lines.map((l) => l.type)).toEqual(['run', 'resolve', 'batch', 'end']);
    expect((lines[0]!.flags as { by: string }).by).toBe('email');
    const resolve = lines[1] as { by: string; matches: Record<string, string[]>; run_id: string };
    expect(resolve.by).toBe('email');
    expect(resolve.run_id).toBe(lines[0]!.run_id);
    expect(Object.fromEntries(Object.entries(resolve.matches).map(([k, v]) => [k, [...v].sort()]))).toEqual({
      'ada@x.com': [uuid(1), uuid(2)],
      'grace@x.com': [uuid(3)],
      'nobody@x.com': [],
    });
    expect(lines[2]!.by).toBe('uuid');
  });

  it('on a terminal the confirmation names the shared email and asks for the count of persons; a wrong count writes nothing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'emails.csv'), 'email\nada@x.com\ngrace@x.com\n');
    const t = await runInProcess(['delete', '--from-file', 'emails.csv'], { sandbox, cwd: dir, ...ON_A_TERMINAL, stdin: '2\r' });
    expect(t.code).toBe(3);
    const screen = screenOf(t);
    expect(screen).toContain('About to delete 3 persons from emails.csv');
    expect(screen).toContain('  Note: 1 email matches more than one person: ada@x.com (2 persons); every one of them is a target.');
    expect(screen).toContain('Type 3 to delete 3 persons:');
    expect(writes()).toEqual([]);
    expect(alive()).toHaveLength(5);
  });

  it('-o json: the summary (and the journal\'s footer) counts the emails too', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'emails.csv'), 'email\nada@x.com\ngrace@x.com\nnobody@x.com\n');
    const r = await runInProcess(['delete', '--from-file', 'emails.csv', '--yes', '-o', 'json'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    const emails = { count: 3, matched: 2, not_found: 1, matching_several: 1 };
    expect(JSON.parse(r.stdout)).toMatchObject({ by: 'uuid', requested: 3, deleted: 3, emails });
    const footer = journalLines(join(dir, 'emails.csv.delete.journal.jsonl')).at(-1) as { summary: { emails: unknown } };
    expect(footer.summary.emails).toEqual(emails);
  });

  it('--by email reads plain lines as emails; the dry run does the lookups, says what matched, and writes nothing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'emails.txt'), 'ada@x.com\ngrace@x.com\nnobody@x.com\n');
    const r = await runInProcess(['delete', '--from-file', 'emails.txt', '--by', 'email', '--dry-run'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Would delete 3 persons from emails.txt, in 1 bulk_delete request of up to 1,000 + 1 lookup.');
    expect(r.stderr).toContain('3 emails: 2 match 3 persons, 1 matches no person.');
    expect(r.stderr).toContain('1 email matches more than one person: ada@x.com (2 persons)');
    expect(writes()).toEqual([]);
    expect(alive()).toHaveLength(5);
  });

  it('an email column with --by distinct-id is read as distinct_ids (projects that use the email as distinct_id)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'emails.csv'), 'email\nada@x.com\n');
    const r = await runInProcess(['delete', '--from-file', 'emails.csv', '--by', 'distinct-id', '--dry-run'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Would delete the persons of 1 distinct_id from emails.csv');
    expect(sandbox.requests).toEqual([]);
  });

  it('--by email on named persons is refused before any request: emails come from a file', async () => {
    const r = await runInProcess(['delete', 'ada@x.com', '--by', 'email', '--yes'], { sandbox, cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--by email reads emails from --from-file PATH');
    expect(sandbox.requests).toEqual([]);
  });

  it('--resume re-uses the journal\'s resolve entries instead of looking the emails up again', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'emails.csv'), 'email\nada@x.com\ngrace@x.com\n');
    // The first batch fails: the first run ends partial with one person left.
    sandbox.script({ method: 'POST', path: '/persons/bulk_delete/', kind: 'status', status: 500 });
    const first = await runInProcess(['--retries', '0', 'delete', '--from-file', 'emails.csv', '--yes', '--batch-size', '1', '--concurrency', '1'], { sandbox, cwd: dir });
    expect(first.code).toBe(7);
    sandbox.clearRequests();
    const second = await runInProcess(['delete', '--from-file', 'emails.csv', '--yes', '--batch-size', '1', '--concurrency', '1', '--resume'], { sandbox, cwd: dir });
    expect(second.code).toBe(0);
    expect(sandbox.requests.filter((q) => q.route === 'list')).toEqual([]);
    expect(alive()).toEqual(['bystander', 'ada-upper']);
    const lines = journalLines(join(dir, 'emails.csv.delete.journal.jsonl'));
    expect(lines.filter((l) => l.type === 'resolve')).toHaveLength(1);
  });
});

describe('email lookups', () => {
  it('keeps every request URL under 8 KB and follows next when one request matches more than a page', async () => {
    const dir = tempDir();
    // 1,001 persons share one email: more than a page of 1,000.
    const shared = Array.from({ length: 1001 }, (_, i) => ({ uuid: `01930000-0000-7000-8000-${String(i).padStart(12, '0')}`, distinctIds: [`crowd-${i}`], properties: { email: 'crowd@x.com' } }));
    for (const p of shared) sandbox.store.addPerson(p);
    try {
      // 400 long emails, most matching nobody: far more than one URL can hold.
      const emails = ['crowd@x.com', ...Array.from({ length: 399 }, (_, i) => `someone.with.a.rather.long.address.${i}@example-company.com`), 'grace@x.com'];
      writeFileSync(join(dir, 'emails.csv'), `email\n${emails.join('\n')}\n`);
      sandbox.clearRequests();
      const r = await runInProcess(['delete', '--from-file', 'emails.csv', '--dry-run'], { sandbox, cwd: dir });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('401 emails: 2 match 1,002 persons, 399 match no person.');
      expect(r.stderr).toContain('1 email matches more than one person: crowd@x.com (1,001 persons)');
      const lookups = sandbox.requests.filter((q) => q.route === 'list');
      const urls = lookups.map((q) => `${sandbox.url}${q.path}?${q.rawQuery}`);
      expect(Math.max(...urls.map((u) => Buffer.byteLength(u)))).toBeLessThanOrEqual(8192);
      const asked = lookups.filter((q) => q.query.offset === undefined).flatMap((q) => (JSON.parse(q.query.properties!) as [{ value: string[] }])[0].value);
      expect(asked).toEqual(emails);
      expect(lookups.length).toBeGreaterThan(2);
      // The page after the first 1,000 persons was followed.
      expect(lookups.some((q) => q.query.offset === '1000')).toBe(true);
      expect(writes()).toEqual([]);
    } finally {
      for (const p of shared) sandbox.store.removePerson(p.uuid);
    }
  });
});

describe('set-prop and unset-prop by email', () => {
  it('set-prop --from-file with an email column writes every person holding each email, by UUID', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'plans.csv'), 'email,plan\nada@x.com,scale\nnobody@x.com,free\n');
    const r = await runInProcess(['set-prop', '--from-file', 'plans.csv', '--by', 'email', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('1 email matches more than one person: ada@x.com (2 persons)');
    const patches = sandbox.requests.filter((q) => q.route === 'partial_update');
    expect(patches.map((q) => q.path.split('/')[5]).sort()).toEqual([uuid(1), uuid(2)]);
    expect(patches.every((q) => JSON.stringify(q.body) === '{"properties":{"plan":"scale"}}')).toBe(true);
    expect(r.stderr).toContain('Emails: 2 emails: 1 matches 2 persons, 1 matches no person.');
  });

  it('unset-prop --from-file JSON Lines with --by email', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'who.jsonl'), '{"email":"grace@x.com"}\n');
    const r = await runInProcess(['unset-prop', '--from-file', 'who.jsonl', 'plan', '--by', 'email', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(sandbox.requests.filter((q) => q.route === 'delete_property').map((q) => q.path.split('/')[5])).toEqual([uuid(3)]);
  });
});
