// The journal a real delete run writes is hash-chained across runs, and a journal of an earlier
// version (no `prev`) still resumes, with a note saying where its chain starts.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { checkChain } from '../../src/bulk/journal/chain.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
const did = (i: number) => `chain-${i}`;
const uuidOf = (i: number) => `01920000-0000-7000-8000-${String(i).padStart(12, '0')}`;
const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
beforeEach(() => {
  for (let i = 0; i < 30; i++) if (!sandbox.store.person(uuidOf(i))) sandbox.store.addPerson({ uuid: uuidOf(i), distinctIds: [did(i)] });
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

const tempDir = () => mkdtempSync(join(tmpdir(), 'pp-journal-chain-'));

describe('the journal of a delete run', () => {
  it('every line carries the hash of the line before it, across a resumed run', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'erase.txt'), `${Array.from({ length: 10 }, (_, i) => did(i)).join('\n')}\n`);
    const journal = join(dir, 'erase.journal.jsonl');
    const first = await runInProcess(['delete', '--from-file', 'erase.txt', '--yes', '--batch-size', '4', '--journal', journal], { sandbox, cwd: dir });
    expect(first.code).toBe(0);
    const again = await runInProcess(['delete', '--from-file', 'erase.txt', '--yes', '--batch-size', '4', '--journal', journal, '--resume'], { sandbox, cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('hash-chained');
    const lines = readFileSync(journal, 'utf8').split('\n').slice(0, -1);
    // run, 3 batches, end; run, end
    expect(lines.map((l) => JSON.parse(l).type)).toEqual(['run', 'batch', 'batch', 'batch', 'end', 'run', 'end']);
    expect(JSON.parse(lines[0]!).prev).toBeNull();
    for (let i = 1; i < lines.length; i++) expect(JSON.parse(lines[i]!).prev).toBe(sha(lines[i - 1]!));
    expect(await checkChain(journal)).toMatchObject({ ok: true, lines: 7, unchained: 0 });
  });

  it('resuming a journal whose chain is broken still runs (the erasure must finish), and says the record is not proof', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'erase.txt'), `${did(25)}\n${did(26)}\n${did(27)}\n`);
    const journal = join(dir, 'erase.journal.jsonl');
    const args = ['delete', '--from-file', 'erase.txt', '--yes', '--batch-size', '1', '--journal', journal];
    expect((await runInProcess(args, { sandbox, cwd: dir })).code).toBe(0);
    // An edit of the second line (a batch) that keeps it valid JSON.
    const lines = readFileSync(journal, 'utf8').split('\n');
    lines[1] = lines[1]!.replace('"http_status":202', '"http_status":200');
    writeFileSync(journal, lines.join('\n'));
    const resumed = await runInProcess([...args, '--resume'], { sandbox, cwd: dir });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(
      "Warning: the journal's hash chain is broken: line 3 does not follow line 2: the journal was changed after it was written (line 2 edited, or lines removed, added or reordered there). This run adds to it, but the record before it cannot serve as proof.\n",
    );
  });

  it('a journal of an earlier version resumes, saying which lines are not chained', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'erase.txt'), `${did(20)}\n${did(21)}\n`);
    const journal = join(dir, 'erase.journal.jsonl');
    expect((await runInProcess(['delete', '--from-file', 'erase.txt', '--yes', '--batch-size', '1', '--journal', journal], { sandbox, cwd: dir })).code).toBe(0);
    // As an earlier version wrote it: the same entries without `prev`; the second batch never recorded.
    const old = readFileSync(journal, 'utf8').split('\n').slice(0, -1).map((l) => {
      const { prev: _prev, ...entry } = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify(entry);
    });
    const kept = old.filter((l) => JSON.parse(l).type !== 'end' && !(JSON.parse(l).type === 'batch' && JSON.parse(l).batch === 2));
    writeFileSync(journal, `${kept.join('\n')}\n`);
    sandbox.store.addPerson({ uuid: uuidOf(21), distinctIds: [did(21)] });
    const resumed = await runInProcess(['delete', '--from-file', 'erase.txt', '--yes', '--batch-size', '1', '--journal', journal, '--resume'], { sandbox, cwd: dir });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(
      "Note: this journal was started by an earlier version: lines 1–2 are not hash-chained; the chain starts at this run's header (line 3).\n",
    );
    const lines = readFileSync(journal, 'utf8').split('\n').slice(0, -1);
    expect(JSON.parse(lines[2]!)).toMatchObject({ type: 'run', prev: sha(lines[1]!) });
    expect(await checkChain(journal)).toMatchObject({ ok: true, lines: 5, unchained: 2 });
  });
});
