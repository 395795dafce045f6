// delete --projects: one run over several projects and environments of the sandbox (1 "Production",
// 2 "Staging", 3 "Development", an environment of 1), persons sharing distinct_ids across them. One
// plan, one confirmation counting identifiers × projects, one journal with a section per project,
// one summary with a line per project and a total, one report with a `project` column; a project
// refusing the key's writes (403) is reported while the others are done (exit 7), or stops the run
// with --fail-fast (exit 4); a bad --projects value exits 2 before any request.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_KEYS, SANDBOX_TEAMS, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { ON_A_TERMINAL, runInProcess } from '../helpers/in-process.js';
import { fakeClock } from '../helpers/fake-clock.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
afterAll(() => sandbox.close());

const IDS = ['m-1', 'm-2', 'm-3', 'm-4', 'm-5', 'm-6'];
/** Which of IDS each project holds (by team id), and a bystander in each. */
const HOLDS: Record<number, string[]> = { 1: ['m-1', 'm-2', 'm-3', 'm-4'], 2: ['m-1', 'm-2'], 3: ['m-5'] };
const uuidOf = (team: number, id: string) => `0b${team}00000-0000-7000-8000-${id.replace('m-', '').padStart(12, '0')}`;
const bystander = (team: number) => `0b${team}00000-0000-7000-8000-999999999999`;

