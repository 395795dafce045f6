// The acceptance test of the per-identifier report: an erasure of 5,000 input rows (4,900 distinct
// identifiers, 4,400 of them persons, 500 that never existed, and 100 rows repeating an earlier
// identifier) is SIGKILLed mid-run, then resumed with --resume --report. The report has exactly one
// row per input row with the outcome the sandbox's truth gives it, the summary covers both runs, and
// the request log shows no identifier sent again after the journal recorded it done.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { useBulkSandbox } from '../helpers/bulk-sandbox.js';
import { BIN, cliEnv } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { sandboxSettled } from '../helpers/journal-watch.js';

let sandbox: Sandbox;
const PERSONS = 4400;
const NEVER = 500;
const { did, uuidOf } = useBulkSandbox(PERSONS, 'erasure', 'a01', (started) => (sandbox = started));

/** 4,400 persons and 500 identifiers of nobody, interleaved; after every 49th, a repeat of an earlier one (100 in all). */
function inputRows(): { rows: string[]; persons: Map<string, string> } {
  // 5 of every 49 identifiers belong to nobody: 500 of 4,900
  const unique = Array.from({ length: PERSONS + NEVER }, (_, i) => ([7, 17, 27, 37, 47].includes(i % 49) ? `never-${i}` : ''));
  let person = 0;
  for (let i = 0; i < unique.length; i++) if (unique[i] === '') unique[i] = did(person++);
  const rows: string[] = [];
  unique.forEach((id, i) => {
    rows.push(id);
    if (i % 49 === 30) rows.push(unique[i - 30]!);
  });
  const persons = new Map(Array.from({ length: PERSONS }, (_, i) => [did(i), uuidOf(i)]));
  return { rows, persons };
}

const journalEntries = (path: string): Array<Record<string, unknown>> =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, unknown>];
          } catch {
            return []; // a kill can leave half a line; --resume repairs it
          }
        })
    : [];

