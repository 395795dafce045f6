// Journal and backup paths: the tool writes only to a new regular file it creates (O_EXCL, mode
// 0600) or to a journal/backup of its own. Anything else (another file, the input file, a folder,
// a device, a symbolic link, the journal as backup or the reverse) is exit 2 before any request,
// and the file is left exactly as it was: same bytes, same mode.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
const N = 20;
const did = (i: number) => `path-${String(i).padStart(3, '0')}`;
const uuidOf = (i: number) => `01970000-0000-7000-8000-${String(i).padStart(12, '0')}`;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
beforeEach(() => {
  for (let i = 0; i < N; i++) {
    if (!sandbox.store.person(uuidOf(i))) sandbox.store.addPerson({ uuid: uuidOf(i), distinctIds: [did(i)] });
  }
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

const IDS = Array.from({ length: N }, (_, i) => did(i)).join('\n') + '\n';
function setUp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pp-paths-'));
  writeFileSync(join(dir, 'ids.txt'), IDS);
  return dir;
}
const DELETE = ['delete', '--from-file', 'ids.txt', '--yes'];
const NOTES = 'meeting notes: do not lose\n';

/** The file's bytes and mode, to compare before and after a refused run. */
const snapshot = (path: string) => ({ bytes: readFileSync(path).toString('base64'), mode: statSync(path).mode });

describe('a journal path that is not a new file nor a journal of this tool: exit 2, nothing sent, nothing changed', () => {
  it.each([
    ['--resume --journal on another file', (dir: string) => writeFileSync(join(dir, 'notes.txt'), NOTES), ['--resume', '--journal', 'notes.txt'], 'notes.txt'],
    ['--journal on another file, without --resume', (dir: string) => writeFileSync(join(dir, 'notes.txt'), NOTES), ['--journal', 'notes.txt'], 'notes.txt'],
    ['another file with no line ending at all', (dir: string) => writeFileSync(join(dir, 'notes.txt'), 'phx_secretkeyvalue'), ['--resume', '--journal', 'notes.txt'], 'notes.txt'],
    ['--resume --journal on the input file', () => undefined, ['--resume', '--journal', 'ids.txt'], 'ids.txt'],
    [
      'a symbolic link to another file',
      (dir: string) => {
        writeFileSync(join(dir, 'notes.txt'), NOTES);
        symlinkSync(join(dir, 'notes.txt'), join(dir, 'link.jsonl'));
      },
      ['--resume', '--journal', 'link.jsonl'],
      'notes.txt',
    ],
  ] as const)('%s', async (_what, prepare, flags, victim) => {
    const dir = setUp();
    prepare(dir);
    const before = snapshot(join(dir, victim));
    const r = await runInProcess([...DELETE, ...flags], { sandbox, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: the journal .* (is not a posthog-persons journal|is the input file|is a symbolic link)/m);
    expect(sandbox.requests).toEqual([]);
    expect(snapshot(join(dir, victim))).toEqual(before);
  });

  it('a folder: a clear error naming it', async () => {
    const dir = setUp();
    mkdirSync(join(dir, 'journals'));
    const r = await runInProcess([...DELETE, '--journal', 'journals'], { sandbox, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: the journal ${join(dir, 'journals')} is a folder\nGive --journal the path of a file, e.g. ${join(dir, 'journals', 'run.journal.jsonl')}.\n`);
    expect(sandbox.requests).toEqual([]);
  });

  it('/dev/null as journal or backup: refused, its mode untouched', async () => {
    const dir = setUp();
    const mode = statSync('/dev/null').mode;
    const journal = await runInProcess([...DELETE, '--journal', '/dev/null'], { sandbox, cwd: dir });
    expect(journal.code).toBe(2);
    expect(journal.stderr).toContain('error: the journal /dev/null is not a regular file\n');
    const backup = await runInProcess([...DELETE, '--backup', '/dev/null'], { sandbox, cwd: dir });
    expect(backup.code).toBe(2);
    expect(backup.stderr).toContain('error: the backup /dev/null is not a regular file\n');
    expect(statSync('/dev/null').mode).toBe(mode);
    expect(sandbox.requests).toEqual([]);
  });
});

describe('backup paths', () => {
  it.each([
    ['the input file', ['--backup', 'ids.txt'], 'ids.txt', /error: the backup .*ids\.txt is the input file/],
    ['the journal', ['--backup', 'j.jsonl', '--journal', 'j.jsonl'], undefined, /error: the backup .*j\.jsonl is also the journal/],
    ['another file', ['--backup', 'notes.txt'], 'notes.txt', /error: the backup .*notes\.txt is not a posthog-persons backup/],
  ] as const)('%s: exit 2, nothing sent, nothing changed', async (_what, flags, victim, message) => {
    const dir = setUp();
    writeFileSync(join(dir, 'notes.txt'), NOTES);
    const before = victim ? snapshot(join(dir, victim)) : undefined;
    const r = await runInProcess([...DELETE, ...flags], { sandbox, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(sandbox.requests).toEqual([]);
    if (victim) expect(snapshot(join(dir, victim))).toEqual(before);
  });

  it('a new backup is created 0600; a second run appends to its own backup', async () => {
    const dir = setUp();
    writeFileSync(join(dir, 'first.txt'), `${did(0)}\n${did(1)}\n`);
    const one = await runInProcess(['delete', '--from-file', 'first.txt', '--yes', '--backup', 'b.jsonl'], { sandbox, cwd: dir });
    expect(one.code).toBe(0);
    expect(statSync(join(dir, 'b.jsonl')).mode & 0o777).toBe(0o600);
    writeFileSync(join(dir, 'second.txt'), `${did(2)}\n`);
    const two = await runInProcess(['delete', '--from-file', 'second.txt', '--yes', '--backup', 'b.jsonl'], { sandbox, cwd: dir });
    expect(two.code).toBe(0);
    const records = readFileSync(join(dir, 'b.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records.map((r) => r.distinct_ids[0])).toEqual([did(0), did(1), did(2)]);
  });
});

describe('files the tool creates', () => {
  it('a new journal is created with mode 0600; an existing journal of its own is resumed and keeps its mode', async () => {
    const dir = setUp();
    const first = await runInProcess([...DELETE, '--journal', 'j.jsonl'], { sandbox, cwd: dir });
    expect(first.code).toBe(0);
    expect(statSync(join(dir, 'j.jsonl')).mode & 0o777).toBe(0o600);
    chmodSync(join(dir, 'j.jsonl'), 0o640); // the owner's choice is kept
    const resumed = await runInProcess([...DELETE, '--journal', 'j.jsonl', '--resume'], { sandbox, cwd: dir });
    expect(resumed.code).toBe(0);
    expect(statSync(join(dir, 'j.jsonl')).mode & 0o777).toBe(0o640);
  });

  it('an existing file readable by others is used as it is, with a note (its mode is not changed)', async () => {
    const dir = setUp();
    writeFileSync(join(dir, 'j.jsonl'), '');
    chmodSync(join(dir, 'j.jsonl'), 0o644);
    writeFileSync(join(dir, 'b.jsonl'), '');
    chmodSync(join(dir, 'b.jsonl'), 0o640);
    const r = await runInProcess([...DELETE, '--journal', 'j.jsonl', '--backup', 'b.jsonl'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Note: the journal ${join(dir, 'j.jsonl')} can be read by other users (mode 644); it names people: consider chmod 600.\n`);
    expect(r.stderr).toContain(`Note: the backup ${join(dir, 'b.jsonl')} can be read by other users (mode 640); it names people: consider chmod 600.\n`);
    expect(statSync(join(dir, 'j.jsonl')).mode & 0o777).toBe(0o644);
    expect(statSync(join(dir, 'b.jsonl')).mode & 0o777).toBe(0o640);
  });
});
