// The way in of a bulk run, end to end: what kind of identifier a file holds (from its column's
// name, or --by), spaces kept as data, JSON arrays refused, integers kept digit for digit, a
// runaway line refused, and --resume refusing an input file that changed.
import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { ON_A_TERMINAL, runInProcess, screenOf } from '../helpers/in-process.js';

let sandbox: Sandbox;
const uuidOf = (i: number) => `01920000-0000-7000-8000-${String(i).padStart(12, '0')}`;
// Anonymous distinct_ids are UUIDs: this person's distinct_id is person 1's UUID.
const SHADOW = '01920000-0000-7000-8000-0000000000ff';

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
beforeEach(() => {
  for (let i = 1; i <= 3; i++) {
    if (!sandbox.store.person(uuidOf(i))) sandbox.store.addPerson({ uuid: uuidOf(i), distinctIds: [`user-${i}`], properties: { email: `u${i}@example.com` } });
  }
  if (!sandbox.store.person(SHADOW)) sandbox.store.addPerson({ uuid: SHADOW, distinctIds: [uuidOf(1)], properties: { email: 'shadow@example.com' } });
  if (!sandbox.store.person(uuidOf(9))) sandbox.store.addPerson({ uuid: uuidOf(9), distinctIds: ['padded-id'], properties: {} });
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

const tempDir = () => mkdtempSync(join(tmpdir(), 'pp-input-kinds-'));
const bulkBodies = () => sandbox.requests.filter((q) => q.route === 'bulk_delete').map((q) => q.body);

describe('the identifier kind follows the input', () => {
  it('list --fields uuid -o csv, then delete --from-file: the listed persons are deleted by UUID', async () => {
    const dir = tempDir();
    const listed = await runInProcess(['list', '--where', 'email=u1@example.com', '--fields', 'uuid', '-o', 'csv'], { sandbox });
    expect(listed.stdout).toBe(`uuid\r\n${uuidOf(1)}\r\n`);
    writeFileSync(join(dir, 'f.csv'), listed.stdout);
    sandbox.clearRequests();
    const r = await runInProcess(['delete', '--from-file', 'f.csv', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(bulkBodies()).toEqual([{ ids: [uuidOf(1)] }]);
    expect(sandbox.store.person(uuidOf(1))).toBeUndefined();
    // The person whose distinct_id is that UUID is someone else, and is still there.
    expect(sandbox.store.person(SHADOW)).toBeDefined();
    expect(r.stderr).toContain('About to delete 1 person from f.csv');
    expect(r.stderr).toContain('Done (by uuid):');
  });

  it('a person_uuid column too; set-prop and unset-prop read the same way', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.csv'), `person_uuid,plan\n${uuidOf(2)},scale\n`);
    const r = await runInProcess(['set-prop', '--from-file', 'p.csv', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(sandbox.requests.filter((q) => q.method !== 'GET').map((q) => q.path)).toEqual(['/api/projects/1/persons/batch_by_uuids/', `/api/projects/1/persons/${uuidOf(2)}/`]);
    expect(r.stderr).toContain('Done (set-prop, by uuid):');
  });

  it('a column whose name says neither needs --by: exit 2 before any request', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'f.csv'), `person\n${uuidOf(1)}\n`);
    const r = await runInProcess(['delete', '--from-file', 'f.csv', '--yes'], { sandbox, cwd: dir });
    expect(r).toMatchObject({
      code: 2,
      stdout: '',
      stderr:
        'error: f.csv line 1: the column "person" does not say whether it holds distinct_ids or person UUIDs\n' +
        'Pass --by distinct-id, --by uuid or --by email (or name the column distinct_id or uuid).\n',
    });
    expect(sandbox.requests).toEqual([]);
    const byUuid = await runInProcess(['delete', '--from-file', 'f.csv', '--by', 'uuid', '--yes'], { sandbox, cwd: dir });
    expect(byUuid.code).toBe(0);
    expect(bulkBodies()).toEqual([{ ids: [uuidOf(1)] }]);
  });

  it('a --by that contradicts the column name: exit 2 naming both', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'f.csv'), `uuid\n${uuidOf(1)}\n`);
    const r = await runInProcess(['delete', '--from-file', 'f.csv', '--by', 'distinct-id', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: f.csv line 1: the column "uuid" holds person UUIDs, but --by distinct-id says distinct_ids\n' +
        'Drop --by distinct-id to send them as person UUIDs, or pick the column that holds distinct_ids with --column NAME.\n',
    );
    expect(sandbox.requests).toEqual([]);
  });

  it('a value in a uuid column that is not a UUID: exit 2 naming the line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'f.csv'), `uuid\n${uuidOf(1)}\nuser-2\n`);
    const r = await runInProcess(['delete', '--from-file', 'f.csv', '--yes'], { sandbox, cwd: dir });
    expect(r).toMatchObject({ code: 2, stderr: 'error: f.csv line 3: "user-2" is not a UUID (the "uuid" column holds person UUIDs)\n' });
    expect(sandbox.requests).toEqual([]);
  });

  it('distinct_ids that are all shaped like UUIDs: the dry run and the confirmation point to --by uuid', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'f.txt'), `${uuidOf(1)}\n${uuidOf(2)}\n`);
    const dry = await runInProcess(['delete', '--from-file', 'f.txt', '--dry-run'], { sandbox, cwd: dir });
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain('  Note: every identifier is shaped like a UUID but is read as a distinct_id; if they are person UUIDs, pass --by uuid.\n');
    const t = await runInProcess(['delete', '--from-file', 'f.txt'], { sandbox, cwd: dir, ...ON_A_TERMINAL, stdin: 'no\r' });
    expect(screenOf(t)).toContain('  Note: every identifier is shaped like a UUID but is read as a distinct_id; if they are person UUIDs, pass --by uuid.\n');
    expect(bulkBodies()).toEqual([]);
  });
});