describe('erasure with a report, killed once and resumed', () => {
  it('5,000 input rows: one report row each, with the outcome the sandbox agrees with; the summary covers both runs', async () => {
    const { rows, persons } = inputRows();
    expect(rows.length).toBe(5000);
    expect(new Set(rows).size).toBe(4900);
    expect(rows.filter((id) => persons.has(id)).length).toBe(PERSONS + 100); // every repeat is of a person
    const dir = mkdtempSync(join(tmpdir(), 'pp-erasure-report-'));
    writeFileSync(join(dir, 'erasure.csv'), `distinct_id\n${rows.join('\n')}\n`);
    const journal = join(dir, 'erasure.csv.delete.journal.jsonl');
    const args = ['delete', '--from-file', 'erasure.csv', '--yes', '--batch-size', '200', '--concurrency', '2'];

    // The first run, a real process, is killed once 8 of its 25 batches are journaled.
    sandbox.setOptions({ latencyMs: 25 });
    const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv({ sandbox }), cwd: dir, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    let done = false;
    void exited.then(() => (done = true));
    while (!done && journalEntries(journal).filter((e) => e.type === 'batch').length < 8) await new Promise((r) => setTimeout(r, 3));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // A request the killed run sent may still be in the sandbox: let it land before reading the state.
    await sandboxSettled(sandbox);
    const atKill = journalEntries(journal);
    const doneAtKill = new Set(atKill.filter((e) => e.type === 'batch' && e.status === 'done').flatMap((e) => e.ids as string[]));
    expect(atKill.some((e) => e.type === 'end')).toBe(false);
    expect(doneAtKill.size).toBeGreaterThanOrEqual(1600);
    expect(doneAtKill.size).toBeLessThan(4900);
    const mark = sandbox.requests.length;
    // What the killed run's requests deleted that its journal never recorded (answered after the
    // last line it wrote): the resumed run's lookup finds nobody for those.
    const deletedUnrecorded = new Set(
      sandbox.requests
        .filter((q) => q.route === 'bulk_delete' && q.status === 202)
        .flatMap((q) => (q.body as { distinct_ids: string[] }).distinct_ids)
        .filter((id) => persons.has(id) && !doneAtKill.has(id)),
    );

    sandbox.setOptions({ latencyMs: 0 });
    const resumed = await runInProcess([...args, '--resume', '--report', 'erasure.report.csv'], { sandbox, cwd: dir });
    expect(resumed.code).toBe(0);

    // Nothing recorded done was sent again, and every person is gone.
    const resent = sandbox.requests.slice(mark).filter((q) => q.route === 'bulk_delete').flatMap((q) => (q.body as { distinct_ids: string[] }).distinct_ids);
    expect(resent.filter((id) => doneAtKill.has(id))).toEqual([]);
    expect([...persons.values()].filter((uuid) => sandbox.store.person(uuid))).toEqual([]);

    // One report row per input row, in input order, each with the outcome the sandbox's truth gives.
    const lines = readFileSync(join(dir, 'erasure.report.csv'), 'utf8').split('\r\n');
    expect(lines[0]).toBe('identifier,kind,person_uuid,outcome,batch,time,http_status,run');
    expect(lines.at(-1)).toBe('');
    const report = lines.slice(1, -1).map((line) => line.split(','));
    expect(report.map((r) => r[0])).toEqual(rows);
    const seen = new Set<string>();
    const wrong: string[] = [];
    for (const [identifier, kind, person, outcome, batch, , status, run] of report) {
      const id = identifier!;
      const uuid = persons.get(id);
      let expected: string[];
      // a repeat names the person its first row found (nobody, for a person the killed run deleted unrecorded)
      if (seen.has(id)) expected = ['distinct_id', deletedUnrecorded.has(id) ? '' : (uuid ?? ''), 'duplicate', '', '', ''];
      else if (uuid === undefined) expected = ['distinct_id', '', 'not_found', batch!, '202', run!];
      else if (deletedUnrecorded.has(id)) expected = ['distinct_id', '', 'not_found', batch!, '202', '2'];
      else expected = ['distinct_id', uuid, 'deleted', batch!, '202', doneAtKill.has(id) ? '1' : '2'];
      seen.add(id);
      const got = [kind!, person!, outcome!, batch!, status!, run!];
      if (got.join() !== expected.join()) wrong.push(`${id}: ${got.join()} (expected ${expected.join()})`);
      if (outcome !== 'duplicate' && batch === '') wrong.push(`${id}: no batch`);
    }
    expect(wrong).toEqual([]);
    const count = (outcome: string) => report.filter((r) => r[3] === outcome).length;
    const deleted = PERSONS - deletedUnrecorded.size;
    expect([count('deleted'), count('not_found'), count('duplicate'), count('failed'), count('not_sent')]).toEqual([deleted, NEVER + deletedUnrecorded.size, 100, 0, 0]);

    // The summary covers both runs, with the report's counts.
    const n = (value: number) => value.toLocaleString('en-US');
    expect(resumed.stderr).toContain('Done across 2 runs (by distinct_id):\n');
    expect(resumed.stderr).toMatch(new RegExp(`\\n {2}requested +4,900\\n {2}found +${n(deleted)}\\n {2}deleted +${n(deleted)}\\n {2}queued for deletion +0\\n {2}not found +${n(NEVER + deletedUnrecorded.size)}\\n {2}failed +0\\n {2}skipped +${n(doneAtKill.size)}\\n`));
    expect(resumed.stderr).toContain(`Deleted ${n(deleted)} persons across 2 runs (the counts cover every run of the journal; skipped: done by an earlier run).\n`);
    expect(resumed.stderr).toContain(`Report: ${join(dir, 'erasure.report.csv')}: 5,000 rows (deleted ${n(deleted)}, not_found ${n(NEVER + deletedUnrecorded.size)}, duplicate 100)\n`);

    // The proof: verify --journal finds every identifier recorded deleted gone, with lookups only.
    const beforeVerify = sandbox.requests.length;
    const verified = await runInProcess(['verify', '--journal', journal], { sandbox, cwd: dir });
    expect(verified.code).toBe(0);
    expect(verified.stderr).toContain('hash chain intact');
    expect(verified.stderr).toContain(`Checked ${n(deleted)} identifiers in ${Math.ceil(deleted / 200)} lookups: ${n(deleted)} gone, 0 still present.\n`);
    const verifyRequests = sandbox.requests.slice(beforeVerify);
    expect(verifyRequests.length).toBeGreaterThan(0);
    expect(verifyRequests.every((q) => q.route === 'batch_by_distinct_ids')).toBe(true);

    // One byte of a batch line changed after the fact: the chain breaks at the line after it.
    const text = readFileSync(journal, 'utf8').split('\n');
    const at = text.findIndex((line, i) => i > 0 && line.includes('"type":"batch"'));
    text[at] = text[at]!.replace('"status":"done"', '"status":"dona"');
    writeFileSync(journal, text.join('\n'));
    const tampered = await runInProcess(['verify', '--journal', journal], { sandbox, cwd: dir });
    expect(tampered.code).not.toBe(0);
    expect(tampered.stderr).toContain(`line ${at + 2} does not follow line ${at + 1}`);
  }, 60_000);
});
