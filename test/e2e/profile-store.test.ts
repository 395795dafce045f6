// The profile store under concurrency and damage: concurrent logins and logouts are locked
// read-modify-writes that replace the file atomically (mode 0600); a corrupt file only stops the
// commands that need it; a config folder that cannot hold the file is a clear error.
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, SANDBOX_KEYS, type Sandbox } from '../../src/sandbox/index.js';
import { run, tempConfigDir } from '../helpers/cli.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ persons: 2, writeLagMs: 0 });
});
beforeEach(() => sandbox.clearRequests());
afterAll(() => sandbox.close());

const KEY = SANDBOX_KEYS.all.key;
const clean = { POSTHOG_PERSONAL_API_KEY: undefined, POSTHOG_HOST: undefined, POSTHOG_PROJECT_ID: undefined };

function login(dir: string, profile: string) {
  return runInProcess(['auth', 'login', '--with-token', '--host', sandbox.url, '--project', '1', '-p', profile], {
    env: { ...clean, POSTHOG_PERSONS_CONFIG_DIR: dir },
    stdin: KEY,
    timeoutMs: 60_000,
  });
}

/** A login in its own process: the races between processes on one config folder are what is tested. */
function loginSpawned(dir: string, profile: string) {
  return run(['auth', 'login', '--with-token', '--host', sandbox.url, '--project', '1', '-p', profile], {
    env: { ...clean, POSTHOG_PERSONS_CONFIG_DIR: dir },
    stdin: KEY,
    timeoutMs: 60_000,
  });
}

function stored(dir: string): { currentProfile?: string; profiles: Record<string, { host?: string; project?: string; apiKey?: string }> } {
  return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
}

