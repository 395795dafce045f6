// `auth login` and the environment: environment variables win over a saved profile, so a login
// must not silently save settings that the next command will ignore, and `--with-token` must send
// the key where the environment points when no flag says otherwise.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, SANDBOX_KEYS, type Sandbox } from '../../src/sandbox/index.js';
import { tempConfigDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

let prod: Sandbox;
let rehearsal: Sandbox;
beforeAll(async () => {
  [prod, rehearsal] = await Promise.all([startSandbox({ persons: 2, writeLagMs: 0 }), startSandbox({ persons: 2, writeLagMs: 0 })]);
});
beforeEach(() => {
  prod.clearRequests();
  rehearsal.clearRequests();
});
afterAll(async () => {
  await Promise.all([prod.close(), rehearsal.close()]);
});

const KEY = SANDBOX_KEYS.all.key;
const OTHER_KEY = SANDBOX_KEYS.read.key;
const clean = { POSTHOG_PERSONAL_API_KEY: undefined, POSTHOG_HOST: undefined, POSTHOG_PROJECT_ID: undefined };

function saved(dir: string): { currentProfile?: string; profiles: Record<string, unknown> } {
  return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
}

describe('auth login warns when the environment overrides what it saved', () => {
  it('names each overriding variable (host, project, key) and never prints the key', async () => {
    const dir = tempConfigDir();
    const env = {
      ...clean,
      POSTHOG_PERSONS_CONFIG_DIR: dir,
      POSTHOG_HOST: rehearsal.url,
      POSTHOG_PROJECT_ID: '2',
      POSTHOG_CLI_TOKEN: OTHER_KEY,
    };
    const r = await runInProcess(['auth', 'login', '--with-token', '--host', prod.url, '--project', '1'], { env, stdin: `${KEY}\n` });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      [
        `Logged in to ${prod.url}, project 1 as profile "default" (key phx_sand…cJGG).`,
        'warning: these environment variables override what was just saved, so commands run with them will not use profile "default":',
        `  POSTHOG_HOST=${rehearsal.url} (saved: ${prod.url})`,
        '  POSTHOG_PROJECT_ID=2 (saved: 1)',
        '  POSTHOG_CLI_TOKEN holds a different key',
        'Unset them to use the profile: unset POSTHOG_HOST POSTHOG_PROJECT_ID POSTHOG_CLI_TOKEN',
        '',
      ].join('\n'),
    );
    expect(r.stderr).not.toContain(OTHER_KEY);
    expect(r.stderr).not.toContain(OTHER_KEY.slice(4, -4));
    expect(prod.requests.map((q) => [q.route, q.keyLabel])).toEqual([['list', 'all']]);
    expect(rehearsal.requests).toEqual([]);
    expect(saved(dir).profiles.default).toEqual({ host: prod.url, project: '1', apiKey: KEY });
  });

  it('names the CLI aliases too, and stays quiet about variables that say the same as the profile', async () => {
    const dir = tempConfigDir();
    const env = { ...clean, POSTHOG_PERSONS_CONFIG_DIR: dir, POSTHOG_CLI_HOST: rehearsal.url, POSTHOG_CLI_ENV_ID: '1', POSTHOG_PERSONAL_API_KEY: KEY };
    const r = await runInProcess(['auth', 'login', '--with-token', '--host', prod.url, '--project', '1', '-p', 'prod'], { env, stdin: KEY });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      [
        `Logged in to ${prod.url}, project 1 as profile "prod" (key phx_sand…cJGG).`,
        'warning: these environment variables override what was just saved, so commands run with them will not use profile "prod":',
        `  POSTHOG_CLI_HOST=${rehearsal.url} (saved: ${prod.url})`,
        'Unset them to use the profile: unset POSTHOG_CLI_HOST',
        '',
      ].join('\n'),
    );
  });

  it('names POSTHOG_PERSONS_PROFILE when it selects another profile than the one saved', async () => {
    const dir = tempConfigDir();
    const env = { ...clean, POSTHOG_PERSONS_CONFIG_DIR: dir, POSTHOG_PERSONS_PROFILE: 'sandbox' };
    const r = await runInProcess(['auth', 'login', '--with-token', '--host', prod.url, '--project', '1', '-p', 'prod'], { env, stdin: KEY });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      [
        `Logged in to ${prod.url}, project 1 as profile "prod" (key phx_sand…cJGG).`,
        'warning: these environment variables override what was just saved, so commands run with them will not use profile "prod":',
        '  POSTHOG_PERSONS_PROFILE selects another profile (saved to "prod")',
        'Unset them to use the profile: unset POSTHOG_PERSONS_PROFILE',
        '',
      ].join('\n'),
    );
  });

  it('says nothing more when no variable overrides the profile', async () => {
    const dir = tempConfigDir();
    const r = await runInProcess(['auth', 'login', '--with-token', '--host', prod.url, '--project', '1'], {
      env: { ...clean, POSTHOG_PERSONS_CONFIG_DIR: dir },
      stdin: KEY,
    });
    expect(r).toMatchObject({ code: 0, stderr: `Logged in to ${prod.url}, project 1 as profile "default" (key phx_sand…cJGG).\n` });
  });
});

