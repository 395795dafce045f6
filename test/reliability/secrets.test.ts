// Secret hygiene: every command runs with --debug, succeeding and failing (a rejected key, a
// thrown network error, server errors), and the key is searched for in stdout, stderr, journals,
// backups and every file of the config folder except the profile file itself. The profile file
// is 0600 after every write, and `auth status` shows the key masked.
import { createServer } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskKey } from '../../src/errors.js';
import { startSandbox, SANDBOX_KEYS, type Sandbox } from '../../src/sandbox/index.js';
import { tempConfigDir, type RunResult } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

/** The scope-less key: it may call every endpoint, properties_timeline included. */
const KEY = SANDBOX_KEYS.legacy.key;
/** A well-formed key PostHog does not know: the 401 must not print it either. */
const WRONG_KEY = 'phx_wrongKeyThatMustNotLeak0123456789abcdef';
const SECRETS = [KEY, WRONG_KEY, SANDBOX_KEYS.all.key];

const P = {
  main: { uuid: '01900000-0000-7000-8000-00000000c001', distinctIds: ['sec-main', 'sec-main-device'], properties: { email: 'sec@example.com', plan: 'free' } },
  split: { uuid: '01900000-0000-7000-8000-00000000c002', distinctIds: ['sec-split-a', 'sec-split-b'] },
  single: { uuid: '01900000-0000-7000-8000-00000000c003', distinctIds: ['sec-single'] },
};
const FILE_IDS = ['sec-file-1', 'sec-file-2', 'sec-file-3'];

let sandbox: Sandbox;
let work: string;
let closedUrl: string;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 5, writeLagMs: 0 });
  for (const person of Object.values(P)) sandbox.store.addPerson({ ...person });
  for (const id of FILE_IDS) sandbox.store.addPerson({ distinctIds: [id], properties: { email: `${id}@example.com` } });
  work = mkdtempSync(join(tmpdir(), 'pp-secrets-'));
  writeFileSync(join(work, 'ids.csv'), `distinct_id\n${FILE_IDS.join('\n')}\n`);
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise((resolve) => probe.close(resolve));
});
afterAll(() => sandbox.close());

/** Every file under `dir`, except the ones named in `skip`. */
function filesUnder(dir: string, skip: string[] = []): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile() && !skip.includes(path));
}

/** The key whole, and its middle (what a masked form hides), must appear nowhere. */
function expectNoSecret(where: string, text: string): void {
  for (const secret of SECRETS) {
    expect(text.includes(secret), `${where} contains a key`).toBe(false);
    expect(text.includes(secret.slice(8, -4)), `${where} contains part of a key`).toBe(false);
  }
}

function expectClean(label: string, result: RunResult): void {
  expectNoSecret(`${label}: stdout`, result.stdout);
  expectNoSecret(`${label}: stderr`, result.stderr);
}

const mode = (path: string) => statSync(path).mode & 0o777;

interface Case {
  label: string;
  args: string[];
  code: number;
  key?: string;
  env?: Record<string, string>;
  stdin?: string;
  /** sends no request, so there is no debug log to look at */
  offline?: boolean;
  before?: () => void;
}

const cases = (): Case[] => [
  { label: 'list', args: ['list', '--limit', '3'], code: 0 },
  { label: 'list --all -o jsonl', args: ['list', '--all', '-o', 'jsonl'], code: 0 },
  { label: 'get', args: ['get', 'sec-main', '-o', 'json'], code: 0 },
  { label: 'set-prop', args: ['set-prop', 'sec-main', 'plan', 'scale'], code: 0 },
  { label: 'set-prop --json', args: ['set-prop', P.main.uuid, 'limits', '{"seats":5}', '--json', '-o', 'json'], code: 0 },
  { label: 'unset-prop', args: ['unset-prop', 'sec-main', 'plan', 'limits'], code: 0 },
  { label: 'split --yes', args: ['split', 'sec-split-a', '--keep', 'sec-split-a', '--yes'], code: 0 },
  { label: 'delete --yes', args: ['delete', 'sec-single', '--yes', '--delete-events'], code: 0 },
  {
    label: 'delete --from-file with journal and backup',
    args: ['delete', '--from-file', 'ids.csv', '--yes', '--journal', 'journal.jsonl', '--backup', 'backup.jsonl'],
    code: 0,
  },
  { label: 'verify --journal with a report', args: ['verify', '--journal', 'journal.jsonl', '--report', 'verified.csv'], code: 0 },
  { label: 'deletion-status --journal (its run deleted no events: no request)', args: ['deletion-status', '--journal', 'journal.jsonl'], code: 0, offline: true },
  { label: 'reset-distinct-id', args: ['reset-distinct-id', 'sec-gone-1'], code: 0 },
  { label: 'deletion-status', args: ['deletion-status', '--status', 'all'], code: 0 },
  { label: 'timeline', args: ['timeline', 'sec-main'], code: 0 },
  { label: 'activity of a person', args: ['activity', 'sec-main'], code: 0 },
  { label: 'activity', args: ['activity', '--limit', '5'], code: 0 },
  { label: 'auth status', args: ['auth', 'status'], code: 0 },
  { label: 'auth status -o json', args: ['auth', 'status', '-o', 'json'], code: 0 },
  { label: 'projects', args: ['projects', '-o', 'json'], code: 0 },
  { label: 'profile list', args: ['profile', 'list'], code: 0, offline: true },
  { label: 'completion', args: ['completion', 'bash'], code: 0, offline: true },
  // failures
  { label: '401 (a wrong key)', args: ['list'], key: WRONG_KEY, code: 4 },
  { label: '401 on auth status', args: ['auth', 'status'], key: WRONG_KEY, code: 4 },
  { label: '403 (timeline with a scoped key)', args: ['timeline', 'sec-main'], key: SANDBOX_KEYS.all.key, code: 4 },
  { label: '403 on projects (no organization:read)', args: ['projects'], key: SANDBOX_KEYS.read.key, code: 4 },
  { label: '404', args: ['get', 'nobody-at-all'], code: 5 },
  { label: 'connection refused (a thrown network error)', args: ['--retries', '1', 'get', 'sec-main'], env: { POSTHOG_HOST: '{closed}' }, code: 1 },
  { label: '500 on a write', args: ['--retries', '0', 'set-prop', 'sec-main', 'plan', 'x'], code: 1, before: () => sandbox.script({ path: /update_property/, kind: 'status', status: 500 }) },
  { label: 'a bad flag', args: ['list', '--where', 'nokey'], code: 2, offline: true },
  { label: 'key file', args: ['--api-key-file', '{keyfile}', 'list', '--limit', '1'], env: { POSTHOG_PERSONAL_API_KEY: '' }, code: 0 },
];

