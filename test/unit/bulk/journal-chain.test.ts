// The journal's hash chain: every line carries the SHA-256 of the line before it (`prev`), written
// by Journal.append only, and checkChain finds the first line that does not follow its predecessor.
import { createHash } from 'node:crypto';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Journal } from '../../../src/bulk/journal/journal.js';
import { checkChain } from '../../../src/bulk/journal/chain.js';
import { tempDir } from './helpers.js';

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const header = (run: string) => ({
  run_id: run,
  started_at: '2025-01-02T03:04:05.000Z',
  command: 'delete',
  host: 'https://eu.posthog.com',
  project: '123',
  flags: { by: 'distinct_id' },
});
const batch = (run: string, n: number, ids: string[]) => ({ run_id: run, time: '2025-01-02T03:04:06.000Z', batch: n, ids, by: 'distinct_id', status: 'done' as const, http_status: 202 });

/** A finished journal of one run: header, `batches` batches, footer (lines 1 … batches + 2). */
async function writeRun(path: string, run = 'r1', batches = 4): Promise<void> {
  const journal = await Journal.open(path);
  await journal.writeHeader(header(run));
  for (let i = 1; i <= batches; i++) await journal.writeBatch(batch(run, i, [`user-${run}-${i}`]));
  await journal.writeFooter({ run_id: run, finished_at: '2025-01-02T03:05:00.000Z', outcome: 'completed', summary: {} });
  await journal.close();
}

async function linesOf(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').slice(0, -1);
}

async function journalPath(): Promise<string> {
  return join(await tempDir(), 'erasure.journal.jsonl');
}

describe('the hash chain as written', () => {
  test('the first header has prev null; every later line the SHA-256 of the line before it', async () => {
    const path = await journalPath();
    await writeRun(path);
    const lines = await linesOf(path);
    expect(lines).toHaveLength(6);
    expect(JSON.parse(lines[0]!).prev).toBeNull();
    for (let i = 1; i < lines.length; i++) expect(JSON.parse(lines[i]!).prev).toBe(sha(lines[i - 1]!));
    expect(await checkChain(path)).toEqual({ ok: true, lines: 6, unchained: 0, lastHash: sha(lines[5]!), tornTail: false });
  });

  test('a resumed run’s header chains to the last line of the file', async () => {
    const path = await journalPath();
    await writeRun(path, 'r1', 2);
    await writeRun(path, 'r2', 1);
    const lines = await linesOf(path);
    expect(lines).toHaveLength(7);
    expect(JSON.parse(lines[4]!)).toMatchObject({ type: 'run', run_id: 'r2', prev: sha(lines[3]!) });
    expect((await checkChain(path)).ok).toBe(true);
  });

  test('a complete last line without its "\\n" (a kill between write and newline) is chained to as it is', async () => {
    const path = await journalPath();
    await writeRun(path, 'r1', 1);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.slice(0, -1));
    await writeRun(path, 'r2', 1);
    expect(await checkChain(path)).toMatchObject({ ok: true, lines: 6 });
  });

  test('a journal of an earlier version (no prev) resumes: the chain starts at the new header, and the journal says so', async () => {
    const path = await journalPath();
    const old = [
      JSON.stringify({ type: 'run', version: 1, ...header('r1') }),
      JSON.stringify({ type: 'batch', ...batch('r1', 1, ['a']) }),
      JSON.stringify({ type: 'end', run_id: 'r1', finished_at: '2025-01-02T03:05:00.000Z', outcome: 'interrupted', summary: {} }),
    ];
    await writeFile(path, `${old.join('\n')}\n`);
    const journal = await Journal.open(path);
    expect(journal.unchainedLines).toBe(3);
    await journal.writeHeader(header('r2'));
    await journal.close();
    const lines = await linesOf(path);
    expect(JSON.parse(lines[3]!).prev).toBe(sha(old[2]!));
    expect(await checkChain(path)).toEqual({ ok: true, lines: 4, unchained: 3, lastHash: sha(lines[3]!), tornTail: false });
  });
});

