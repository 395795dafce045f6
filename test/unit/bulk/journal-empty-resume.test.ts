// A run killed while writing its journal header sent nothing; --resume then starts afresh
// instead of refusing the journal.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planJournal } from '../../../src/bulk/engine/run-journal.js';
import type { Factory } from '../../../src/factory.js';

function fakeFactory(cwd: string, lines: string[]): Factory {
  return { cwd, now: () => new Date('2026-01-01T00:00:00Z'), io: { err: (l: string) => lines.push(l) }, onClose: () => undefined } as unknown as Factory;
}

const base = { command: 'delete', host: 'http://127.0.0.1:1', project: '1', flags: {}, sameOnResume: [] };

describe('--resume on a journal with no complete line', () => {
  it.each([
    ['an empty file', ''],
    ['half a header', '{"type":"run","version":1,"run_id":"abc","start'],
  ])('%s: starts afresh with a note', async (_what, content) => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-journal-'));
    const path = join(dir, 'ids.txt.delete.journal.jsonl');
    writeFileSync(path, content, { mode: 0o600 }); // as the tool creates it (a looser mode adds a note)
    const notes: string[] = [];
    const plan = await planJournal(fakeFactory(dir, notes), { ...base, inputPath: join(dir, 'ids.txt'), resume: true } as never);
    expect(plan).toMatchObject({ path, resume: true, previousRuns: 0 });
    expect(plan.done.size).toBe(0);
    expect(notes).toEqual([`Note: the journal ${path} holds no complete entry (its run stopped before sending anything); starting afresh.`]);
  });

  it('a journal of another run is still refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-journal-'));
    const path = join(dir, 'j.jsonl');
    writeFileSync(path, '{"type":"run","version":1,"run_id":"x","started_at":"2026-01-01T00:00:00Z","command":"delete","host":"https://eu.posthog.com","project":"9","flags":{}}\n');
    await expect(planJournal(fakeFactory(dir, []), { ...base, path, resume: true } as never)).rejects.toThrow('records no delete run against http://127.0.0.1:1, project 1');
  });
});
