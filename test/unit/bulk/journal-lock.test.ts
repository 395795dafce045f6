// The journal lock on real files: held while the run goes, released once, only ever its own;
// a lock file left empty by a crash is taken over once it is old, refused while it is fresh.
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockJournal } from '../../../src/bulk/journal/lock.js';
import { tempDir } from './helpers.js';

const now = new Date('2026-02-03T04:05:06.789Z');

describe('lockJournal', () => {
  it('writes pid, host and start time; a second lock on the same journal is refused; release removes it', async () => {
    const journal = join(await tempDir(), 'j.jsonl');
    const lock = await lockJournal(journal, { command: 'delete', now, note: () => undefined });
    expect(JSON.parse(readFileSync(`${journal}.lock`, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname(), started_at: now.toISOString(), command: 'delete' });
    // the same process counts as alive: a second run in it is refused too
    await expect(lockJournal(journal, { command: 'delete', now, note: () => undefined })).rejects.toMatchObject({
      exitCode: 2,
      message: `the journal ${journal} is in use by another run (pid ${process.pid} on ${hostname()}, started ${now.toISOString()})`,
    });
    await lock.release();
    expect(existsSync(`${journal}.lock`)).toBe(false);
    await lock.release(); // twice is fine
  });

  it("release leaves a lock that is not its own (another run's, after a takeover)", async () => {
    const journal = join(await tempDir(), 'j.jsonl');
    const lock = await lockJournal(journal, { command: 'delete', now, note: () => undefined });
    writeFileSync(`${journal}.lock`, JSON.stringify({ pid: 1, host: 'elsewhere', started_at: 'x', command: 'delete', token: 'other' }));
    await lock.release();
    expect(readFileSync(`${journal}.lock`, 'utf8')).toContain('elsewhere');
  });

  it('an empty lock file: refused while fresh, taken over with a note once old', async () => {
    const journal = join(await tempDir(), 'j.jsonl');
    writeFileSync(`${journal}.lock`, '');
    await expect(lockJournal(journal, { command: 'delete', now, note: () => undefined })).rejects.toMatchObject({
      exitCode: 2,
      message: `the journal ${journal} is in use by another run`,
    });
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${journal}.lock`, old, old);
    const notes: string[] = [];
    const lock = await lockJournal(journal, { command: 'delete', now, note: (l) => notes.push(l) });
    expect(notes).toEqual([`Note: took over the lock ${journal}.lock of an earlier run that is gone.`]);
    await lock.release();
  });
});
