import { statSync, readFileSync, readdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, SANDBOX_KEYS, type Sandbox } from '../../src/sandbox/index.js';
import { runInTerminal, stripAnsi, tempConfigDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ persons: 5, writeLagMs: 0 });
});
beforeEach(() => sandbox.clearRequests());
afterAll(() => sandbox.close());

const KEY = SANDBOX_KEYS.all.key;
const noEnvKey = { POSTHOG_PERSONAL_API_KEY: undefined, POSTHOG_HOST: undefined, POSTHOG_PROJECT_ID: undefined };

function configFile(dir: string): string {
  return join(dir, 'config.json');
}

describe('auth login --with-token', () => {
  it('checks the key against the API, then saves it in a 0600 profile', async () => {
    const dir = tempConfigDir();
    const env = { ...noEnvKey, POSTHOG_PERSONS_CONFIG_DIR: dir };
    const r = await runInProcess(['auth', 'login', '--with-token', '--host', sandbox.url, '--project', '1'], { env, stdin: `${KEY}\n` });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`Logged in to ${sandbox.url}, project 1 as profile "default" (key phx_sand…cJGG).\n`);
    expect(sandbox.requests.map((q) => [q.route, q.keyLabel])).toEqual([['list', 'all']]);
    expect(statSync(configFile(dir)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(configFile(dir), 'utf8'));
    expect(saved.profiles.default).toEqual({ host: sandbox.url, project: '1', apiKey: KEY });
    expect(saved.currentProfile).toBe('default');

    // the saved profile now works on its own
    const list = await runInProcess(['list', '--limit', '1', '--fields', 'uuid'], { env });
    expect(list.code).toBe(0);
    expect(list.stdout.trim()).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a rejected key and saves nothing', async () => {
    const dir = tempConfigDir();
    const r = await runInProcess(['auth', 'login', '--with-token', '--host', sandbox.url, '--project', '1'], {
      env: { ...noEnvKey, POSTHOG_PERSONS_CONFIG_DIR: dir },
      stdin: 'phx_wrongwrongwrongwrongwrongwrongwrong123\n',
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('PostHog rejected the API key (401)');
    expect(r.stderr).not.toContain('phx_wrongwrongwrongwrongwrongwrongwrong123');
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    [['--host', 'https://us.i.posthog.com'], 'ingestion host', 'phx_abcdefghijklmnop1234'],
    [['--host', 'http://posthog.example.com'], 'refusing plain http://', 'phx_abcdefghijklmnop1234'],
    [['--project', 'abc'], 'invalid project "abc"', 'phx_abcdefghijklmnop1234'],
    [[], 'project API key (phc_…)', 'phc_projectkey123456789'],
    [[], 'stdin was empty', ''],
  ])('refuses bad input %j before any request (exit 2)', async (args, message, stdin) => {
    const r = await runInProcess(['auth', 'login', '--with-token', '--host', sandbox.url, '--project', '1', ...args], { env: noEnvKey, stdin });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('without a terminal and without --with-token, says how to log in from a script', async () => {
    const r = await runInProcess(['auth', 'login'], { env: noEnvKey });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: auth login needs a terminal to prompt for the key\nIn scripts, pipe the key in: `echo "$KEY" | posthog-persons auth login --with-token --project ID`.\n',
    );
  });
});

describe('auth login on a terminal', () => {
  it('asks for the host, the project and the key (hidden), then saves the profile', async () => {
    const dir = tempConfigDir();
    const t = await runInTerminal(
      ['auth', 'login', '-p', 'local'],
      [
        { expect: 'PostHog host', send: '\u001b[B\u001b[B\r' }, // arrow down twice: "Self-hosted or another URL"
        { expect: 'Host URL', send: `${sandbox.url}\r` },
        { expect: 'Project id', send: '1\r' },
        { expect: 'Personal API key', send: `${KEY}\r` },
      ],
      { env: { ...noEnvKey, POSTHOG_PERSONS_CONFIG_DIR: dir } },
    );
    const screen = stripAnsi(t.screen);
    expect(t.code).toBe(0);
    expect(screen).toContain('Logged in to');
    expect(screen).not.toContain(KEY); // typed hidden
    const saved = JSON.parse(readFileSync(configFile(dir), 'utf8'));
    expect(saved.profiles.local).toEqual({ host: sandbox.url, project: '1', apiKey: KEY });
    expect(statSync(configFile(dir)).mode & 0o777).toBe(0o600);
  });
});

describe('auth status, logout and profiles', () => {
  async function loggedIn(profile = 'default') {
    const dir = tempConfigDir();
    const env = { ...noEnvKey, POSTHOG_PERSONS_CONFIG_DIR: dir };
    const r = await runInProcess(['auth', 'login', '--with-token', '--host', sandbox.url, '--project', '1', '-p', profile], { env, stdin: KEY });
    expect(r.code).toBe(0);
    return { dir, env };
  }

  it('shows each setting with its source, the masked key and a live check', async () => {
    const { dir, env } = await loggedIn();
    const r = await runInProcess(['auth', 'status'], { env: { ...env, POSTHOG_PROJECT_ID: '1' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'Profile   default  (profile use)',
        `Host      ${sandbox.url}  (profile "default")`,
        'Project   1  (environment POSTHOG_PROJECT_ID)',
        'API key   phx_sand…cJGG  (profile "default")',
        `Config    ${configFile(dir)}`,
        'Check     ok: the key can read persons in project 1',
        '',
      ].join('\n'),
    );
  });

  it('--offline sends nothing; -o json is machine-readable', async () => {
    const { env } = await loggedIn();
    sandbox.clearRequests();
    const r = await runInProcess(['auth', 'status', '--offline', '-o', 'json'], { env });
    expect(sandbox.requests).toHaveLength(0);
    const report = JSON.parse(r.stdout);
    expect(report.api_key).toEqual({ value: 'phx_sand…cJGG', source: 'profile "default"' });
    expect(report.check).toBeNull();
  });

  it('exits 4 when there is no key, and says how to log in', async () => {
    const r = await runInProcess(['auth', 'status', '--offline'], { env: noEnvKey });
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('API key   (not set)');
    expect(r.stderr).toContain('no API key for profile "default"');
    expect(r.stderr).toContain('posthog-persons auth login');
  });

  it('logout removes the key but keeps host and project; the file stays 0600', async () => {
    const { dir, env } = await loggedIn();
    const r = await runInProcess(['auth', 'logout'], { env });
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: 'Removed the key of profile "default".\n' });
    const saved = JSON.parse(readFileSync(configFile(dir), 'utf8'));
    expect(saved.profiles.default).toEqual({ host: sandbox.url, project: '1' });
    expect(statSync(configFile(dir)).mode & 0o777).toBe(0o600);
  });

  it('profile list/use/remove', async () => {
    const { env } = await loggedIn('eu');
    await runInProcess(['auth', 'login', '--with-token', '--host', sandbox.url, '--project', '1', '-p', 'us'], { env, stdin: KEY });
    const list = await runInProcess(['profile', 'list'], { env });
    expect(list.stdout).toBe(`eu\ttrue\t${sandbox.url}\t1\tphx_sand…cJGG\nus\tfalse\t${sandbox.url}\t1\tphx_sand…cJGG\n`);
    expect((await runInProcess(['profile', 'use', 'us'], { env })).stderr).toBe('Now using profile "us".\n');
    expect((await runInProcess(['profile', 'list', '--fields', 'name,current'], { env })).stdout).toBe('eu\tfalse\nus\ttrue\n');
    const missing = await runInProcess(['profile', 'use', 'nope'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('error: no profile named "nope"\nSaved profiles: eu, us.\n');
    expect((await runInProcess(['profile', 'remove', 'eu'], { env })).code).toBe(0);
    expect((await runInProcess(['profile', 'list', '--fields', 'name'], { env })).stdout).toBe('us\n');
  });
});

describe('settings from the environment and flags', () => {
  it('reads the key from --api-key-file, from stdin with -', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-key-'));
    writeFileSync(join(dir, 'key'), `${KEY}\n`);
    const env = { POSTHOG_PERSONAL_API_KEY: undefined };
    const file = await runInProcess(['list', '--limit', '1', '--api-key-file', join(dir, 'key')], { sandbox, env });
    expect(file.code).toBe(0);
    const stdin = await runInProcess(['list', '--limit', '1', '--api-key-file', '-'], { sandbox, env, stdin: KEY });
    expect(stdin.code).toBe(0);
    expect(sandbox.requests.map((q) => q.keyLabel)).toEqual(['all', 'all']);
  });

  it('exits 4 without a key and 2 without a project, sending nothing', async () => {
    const noKey = await runInProcess(['list'], { sandbox, env: { POSTHOG_PERSONAL_API_KEY: undefined } });
    expect(noKey.code).toBe(4);
    expect(noKey.stderr).toContain('no API key');
    const noProject = await runInProcess(['list'], { sandbox, env: { POSTHOG_PROJECT_ID: undefined } });
    expect(noProject.code).toBe(2);
    expect(noProject.stderr).toContain('no project');
    expect(sandbox.requests).toHaveLength(0);
  });

  it('accepts the CLI aliases and @current', async () => {
    const r = await runInProcess(['list', '--limit', '1'], {
      sandbox,
      env: { POSTHOG_PERSONAL_API_KEY: undefined, POSTHOG_CLI_TOKEN: KEY, POSTHOG_PROJECT_ID: undefined, POSTHOG_CLI_ENV_ID: '@current' },
    });
    expect(r.code).toBe(0);
    expect(sandbox.requests[0]!.path).toBe('/api/projects/@current/persons/');
  });
});

describe('completion', () => {
  it.each(['bash', 'zsh', 'fish'])('prints a %s script that knows the commands', async (shell) => {
    const r = await runInProcess(['completion', shell]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('list');
    expect(r.stdout).toContain('page-size');
    expect(r.stdout).toContain('auth');
  });
  it('refuses an unknown shell', async () => {
    const r = await runInProcess(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('tcsh');
  });
});