describe('the key never leaks', () => {
  it('every command with --debug, success and failure: not in stdout, stderr, journals, backups or the config folder', async () => {
    const config = tempConfigDir();
    const keyDir = mkdtempSync(join(tmpdir(), 'pp-keyfile-'));
    writeFileSync(join(keyDir, 'key'), `${KEY}\n`);
    const fill = (text: string) => text.replace('{closed}', closedUrl).replace('{keyfile}', join(keyDir, 'key'));
    // One at a time: the cases change the sandbox's persons and the scripted faults.
    for (const c of cases()) {
      c.before?.();
      const env = { POSTHOG_PERSONS_CONFIG_DIR: config, ...Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, fill(v)])) };
      const result = await runInProcess(['--debug', ...c.args.map(fill)], { sandbox, key: c.key ?? KEY, env, stdin: c.stdin, cwd: work });
      expect({ label: c.label, code: result.code }).toEqual({ label: c.label, code: c.code });
      expectClean(c.label, result);
      // --debug really logged the requests (with the key masked), so the search means something.
      if (!c.offline) expect(result.stderr, c.label).toContain(`[debug]   authorization: Bearer ${maskKey(c.key ?? KEY)}`);
    }
    const written = filesUnder(work);
    expect(written.map((p) => p.slice(work.length + 1)).sort()).toEqual(['backup.jsonl', 'ids.csv', 'journal.jsonl', 'verified.csv']);
    expect(readFileSync(join(work, 'journal.jsonl'), 'utf8')).toContain(sandbox.url); // it is the real journal
    for (const path of [...written, ...filesUnder(config)]) expectNoSecret(path, readFileSync(path, 'utf8'));
  }, 60_000);

  it('the debug log shows the key masked, and a stack trace (--debug) is redacted too', async () => {
    const result = await runInProcess(['--debug', '--retries', '0', 'list'], { sandbox, key: KEY, env: { POSTHOG_HOST: closedUrl } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`[debug]   authorization: Bearer ${maskKey(KEY)}`);
    expect(result.stderr).toMatch(/^\s+at /m); // the stack is there with --debug
    expectClean('stack', result);
  });

  it('a key typed where a flag value or a file path belongs is not echoed', async () => {
    for (const args of [['list', `--api-key=${KEY}`], ['--api-key-file', KEY, 'list'], ['list', '--token', KEY]]) {
      const result = await runInProcess(args, { sandbox });
      expect(result.code).toBe(2);
      expectClean(args.join(' '), result);
    }
  });
});

describe('the profile file', () => {
  it('is 0600 after login, profile use, logout and remove; auth status masks the key; no other file holds it', async () => {
    const config = tempConfigDir();
    const file = join(config, 'config.json');
    const env = { POSTHOG_PERSONS_CONFIG_DIR: config, POSTHOG_PERSONAL_API_KEY: undefined, POSTHOG_HOST: undefined, POSTHOG_PROJECT_ID: undefined };
    const cli = async (args: string[], stdin?: string) => {
      const result = await runInProcess(['--debug', ...args], { env, stdin });
      expectClean(args.join(' '), result);
      return result;
    };
    const login = ['auth', 'login', '--with-token', '--host', sandbox.url, '--project', '1'];

    expect((await cli(login, `${KEY}\n`)).code).toBe(0);
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(KEY); // the one place the key lives
    expect((await cli([...login, '-p', 'second'], `${SANDBOX_KEYS.all.key}\n`)).code).toBe(0);
    expect(mode(file)).toBe(0o600);

    const status = await cli(['auth', 'status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`API key   ${maskKey(KEY)}  (profile "default")`);
    expect((await cli(['list', '--limit', '1'])).code).toBe(0); // the stored key works

    expect((await cli(['profile', 'use', 'second'])).code).toBe(0);
    expect(mode(file)).toBe(0o600);
    expect((await cli(['auth', 'logout'])).code).toBe(0);
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(SANDBOX_KEYS.all.key);
    expect((await cli(['profile', 'remove', 'default'])).code).toBe(0);
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(KEY);
    for (const path of filesUnder(config, [file])) expectNoSecret(path, readFileSync(path, 'utf8'));
  });

  it('a profile file made readable by others is tightened to 0600 on the next write', async () => {
    const config = tempConfigDir();
    const file = join(config, 'config.json');
    writeFileSync(file, JSON.stringify({ profiles: { old: { host: sandbox.url, project: '1' } } }), { mode: 0o644 });
    const result = await runInProcess(['profile', 'use', 'old'], { env: { POSTHOG_PERSONS_CONFIG_DIR: config } });
    expect(result.code).toBe(0);
    expect(mode(file)).toBe(0o600);
  });
});