beforeEach(() => {
  for (const [team, ids] of Object.entries(HOLDS)) {
    const teamId = Number(team);
    for (const id of ids) if (!sandbox.store.person(uuidOf(teamId, id), teamId)) sandbox.store.addPerson({ teamId, uuid: uuidOf(teamId, id), distinctIds: [id] });
    if (!sandbox.store.person(bystander(teamId), teamId)) sandbox.store.addPerson({ teamId, uuid: bystander(teamId), distinctIds: [`bystander-${teamId}`] });
  }
  sandbox.clearRequests();
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pp-delete-projects-'));
  writeFileSync(join(dir, 'ids.txt'), `${IDS.join('\n')}\n`);
  return dir;
}

// (lookups are POSTs too: batch_by_distinct_ids)
const writes = () => sandbox.requests.filter((q) => q.method !== 'GET' && !q.path.includes('/batch_by_'));

describe('delete --projects', () => {
  it('--from-file over three projects: one summary with a line per project and a total, one report with a project column', async () => {
    const cwd = folder();
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--projects', '1,2,3', '--yes', '--report', 'report.csv'], { sandbox, cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines).toContain('Done in 3 projects (by distinct_id):');
    expect(lines).toContain('  1 "Production": requested 6, found 4, deleted 4, queued for deletion 0, not found 2, failed 0');
    expect(lines).toContain('  2 "Staging": requested 6, found 2, deleted 2, queued for deletion 0, not found 4, failed 0');
    expect(lines).toContain('  3 "Development" (environment of 1): requested 6, found 1, deleted 1, queued for deletion 0, not found 5, failed 0');
    expect(lines).toContain('  total: requested 18, found 7, deleted 7, queued for deletion 0, not found 11, failed 0');
    // the persons are gone, the bystanders are not
    for (const [team, ids] of Object.entries(HOLDS)) {
      for (const id of ids) expect(sandbox.store.person(uuidOf(Number(team), id), Number(team))).toBeUndefined();
      expect(sandbox.store.person(bystander(Number(team)), Number(team))).toBeDefined();
    }
    // one bulk_delete a project, to that project
    expect(writes().map((q) => q.path)).toEqual(['/api/projects/1/persons/bulk_delete/', '/api/projects/2/persons/bulk_delete/', '/api/projects/3/persons/bulk_delete/']);
    const report = readFileSync(join(cwd, 'report.csv'), 'utf8').trim().split('\r\n');
    expect(report[0]).toBe('identifier,kind,person_uuid,outcome,batch,time,http_status,run,project');
    expect(report).toHaveLength(1 + 18);
    const rows = report.slice(1).map((line) => line.split(','));
    for (const project of [1, 2, 3]) {
      for (const id of IDS) {
        const row = rows.find((cells) => cells[0] === id && cells[8] === String(project));
        const held = HOLDS[project]!.includes(id);
        expect(row?.[3], `${id} in ${project}`).toBe(held ? 'deleted' : 'not_found');
        expect(row?.[2]).toBe(held ? uuidOf(project, id) : '');
      }
    }
    // the journal: a section per project, one projects_run id, each header naming every project
    const entries = readFileSync(join(cwd, 'ids.txt.delete.journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    const headers = entries.filter((e) => e.type === 'run');
    expect(headers.map((h) => h.project)).toEqual(['1', '2', '3']);
    expect(new Set(headers.map((h) => h.projects_run.id)).size).toBe(1);
    for (const h of headers) expect(h.projects_run.projects).toEqual(['1', '2', '3']);
    expect(entries.filter((e) => e.type === 'end')).toHaveLength(3);
  });

  it('-o json: an object a project and the total', async () => {
    const cwd = folder();
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--projects', '2,3', '--yes', '-o', 'json'], { sandbox, cwd });
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as Record<string, any>;
    expect(summary.command).toBe('delete');
    expect(summary.projects.map((p: any) => [p.project.id, p.project.name, p.outcome, p.deleted, p.not_found])).toEqual([
      [2, 'Staging', 'completed', 2, 4],
      [3, 'Development', 'completed', 1, 5],
    ]);
    expect(summary.total).toMatchObject({ requested: 12, found: 3, deleted: 3, not_found: 9, failed: 0 });
  });

  it('the plan lists every project (all: what the key reaches) and the confirmation counts identifiers × projects', async () => {
    const cwd = folder();
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--projects', 'all'], { sandbox, cwd, ...ON_A_TERMINAL, stdin: '17\n', canPrompt: true });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('About to delete the persons of 6 distinct_ids from ids.txt in 3 projects at ');
    expect(r.stderr).toContain('  1 "Production" (project)\n  3 "Development" (environment of 1)\n  2 "Staging" (project)\n');
    expect(r.stderr).toContain('Type 18 to delete the persons of 6 distinct_ids in 3 projects:');
    expect(writes()).toEqual([]);
  });

  it('a dry run lists the projects and the requests of the whole run, and sends no write', async () => {
    const cwd = folder();
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--projects', 'all', '--dry-run'], { sandbox, cwd });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Would delete the persons of 6 distinct_ids from ids.txt in 3 projects:');
    expect(r.stderr).toContain('  1 "Production" (project)\n  3 "Development" (environment of 1)\n  2 "Staging" (project)\n');
    expect(r.stderr).toContain('3 bulk_delete requests + 3 lookups in all');
    expect(writes()).toEqual([]);
    const json = await runInProcess(['delete', '--from-file', 'ids.txt', '--projects', '2,3', '--dry-run', '-o', 'json'], { sandbox, cwd });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      dry_run: true,
      requested: 6,
      projects: [
        { id: 2, name: 'Staging', kind: 'project', to_send: 6, skipped: 0 },
        { id: 3, name: 'Development', kind: 'environment', to_send: 6, skipped: 0 },
      ],
      batches: 2,
      lookups: 2,
    });
  });

  it('the plan says the limit-bound time of the whole run, every project together (one limiter)', async () => {
    const cwd = folder();
    // (2 a minute: the listing of the projects, two reads, does not wait)
    const r = await runInProcess(['--rate-limit', '2', 'delete', '--from-file', 'ids.txt', '--projects', 'all', '--dry-run'], { sandbox, cwd });
    expect(r.code).toBe(0);
    // 3 lookups and 3 bulk_delete requests, one a project, at 2 a minute: the third of each waits a minute
    expect(r.stderr).toMatch(/\n {2}3 (lookups|bulk_delete requests): at least 1 min at --rate-limit's 2 a minute\.\n/);
  });

  it.each([
    [['--projects', ''], 'error: --projects is empty'],
    [['--projects', '1,,2'], 'has an empty entry'],
    [['--projects', 'prod'], 'error: --projects: "prod" is not a project id'],
    [['--projects', '1,1'], 'error: --projects names project 1 twice'],
    [['--projects', '1', '--project', '2'], 'error: --projects and --project'],
  ])('bad --projects %j: exit 2 before any request', async (flags, message) => {
    const cwd = folder();
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', ...flags, '--yes'], { sandbox, cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(sandbox.requests).toEqual([]);
  });

  it('a project refusing the writes (403) is reported, the others are done, exit 7', async () => {
    const cwd = folder();
    sandbox.script({ kind: 'status', status: 403, method: 'POST', path: '/persons/bulk_delete/', times: 1, body: { type: 'authentication_error', code: 'permission_denied', detail: 'You do not have permission to perform this action.', attr: null } });
    // the fault takes the first bulk_delete: that of project 1
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--projects', '1,2,3', '--yes'], { sandbox, cwd });
    expect(r.code).toBe(7);
    const lines = r.stderr.split('\n');
    expect(lines).toContain('  1 "Production": requested 6, found 0, deleted 0, queued for deletion 0, not found 0, failed 6; refused: PostHog refused the request (403): You do not have permission to perform this action.');
    expect(lines).toContain('  2 "Staging": requested 6, found 2, deleted 2, queued for deletion 0, not found 4, failed 0');
    expect(r.stderr).toContain('error: 1 of 3 projects failed: 1 "Production" (refused: 403)');
    expect(sandbox.store.person(uuidOf(1, 'm-1'), 1)).toBeDefined();
    expect(sandbox.store.person(uuidOf(2, 'm-1'), 2)).toBeUndefined();
    expect(sandbox.store.person(uuidOf(3, 'm-5'), 3)).toBeUndefined();
  });

  it('--fail-fast: the first refused project stops the run, exit 4', async () => {
    const cwd = folder();
    sandbox.script({ kind: 'status', status: 403, method: 'POST', path: '/persons/bulk_delete/', times: 1 });
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--projects', '1,2,3', '--yes', '--fail-fast'], { sandbox, cwd });
    expect(r.code).toBe(4);
    expect(writes().map((q) => q.path)).toEqual(['/api/projects/1/persons/bulk_delete/']);
    expect(r.stderr).toContain('  2 "Staging": not started (--fail-fast)');
    expect(sandbox.store.person(uuidOf(2, 'm-1'), 2)).toBeDefined();
  });

  it('--resume after a project failed: the projects done are skipped, the failed one is sent again; the chain runs through every section', async () => {
    const cwd = folder();
    sandbox.script({ kind: 'status', status: 500, method: 'POST', path: '/persons/bulk_delete/', times: 1 });
    const first = await runInProcess(['--retries', '0', 'delete', '--from-file', 'ids.txt', '--projects', '1,2', '--yes'], { sandbox, cwd });
    expect(first.code).toBe(7);
    expect(first.stderr).toContain('error: 1 of 2 projects failed: 1 "Production" (failed)');
    expect(sandbox.store.person(uuidOf(1, 'm-1'), 1)).toBeDefined();
    expect(sandbox.store.person(uuidOf(2, 'm-1'), 2)).toBeUndefined();
    sandbox.clearRequests();
    const resumed = await runInProcess(['delete', '--from-file', 'ids.txt', '--projects', '1,2', '--yes', '--resume'], { sandbox, cwd });
    expect(resumed.code).toBe(0);
    expect(writes().map((q) => q.path)).toEqual(['/api/projects/1/persons/bulk_delete/']);
    expect(resumed.stderr).toContain('  1 "Production": requested 6, found 4, deleted 4, queued for deletion 0, not found 2, failed 0 (across 2 runs)\n');
    expect(resumed.stderr).toContain('  2 "Staging" (project): 6 already done in the journal, 0 to send\n');
    expect(resumed.stderr).toContain('  2 "Staging": requested 6, found 2, deleted 2, queued for deletion 0, not found 4, failed 0 (across 2 runs)\n');
    const entries = readFileSync(join(cwd, 'ids.txt.delete.journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(entries.filter((e) => e.type === 'run').map((e) => e.project)).toEqual(['1', '2', '1', '2']);
    expect(new Set(entries.filter((e) => e.type === 'run').map((e) => e.projects_run.id)).size).toBe(1);
    const verified = await runInProcess(['verify', '--journal', 'ids.txt.delete.journal.jsonl'], { sandbox, cwd });
    expect(verified.stderr).toContain('hash chain intact');
    expect(verified.stderr).toContain('\n  1 "Production": checked 4 identifiers in 1 lookup: 4 gone, 0 still present\n  2 "Staging": checked 2 identifiers in 1 lookup: 2 gone, 0 still present\n');
    expect(verified.code).toBe(0);
  });

  it("--resume with other projects than the journal's run is refused before any request", async () => {
    const cwd = folder();
    expect((await runInProcess(['delete', '--from-file', 'ids.txt', '--projects', '2,3', '--yes'], { sandbox, cwd })).code).toBe(0);
    sandbox.clearRequests();
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--projects', '2', '--yes', '--resume'], { sandbox, cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --resume with different flags: the journal\'s run had projects=["2","3"], this one has projects=["2"]');
    // projects the journal has no run of at all: nothing of it to resume
    const other = await runInProcess(['delete', '--from-file', 'ids.txt', '--projects', '1', '--yes', '--resume'], { sandbox, cwd });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('error: the journal ' + join(cwd, 'ids.txt.delete.journal.jsonl') + ' records no delete run in project 1');
    expect(writes()).toEqual([]);
  });

  it('a key limited to project 2: projects 1 and 3 are named in the plan as not open to it, refused (403) when their turn comes, project 2 is done, exit 7', async () => {
    const cwd = folder();
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--projects', '1,2,3', '--yes'], { sandbox, cwd, key: SANDBOX_KEYS.otherProject.key });
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('  1: not among the projects this key reaches: PostHog will refuse it\n  2 "Staging" (project)\n  3: not among the projects this key reaches: PostHog will refuse it\n');
    const lines = r.stderr.split('\n');
    expect(lines.filter((line) => line.startsWith('  1: ')).at(-1)).toMatch(/^ {2}1: requested 6, found 0, deleted 0, queued for deletion 0, not found 0, failed 6; refused: /);
    expect(lines).toContain('  2 "Staging": requested 6, found 2, deleted 2, queued for deletion 0, not found 4, failed 0');
    expect(r.stderr).toContain('error: 2 of 3 projects failed: 1 (refused: 403), 3 (refused: 403)');
    expect(writes().map((q) => q.path)).toEqual(['/api/projects/2/persons/bulk_delete/']);
    expect(sandbox.store.person(uuidOf(1, 'm-1'), 1)).toBeDefined();
    expect(sandbox.store.person(uuidOf(2, 'm-1'), 2)).toBeUndefined();
    expect(r.stderr).not.toContain(SANDBOX_KEYS.otherProject.key);
  });

  it('a project name holding control characters is shown escaped in the plan and the summary; -o json keeps it exact', async () => {
    const staging = SANDBOX_TEAMS.find((team) => team.id === 2) as { name: string };
    const before = staging.name;
    staging.name = 'Sta\x1b[2Jging\r';
    try {
      const cwd = folder();
      const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--projects', '2', '--yes', '-o', 'json'], { sandbox, cwd, ...ON_A_TERMINAL });
      expect(r.code).toBe(0);
      expect(r.stderr).not.toContain('\x1b[2J');
      expect(r.stderr).toContain('  2 "Sta\\x1b[2Jging\\r" (project)\n');
      expect(r.stderr).toContain('  2 "Sta\\x1b[2Jging\\r": requested 6,');
      expect((JSON.parse(r.stdout) as { projects: Array<{ project: { name: string } }> }).projects[0]!.project.name).toBe('Sta\x1b[2Jging\r');
    } finally {
      staging.name = before;
    }
  });

  it("the projects share the one rate limiter of the key: at 1 request a minute, project 2 waits for project 1's", async () => {
    const cwd = folder();
    const clock = fakeClock();
    const r = await runInProcess(['--rate-limit', '1', 'delete', '--from-file', 'ids.txt', '--projects', '1,2', '--yes'], { sandbox, cwd, clock });
    expect(r.code).toBe(0);
    // reads: the key's record, the organizations, project 1's lookup, project 2's lookup (one a
    // minute: the last at 3 min); bulk_delete: project 1's once its lookup is done, project 2's a
    // minute after it. A limiter of its own per project would let project 2 start at once (2 min).
    expect(sandbox.requests.map((q) => q.route ?? q.path)).toHaveLength(6);
    // (the limiter waits a little past each window's end: 100 ms a wait here)
    expect(clock.now()).toBeGreaterThanOrEqual(180_000);
    expect(clock.now()).toBeLessThan(240_000);
  });
});
