// --report on delete, set-prop and unset-prop: one row per input identifier, in input order, with
// what became of it, written at the end of every run (after a failure too); the path checked
// before any request.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { runInProcess } from '../helpers/in-process.js';
import { cliEnv } from '../helpers/cli.js';
import { memoryIO } from '../../src/io/streams.js';
import { runCli } from '../../src/main.js';
import type { Factory } from '../../src/factory.js';

let sandbox: Sandbox;
const PERSONS = 20;
const did = (i: number) => `rep-${String(i).padStart(3, '0')}`;
const uuidOf = (i: number) => `01930000-0000-7000-8000-${String(i).padStart(12, '0')}`;
const T0 = '1970-01-01T00:00:00.000Z';

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
beforeEach(() => {
  sandbox.setOptions({ deleteMode: 'sync' });
  for (let i = 0; i < PERSONS; i++) if (!sandbox.store.person(uuidOf(i))) sandbox.store.addPerson({ uuid: uuidOf(i), distinctIds: [did(i)] });
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());
const tempDir = () => mkdtempSync(join(tmpdir(), 'pp-report-'));
const HEADER = 'identifier,kind,person_uuid,outcome,batch,time,http_status,run';

describe('delete --from-file --report', () => {
  it('a row per input row in input order: deleted, not_found, duplicate (blank rows have none)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'erase.csv'), ['distinct_id', did(1), 'ghost-1', '', did(2), did(1), 'ghost-1', did(3)].join('\n') + '\n');
    const r = await runInProcess(['delete', '--from-file', 'erase.csv', '--yes', '--batch-size', '2', '--concurrency', '1', '--report', 'erase.report.csv'], { sandbox, cwd: dir, clock: fakeClock() });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Report: ${join(dir, 'erase.report.csv')}: 6 rows (deleted 3, not_found 1, duplicate 2)\n`);
    expect(readFileSync(join(dir, 'erase.report.csv'), 'utf8')).toBe(
      [
        HEADER,
        `${did(1)},distinct_id,${uuidOf(1)},deleted,1,${T0},202,1`,
        `ghost-1,distinct_id,,not_found,1,${T0},202,1`,
        `${did(2)},distinct_id,${uuidOf(2)},deleted,2,${T0},202,1`,
        `${did(1)},distinct_id,${uuidOf(1)},duplicate,,,,`,
        `ghost-1,distinct_id,,duplicate,,,,`,
        `${did(3)},distinct_id,${uuidOf(3)},deleted,2,${T0},202,1`,
        '',
      ].join('\r\n'),
    );
  });

  it('a batch that failed: its rows say failed with the HTTP status (exit 7), and the report after --resume covers both runs', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), [did(4), did(5), did(6), 'ghost-2'].join('\n') + '\n');
    sandbox.script({ method: 'POST', path: '/persons/bulk_delete/', kind: 'status', status: 500 });
    const args = ['--retries', '0', 'delete', '--from-file', 'ids.txt', '--yes', '--batch-size', '2', '--concurrency', '1', '--report', 'r.jsonl'];
    const first = await runInProcess(args, { sandbox, cwd: dir, clock: fakeClock() });
    expect(first.code).toBe(7);
    const rowsOf = () => readFileSync(join(dir, 'r.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rowsOf().map((r) => [r.identifier, r.person_uuid, r.outcome, r.batch, r.http_status, r.run])).toEqual([
      [did(4), uuidOf(4), 'failed', 1, 500, 1],
      [did(5), uuidOf(5), 'failed', 1, 500, 1],
      [did(6), uuidOf(6), 'deleted', 2, 202, 1],
      ['ghost-2', null, 'not_found', 2, 202, 1],
    ]);
    const again = await runInProcess([...args, '--resume'], { sandbox, cwd: dir, clock: fakeClock() });
    expect(again.code).toBe(0);
    // The summary covers the whole erasure, like the report.
    const journal = join(dir, 'ids.txt.delete.journal.jsonl');
    expect(again.stderr).toContain(
      [
        'Done across 2 runs (by distinct_id):',
        '  requested            4',
        '  found                3',
        '  deleted              3',
        '  queued for deletion  0',
        '  not found            1',
        '  failed               0',
        '  skipped              2',
        'Deleted 3 persons across 2 runs (the counts cover every run of the journal; skipped: done by an earlier run).',
        `Journal: ${journal}`,
        `Report: ${join(dir, 'r.jsonl')}: 4 rows (deleted 3, not_found 1)`,
        '',
      ].join('\n'),
    );
    const footer = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; summary?: object }).at(-1)!;
    expect(footer.summary).toMatchObject({ runs: 2, requested: 4, found: 3, deleted: 3, not_found: 1, failed: 0, skipped: 2, not_sent: 0 });
    expect(rowsOf().map((r) => [r.identifier, r.outcome, r.batch, r.run])).toEqual([
      [did(4), 'deleted', 1, 2],
      [did(5), 'deleted', 1, 2],
      [did(6), 'deleted', 2, 1],
      ['ghost-2', 'not_found', 2, 1],
    ]);
  });

  it('a server that queues its deletions: the closing line of a resumed run counts the persons queued, not 0 deleted', async () => {
    sandbox.setOptions({ deleteMode: 'async' });
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), [did(7), did(8), did(9)].join('\n') + '\n');
    sandbox.script({ method: 'POST', path: '/persons/bulk_delete/', kind: 'status', status: 500 });
    const args = ['--retries', '0', 'delete', '--from-file', 'ids.txt', '--yes', '--batch-size', '2', '--concurrency', '1'];
    expect((await runInProcess(args, { sandbox, cwd: dir, clock: fakeClock() })).code).toBe(7);
    const again = await runInProcess([...args, '--resume'], { sandbox, cwd: dir, clock: fakeClock() });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('  queued for deletion  3\n');
    expect(again.stderr).toContain('Queued 3 persons for deletion across 2 runs (the counts cover every run of the journal; skipped: done by an earlier run).\n');
    expect(again.stderr).not.toContain('Deleted 0 persons');
  });

  it('Ctrl-C: the report is written anyway, what was never sent is not_sent (exit 130)', async () => {
    const dir = tempDir();
    const ids = Array.from({ length: 8 }, (_, i) => did(i));
    writeFileSync(join(dir, 'ids.txt'), `${ids.join('\n')}\n`);
    const env = cliEnv({ sandbox });
    const io = memoryIO({ env });
    let factory: Factory | undefined;
    const running = runCli(['delete', '--from-file', 'ids.txt', '--yes', '--batch-size', '2', '--concurrency', '1', '--report', 'r.csv'], {
      io, env, cwd: dir, readStdin: async () => '', attach: (f) => ((factory = f), () => undefined),
    });
    const turn = () => new Promise((r) => setImmediate(r));
    while (!sandbox.requests.some((q) => q.route === 'bulk_delete')) await turn();
    factory!.interrupt('SIGINT');
    expect(await running).toBe(130);
    const done = readFileSync(join(dir, 'ids.txt.delete.journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; ids?: string[] })
      .filter((e) => e.type === 'batch').flatMap((e) => e.ids!);
    expect(done.length).toBeGreaterThanOrEqual(2);
    expect(done.length).toBeLessThanOrEqual(4);
    const rows = readFileSync(join(dir, 'r.csv'), 'utf8').trim().split('\r\n').slice(1).map((l) => l.split(','));
    expect(rows.map((r) => [r[0], r[3]])).toEqual(ids.map((id) => [id, done.includes(id) ? 'deleted' : 'not_sent']));
    expect(io.stderrText()).toContain(`Report: ${join(dir, 'r.csv')}: 8 rows (deleted ${done.length}, not_sent ${8 - done.length})\n`);
  });

  it('stdin is read once: the report has a row per unique identifier, none for the repeats', async () => {
    const dir = tempDir();
    const r = await runInProcess(['delete', '--from-file', '-', '--yes', '--journal', 'j.jsonl', '--report', 'r.csv'], {
      sandbox, cwd: dir, clock: fakeClock(), stdin: `${did(13)}\nghost-3\n${did(13)}\n${did(14)}\n`,
    });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'r.csv'), 'utf8').split('\r\n').map((l) => l.split(',').slice(0, 4).join(','))).toEqual([
      'identifier,kind,person_uuid,outcome',
      `${did(13)},distinct_id,${uuidOf(13)},deleted`,
      'ghost-3,distinct_id,,not_found',
      `${did(14)},distinct_id,${uuidOf(14)},deleted`,
      '',
    ]);
  });

  it('named persons: a row per argument, with the UUID it resolved to', async () => {
    const dir = tempDir();
    const r = await runInProcess(['delete', did(7), uuidOf(8), '--yes', '--journal', 'j.jsonl', '--report', 'named.csv'], { sandbox, cwd: dir, clock: fakeClock() });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'named.csv'), 'utf8').split('\r\n').map((l) => l.split(',').slice(0, 4).join(','))).toEqual([
      'identifier,kind,person_uuid,outcome',
      `${did(7)},distinct_id,${uuidOf(7)},deleted`,
      `${uuidOf(8)},uuid,${uuidOf(8)},deleted`,
      '',
    ]);
  });

  it('refuses a bad --report before any request (exit 2)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), `${did(9)}\n`);
    writeFileSync(join(dir, 'notes.txt'), 'my notes\n');
    const cases: Array<[string[], string]> = [
      [['--report', 'notes.txt'], `error: the report ${join(dir, 'notes.txt')} is not a posthog-persons report`],
      [['--report', 'ids.txt'], `error: the report ${join(dir, 'ids.txt')} is also the input`],
      [['--report', 'no/such/folder/r.csv'], `error: the report ${join(dir, 'no/such/folder/r.csv')} cannot be written: its folder ${join(dir, 'no/such/folder')} does not exist`],
      [['--report', 'r.csv', '--no-lookup'], 'error: --report needs the lookup before each batch (it names what became of each identifier): drop --no-lookup'],
    ];
    for (const [flags, message] of cases) {
      const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--yes', ...flags], { sandbox, cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe(message);
    }
    expect(sandbox.requests).toHaveLength(0);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('my notes\n');
  });
});

describe('set-prop / unset-prop --from-file --report', () => {
  it('queued and not_found, by input row', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'plans.csv'), `distinct_id,plan\n${did(10)},scale\nnobody,free\n${did(11)},team\n`);
    const r = await runInProcess(['set-prop', '--from-file', 'plans.csv', '--yes', '--report', 'plans.report.csv'], { sandbox, cwd: dir, clock: fakeClock() });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'plans.report.csv'), 'utf8')).toBe(
      [HEADER, `${did(10)},distinct_id,${uuidOf(10)},queued,1,${T0},,1`, `nobody,distinct_id,,not_found,1,${T0},,1`, `${did(11)},distinct_id,${uuidOf(11)},queued,1,${T0},,1`, ''].join('\r\n'),
    );
    const u = await runInProcess(['unset-prop', '--from-file', 'plans.csv', 'plan', '--yes', '--journal', 'u.jsonl', '--report', 'unset.csv'], { sandbox, cwd: dir, clock: fakeClock() });
    expect(u.code).toBe(0);
    expect(u.stderr).toContain(`Report: ${join(dir, 'unset.csv')}: 3 rows (queued 2, not_found 1)\n`);
  });

  it('--report without --from-file is refused', async () => {
    const r = await runInProcess(['set-prop', did(12), 'plan', 'x', '--report', 'r.csv'], { sandbox, cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --report only applies with --from-file');
    expect(sandbox.requests).toHaveLength(0);
  });
});
