// The acceptance test of an erasure over several projects: 1,000 distinct_ids, held by persons of
// three projects (1 "Production", 2 "Staging", 3 "Development", an environment of 1) — some in all
// three, some in one, some in none — with a bystander in each project that must survive. The first
// run (a real process) is SIGKILLed in the middle of project 2 and resumed with --report: project 1
// is skipped, project 2 finished, project 3 done; the report has one row per identifier and project
// with the outcome the sandbox's truth gives it, the summary three project lines and a total, and
// `verify --journal` checks every project, exits 0 and sends no write.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { BIN, cliEnv } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { sandboxSettled } from '../helpers/journal-watch.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
afterAll(() => sandbox.close());

const N = 1000;
const PROJECTS = [1, 2, 3];
const did = (i: number) => `acc-${String(i).padStart(4, '0')}`;
const uuidOf = (team: number, i: number) => `0c${team}00000-0000-7000-8000-${String(i).padStart(12, '0')}`;
const bystander = (team: number) => `0c${team}00000-0000-7000-8000-999999999999`;
/** Who holds identifier i: every 10th is in all three projects, the rest spread over one project each, every 7th in none. */
function holders(i: number): number[] {
  if (i % 10 === 0) return PROJECTS;
  if (i % 7 === 0) return [];
  return [PROJECTS[i % 3]!];
}

const journalEntries = (path: string): Array<Record<string, any>> =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, any>];
          } catch {
            return []; // a kill can leave half a line; --resume repairs it
          }
        })
    : [];