describe('checkChain finds what was changed', () => {
  test('a flipped byte in a batch line: the next line does not follow it', async () => {
    const path = await journalPath();
    await writeRun(path);
    const bytes = await readFile(path);
    const lines = await linesOf(path);
    // Inside line 3's identifier "user-r1-2": JSON stays valid, only the content changes.
    const at = lines[0]!.length + 1 + lines[1]!.length + 1 + lines[2]!.indexOf('user-r1-2') + 5;
    bytes[at] = bytes[at]! ^ 0x01;
    await writeFile(path, bytes);
    expect(await checkChain(path)).toEqual({
      ok: false,
      line: 4,
      kind: 'mismatch',
      message: 'line 4 does not follow line 3: the journal was changed after it was written (line 3 edited, or lines removed, added or reordered there)',
    });
  });

  test('a deleted line', async () => {
    const path = await journalPath();
    await writeRun(path);
    const lines = await linesOf(path);
    lines.splice(2, 1);
    await writeFile(path, `${lines.join('\n')}\n`);
    expect(await checkChain(path)).toMatchObject({ ok: false, line: 3, kind: 'mismatch' });
  });

  test('two lines swapped', async () => {
    const path = await journalPath();
    await writeRun(path);
    const lines = await linesOf(path);
    [lines[2], lines[3]] = [lines[3]!, lines[2]!];
    await writeFile(path, `${lines.join('\n')}\n`);
    expect(await checkChain(path)).toMatchObject({ ok: false, line: 3, kind: 'mismatch' });
  });

  test('a forged line appended without the right prev, and one without any prev', async () => {
    const path = await journalPath();
    await writeRun(path);
    await appendFile(path, `${JSON.stringify({ type: 'batch', ...batch('r1', 9, ['forged']), prev: sha('something else') })}\n`);
    expect(await checkChain(path)).toMatchObject({ ok: false, line: 7, kind: 'mismatch' });

    const other = await journalPath();
    await writeRun(other);
    await appendFile(other, `${JSON.stringify({ type: 'batch', ...batch('r1', 9, ['forged']) })}\n`);
    expect(await checkChain(other)).toEqual({
      ok: false,
      line: 7,
      kind: 'missing',
      message: 'line 7 has no hash of line 6 (no "prev"), though the chain started before it: the journal was changed after it was written',
    });
  });

  test('a header that claims to start the chain in the middle of the file', async () => {
    const path = await journalPath();
    await writeRun(path, 'r1', 1);
    await appendFile(path, `${JSON.stringify({ type: 'run', version: 1, ...header('r2'), prev: null })}\n`);
    expect(await checkChain(path)).toMatchObject({ ok: false, line: 4, kind: 'mismatch' });
  });

  test('a line that is not JSON any more', async () => {
    const path = await journalPath();
    await writeRun(path);
    const lines = await linesOf(path);
    lines[1] = lines[1]!.slice(0, 20);
    await writeFile(path, `${lines.join('\n')}\n`);
    expect(await checkChain(path)).toMatchObject({ ok: false, line: 2, kind: 'damaged', message: 'line 2 is not a journal entry (not valid JSON): the journal was changed or damaged after it was written' });
  });

  test('a torn last line (a kill in mid-write) is reported as torn, not as tampering', async () => {
    const path = await journalPath();
    await writeRun(path);
    const lines = await linesOf(path);
    await appendFile(path, '{"type":"batch","run_id":"r1","ti');
    expect(await checkChain(path)).toEqual({ ok: true, lines: 6, unchained: 0, lastHash: sha(lines[5]!), tornTail: true });
  });

  test('a missing file, and an empty one', async () => {
    const path = await journalPath();
    await expect(checkChain(path)).rejects.toThrow(/no journal at/);
    await writeFile(path, '');
    expect(await checkChain(path)).toEqual({ ok: true, lines: 0, unchained: 0, lastHash: null, tornTail: false });
  });
});
