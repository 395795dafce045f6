// --projects on the other commands of an erasure: verify (arguments, --from-file), reset-distinct-id
// (named, --from-file), delete of named persons, and deletion-status --journal of a run over several
// projects (each project's event deletions, automatically; --projects only narrows).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
afterAll(() => sandbox.close());

/** p-1 in projects 1 and 2, p-2 in project 3 only, p-3 nowhere. */
const HOLDS: Record<number, string[]> = { 1: ['p-1'], 2: ['p-1'], 3: ['p-2'] };
const uuidOf = (team: number, id: string) => `0d${team}00000-0000-7000-8000-${id.replace('p-', '').padStart(12, '0')}`;

beforeEach(() => {
  sandbox.setOptions({ deleteMode: 'sync', rateLimit: 0 });
  for (const [team, ids] of Object.entries(HOLDS)) {
    const teamId = Number(team);
    for (const id of ids) if (!sandbox.store.person(uuidOf(teamId, id), teamId)) sandbox.store.addPerson({ teamId, uuid: uuidOf(teamId, id), distinctIds: [id] });
  }
  sandbox.clearRequests();
});

const folder = () => mkdtempSync(join(tmpdir(), 'pp-projects-commands-'));
const noProject = { POSTHOG_PROJECT_ID: '' };

describe('verify --projects', () => {
  it('arguments: checked in each project, stdout names the project of each still present, exit 8', async () => {
    const r = await runInProcess(['verify', 'p-1', 'p-2', 'p-3', '--projects', '1,2,3'], { sandbox, cwd: folder() });
    expect(r.code).toBe(8);
    expect(r.stdout).toBe(`1\tp-1\tdistinct_id\t${uuidOf(1, 'p-1')}\tp-1\n2\tp-1\tdistinct_id\t${uuidOf(2, 'p-1')}\tp-1\n3\tp-2\tdistinct_id\t${uuidOf(3, 'p-2')}\tp-2\n`);
    expect(r.stderr).toContain(
      'Checked in 3 projects:\n' +
        '  1 "Production": checked 3 identifiers in 1 lookup: 2 gone, 1 still present\n' +
        '  2 "Staging": checked 3 identifiers in 1 lookup: 2 gone, 1 still present\n' +
        '  3 "Development" (environment of 1): checked 3 identifiers in 1 lookup: 2 gone, 1 still present\n' +
        '  total: checked 9 in 3 lookups: 6 gone, 3 still present\n',
    );
    expect(sandbox.requests.filter((q) => q.route === 'bulk_delete')).toEqual([]);
  });

  it('--from-file with --report: one row per identifier and project', async () => {
    const cwd = folder();
    writeFileSync(join(cwd, 'ids.txt'), 'p-1\np-3\n');
    const r = await runInProcess(['verify', '--from-file', 'ids.txt', '--projects', '2,3', '--report', 'v.csv'], { sandbox, cwd, env: noProject });
    expect(r.code).toBe(8);
    const rows = readFileSync(join(cwd, 'v.csv'), 'utf8').trim().split('\r\n');
    expect(rows[0]).toBe('identifier,kind,person_uuid,outcome,batch,time,http_status,project');
    expect(rows.slice(1).map((row) => [row.split(',')[0], row.split(',')[3], row.split(',')[7]])).toEqual([
      ['p-1', 'present', '2'],
      ['p-3', 'gone', '2'],
      ['p-1', 'gone', '3'],
      ['p-3', 'gone', '3'],
    ]);
  });
});

