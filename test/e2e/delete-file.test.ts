// `delete --from-file`: identifiers sent straight to bulk_delete in batches of up to 1000, the
// journal, --resume, --backup, faults mid-run, and malformed files refused before any request.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runInTerminal, stripAnsi } from '../helpers/cli.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { ON_A_TERMINAL, runInProcess, screenOf } from '../helpers/in-process.js';

let sandbox: Sandbox;
const PERSONS = 2400;
const did = (i: number) => `gdpr-${String(i).padStart(5, '0')}`;
const uuidOf = (i: number) => `01910000-0000-7000-8000-${String(i).padStart(12, '0')}`;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
beforeEach(() => {
  sandbox.setOptions({ legacy: false, deleteMode: 'sync', rateLimit: 0 });
  // Everyone back, so each test starts from the same store.
  for (let i = 0; i < PERSONS; i++) {
    if (!sandbox.store.person(uuidOf(i))) sandbox.store.addPerson({ uuid: uuidOf(i), distinctIds: [did(i)], properties: { email: `p${i}@example.com` } });
  }
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

const tempDir = () => mkdtempSync(join(tmpdir(), 'pp-delete-file-'));
const bulkRequests = () => sandbox.requests.filter((q) => q.route === 'bulk_delete');
/** Identifiers in bulk_delete requests the server answered 202, with how often each was sent. */
function acceptedCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const q of bulkRequests()) {
    if (q.status !== 202) continue;
    const body = q.body as { distinct_ids?: string[]; ids?: string[] };
    for (const id of body.distinct_ids ?? body.ids ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
const remaining = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k).filter((i) => sandbox.store.person(uuidOf(i)));
const journalLines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('delete --from-file: batching', () => {
  it('2,500 identifiers with blanks and duplicates: exactly 3 requests, each identifier once, exact counts', async () => {
    const dir = tempDir();
    // 2,400 existing persons and 100 unknown distinct_ids; 5 blank lines and 7 repeats.
    const ids = [...Array.from({ length: PERSONS }, (_, i) => did(i)), ...Array.from({ length: 100 }, (_, i) => `unknown-${i}`)];
    const lines = [...ids.slice(0, 1000), '', ' ', ...ids.slice(0, 7), ...ids.slice(1000), '', '', ''];
    writeFileSync(join(dir, 'erase.txt'), `${lines.join('\n')}\n`);
    const r = await runInProcess(['delete', '--from-file', 'erase.txt', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    const requests = bulkRequests();
    // (in flight together: the short batch's lookups end first, so it may be sent first)
    expect(requests.map((q) => (q.body as { distinct_ids: string[] }).distinct_ids.length).sort((a, b) => b - a)).toEqual([1000, 1000, 500]);
    expect(requests.every((q) => Object.keys(q.body as object).join() === 'distinct_ids')).toBe(true);
    const counts = acceptedCounts();
    expect(counts.size).toBe(2500);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(counts.keys())).toEqual(new Set(ids));
    // Each batch is looked up first (200 a request: 5 + 5 + 3), so the journal names each identifier's outcome.
    expect(sandbox.requests.filter((q) => q.route === 'batch_by_distinct_ids').length).toBe(13);
    expect(sandbox.requests.length).toBe(16);
    expect(remaining(0, PERSONS)).toEqual([]);
    const journal = join(dir, 'erase.txt.delete.journal.jsonl');
    expect(r.stderr).toBe(
      [
        `About to delete the persons of 2,500 distinct_ids from erase.txt, in project 1 at ${sandbox.url}:`,
        '  2,512 rows: 2,500 unique identifiers, 5 blank, 7 duplicates',
        '  Note: 1 blank row holds only spaces (skipped).',
        '  3 bulk_delete requests of up to 1,000 + 13 lookups, 4 at a time.',
        `Journal: ${journal}`,
        'Done (by distinct_id):',
        '  requested            2,500',
        '  found                2,400',
        '  deleted              2,400',
        '  queued for deletion      0',
        '  not found              100',
        '  failed                   0',
        '  skipped                  0',
        `Journal: ${journal}`,
        '',
      ].join('\n'),
    );
    const entries = journalLines(journal);
    expect(entries.map((e) => e.type)).toEqual(['run', 'batch', 'batch', 'batch', 'end']);
    expect(entries[0]).toMatchObject({ input: { path: join(dir, 'erase.txt'), format: 'plain', rows: 2512, unique: 2500, blank: 5, duplicates: 7 } });
    expect(entries[4].summary).toMatchObject({ requested: 2500, found: 2400, not_found: 100, skipped: 0 });
  });

  it('10,000 distinct_ids take exactly 10 bulk_delete requests', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ten-k.csv'), `distinct_id\n${Array.from({ length: 10_000 }, (_, i) => `bench-${i}`).join('\n')}\n`);
    const r = await runInProcess(['delete', '--from-file', 'ten-k.csv', '--yes', '--concurrency', '8', '-o', 'json'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(bulkRequests().length).toBe(10);
    // plus the lookups before each batch (1,000 identifiers: 5 of 200)
    expect(sandbox.requests.filter((q) => q.route === 'batch_by_distinct_ids').length).toBe(50);
    expect(acceptedCounts().size).toBe(10_000);
    expect(JSON.parse(r.stdout)).toMatchObject({ requested: 10_000, accepted: 10_000, found: 0, not_found: 10_000, batches: { done: 10, failed: 0 } });
  });

  it('--by uuid sends ids; --batch-size picks the batch; JSON Lines with --column', async () => {
    const dir = tempDir();
    const rows = Array.from({ length: 5 }, (_, i) => JSON.stringify({ person: uuidOf(i).toUpperCase(), note: 'x' }));
    writeFileSync(join(dir, 'people.jsonl'), `${rows.join('\n')}\n`);
    const r = await runInProcess(['delete', '--from-file', 'people.jsonl', '--column', 'person', '--by', 'uuid', '--batch-size', '2', '--concurrency', '1', '--delete-events', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(bulkRequests().map((q) => q.body)).toEqual([
      { ids: [uuidOf(0), uuidOf(1)], delete_events: true },
      { ids: [uuidOf(2), uuidOf(3)], delete_events: true },
      { ids: [uuidOf(4)], delete_events: true },
    ]);
    expect(remaining(0, 5)).toEqual([]);
  });

  it('stdin (--from-file -) with --yes', async () => {
    const r = await runInProcess(['delete', '--from-file', '-', '--yes', '--journal', join(tempDir(), 'j.jsonl')], { sandbox, stdin: `${did(0)}\n${did(1)}\n` });
    expect(r.code).toBe(0);
    expect(bulkRequests().map((q) => q.body)).toEqual([{ distinct_ids: [did(0), did(1)] }]);
    expect(r.stderr).toContain('from stdin');
  });
});

describe('delete --from-file: safety', () => {
  it('--dry-run reads and counts, prints the plan, and sends nothing at all', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.csv'), `email,distinct_id\na@x,${did(0)}\n,\nb@x,${did(1)}\nc@x,${did(0)}\nd@x,${did(2)}\n`);
    const r = await runInProcess(['delete', '--from-file', 'ids.csv', '--dry-run', '--batch-size', '2'], { sandbox, cwd: dir });
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toBe(
      'Dry run: nothing was sent.\n' +
        'Would delete the persons of 3 distinct_ids from ids.csv, in 2 bulk_delete requests of up to 2 + 2 lookups.\n' +
        '  5 rows: 3 unique identifiers, 1 blank, 1 duplicate\n' +
        `First distinct_ids: ${did(0)}, ${did(1)}, ${did(2)}\n`,
    );
    expect(sandbox.requests).toEqual([]);
  });

  it('--dry-run -o json prints the plan as JSON', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), Array.from({ length: 8 }, (_, i) => did(i)).join('\n'));
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--dry-run', '-o', 'json', '--delete-events'], { sandbox, cwd: dir });
    expect(JSON.parse(r.stdout)).toEqual({
      dry_run: true,
      command: 'delete',
      by: 'distinct_id',
      requested: 8,
      to_send: 8,
      skipped: 0,
      batches: 1,
      lookups: 1,
      batch_size: 1000,
      first_ids: [did(0), did(1), did(2), did(3), did(4)],
      notes: [],
      flags: { delete_events: true, delete_recordings: false, keep_person: false },
      input: { path: 'ids.txt', format: 'plain', rows: 8, blank: 0, duplicates: 0, unique: 8 },
      journal: join(dir, 'ids.txt.delete.journal.jsonl'),
    });
    expect(sandbox.requests).toEqual([]);
  });

  it('without a terminal and without --yes: exit 2 before reading anything or sending anything', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), `${did(0)}\n`);
    const r = await runInProcess(['delete', '--from-file', 'ids.txt'], { sandbox, cwd: dir });
    expect(r.code).toBe(2);
    expect(sandbox.requests).toEqual([]);
  });

  it.each([
    ['bad.jsonl', '{"distinct_id":"a"}\n{"distinct_id":"b"\n', [], 'error: bad.jsonl line 2: not valid JSON'],
    ['bad.csv', 'distinct_id,email\na,a@x\nb\n', [], 'error: bad.csv line 3: 1 cell but the header has 2'],
    ['uuids.txt', `${uuidOf(1)}\nnot-a-uuid\n`, ['--by', 'uuid'], 'error: uuids.txt line 2: "not-a-uuid" is not a UUID (--by uuid)'],
    ['cols.csv', 'email,name\na@x,A\n', [], 'error: cols.csv: no "distinct_id" or "uuid" column; the columns are email, name'],
    ['cols2.csv', 'distinct_id,email\na,a@x\n', ['--column', 'user'], 'error: cols2.csv: no column "user"; the columns are distinct_id, email'],
    ['empty.txt', '\n\n', [], 'error: no identifiers in empty.txt'],
  ])('a malformed %s exits 2, names the problem, sends nothing', async (name, content, extra, message) => {
    const dir = tempDir();
    writeFileSync(join(dir, name), content);
    const r = await runInProcess(['delete', '--from-file', name, '--yes', ...extra], { sandbox, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toContain(message);
    expect(sandbox.requests).toEqual([]);
  });

  it('a missing file exits 2', async () => {
    const r = await runInProcess(['delete', '--from-file', 'nope.csv', '--yes'], { sandbox, cwd: tempDir() });
    expect(r).toMatchObject({ code: 2, stderr: 'error: nope.csv: no such file\n' });
    expect(sandbox.requests).toEqual([]);
  });

  it('a journal from an earlier run is not silently reused: --resume or a new --journal', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), `${did(0)}\n`);
    expect((await runInProcess(['delete', '--from-file', 'ids.txt', '--yes'], { sandbox, cwd: dir })).code).toBe(0);
    sandbox.clearRequests();
    const again = await runInProcess(['delete', '--from-file', 'ids.txt', '--yes'], { sandbox, cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`error: the journal ${join(dir, 'ids.txt.delete.journal.jsonl')} already records an earlier run`);
    const otherFlags = await runInProcess(['delete', '--from-file', 'ids.txt', '--yes', '--resume', '--delete-events'], { sandbox, cwd: dir });
    expect(otherFlags.code).toBe(2);
    expect(otherFlags.stderr).toContain("error: --resume with different flags: the journal's run had delete_events=false, this one has delete_events=true");
    expect(sandbox.requests).toEqual([]);
  });
});

