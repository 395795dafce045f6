// Runs the built binary the way a user would: as a child process, piped or inside a real
// pseudo-terminal (util-linux `script`), against a sandbox started by the test on port 0.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Sandbox } from '../../src/sandbox/index.js';
import { SANDBOX_KEYS } from '../../src/sandbox/index.js';

/** The CLI as built for this test run (test/global-setup.ts); bin/posthog-persons.js only imports it. */
export const BIN = process.env.POSTHOG_PERSONS_TEST_ENTRY ?? resolve(__dirname, '../../bin/posthog-persons.js');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  sandbox?: Sandbox;
  /** which sandbox key to use (default: the full-access one) */
  key?: string;
  env?: Record<string, string | undefined>;
  stdin?: string;
  cwd?: string;
  timeoutMs?: number;
}

/** A fresh, empty config folder so tests never see the developer's own profiles. */
export function tempConfigDir(): string {
  return mkdtempSync(join(tmpdir(), 'pp-config-'));
}

export function cliEnv(options: RunOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    POSTHOG_PERSONS_CONFIG_DIR: tempConfigDir(),
    // fast retries in tests; the backoff schedule itself is unit-tested
    POSTHOG_PERSONS_BACKOFF_MS: '20',
  };
  if (options.sandbox) {
    env.POSTHOG_HOST = options.sandbox.url;
    env.POSTHOG_PROJECT_ID = String(options.sandbox.projectId);
    env.POSTHOG_PERSONAL_API_KEY = options.key ?? SANDBOX_KEYS.all.key;
  }
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Runs the CLI with stdin, stdout and stderr piped (no terminal). */
export function run(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: cliEnv(options),
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

export interface TerminalStep {
  /** wait until the screen shows this */
  expect: string | RegExp;
  /** then type this (include '\r' to press Enter) */
  send?: string;
}

export interface TerminalResult {
  code: number | null;
  /** everything the terminal showed (stdout and stderr together), with \r\n turned into \n */
  screen: string;
}

/**
 * Runs the CLI inside a pseudo-terminal, so stdin, stdout and stderr are all terminals, and plays
 * the steps: wait for a text, type an answer.
 */
export function runInTerminal(args: string[], steps: TerminalStep[], options: RunOptions & { columns?: number } = {}): Promise<TerminalResult> {
  const quoted = [process.execPath, BIN, ...args].map(shellQuote).join(' ');
  const env = { ...cliEnv(options), TERM: 'xterm', COLUMNS: String(options.columns ?? 120), LINES: '40' };
  return new Promise((resolvePromise, reject) => {
    const child = spawn('script', ['-qefc', `stty cols ${env.COLUMNS} rows 40; exec ${quoted}`, '/dev/null'], {
      env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    let step = 0;
    const advance = () => {
      while (step < steps.length) {
        const { expect, send } = steps[step]!;
        const seen = typeof expect === 'string' ? screen.includes(expect) : expect.test(screen);
        if (!seen) return;
        step++;
        if (send !== undefined) child.stdin.write(send);
      }
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      screen += d;
      advance();
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (screen += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, screen: screen.replace(/\r\n/g, '\n') });
    });
  });
}

/** Removes ANSI escapes (colours, cursor moves) from terminal output. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007/g, '');
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