describe('spaces are data', () => {
  it('an unquoted cell with spaces is sent with its spaces; the person without them is untouched', async () => {
    const dir = tempDir();
    // What Python's csv module writes for the value "  padded-id  ".
    writeFileSync(join(dir, 'f.csv'), 'distinct_id\n  padded-id  \nuser-3\n');
    const dry = await runInProcess(['delete', '--from-file', 'f.csv', '--dry-run'], { sandbox, cwd: dir });
    expect(dry.stderr).toContain('  Note: 1 identifier has leading or trailing spaces (kept as written).\n');
    const t = await runInProcess(['delete', '--from-file', 'f.csv'], { sandbox, cwd: dir, ...ON_A_TERMINAL, stdin: '2\r' });
    expect(t.code).toBe(0);
    expect(screenOf(t)).toContain('  Note: 1 identifier has leading or trailing spaces (kept as written).\n');
    expect(bulkBodies()).toEqual([{ distinct_ids: ['  padded-id  ', 'user-3'] }]);
    expect(sandbox.store.person(uuidOf(9))).toBeDefined();
    expect(sandbox.store.person(uuidOf(3))).toBeUndefined();
  });
});

describe('JSON arrays', () => {
  it('an export of distinct_ids is refused with the hint to export --fields uuid', async () => {
    const dir = tempDir();
    const listed = await runInProcess(['list', '--where', 'email=u2@example.com', '--fields', 'distinct_ids', '-o', 'csv'], { sandbox });
    expect(listed.stdout).toBe('distinct_ids\r\n"[""user-2""]"\r\n');
    writeFileSync(join(dir, 'f.csv'), listed.stdout);
    sandbox.clearRequests();
    const r = await runInProcess(['delete', '--from-file', 'f.csv', '--by', 'distinct-id', '--yes'], { sandbox, cwd: dir });
    expect(r).toMatchObject({
      code: 2,
      stderr:
        'error: f.csv line 2: "[\\"user-2\\"]" is a JSON array, which matches no person (it is how `list --fields distinct_ids` writes a person\'s distinct_ids)\n' +
        "Export the persons' UUIDs instead: posthog-persons list … --fields uuid -o csv > erasure.csv\n",
    });
    expect(sandbox.requests).toEqual([]);
  });
});