describe('delete --from-file in a terminal', () => {
  it('asks to type the count; a progress bar with done/total, rate and ETA runs on stderr', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), [did(0), did(1), did(2)].join('\n'));
    const t = await runInTerminal(['delete', '--from-file', 'ids.txt', '--batch-size', '1', '--concurrency', '1'], [{ expect: 'Type 3 to', send: '3\r' }], { sandbox, cwd: dir });
    const screen = stripAnsi(t.screen);
    expect(t.code).toBe(0);
    expect(screen).toContain('Type 3 to delete the persons of 3 distinct_ids:');
    expect(screen).toMatch(/\d\/3 ids \| \d+\/s \| ETA /);
    expect(remaining(0, 3)).toEqual([]);
  });

  it('a mistyped count: exit 3, nothing sent, no journal', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), [did(0), did(1), did(2)].join('\n'));
    const t = await runInProcess(['delete', '--from-file', 'ids.txt'], { sandbox, cwd: dir, ...ON_A_TERMINAL, stdin: '2\r' });
    expect(t.code).toBe(3);
    expect(stripAnsi(screenOf(t))).toContain('error: Cancelled: you typed "2", not 3. Nothing was deleted.');
    expect(sandbox.requests).toEqual([]);
    expect(remaining(0, 3)).toEqual([0, 1, 2]);
    expect(readdirSync(dir)).toEqual(['ids.txt']);
  });
});

