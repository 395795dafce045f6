// `verify --journal`: the hash chain checked first, the erasure summarised from the journal, and
// every identifier it records as deleted or queued looked up (never a write).
import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { Journal } from '../../src/bulk/journal/journal.js';
import { runInProcess } from '../helpers/in-process.js';
import { manualClock } from '../helpers/manual-clock.js';

let sandbox: Sandbox;
const did = (i: number) => `vj-${String(i).padStart(4, '0')}`;
const uuidOf = (i: number) => `01940000-0000-7000-8000-${String(i).padStart(12, '0')}`;
const sha = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
beforeEach(() => {
  for (let i = 0; i < 40; i++) if (!sandbox.store.person(uuidOf(i))) sandbox.store.addPerson({ uuid: uuidOf(i), distinctIds: [did(i)] });
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

const tempDir = () => mkdtempSync(join(tmpdir(), 'pp-verify-journal-'));
const onlyLookups = () => expect(sandbox.requests.filter((q) => !q.route.startsWith('batch_by_')).map((q) => q.route)).toEqual([]);

/** An erasure of persons 0-19 and 10 unknown distinct_ids, in batches of 10: its journal's path. */
async function erase(dir: string): Promise<string> {
  const ids = [...Array.from({ length: 20 }, (_, i) => did(i)), ...Array.from({ length: 10 }, (_, i) => `unknown-${i}`)];
  writeFileSync(join(dir, 'erase.txt'), `${ids.join('\n')}\n`);
  const clock = manualClock(Date.parse('2026-03-04T05:06:07.000Z'));
  const r = await runInProcess(['delete', '--from-file', 'erase.txt', '--yes', '--batch-size', '10', '--concurrency', '1'], { sandbox, cwd: dir, clock });
  expect(r.code).toBe(0);
  sandbox.clearRequests();
  return join(dir, 'erase.txt.delete.journal.jsonl');
}

describe('verify --journal', () => {
  it('an intact journal of a finished erasure: the summary, every recorded identifier looked up, exit 0', async () => {
    const dir = tempDir();
    const journal = await erase(dir);
    const lines = readFileSync(journal, 'utf8').split('\n').slice(0, -1);
    const r = await runInProcess(['verify', '--journal', journal], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const runId = JSON.parse(lines[0]!).run_id;
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.stderr).toBe(
      `Journal ${journal}: 5 lines, hash chain intact.\n` +
        `  SHA-256 of its last line: ${sha(lines[4]!)} (record it elsewhere: it pins every line before it)\n` +
        'Runs: 1\n' +
        `  1. delete, started 2026-03-04T05:06:07.000Z, finished 2026-03-04T05:06:07.000Z (completed); ${sandbox.url}, project 1; input ${join(dir, 'erase.txt')}; ` +
        'by=distinct_id delete_events=false delete_recordings=false keep_person=false batch_size=10 concurrency=1 yes=true lookup=true resume=false\n' +
        'Recorded: 30 identifiers sent in 1 delete run: 20 found, 20 deleted, 0 queued for deletion, 10 not found, 0 failed (never done).\n' +
        // The batches were looked up before they were sent: only the 20 found are checked.
        'Checking 20 identifiers the journal records as deleted or queued for deletion.\n' +
        'Checked 20 identifiers in 1 lookup: 20 gone, 0 still present.\n',
    );
    onlyLookups();
    expect(sandbox.requests).toHaveLength(1);
  });

  it('a person that came back is still present: exit 8, listed on stdout', async () => {
    const dir = tempDir();
    const journal = await erase(dir);
    sandbox.store.addPerson({ uuid: uuidOf(3), distinctIds: [did(3)] });
    const r = await runInProcess(['verify', '--journal', journal, '-o', 'csv', '--fields', 'identifier,person_uuid'], { sandbox, cwd: dir });
    expect(r.code).toBe(8);
    expect(r.stdout).toBe(`identifier,person_uuid\r\n${did(3)},${uuidOf(3)}\r\n`);
    onlyLookups();
  });

  it('one flipped byte in a batch line: exit 1 naming the line, after saying what the lookups found', async () => {
    const dir = tempDir();
    const journal = await erase(dir);
    const bytes = readFileSync(journal);
    const text = bytes.toString('utf8');
    const lines = text.split('\n');
    const at = lines[0]!.length + 1 + lines[1]!.indexOf(did(4)) + 3;
    bytes[at] = bytes[at]! ^ 0x02;
    writeFileSync(journal, bytes);
    const r = await runInProcess(['verify', '--journal', journal], { sandbox, cwd: dir });
    expect(r.code).toBe(1);
    const broken = 'line 3 does not follow line 2: the journal was changed after it was written (line 2 edited, or lines removed, added or reordered there)';
    expect(r.stderr.startsWith(`Journal ${journal}: the hash chain is broken: ${broken}.\n`)).toBe(true);
    expect(r.stderr.endsWith(
      `error: the journal's hash chain is broken: ${broken}\n` +
        "The journal cannot serve as proof as it is. Compare it with a copy kept elsewhere (its last line's SHA-256, if recorded).\n",
    )).toBe(true);
  });

  it('a torn last line is said to be unfinished, not tampering', async () => {
    const dir = tempDir();
    const journal = await erase(dir);
    appendFileSync(journal, '{"type":"batch","run_id":"x","ti');
    const r = await runInProcess(['verify', '--journal', journal], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('hash chain intact.\n');
    expect(r.stderr).toContain('  Its last line is unfinished (a run was stopped while writing it): it records nothing and is not part of the chain.\n');
  });

  it('batches looked up before they were sent: only the identifiers they found are checked, by the recorded kind', async () => {
    const dir = tempDir();
    const path = join(dir, 'j.jsonl');
    const journal = await Journal.open(path);
    const base = { run_id: 'r1', time: '2026-03-04T05:06:07.000Z', status: 'done' as const, http_status: 202 };
    await journal.writeHeader({ run_id: 'r1', started_at: '2026-03-04T05:06:07.000Z', command: 'delete', host: sandbox.url, project: '1', flags: { by: 'distinct_id' } });
    await journal.writeBatch({ ...base, batch: 1, ids: [did(30), 'nobody'], by: 'distinct_id', found: { [did(30)]: uuidOf(30) }, looked_up: true } as never);
    await journal.writeBatch({ ...base, batch: 2, ids: [uuidOf(31)], by: 'uuid' });
    await journal.writeBatch({ ...base, batch: 3, ids: [did(32)], by: 'distinct_id', status: 'failed', http_status: 503 });
    await journal.close();
    const r = await runInProcess(['verify', '--journal', path, '--report', 'r.csv', '--fields', 'identifier,kind'], { sandbox, cwd: dir });
    expect(r.code).toBe(8);
    expect(r.stdout).toBe(`${did(30)}\tdistinct_id\n${uuidOf(31)}\tuuid\n`);
    expect(sandbox.requests.map((q) => [q.route, q.body])).toEqual([
      ['batch_by_uuids', { uuids: [uuidOf(31)] }],
      ['batch_by_distinct_ids', { distinct_ids: [did(30)] }],
    ]);
    const report = readFileSync(join(dir, 'r.csv'), 'utf8').split('\r\n');
    expect(report[1]).toMatch(new RegExp(`^${did(30)},distinct_id,${uuidOf(30)},present,`));
    expect(report[2]).toMatch(new RegExp(`^${uuidOf(31)},uuid,${uuidOf(31)},present,`));
    expect(report).toHaveLength(4);
  });

  it('a --keep-person run deleted no person: nothing to verify, exit 0, no request', async () => {
    const dir = tempDir();
    const path = join(dir, 'j.jsonl');
    const journal = await Journal.open(path);
    await journal.writeHeader({ run_id: 'r1', started_at: '2026-03-04T05:06:07.000Z', command: 'delete', host: sandbox.url, project: '1', flags: { by: 'uuid', delete_events: true, keep_person: true } });
    await journal.writeBatch({ run_id: 'r1', time: '2026-03-04T05:06:07.000Z', batch: 1, ids: [uuidOf(33)], by: 'uuid', status: 'done' });
    await journal.close();
    const r = await runInProcess(['verify', '--journal', path], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Checking 0 identifiers the journal records as deleted or queued for deletion.\nNothing to verify: the input holds no identifiers.\n');
    expect(sandbox.requests).toHaveLength(0);
  });

  it('a journal of another project is not checked against this one: exit 2, no request', async () => {
    const dir = tempDir();
    const path = join(dir, 'j.jsonl');
    const journal = await Journal.open(path);
    await journal.writeHeader({ run_id: 'r1', started_at: '2026-03-04T05:06:07.000Z', command: 'delete', host: 'https://eu.posthog.com', project: '777', flags: { by: 'uuid' } });
    await journal.writeBatch({ run_id: 'r1', time: '2026-03-04T05:06:07.000Z', batch: 1, ids: [uuidOf(34)], by: 'uuid', status: 'done' });
    await journal.close();
    const r = await runInProcess(['verify', '--journal', path], { sandbox, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Note: 1 delete run of this journal ran against https://eu.posthog.com, project 777, not');
    expect(r.stderr).toContain(`error: the journal records no delete run against ${sandbox.url}, project 1\n`);
    expect(r.stderr).toContain('Check --host and --project');
    expect(sandbox.requests).toHaveLength(0);
  });

  it('under --sandbox, the hint says each --sandbox command has a sandbox of its own', async () => {
    const dir = tempDir();
    const journal = await erase(dir);
    // The erasure ran against the test's sandbox; --sandbox starts another one, on another port.
    const r = await runInProcess(['--sandbox', 'verify', '--journal', journal], { cwd: dir, env: { POSTHOG_HOST: undefined, POSTHOG_PROJECT_ID: undefined, POSTHOG_PERSONAL_API_KEY: undefined } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Every --sandbox command starts a sandbox of its own');
  });
});