describe('reset-distinct-id --projects', () => {
  const resets = () => sandbox.requests.filter((q) => q.route === 'reset_person_distinct_id').map((q) => `${q.path.split('/')[3]}:${(q.body as { distinct_id: string }).distinct_id}`);

  it('named: each distinct_id reset in each project, a line per project', async () => {
    const r = await runInProcess(['reset-distinct-id', 'gone-1', 'gone-2', '--projects', '1,3'], { sandbox, cwd: folder(), env: noProject });
    expect(r.code).toBe(0);
    expect(resets()).toEqual(['1:gone-1', '1:gone-2', '3:gone-1', '3:gone-2']);
    expect(r.stderr).toContain('Done in 2 projects (by distinct_id):\n  1 "Production": requested 2, reset 2, failed 0\n  3 "Development" (environment of 1): requested 2, reset 2, failed 0\n  total: requested 4, reset 4, failed 0\n');
  });

  it('--from-file: one journal, a section per project; the confirmation counts distinct_ids × projects', async () => {
    const cwd = folder();
    writeFileSync(join(cwd, 'ids.txt'), 'gone-1\ngone-2\ngone-3\n');
    const r = await runInProcess(['reset-distinct-id', '--from-file', 'ids.txt', '--projects', 'all', '--yes', '--report', 'r.csv'], { sandbox, cwd });
    expect(r.code).toBe(0);
    expect(resets()).toHaveLength(9);
    expect(r.stderr).toContain('  total: requested 9, reset 9, failed 0\n');
    const journal = readFileSync(join(cwd, 'ids.txt.reset-distinct-id.journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(journal.filter((e) => e.type === 'run').map((e) => e.project)).toEqual(['1', '3', '2']);
    const report = readFileSync(join(cwd, 'r.csv'), 'utf8').trim().split('\r\n');
    expect(report[0]!.endsWith(',project')).toBe(true);
    expect(report).toHaveLength(1 + 9);
  });
});

describe('delete --projects of named persons', () => {
  it('each distinct_id looked up and deleted in each project; where it is nobody it is not found; one summary', async () => {
    const r = await runInProcess(['delete', 'p-1', '--projects', '1,2,3', '--yes'], { sandbox, cwd: folder() });
    expect(r.code).toBe(0);
    expect(sandbox.store.person(uuidOf(1, 'p-1'), 1)).toBeUndefined();
    expect(sandbox.store.person(uuidOf(2, 'p-1'), 2)).toBeUndefined();
    expect(sandbox.requests.filter((q) => q.route === 'bulk_delete').map((q) => q.path.split('/')[3])).toEqual(['1', '2', '3']);
    expect(r.stderr).toContain('  1 "Production": requested 1, found 1, deleted 1, queued for deletion 0, not found 0, failed 0\n');
    expect(r.stderr).toContain('  3 "Development" (environment of 1): requested 1, found 0, deleted 0, queued for deletion 0, not found 1, failed 0\n');
  });

  it('a UUID-shaped name needs --by (a person UUID belongs to one project): exit 2 before any request', async () => {
    const r = await runInProcess(['delete', uuidOf(1, 'p-1'), '--projects', '1,2', '--yes'], { sandbox, cwd: folder() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--by distinct-id');
    expect(sandbox.requests).toEqual([]);
  });
});

describe('deletion-status --journal of a run over several projects', () => {
  it('every project of the journal, a project column, a line per project; --projects narrows', async () => {
    const cwd = folder();
    writeFileSync(join(cwd, 'ids.txt'), 'p-1\np-2\n');
    const erased = await runInProcess(['delete', '--from-file', 'ids.txt', '--projects', '1,2,3', '--delete-events', '--yes'], { sandbox, cwd });
    expect(erased.code).toBe(0);
    sandbox.clearRequests();
    const r = await runInProcess(['deletion-status', '--journal', 'ids.txt.delete.journal.jsonl', '-o', 'csv', '--fields', 'project,identifier,person_uuid,status'], { sandbox, cwd, env: noProject });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`project,identifier,person_uuid,status\r\n1,p-1,${uuidOf(1, 'p-1')},pending\r\n2,p-1,${uuidOf(2, 'p-1')},pending\r\n3,p-2,${uuidOf(3, 'p-2')},pending\r\n`);
    expect(r.stderr).toContain('Event deletion of 3 persons in 3 projects');
    // the projects' names come from the journal's headers (no request for them)
    expect(r.stderr).toContain('\n  1 "Production": 1 person: 1 pending, 0 completed, 0 with no row\n  2 "Staging": 1 person: 1 pending, 0 completed, 0 with no row\n  3 "Development": 1 person: 1 pending, 0 completed, 0 with no row\n');
    expect(new Set(sandbox.requests.map((q) => q.path.split('/')[3]))).toEqual(new Set(['1', '2', '3']));
    const narrowed = await runInProcess(['deletion-status', '--journal', 'ids.txt.delete.journal.jsonl', '--projects', '3', '-o', 'csv', '--fields', 'project,identifier'], { sandbox, cwd, env: noProject });
    expect(narrowed.code).toBe(0);
    expect(narrowed.stdout).toBe('project,identifier\r\n3,p-2\r\n');
  });
});

describe('--projects: what does not combine, refused before any request (exit 2)', () => {
  it.each([
    [['deletion-status', '--projects', '1'], '--projects applies to --journal'],
    [['delete', '--where', 'plan=free', '--projects', 'all', '--expect', '3', '--yes'], '--expect does not apply to --projects'],
    [['delete', '--from-file', 'ids.txt', '--max-not-found', '5', '--projects', 'all', '--yes'], '--max-not-found does not apply to --projects'],
    [['delete', 'p-1', '--fail-fast', '--yes'], '--fail-fast only applies to --projects'],
    [['verify', 'p-1', '--projects', '1,x'], '--projects: "x" is not a project id'],
    [['reset-distinct-id', 'gone-1', '--projects', ' '], '--projects is empty'],
  ])('%j', async (args, message) => {
    const cwd = folder();
    writeFileSync(join(cwd, 'ids.txt'), 'p-1\n');
    const r = await runInProcess(args, { sandbox, cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${message}`);
    expect(sandbox.requests).toEqual([]);
  });
});

describe('delete --projects --backup', () => {
  it('one backup file holds the record of every person deleted, in every project', async () => {
    const cwd = folder();
    writeFileSync(join(cwd, 'ids.txt'), 'p-1\np-2\n');
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--projects', '1,2,3', '--yes', '--backup', 'backup.jsonl'], { sandbox, cwd });
    expect(r.code).toBe(0);
    const uuids = readFileSync(join(cwd, 'backup.jsonl'), 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { uuid?: string }).uuid).filter(Boolean);
    expect(uuids).toEqual([uuidOf(1, 'p-1'), uuidOf(2, 'p-1'), uuidOf(3, 'p-2')]);
  });
});

describe('delete --projects with a query', () => {
  it('each project lists its own selection (kept in its section of the journal) and deletes it; one summary and one report', async () => {
    const cwd = folder();
    for (const team of [1, 2, 3]) sandbox.store.addPerson({ teamId: team, uuid: `0f${team}00000-0000-7000-8000-000000000001`, distinctIds: [`q-${team}`], properties: { plan: 'gone-plan' } });
    const dry = await runInProcess(['delete', '--where', 'plan=gone-plan', '--projects', '1,2,3', '--dry-run'], { sandbox, cwd });
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain('Would delete 3 persons selected by --where plan=gone-plan in 3 projects:\n  1 "Production" (project): 1 person selected\n  2 "Staging" (project): 1 person selected\n  3 "Development" (environment of 1): 1 person selected\n');
    sandbox.clearRequests();
    const r = await runInProcess(['delete', '--where', 'plan=gone-plan', '--projects', '1,2,3', '--yes', '--report', 'q.csv'], { sandbox, cwd });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('  total: requested 3, found 3, deleted 3, queued for deletion 0, not found 0, failed 0\n');
    for (const team of [1, 2, 3]) expect(sandbox.store.person(`0f${team}00000-0000-7000-8000-000000000001`, team)).toBeUndefined();
    const lists = sandbox.requests.filter((q) => q.method === 'GET' && /\/persons\/$/.test(q.path)).map((q) => q.path.split('/')[3]);
    expect(lists).toEqual(['1', '2', '3']);
    const report = readFileSync(join(cwd, 'q.csv'), 'utf8').trim().split('\r\n');
    expect(report.slice(1).map((row) => [row.split(',')[2], row.split(',')[3], row.split(',')[8]])).toEqual([
      ['0f100000-0000-7000-8000-000000000001', 'deleted', '1'],
      ['0f200000-0000-7000-8000-000000000001', 'deleted', '2'],
      ['0f300000-0000-7000-8000-000000000001', 'deleted', '3'],
    ]);
  });
});

describe('delete --projects --reset-distinct-ids', () => {
  it("each batch's distinct_ids are reset in its project once it is deleted", async () => {
    const cwd = folder();
    writeFileSync(join(cwd, 'ids.txt'), 'p-1\np-2\n');
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--projects', '1,3', '--reset-distinct-ids', '--yes'], { sandbox, cwd });
    expect(r.code).toBe(0);
    const resets = sandbox.requests.filter((q) => q.route === 'reset_person_distinct_id').map((q) => `${q.path.split('/')[3]}:${(q.body as { distinct_id: string }).distinct_id}`);
    expect(resets).toEqual(['1:p-1', '1:p-2', '3:p-1', '3:p-2']);
    expect(r.stderr).toContain('then reset_person_distinct_id for each distinct_id (4 requests)');
  });
});

describe('--projects: a bad input file is refused before the projects are even listed', () => {
  it.each([
    [['delete', '--from-file', 'bad.csv', '--projects', 'all', '--yes'], 'is not a UUID'],
    [['delete', '--from-file', 'uuids.csv', '--projects', 'all', '--reset-distinct-ids', '--yes'], '--reset-distinct-ids resets the distinct_ids the input names, and uuids.csv names persons by UUID'],
    [['reset-distinct-id', '--from-file', 'bad.csv', '--projects', 'all', '--yes'], 'reset-distinct-id resets distinct_ids'],
  ])('%j: exit 2, no request', async (args, message) => {
    const cwd = folder();
    writeFileSync(join(cwd, 'bad.csv'), 'uuid\nnot-a-uuid\n');
    writeFileSync(join(cwd, 'uuids.csv'), `uuid\n${uuidOf(1, 'p-1')}\n`);
    const r = await runInProcess(args, { sandbox, cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(sandbox.requests).toEqual([]);
  });
});

describe('delete --projects of an email list', () => {
  it('each project resolves the emails to its own persons (journaled in its section); the report has a row per email and project', async () => {
    const cwd = folder();
    for (const team of [1, 3]) sandbox.store.addPerson({ teamId: team, uuid: `0a${team}00000-0000-7000-8000-000000000001`, distinctIds: [`mail-${team}`], properties: { email: 'gone@multi.example' } });
    writeFileSync(join(cwd, 'emails.csv'), 'email\ngone@multi.example\nnobody@multi.example\n');
    // plain lines (a dry run first) read as emails with --by email
    writeFileSync(join(cwd, 'emails.txt'), 'gone@multi.example\n');
    const dry = await runInProcess(['delete', '--from-file', 'emails.txt', '--by', 'email', '--projects', '1,2', '--dry-run'], { sandbox, cwd });
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain('Would delete 1 person from emails.txt in 2 projects:\n  1 "Production" (project): 1 person matched by the emails\n  2 "Staging" (project): 0 persons matched by the emails\n');
    const r = await runInProcess(['delete', '--from-file', 'emails.csv', '--projects', '1,2,3', '--yes', '--report', 'e.csv'], { sandbox, cwd });
    expect(r.code).toBe(0);
    for (const team of [1, 3]) expect(sandbox.store.person(`0a${team}00000-0000-7000-8000-000000000001`, team)).toBeUndefined();
    const report = readFileSync(join(cwd, 'e.csv'), 'utf8').trim().split('\r\n').slice(1).map((row) => row.split(','));
    expect(report.map((row) => [row[0], row[3], row[8]])).toEqual([
      ['gone@multi.example', 'deleted', '1'],
      ['nobody@multi.example', 'not_found', '1'],
      ['gone@multi.example', 'not_found', '2'],
      ['nobody@multi.example', 'not_found', '2'],
      ['gone@multi.example', 'deleted', '3'],
      ['nobody@multi.example', 'not_found', '3'],
    ]);
    const journal = readFileSync(join(cwd, 'emails.csv.delete.journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(journal.filter((e) => e.type === 'resolve').length).toBeGreaterThanOrEqual(3);
  });
});
