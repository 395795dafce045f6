// Relative paths are read and written against the factory's cwd, never the process's own folder:
// an in-process run whose cwd differs from process.cwd() reads `--from-file ids.txt`,
// `--api-key-file key.txt`, its profile store in a relative POSTHOG_PERSONS_CONFIG_DIR, and writes
// its default journal in its own folder. This is what lets
// in-process runs (test/helpers/in-process.ts) go concurrently without changing folder.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_KEYS, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
const uuidOf = (run: number, i: number) => `01970000-0000-7000-8${run}00-${String(i).padStart(12, '0')}`;
const did = (run: number, i: number) => `cwd-${run}-${i}`;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
afterAll(() => sandbox.close());

/** A folder of its own (never process.cwd()) holding ids.txt with three persons of the sandbox. */
function folderFor(run: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'pp-cwd-'));
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    sandbox.store.addPerson({ uuid: uuidOf(run, i), distinctIds: [did(run, i)] });
    ids.push(did(run, i));
  }
  writeFileSync(join(dir, 'ids.txt'), ids.join('\n') + '\n');
  return dir;
}

describe("relative paths resolve against the factory's cwd", () => {
  it('delete --from-file ids.txt reads the factory cwd and journals there', async () => {
    const dir = folderFor(1);
    expect(dir).not.toBe(process.cwd());
    expect(existsSync(join(process.cwd(), 'ids.txt'))).toBe(false);
    const r = await runInProcess(['delete', '--from-file', 'ids.txt', '--yes'], { sandbox, cwd: dir });
    expect(r.stderr).not.toMatch(/no such file/);
    expect(r.code).toBe(0);
    for (let i = 0; i < 3; i++) expect(sandbox.store.person(uuidOf(1, i))).toBeUndefined();
    expect(readdirSync(dir).sort()).toEqual(['ids.txt', 'ids.txt.delete.journal.jsonl']);
    expect(existsSync(join(process.cwd(), 'ids.txt.delete.journal.jsonl'))).toBe(false);
  });

  it('--api-key-file key.txt reads the factory cwd', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-cwd-'));
    writeFileSync(join(dir, 'key.txt'), `${SANDBOX_KEYS.all.key}\n`);
    const r = await runInProcess(['list', '--limit', '1', '--api-key-file', 'key.txt'], { sandbox, cwd: dir, env: { POSTHOG_PERSONAL_API_KEY: undefined } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('a relative POSTHOG_PERSONS_CONFIG_DIR is the factory cwd\'s folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-cwd-'));
    const r = await runInProcess(['auth', 'login', '--with-token', '--host', sandbox.url, '--project', String(sandbox.projectId)], {
      sandbox,
      cwd: dir,
      stdin: `${SANDBOX_KEYS.all.key}\n`,
      env: { POSTHOG_PERSONS_CONFIG_DIR: 'cfg' },
    });
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'cfg', 'config.json'))).toBe(true);
    expect(existsSync(join(process.cwd(), 'cfg'))).toBe(false);
  });

  it('two runs in different folders at once each read their own ids.txt', async () => {
    const [a, b] = [folderFor(2), folderFor(3)];
    const [ra, rb] = await Promise.all([
      runInProcess(['delete', '--from-file', 'ids.txt', '--yes'], { sandbox, cwd: a }),
      runInProcess(['delete', '--from-file', 'ids.txt', '--yes'], { sandbox, cwd: b }),
    ]);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    for (const run of [2, 3]) for (let i = 0; i < 3; i++) expect(sandbox.store.person(uuidOf(run, i))).toBeUndefined();
    expect(existsSync(join(a, 'ids.txt.delete.journal.jsonl'))).toBe(true);
    expect(existsSync(join(b, 'ids.txt.delete.journal.jsonl'))).toBe(true);
  });
});
