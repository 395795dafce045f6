// `verify`: read-only lookups 200 a request, the identifiers that still resolve on stdout in every
// format, exit 0 / 8, --report rows, --wait against a sandbox that deletes asynchronously.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { ON_A_TERMINAL, runInProcess } from '../helpers/in-process.js';
import { manualClock } from '../helpers/manual-clock.js';

let sandbox: Sandbox;
const did = (i: number) => `ver-${String(i).padStart(5, '0')}`;
const uuidOf = (i: number) => `01930000-0000-7000-8000-${String(i).padStart(12, '0')}`;
const PRESENT = 100;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
  for (let i = 0; i < PRESENT; i++) {
    sandbox.store.addPerson({ uuid: uuidOf(i), distinctIds: [did(i)], properties: { email: `v${i}@example.com` }, createdAt: '2025-03-01T00:00:00.000Z' });
  }
});
beforeEach(() => sandbox.clearRequests());
afterAll(() => sandbox.close());

const tempDir = () => mkdtempSync(join(tmpdir(), 'pp-verify-'));
const LOOKUP_ROUTES = new Set(['batch_by_distinct_ids', 'batch_by_uuids']);
/** Every request verify sent was a batch lookup: nothing that writes. */
function onlyLookups(s: Sandbox = sandbox): void {
  expect(s.requests.length).toBeGreaterThan(0);
  expect(s.requests.filter((q) => !LOOKUP_ROUTES.has(q.route)).map((q) => `${q.method} ${q.route}`)).toEqual([]);
}