describe('integers past 2^53', () => {
  it('set-prop --json sends every digit', async () => {
    const r = await runInProcess(['set-prop', uuidOf(2), 'n', '12345678901234567890', '--json'], { sandbox });
    expect(r.code).toBe(0);
    const write = sandbox.writes().at(-1)!;
    expect(write.rawBody).toBe('{"key":"n","value":12345678901234567890}');
  });

  it('a JSON Lines integer identifier is sent and journaled as written', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'f.jsonl'), '{"distinct_id":1234567890123456789}\n{"distinct_id":"user-3"}\n');
    const r = await runInProcess(['delete', '--from-file', 'f.jsonl', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(bulkBodies()).toEqual([{ distinct_ids: ['1234567890123456789', 'user-3'] }]);
    const journal = readFileSync(join(dir, 'f.jsonl.delete.journal.jsonl'), 'utf8');
    expect(journal).toContain('"ids":["1234567890123456789","user-3"]');
  });

  it('a JSON Lines identifier that is a float: exit 2 naming the line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'f.jsonl'), '{"distinct_id":"a"}\n{"distinct_id":2.5}\n');
    const r = await runInProcess(['delete', '--from-file', 'f.jsonl', '--yes'], { sandbox, cwd: dir });
    expect(r).toMatchObject({ code: 2, stderr: 'error: f.jsonl line 2: "distinct_id" must be a string or an integer, not the number 2.5\n' });
    expect(sandbox.requests).toEqual([]);
  });

  it('set-prop --from-file with JSON Lines values sends every digit', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.jsonl'), `{"uuid":"${uuidOf(2)}","n":12345678901234567890}\n`);
    const r = await runInProcess(['set-prop', '--from-file', 'p.jsonl', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(sandbox.writes().at(-1)!.rawBody).toBe('{"properties":{"n":12345678901234567890}}');
  });
});

describe('a runaway line', () => {
  it('a 20 MiB line: exit 2 naming it, before any request', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'f.txt'), `user-1\n${'x'.repeat(20 * 1024 * 1024)}\n`);
    const r = await runInProcess(['delete', '--from-file', 'f.txt', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: f\.txt line 2: longer than 16 MiB, the most one line may hold\n/);
    expect(sandbox.requests).toEqual([]);
  });
});

describe('--resume and a changed input file', () => {
  const journalOf = (dir: string) => join(dir, 'f.txt.delete.journal.jsonl');

  it('the journal header records the input size and SHA-256; a changed file is refused', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'f.txt'), 'user-1\nnobody\n');
    const first = await runInProcess(['delete', '--from-file', 'f.txt', '--yes'], { sandbox, cwd: dir });
    expect(first.code).toBe(0);
    const header = JSON.parse(readFileSync(journalOf(dir), 'utf8').split('\n')[0]!);
    expect(header.input).toMatchObject({ size: 14, sha256: createHash('sha256').update('user-1\nnobody\n').digest('hex') });
    appendFileSync(join(dir, 'f.txt'), 'user-2\n');
    sandbox.clearRequests();
    const again = await runInProcess(['delete', '--from-file', 'f.txt', '--yes', '--resume'], { sandbox, cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^error: --resume with a changed input: f\.txt holds 21 bytes \(SHA-256 [0-9a-f]{12}…\) but the journal's run read 14 bytes \(SHA-256 [0-9a-f]{12}…\)\n/);
    expect(sandbox.requests).toEqual([]);
  });

  it('stdin: the header records the hash of what was read; a resume reads what it is given, as before', async () => {
    const dir = tempDir();
    const first = await runInProcess(['delete', '--from-file', '-', '--journal', 'j.jsonl', '--yes'], { sandbox, cwd: dir, stdin: 'user-1\n' });
    expect(first.code).toBe(0);
    const header = JSON.parse(readFileSync(join(dir, 'j.jsonl'), 'utf8').split('\n')[0]!);
    expect(header.input).toMatchObject({ path: '-', size: 7, sha256: createHash('sha256').update('user-1\n').digest('hex') });
    sandbox.clearRequests();
    const again = await runInProcess(['delete', '--from-file', '-', '--journal', 'j.jsonl', '--yes', '--resume'], { sandbox, cwd: dir, stdin: 'user-1\nuser-2\n' });
    expect(again.code).toBe(0);
    expect(bulkBodies()).toEqual([{ distinct_ids: ['user-2'] }]);
  });

  it('the same file resumes; a journal without the hash resumes with a note', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'f.txt'), 'user-1\nnobody\n');
    expect((await runInProcess(['delete', '--from-file', 'f.txt', '--yes'], { sandbox, cwd: dir })).code).toBe(0);
    const same = await runInProcess(['delete', '--from-file', 'f.txt', '--yes', '--resume'], { sandbox, cwd: dir });
    expect(same.code).toBe(0);
    expect(same.stderr).not.toContain('Note:');
    // A journal written before the hash was recorded.
    const lines = readFileSync(journalOf(dir), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    for (const entry of lines) if (entry.type === 'run') delete entry.input.sha256, delete entry.input.size;
    writeFileSync(journalOf(dir), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const old = await runInProcess(['delete', '--from-file', 'f.txt', '--yes', '--resume'], { sandbox, cwd: dir });
    expect(old.code).toBe(0);
    expect(old.stderr).toContain('Note: the journal does not record a hash of its input (it predates that check), so it cannot tell whether f.txt changed since its run.\n');
  });
});