describe('auth login --with-token honours POSTHOG_HOST and POSTHOG_PROJECT_ID without flags', () => {
  it('checks the key at the host of the environment and saves that host and project', async () => {
    const dir = tempConfigDir();
    const env = { ...clean, POSTHOG_PERSONS_CONFIG_DIR: dir, POSTHOG_HOST: prod.url, POSTHOG_PROJECT_ID: '1' };
    const r = await runInProcess(['--retries', '0', '--timeout', '2', 'auth', 'login', '--with-token'], { env, stdin: KEY });
    expect(r.stderr).toBe(`Logged in to ${prod.url}, project 1 as profile "default" (key phx_sand…cJGG).\n`);
    expect(r.code).toBe(0);
    expect(prod.requests.map((q) => [q.route, q.keyLabel, q.path])).toEqual([['list', 'all', '/api/projects/1/persons/']]);
    expect(saved(dir).profiles.default).toEqual({ host: prod.url, project: '1', apiKey: KEY });
  });

  it('the aliases POSTHOG_CLI_HOST and POSTHOG_CLI_PROJECT_ID too; flags still win over them', async () => {
    const dir = tempConfigDir();
    const env = { ...clean, POSTHOG_PERSONS_CONFIG_DIR: dir, POSTHOG_CLI_HOST: rehearsal.url, POSTHOG_CLI_PROJECT_ID: '1' };
    const r = await runInProcess(['--retries', '0', 'auth', 'login', '--with-token', '-p', 'r'], { env, stdin: KEY });
    expect(r.code).toBe(0);
    expect(saved(dir).profiles.r).toEqual({ host: rehearsal.url, project: '1', apiKey: KEY });
    expect(rehearsal.requests).toHaveLength(1);

    const flagged = await runInProcess(['auth', 'login', '--with-token', '-p', 'p', '--host', prod.url], { env, stdin: KEY });
    expect(flagged.code).toBe(0);
    expect(saved(dir).profiles.p).toEqual({ host: prod.url, project: '1', apiKey: KEY });
    expect(prod.requests).toHaveLength(1);
  });

  it('an invalid POSTHOG_HOST is refused before any request, naming the variable', async () => {
    const dir = tempConfigDir();
    const env = { ...clean, POSTHOG_PERSONS_CONFIG_DIR: dir, POSTHOG_HOST: 'http://posthog.example.com', POSTHOG_PROJECT_ID: '1' };
    const r = await runInProcess(['auth', 'login', '--with-token'], { env, stdin: KEY });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing plain http:// to posthog.example.com (from environment POSTHOG_HOST)');
  });
});
