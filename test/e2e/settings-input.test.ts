// Odd settings and surroundings get a clear error, never a stack trace or "unexpected failure":
// a key that cannot go into an HTTP header, a UTF-16 key file, a host URL with credentials in it,
// stdout on a full disk.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, SANDBOX_KEYS, type Sandbox } from '../../src/sandbox/index.js';
import { BIN, cliEnv, tempConfigDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ persons: 3, writeLagMs: 0 });
});
beforeEach(() => sandbox.clearRequests());
afterAll(() => sandbox.close());

const KEY = SANDBOX_KEYS.all.key;
const noKey = { POSTHOG_PERSONAL_API_KEY: undefined };

function folderWith(name: string, content: Buffer | string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pp-settings-'));
  writeFileSync(join(dir, name), content);
  return dir;
}

const utf16le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
const utf16be = (text: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);

describe('a key that cannot be sent in an HTTP header', () => {
  it.each([
    ['a control character', `${KEY.slice(0, 20)}\u0007${KEY.slice(20)}`, 'U+0007'],
    ['a non-ASCII character', `${KEY.slice(0, 20)}é${KEY.slice(20)}`, 'U+00E9'],
    ['a DEL', `${KEY}\u007f`, 'U+007F'],
  ])('%s in the environment: exit 2 before any request, the character named, the key not shown', async (_what, key, code) => {
    const r = await runInProcess(['list', '--limit', '1'], { sandbox, key });
    expect(r).toMatchObject({
      code: 2,
      stdout: '',
      stderr:
        `error: the key (from environment POSTHOG_PERSONAL_API_KEY) contains a character that cannot be sent in an HTTP header (${code} at position ${key.search(/[^\x21-\x7e]/) + 1})\n` +
        'A personal API key is letters, digits, "_" and "-" only: check that only the key was pasted.\n',
    });
    expect(r.stderr).not.toContain(KEY.slice(8, -4));
    expect(sandbox.requests).toEqual([]);
  });

  it('in an --api-key-file: the same', async () => {
    const dir = folderWith('key.txt', `${KEY.slice(0, 10)}\u0001${KEY.slice(10)}\n`);
    const r = await runInProcess(['--api-key-file', join(dir, 'key.txt'), 'list'], { sandbox, env: noKey });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: the key (from flag --api-key-file) contains a character that cannot be sent in an HTTP header (U+0001 at position 11)');
    expect(sandbox.requests).toEqual([]);
  });
});

describe('a UTF-16 key file', () => {
  const message = (where: string) =>
    `error: ${where}: the key is UTF-16 encoded text (as Windows PowerShell's \`>\` and Notepad's "Unicode" write it)\n` +
    'Save it as UTF-8 or plain ASCII, e.g. `iconv -f UTF-16 -t UTF-8 key.txt > key-utf8.txt`, or in PowerShell `Set-Content -Encoding ascii`.\n';

  it.each([
    ['little-endian with a BOM', utf16le(`${KEY}\r\n`)],
    ['big-endian with a BOM', utf16be(`${KEY}\r\n`)],
    ['without a BOM (NUL bytes)', Buffer.from(`${KEY}\n`, 'utf16le')],
  ])('%s: exit 2 with a hint, before any request', async (_what, bytes) => {
    const dir = folderWith('key.txt', bytes);
    const r = await runInProcess(['--api-key-file', join(dir, 'key.txt'), 'list'], { sandbox, env: noKey });
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: message(`--api-key-file ${join(dir, 'key.txt')}`) });
    expect(sandbox.requests).toEqual([]);
  });

  it('on stdin (--api-key-file -, auth login --with-token): the same', async () => {
    const viaFlag = await runBytes(['--api-key-file', '-', 'list'], utf16le(`${KEY}\r\n`), { sandbox, env: noKey });
    expect(viaFlag).toMatchObject({ code: 2, stderr: message('--api-key-file -') });
    const dir = tempConfigDir();
    const login = await runBytes(['auth', 'login', '--with-token', '--host', sandbox.url, '--project', '1'], utf16le(`${KEY}\n`), {
      env: { ...noKey, POSTHOG_PERSONS_CONFIG_DIR: dir },
    });
    expect(login).toMatchObject({ code: 2, stderr: message('--with-token') });
    expect(existsSync(join(dir, 'config.json'))).toBe(false);
    expect(sandbox.requests).toEqual([]);
  });

  it('a UTF-8 file with a BOM (Notepad) is fine', async () => {
    const dir = folderWith('key.txt', `\ufeff${KEY}\r\n`);
    const r = await runInProcess(['--api-key-file', join(dir, 'key.txt'), 'list', '--limit', '1', '--fields', 'uuid'], { sandbox, env: noKey });
    expect(r.code).toBe(0);
    expect(sandbox.requests.map((q) => q.keyLabel)).toEqual(['all']);
  });
});

describe('a host URL with credentials', () => {
  it.each([
    ['a password holding @', 'https://me:p@ss-w0rd@posthog.example.com'],
    ['a password holding / and @', 'https://me:pa/ss@w0rd@posthog.example.com'],
    ['a user only', 'https://me-the-user@posthog.example.com'],
  ])('%s: refused (exit 2) without printing any of the user or password', async (_what, host) => {
    const r = await runInProcess(['--host', host, 'list'], { sandbox });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: invalid host "https:\/\/\*\*\*@/);
    expect(r.stderr).toContain('credentials in the URL are not allowed');
    for (const secret of ['me:', 'p@ss', 'ss-w0rd', 'pa/ss', 'w0rd', 'me-the-user']) expect(r.stderr).not.toContain(secret);
    expect(sandbox.requests).toEqual([]);
  });

  it('from POSTHOG_HOST: the same, naming the variable', async () => {
    const r = await runInProcess(['list'], { sandbox, env: { POSTHOG_HOST: 'https://me:p@ss@posthog.example.com' } });
    expect(r).toMatchObject({
      code: 2,
      stderr:
        'error: invalid host "https://***@posthog.example.com" (from environment POSTHOG_HOST): credentials in the URL are not allowed\n' +
        'The API key is the only credential sent; give the host without a user or password.\n',
    });
  });
});

describe('stdout on a full disk', () => {
  it.skipIf(!existsSync('/dev/full'))('list > /dev/full: exit 1 with a clear error, no stack trace', async () => {
    const r = await runToFile(['list', '--limit', '3'], '/dev/full');
    expect(r).toEqual({ code: 1, stderr: 'error: cannot write the output: no space left on the device (ENOSPC)\n' });
  });

  it.skipIf(!existsSync('/dev/full'))('list --all -o jsonl > /dev/full: the same', async () => {
    const r = await runToFile(['list', '--all', '-o', 'jsonl'], '/dev/full');
    expect(r).toEqual({ code: 1, stderr: 'error: cannot write the output: no space left on the device (ENOSPC)\n' });
  });
});

function runBytes(args: string[], stdin: Buffer, options: Parameters<typeof cliEnv>[0]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(options), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

function runToFile(args: string[], path: string): Promise<{ code: number | null; stderr: string }> {
  const fd = openSync(path, 'w');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv({ sandbox }), stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}