describe('delete --from-file: faults, partial failure and --resume', () => {
  it('a 429 with Retry-After: 1 and a 503 mid-run: every identifier deleted, none lost, exit 0', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), Array.from({ length: 500 }, (_, i) => did(i)).join('\n'));
    sandbox.script(
      { method: 'POST', path: '/persons/bulk_delete/', kind: 'status', status: 429, headers: { 'Retry-After': '1' } },
      { method: 'POST', path: '/persons/bulk_delete/', kind: 'status', status: 503 },
    );
    // The CLI waits on its own clock, which moves forward at once and records each wait.
    const clock = fakeClock();
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--yes', '--batch-size', '100'], { sandbox, cwd: dir, clock });
    expect(r.code).toBe(0);
    expect(clock.sleeps).toContain(1000); // the Retry-After was honoured
    expect(bulkRequests().map((q) => q.status).sort()).toEqual([202, 202, 202, 202, 202, 429, 503]);
    const counts = acceptedCounts();
    expect(counts.size).toBe(500);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(remaining(0, 500)).toEqual([]);
    expect(r.stderr).toMatch(/\n {2}deleted {14}500\n/);
  });

  it('a batch that keeps failing is journaled as failed, the others go on: exit 7; --resume retries only it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), Array.from({ length: 300 }, (_, i) => did(i)).join('\n'));
    sandbox.script({ method: 'POST', path: '/persons/bulk_delete/', kind: 'status', status: 500 });
    const r = await runInProcess(['--retries', '0', 'delete', '--from-file', 'ids.txt', '--yes', '--batch-size', '100', '--concurrency', '1'], { sandbox, cwd: dir });
    const journal = join(dir, 'ids.txt.delete.journal.jsonl');
    expect(r.code).toBe(7);
    expect(r.stderr).toContain(`error: 1 of 3 batches failed; the journal ${journal} names them\n`);
    expect(r.stderr).toContain(`To retry them, rerun the same command with --resume (journal: ${journal}).\n`);
    expect(r.stderr).toMatch(/\n {2}failed {15}100\n/);
    const entries = journalLines(journal).filter((e) => e.type === 'batch');
    expect(entries.map((e) => [e.batch, e.status, e.http_status, e.ids.length])).toEqual([
      [1, 'failed', 500, 100],
      [2, 'done', 202, 100],
      [3, 'done', 202, 100],
    ]);
    expect(entries[0].ids).toEqual(Array.from({ length: 100 }, (_, i) => did(i)));
    expect(entries[0].error).toContain('PostHog answered 500');
    expect(remaining(0, 300)).toEqual(Array.from({ length: 100 }, (_, i) => i));

    sandbox.clearRequests();
    const resumed = await runInProcess(['--retries', '0', 'delete', '--from-file', 'ids.txt', '--yes', '--batch-size', '100', '--resume'], { sandbox, cwd: dir });
    expect(resumed.code).toBe(0);
    expect(bulkRequests().map((q) => q.body)).toEqual([{ distinct_ids: Array.from({ length: 100 }, (_, i) => did(i)) }]);
    expect(resumed.stderr).toMatch(/\n {2}skipped {14}200\n/);
    expect(remaining(0, 300)).toEqual([]);
    const all = journalLines(journal);
    expect(all.filter((e) => e.type === 'run').length).toBe(2);
    // The resumed run's summary covers the whole erasure: 200 deleted by the first run, 100 by this one.
    expect(all.at(-1)).toMatchObject({ type: 'end', outcome: 'completed', summary: { requested: 300, deleted: 300, failed: 0, skipped: 200, runs: 2 } });
  });

  it('a rejected key stops the run at once: exit 4, the journal says failed', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), Array.from({ length: 300 }, (_, i) => did(i)).join('\n'));
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--yes', '--batch-size', '100', '--concurrency', '1'], {
      sandbox,
      cwd: dir,
      env: { POSTHOG_PERSONAL_API_KEY: 'phx_thisKeyIsNotKnownToTheSandbox000000000000' },
    });
    expect(r.code).toBe(4);
    // The lookup before the first batch is refused: nothing is deleted.
    expect(sandbox.requests.map((q) => q.route)).toEqual(['batch_by_distinct_ids']);
    const entries = journalLines(join(dir, 'ids.txt.delete.journal.jsonl'));
    expect(entries.map((e) => e.type)).toEqual(['run', 'batch', 'end']);
    expect(entries[2]).toMatchObject({ outcome: 'failed' });
    expect(readFileSync(join(dir, 'ids.txt.delete.journal.jsonl'), 'utf8')).not.toContain('thisKeyIsNotKnown');
  });
});