describe('profile store under concurrency', () => {
  it('10 concurrent auth login to 10 profiles: every profile is saved, the file is 0600, no lock or temp file is left', async () => {
    const dir = tempConfigDir();
    const names = Array.from({ length: 10 }, (_, i) => `p${i}`);
    const results = await Promise.all(names.map((name) => loginSpawned(dir, name)));
    for (const r of results) expect(r.stderr).toMatch(/^Logged in to /);
    expect(results.map((r) => r.code)).toEqual(names.map(() => 0));
    const saved = stored(dir);
    expect(Object.keys(saved.profiles).sort()).toEqual(names);
    for (const name of names) expect(saved.profiles[name]).toEqual({ host: sandbox.url, project: '1', apiKey: KEY });
    expect(names).toContain(saved.currentProfile);
    expect(statSync(join(dir, 'config.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['config.json']);
  }, 90_000);

  it('auth logout racing logins: the removed key stays removed and every login is kept', async () => {
    // Two rounds, each a logout started together with nine logins, make an overlap likely.
    for (const round of [1, 2]) {
      const dir = tempConfigDir();
      expect((await login(dir, 'a')).code).toBe(0);
      const env = { ...clean, POSTHOG_PERSONS_CONFIG_DIR: dir };
      const others = Array.from({ length: 9 }, (_, i) => `b${i}`);
      const [logout, ...logins] = await Promise.all([
        run(['auth', 'logout', '-p', 'a'], { env, timeoutMs: 60_000 }),
        ...others.map((name) => loginSpawned(dir, name)),
      ]);
      expect(logout, `round ${round}`).toMatchObject({ code: 0, stderr: 'Removed the key of profile "a".\n' });
      expect(logins.map((r) => r.code)).toEqual(others.map(() => 0));
      const saved = stored(dir);
      expect(saved.profiles.a, `round ${round}`).toEqual({ host: sandbox.url, project: '1' });
      expect(Object.keys(saved.profiles).sort()).toEqual(['a', ...others]);
      expect(statSync(join(dir, 'config.json')).mode & 0o777).toBe(0o600);
    }
  }, 120_000);

  it('a stale lock left by a process that is gone is taken over', async () => {
    const dir = tempConfigDir();
    // pid 2^22+1 is above Linux's pid_max ceiling: no process can have it
    writeFileSync(join(dir, 'config.json.lock'), JSON.stringify({ pid: 4194305, host: hostname(), created: new Date().toISOString() }));
    const r = await login(dir, 'x');
    expect(r.code).toBe(0);
    expect(Object.keys(stored(dir).profiles)).toEqual(['x']);
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  it('a lock held by a live process: waits a bounded time, then says who holds it, and saves nothing', async () => {
    const dir = tempConfigDir();
    const lock = join(dir, 'config.json.lock');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), created: new Date().toISOString() }));
    // The wait runs on the CLI's clock: a fake one moves forward at each short sleep, so the test
    // sees the bounded wait happen (300 ms, then at most one more sleep) without real time passing.
    const clock = fakeClock();
    const r = await runInProcess(['auth', 'login', '--with-token', '--host', sandbox.url, '--project', '1'], {
      env: { ...clean, POSTHOG_PERSONS_CONFIG_DIR: dir, POSTHOG_PERSONS_LOCK_WAIT_MS: '300' },
      stdin: KEY,
      clock,
    });
    const waited = clock.sleeps.reduce((a, b) => a + b, 0);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: the profile store ${join(dir, 'config.json')} is locked by process ${process.pid} on ${hostname()}\n` +
        `Another posthog-persons is saving a profile; try again. If none is running, remove ${lock}.\n`,
    );
    expect(waited).toBeGreaterThanOrEqual(300);
    expect(waited).toBeLessThan(300 + 70); // the last short sleep is at most 50 ms plus 20 of jitter
    expect(readdirSync(dir)).toEqual(['config.json.lock']);
  });
});

describe('a corrupt profile store', () => {
  function corrupt(): { dir: string; file: string } {
    const dir = tempConfigDir();
    const file = join(dir, 'config.json');
    writeFileSync(file, '{"profiles": {"default": {"host": ', { mode: 0o600 });
    return { dir, file };
  }

  it('does not stop a command whose settings all come from flags and the environment: a warning names the file', async () => {
    const { dir, file } = corrupt();
    const r = await runInProcess(['list', '--limit', '1', '--fields', 'uuid'], { sandbox, env: { POSTHOG_PERSONS_CONFIG_DIR: dir } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    expect(r.stderr).toBe(
      `warning: ignoring the profile store ${file}: it is not valid JSON; every setting came from flags and the environment.\n`,
    );
    expect(sandbox.requests).toHaveLength(1);
  });

  it('a command that needs the profile gets a clear error naming the file, and sends nothing', async () => {
    const { dir, file } = corrupt();
    const r = await runInProcess(['list', '--limit', '1'], { sandbox, env: { POSTHOG_PERSONS_CONFIG_DIR: dir, POSTHOG_PERSONAL_API_KEY: undefined } });
    expect(r).toMatchObject({
      code: 2,
      stdout: '',
      stderr: `error: cannot read the profile store ${file}: it is not valid JSON\nFix or remove the file (\`posthog-persons auth login\` then saves a new one).\n`,
    });
    expect(sandbox.requests).toHaveLength(0);
  });

  it('auth login refuses to overwrite it, before the key is sent', async () => {
    const { dir, file } = corrupt();
    const before = readFileSync(file, 'utf8');
    const r = await login(dir, 'default');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot read the profile store ${file}: it is not valid JSON`);
    expect(sandbox.requests).toHaveLength(0);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});

describe('a config folder that cannot hold the profile store', () => {
  it('a file where the folder should be: exit 2 naming it, before the key is sent', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'pp-cfgfile-'));
    const notDir = join(parent, 'config');
    writeFileSync(notDir, 'I am a file');
    const r = await login(notDir, 'default');
    expect(r).toMatchObject({
      code: 2,
      stdout: '',
      stderr: `error: cannot save profiles in ${notDir}: it is a file, not a folder\nSet POSTHOG_PERSONS_CONFIG_DIR to a folder, or move the file away.\n`,
    });
    expect(sandbox.requests).toHaveLength(0);

    // commands that do not write profiles still work from the environment
    const list = await runInProcess(['list', '--limit', '1', '--fields', 'uuid'], { sandbox, env: { POSTHOG_PERSONS_CONFIG_DIR: notDir } });
    expect(list).toMatchObject({ code: 0, stderr: '' });
  });

  // Root may write anywhere a mode allows nothing, so there the test borrows /sys, which even root
  // cannot create files in.
  const isRoot = process.getuid?.() === 0;
  it.skipIf(isRoot && !cannotCreateIn('/sys'))('a folder that is not writable: exit 2 naming it, before the key is sent', async () => {
    let dir = '/sys';
    if (!isRoot) {
      dir = join(mkdtempSync(join(tmpdir(), 'pp-cfgro-')), 'cfg');
      mkdirSync(dir);
      chmodSync(dir, 0o500);
    }
    const r = await login(dir, 'default');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: cannot save profiles in ${dir}: the folder is not writable (EACCES)\nSet POSTHOG_PERSONS_CONFIG_DIR to a folder you can write to, or fix its permissions.\n`);
    expect(sandbox.requests).toHaveLength(0);
  });
});

function cannotCreateIn(dir: string): boolean {
  try {
    closeSync(openSync(join(dir, `pp-probe-${process.pid}`), 'wx'));
    rmSync(join(dir, `pp-probe-${process.pid}`));
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EACCES';
  }
}