describe('verify <person>...', () => {
  it('identifiers that still resolve go to stdout (tsv when piped), the summary to stderr, exit 8', async () => {
    const r = await runInProcess(['verify', did(1), 'gone-1', did(2), 'gone-2'], { sandbox });
    expect(r.code).toBe(8);
    expect(r.stdout).toBe(`${did(1)}\tdistinct_id\t${uuidOf(1)}\tv1@example.com\n${did(2)}\tdistinct_id\t${uuidOf(2)}\tv2@example.com\n`);
    expect(r.stderr).toBe(
      'Checked 4 identifiers in 1 lookup: 2 gone, 2 still present.\n' +
        'error: 2 identifiers still resolve to a person\n' +
        'PostHog removes persons queued for deletion within minutes: check again with --wait[=SECONDS].\n',
    );
    onlyLookups();
    expect(sandbox.requests.map((q) => [q.route, q.body])).toEqual([['batch_by_distinct_ids', { distinct_ids: [did(1), 'gone-1', did(2), 'gone-2'] }]]);
  });

  it('none resolves: exit 0, nothing on stdout', async () => {
    const r = await runInProcess(['verify', 'gone-1', 'gone-2'], { sandbox });
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: 'Checked 2 identifiers in 1 lookup: 2 gone, 0 still present.\n' });
  });

  it('a UUID-shaped argument is checked as a person UUID and as a distinct_id; --by uuid only as a UUID', async () => {
    const anonymous = '01930000-0000-7000-8000-00000000abcd';
    sandbox.store.addPerson({ uuid: '01930000-0000-7000-8000-0000000fffff', distinctIds: [anonymous] });
    const both = await runInProcess(['verify', uuidOf(3), anonymous, '-o', 'jsonl', '--fields', 'identifier,kind,person_uuid'], { sandbox });
    expect(both.code).toBe(8);
    expect(both.stdout).toBe(
      `{"identifier":"${uuidOf(3)}","kind":"uuid","person_uuid":"${uuidOf(3)}"}\n` +
        `{"identifier":"${anonymous}","kind":"distinct_id","person_uuid":"01930000-0000-7000-8000-0000000fffff"}\n`,
    );
    expect(sandbox.requests.map((q) => [q.route, q.body])).toEqual([
      ['batch_by_uuids', { uuids: [uuidOf(3), anonymous] }],
      ['batch_by_distinct_ids', { distinct_ids: [anonymous] }],
    ]);
    sandbox.clearRequests();
    const byUuid = await runInProcess(['verify', '--by', 'uuid', anonymous], { sandbox });
    expect(byUuid.code).toBe(0);
    expect(sandbox.requests.map((q) => q.route)).toEqual(['batch_by_uuids']);
  });

  it('every output format on stdout', async () => {
    const args = ['verify', did(5), 'gone-5'];
    const json = await runInProcess([...args, '-o', 'json'], { sandbox });
    expect(JSON.parse(json.stdout)).toEqual([
      { identifier: did(5), kind: 'distinct_id', person_uuid: uuidOf(5), name: 'v5@example.com', distinct_ids: [did(5)], created_at: '2025-03-01T00:00:00.000Z' },
    ]);
    const csv = await runInProcess([...args, '-o', 'csv', '--fields', 'identifier,person_uuid,distinct_ids,created_at'], { sandbox });
    expect(csv.stdout).toBe(`identifier,person_uuid,distinct_ids,created_at\r\n${did(5)},${uuidOf(5)},"[""${did(5)}""]",2025-03-01T00:00:00.000Z\r\n`);
    const table = await runInProcess([...args, '-o', 'table'], { sandbox, ...ON_A_TERMINAL });
    expect(table.code).toBe(8);
    expect(table.stdout).toContain('IDENTIFIER');
    expect(table.stdout).toContain(uuidOf(5));
    expect(table.stdout).not.toContain('gone-5');
  });

  it('--report: a row per input identifier, present, gone or duplicate, with the lookup that said so', async () => {
    const dir = tempDir();
    const clock = manualClock(Date.parse('2026-02-03T04:05:06.000Z'));
    const r = await runInProcess(['verify', did(7), 'gone-7', did(7), '--report', 'verified.csv'], { sandbox, cwd: dir, clock });
    expect(r.code).toBe(8);
    expect(r.stderr).toContain(`Report: ${join(dir, 'verified.csv')}\n`);
    expect(r.stderr).toContain('Checked 2 identifiers (1 duplicate checked once) in 1 lookup: 1 gone, 1 still present.\n');
    expect(readFileSync(join(dir, 'verified.csv'), 'utf8')).toBe(
      'identifier,kind,person_uuid,outcome,batch,time,http_status\r\n' +
        `${did(7)},distinct_id,${uuidOf(7)},present,1,2026-02-03T04:05:06.000Z,200\r\n` +
        'gone-7,distinct_id,,gone,1,2026-02-03T04:05:06.000Z,200\r\n' +
        `${did(7)},distinct_id,${uuidOf(7)},duplicate,,,\r\n`,
    );
  });

  it('a lookup that fails after its retries fails the run (exit 1): nothing is proved, no report is left', async () => {
    const dir = tempDir();
    sandbox.script({ path: /batch_by_distinct_ids/, kind: 'status', status: 500 });
    const r = await runInProcess(['--retries', '0', 'verify', did(1), 'gone-1', '--report', 'r.csv'], { sandbox, cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: .*500/m);
    expect(existsSync(join(dir, 'r.csv'))).toBe(false);
  });

  it.each([
    [['verify'], 'nothing to verify: give persons, --from-file PATH or --journal PATH'],
    [['verify', 'a', '--journal', 'j.jsonl'], 'only one of them'],
    [['verify', '--from-file', 'x.txt', '--journal', 'j.jsonl'], 'only one of them'],
    [['verify', 'a', '--column', 'email'], '--column only applies to --from-file'],
    [['verify', 'a', '--by', 'id'], 'use --by uuid, --by distinct-id or --by email'],
    [['verify', '--journal', 'j.jsonl', '--by', 'uuid'], '--by does not apply to --journal'],
    [['verify', '--by', 'uuid', 'not-a-uuid'], 'not-a-uuid'],
    [['verify', 'a', '--report', 'no/such/folder/r.csv'], 'does not exist'],
    [['verify', 'a', '--wait=abc'], '--wait takes a whole number of seconds'],
    [['verify', 'a', '--fields', 'nope'], 'unknown field "nope"'],
    [['verify', '--journal', 'missing.jsonl'], 'no journal at'],
  ])('bad input %j exits 2 before any request', async (args, message) => {
    const r = await runInProcess(args, { sandbox, cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('verify --from-file', () => {
  it('10,000 identifiers take exactly 50 lookups of 200, and no write', async () => {
    const dir = tempDir();
    const ids = Array.from({ length: 10_000 }, (_, i) => did(i));
    writeFileSync(join(dir, 'erased.txt'), `${ids.join('\n')}\n${did(3)}\n\n`);
    const r = await runInProcess(['verify', '--from-file', 'erased.txt', '--fields', 'identifier'], { sandbox, cwd: dir });
    expect(r.code).toBe(8);
    expect(r.stdout).toBe(`${ids.slice(0, PRESENT).join('\n')}\n`);
    expect(r.stderr).toContain('Checked 10,000 identifiers (1 duplicate checked once) in 50 lookups: 9,900 gone, 100 still present.\n');
    onlyLookups();
    const lookups = sandbox.requests.filter((q) => q.route === 'batch_by_distinct_ids');
    expect(lookups).toHaveLength(50);
    expect(lookups.every((q) => (q.body as { distinct_ids: string[] }).distinct_ids.length === 200)).toBe(true);
    expect(new Set(lookups.flatMap((q) => (q.body as { distinct_ids: string[] }).distinct_ids))).toEqual(new Set(ids));
  });

  it('a uuid column is looked up by person UUID; --report covers each unique identifier', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'erased.csv'), `uuid\n${uuidOf(8)}\n01930000-0000-7000-8000-00000000dead\n`);
    const r = await runInProcess(['verify', '--from-file', 'erased.csv', '--report', 'r.jsonl'], { sandbox, cwd: dir, clock: manualClock() });
    expect(r.code).toBe(8);
    expect(sandbox.requests.map((q) => q.route)).toEqual(['batch_by_uuids']);
    const rows = readFileSync(join(dir, 'r.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((row) => [row.identifier, row.kind, row.outcome, row.person_uuid])).toEqual([
      [uuidOf(8), 'uuid', 'present', uuidOf(8)],
      ['01930000-0000-7000-8000-00000000dead', 'uuid', 'gone', null],
    ]);
  });

  it('stdin (--from-file -): the rows are read once and serve the lookups, stdout and the report', async () => {
    const dir = tempDir();
    const r = await runInProcess(['verify', '--from-file', '-', '--report', 'r.csv', '--fields', 'identifier'], { sandbox, cwd: dir, stdin: `gone-a\n${did(9)}\ngone-b\n` });
    expect(r.code).toBe(8);
    expect(r.stdout).toBe(`${did(9)}\n`);
    expect(readFileSync(join(dir, 'r.csv'), 'utf8').split('\r\n').map((l) => l.split(',').slice(0, 4).join(','))).toEqual([
      'identifier,kind,person_uuid,outcome',
      'gone-a,distinct_id,,gone',
      `${did(9)},distinct_id,${uuidOf(9)},present`,
      'gone-b,distinct_id,,gone',
      '',
    ]);
  });

  it('an empty file is refused as delete refuses it (exit 2, no request): probably the wrong file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'empty.txt'), '\n\n');
    const r = await runInProcess(['verify', '--from-file', 'empty.txt'], { sandbox, cwd: dir });
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: 'error: no identifiers in empty.txt\n' });
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('verify --wait', () => {
  it('polls what is still present, 5 s then doubling, until PostHog has removed it (async deletion)', async () => {
    const time = manualClock();
    const lagged = await startSandbox({ persons: 0, writeLagMs: 30_000, deleteMode: 'async', clock: time });
    try {
      for (let i = 0; i < 3; i++) lagged.store.addPerson({ uuid: uuidOf(i), distinctIds: [did(i)] });
      const del = await runInProcess(['delete', did(0), did(1), '--yes', '--journal', join(tempDir(), 'j.jsonl')], { sandbox: lagged, clock: { now: time.now, sleep: async () => undefined } });
      expect(del.code).toBe(0);
      lagged.clearRequests();
      const sleeps: number[] = [];
      const clock = { now: time.now, sleep: async (ms: number) => (sleeps.push(ms), time.advance(ms)) };
      const r = await runInProcess(['verify', did(0), did(1), did(2), '--wait'], { sandbox: lagged, clock, ...ON_A_TERMINAL, stdoutIsTTY: false });
      expect(r.code).toBe(8);
      // did(2) was never deleted: it stays; did(0) and did(1) go once the 30 s lag has passed.
      expect(r.stdout).toBe(`${did(2)}\tdistinct_id\t${uuidOf(2)}\t${did(2)}\n`);
      expect(r.stderr).toContain('Waiting: 3 identifiers still present; checking again in 5 s (600 s left)…\n');
      expect(r.stderr).toContain('Waiting: 3 identifiers still present; checking again in 20 s (585 s left)…\n');
      expect(r.stderr).toContain('Waiting: 1 identifier still present; checking again in 40 s (565 s left)…\n');
      expect(r.stderr).toContain('Waiting: 1 identifier still present; checking again in 45 s (45 s left)…\n');
      expect(r.stderr).toContain('Checked 3 identifiers in 14 lookups');
      expect(r.stderr).toContain('2 gone, 1 still present after waiting 600 s (3 present at first).\n');
      // pauses of 5, 10, 20, 40 then 60 s, the last one cut to the 600 s: 14 lookups in all
      expect(sleeps).toEqual([5, 10, 20, 40, 60, 60, 60, 60, 60, 60, 60, 60, 45].map((s) => s * 1000));
      expect(lagged.requests).toHaveLength(14);
      expect(lagged.requests.slice(1).every((q) => q.route === 'batch_by_distinct_ids')).toBe(true);
      expect((lagged.requests[3]!.body as { distinct_ids: string[] }).distinct_ids).toEqual([did(0), did(1), did(2)]);
      expect((lagged.requests[4]!.body as { distinct_ids: string[] }).distinct_ids).toEqual([did(2)]);
      onlyLookups(lagged);
    } finally {
      await lagged.close();
    }
  });

  it('exit 0 as soon as everything is gone', async () => {
    const time = manualClock();
    const lagged = await startSandbox({ persons: 0, writeLagMs: 12_000, deleteMode: 'async', clock: time });
    try {
      lagged.store.addPerson({ uuid: uuidOf(0), distinctIds: [did(0)] });
      expect((await runInProcess(['delete', '--by', 'uuid', uuidOf(0), '--yes'], { sandbox: lagged, clock: { now: time.now, sleep: async () => undefined } })).code).toBe(0);
      lagged.clearRequests();
      const clock = { now: time.now, sleep: async (ms: number) => time.advance(ms) };
      const r = await runInProcess(['verify', '--by', 'uuid', uuidOf(0), '--wait=120'], { sandbox: lagged, clock });
      expect(r).toMatchObject({ code: 0, stdout: '' });
      expect(r.stderr).toBe('Checked 1 identifier in 3 lookups: 1 gone, 0 still present after waiting 15 s (1 present at first).\n');
      onlyLookups(lagged);
    } finally {
      await lagged.close();
    }
  });
});