describe('delete --from-file --backup', () => {
  it('writes every record before its batch is deleted, fetched 200 at a time', async () => {
    const dir = tempDir();
    const many = '01910000-0000-7000-8000-999999999999';
    sandbox.store.removePerson(many);
    const manyIds = Array.from({ length: 12 }, (_, i) => `many-${i}`);
    sandbox.store.addPerson({ uuid: many, distinctIds: manyIds, properties: { email: 'many@example.com' } });
    const ids = [...Array.from({ length: 450 }, (_, i) => did(i)), 'many-3', 'nobody'];
    writeFileSync(join(dir, 'ids.txt'), ids.join('\n'));
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--yes', '--backup', 'backup.jsonl', '--batch-size', '250', '--concurrency', '1'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    // batch 1: 250 ids = 2 lookups; batch 2: 202 ids = 2 lookups + one retrieve of the person with 12 distinct_ids
    expect(sandbox.requests.map((q) => q.route)).toEqual([
      'batch_by_distinct_ids',
      'batch_by_distinct_ids',
      'bulk_delete',
      'batch_by_distinct_ids',
      'batch_by_distinct_ids',
      'retrieve',
      'bulk_delete',
    ]);
    const lookups = sandbox.requests.filter((q) => q.route === 'batch_by_distinct_ids').map((q) => (q.body as { distinct_ids: string[] }).distinct_ids.length);
    expect(lookups).toEqual([200, 50, 200, 2]);
    const records = readFileSync(join(dir, 'backup.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records.length).toBe(451);
    expect(records[0]).toMatchObject({ uuid: uuidOf(0), distinct_ids: [did(0)], properties: { email: 'p0@example.com' } });
    expect(records.at(-1)).toMatchObject({ uuid: many, properties: { email: 'many@example.com' } });
    expect([...records.at(-1).distinct_ids].sort()).toEqual([...manyIds].sort());
    expect(r.stderr).toContain(`Backup: ${join(dir, 'backup.jsonl')}\n`);
    expect(remaining(0, 450)).toEqual([]);
  });
});