describe('an erasure over three projects, killed once and resumed', () => {
  it('1,000 identifiers × 3 projects: one report row each with the right outcome, three project lines and a total, verify --journal exits 0 without a write', async () => {
    for (let i = 0; i < N; i++) for (const team of holders(i)) sandbox.store.addPerson({ teamId: team, uuid: uuidOf(team, i), distinctIds: [did(i)] });
    for (const team of PROJECTS) sandbox.store.addPerson({ teamId: team, uuid: bystander(team), distinctIds: [`bystander-${team}`] });
    const held = (team: number) => Array.from({ length: N }, (_, i) => i).filter((i) => holders(i).includes(team));
    expect(PROJECTS.map((team) => held(team).length)).toEqual([357, 357, 358]);

    const dir = mkdtempSync(join(tmpdir(), 'pp-projects-erasure-'));
    writeFileSync(join(dir, 'erasure.txt'), `${Array.from({ length: N }, (_, i) => did(i)).join('\n')}\n`);
    const journal = join(dir, 'erasure.txt.delete.journal.jsonl');
    const args = ['delete', '--from-file', 'erasure.txt', '--projects', '1,2,3', '--yes', '--batch-size', '100', '--concurrency', '1'];

    // The first run, a real process, is killed once 14 of its 30 batches (10 a project) are journaled.
    sandbox.setOptions({ latencyMs: 20 });
    const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv({ sandbox }), cwd: dir, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    let done = false;
    void exited.then(() => (done = true));
    while (!done && journalEntries(journal).filter((e) => e.type === 'batch').length < 14) await new Promise((r) => setTimeout(r, 3));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // A request the killed run sent may still be in the sandbox: let it land before reading the state.
    await sandboxSettled(sandbox);
    const atKill = journalEntries(journal);
    // killed in project 2: project 1's section is finished, project 3's not begun
    expect(atKill.filter((e) => e.type === 'run').map((e) => e.project)).toEqual(['1', '2']);
    expect(atKill.filter((e) => e.type === 'end').length).toBe(1);
    const doneAtKill = (project: string) => {
      const runs = new Set(atKill.filter((e) => e.type === 'run' && e.project === project).map((e) => e.run_id));
      return new Set(atKill.filter((e) => e.type === 'batch' && e.status === 'done' && runs.has(e.run_id)).flatMap((e) => e.ids as string[]));
    };
    expect(doneAtKill('1').size).toBe(N);
    expect(doneAtKill('2').size).toBeGreaterThanOrEqual(300);
    expect(doneAtKill('2').size).toBeLessThan(N);
    // What the killed run deleted in project 2 without journaling it (answered after its last line).
    const unrecorded = new Set(
      sandbox.requests
        .filter((q) => q.route === 'bulk_delete' && q.status === 202 && q.path.startsWith('/api/projects/2/'))
        .flatMap((q) => (q.body as { distinct_ids: string[] }).distinct_ids)
        .filter((id) => !doneAtKill('2').has(id)),
    );
    const mark = sandbox.requests.length;

    sandbox.setOptions({ latencyMs: 0 });
    const resumed = await runInProcess([...args, '--resume', '--report', 'erasure.report.csv'], { sandbox, cwd: dir });
    expect(resumed.stderr).toContain('Done in 3 projects (by distinct_id):\n');
    expect(resumed.code).toBe(0);

    // Project 1 was skipped whole, nothing recorded done was sent again, every held person is gone.
    const sent = sandbox.requests.slice(mark).filter((q) => q.route === 'bulk_delete');
    expect(sent.filter((q) => q.path.startsWith('/api/projects/1/'))).toEqual([]);
    const resent2 = sent.filter((q) => q.path.startsWith('/api/projects/2/')).flatMap((q) => (q.body as { distinct_ids: string[] }).distinct_ids);
    expect(resent2.filter((id) => doneAtKill('2').has(id))).toEqual([]);
    for (const team of PROJECTS) {
      expect(held(team).filter((i) => sandbox.store.person(uuidOf(team, i), team))).toEqual([]);
      expect(sandbox.store.person(bystander(team), team)).toBeDefined();
    }

    // The report: one row per identifier and project, the outcome the sandbox's truth gives.
    const lines = readFileSync(join(dir, 'erasure.report.csv'), 'utf8').split('\r\n');
    expect(lines[0]).toBe('identifier,kind,person_uuid,outcome,batch,time,http_status,run,project');
    const report = lines.slice(1, -1).map((line) => line.split(','));
    expect(report).toHaveLength(3 * N);
    const wrong: string[] = [];
    for (const team of PROJECTS) {
      const rows = report.filter((r) => r[8] === String(team));
      expect(rows.map((r) => r[0])).toEqual(Array.from({ length: N }, (_, i) => did(i)));
      rows.forEach(([id, kind, person, outcome, , , status], i) => {
        const holds = holders(i).includes(team);
        const gone = team === 2 && unrecorded.has(id!);
        const expected = holds && !gone ? ['distinct_id', uuidOf(team, i), 'deleted', '202'] : ['distinct_id', '', 'not_found', '202'];
        const got = [kind, person, outcome, status];
        if (got.join() !== expected.join()) wrong.push(`${id} in ${team}: ${got.join()} (expected ${expected.join()})`);
      });
    }
    expect(wrong).toEqual([]);

    // The summary: a line per project and the total, the counts those of the report.
    const deleted = (team: number) => held(team).length - (team === 2 ? unrecorded.size : 0);
    const line = (team: number) => `requested 1,000, found ${deleted(team)}, deleted ${deleted(team)}, queued for deletion 0, not found ${N - deleted(team)}, failed 0`;
    expect(resumed.stderr).toContain(`  1 "Production": ${line(1)} (across 2 runs)\n`);
    expect(resumed.stderr).toContain(`  2 "Staging": ${line(2)} (across 2 runs)\n`);
    expect(resumed.stderr).toContain(`  3 "Development" (environment of 1): ${line(3)}\n`);
    const total = deleted(1) + deleted(2) + deleted(3);
    expect(resumed.stderr).toContain(`  total: requested 3,000, found ${total.toLocaleString('en-US')}, deleted ${total.toLocaleString('en-US')}, queued for deletion 0, not found ${(3 * N - total).toLocaleString('en-US')}, failed 0\n`);

    // The journal: one projects_run id across every section, the chain intact; verify checks every project, no write.
    const entries = journalEntries(journal);
    expect(new Set(entries.filter((e) => e.type === 'run').map((e) => e.projects_run.id)).size).toBe(1);
    const before = sandbox.requests.length;
    const verified = await runInProcess(['verify', '--journal', journal], { sandbox, cwd: dir, env: { POSTHOG_PROJECT_ID: '' } });
    expect(verified.stderr).toContain('hash chain intact');
    expect(verified.stderr).toContain('in 3 projects: project 1 (');
    expect(verified.stdout).toBe('');
    expect(verified.code).toBe(0);
    const checks = sandbox.requests.slice(before);
    expect(checks.filter((q) => !q.path.includes('/batch_by_'))).toEqual([]);
    expect(new Set(checks.map((q) => q.path.split('/')[3]))).toEqual(new Set(['1', '2', '3']));
  }, 120_000);

  it('Ctrl-C in project 2: the batches in flight are finished, the summary says which projects were done and which not started, exit 130; --resume finishes', async () => {
    const ids = Array.from({ length: 600 }, (_, i) => `int-${i}`);
    for (const team of PROJECTS) for (const [i, id] of ids.entries()) sandbox.store.addPerson({ teamId: team, uuid: `0e${team}00000-0000-7000-8000-${String(i).padStart(12, '0')}`, distinctIds: [id] });
    const dir = mkdtempSync(join(tmpdir(), 'pp-projects-interrupt-'));
    writeFileSync(join(dir, 'ids.txt'), `${ids.join('\n')}\n`);
    const journal = join(dir, 'ids.txt.delete.journal.jsonl');
    const args = ['delete', '--from-file', 'ids.txt', '--projects', '1,2,3', '--yes', '--batch-size', '100', '--concurrency', '1'];
    sandbox.setOptions({ latencyMs: 20 });
    const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv({ sandbox }), cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    let done = false;
    void exited.then(() => (done = true));
    while (!done && journalEntries(journal).filter((e) => e.type === 'batch').length < 8) await new Promise((r) => setTimeout(r, 3));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    sandbox.setOptions({ latencyMs: 0 });
    expect(stderr).toContain('Stopped in 3 projects (by distinct_id):\n');
    expect(stderr).toMatch(/\n {2}1 "Production": requested 600, found 600, deleted 600, queued for deletion 0, not found 0, failed 0\n/);
    expect(stderr).toMatch(/\n {2}2 "Staging": requested 600, .*; interrupted\n/);
    expect(stderr).toContain('\n  3 "Development" (environment of 1): not started\n');
    expect(stderr).toContain('To finish, rerun the same command with --resume');
    const resumed = await runInProcess([...args, '--resume'], { sandbox, cwd: dir });
    expect(resumed.code).toBe(0);
    for (const team of PROJECTS) expect(ids.filter((id) => sandbox.store.byDistinctId(id, team))).toEqual([]);
  }, 120_000);
});
