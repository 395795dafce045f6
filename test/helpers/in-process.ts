// Runs the CLI inside the test process: the same argv → exit code path as the binary (runCli,
// src/main.ts), with in-memory streams, the environment of test/helpers/cli.ts's run() and the
// sandbox the test started on port 0. Returns what run() returns, so a test switches by changing
// the function it calls. Tests that need a real process (signals, terminals, pipes closing,
// start-up, concurrency between processes) keep run() and runInTerminal().
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { memoryIO } from '../../src/io/streams.js';
import type { Clock } from '../../src/factory.js';
import { runCli } from '../../src/main.js';
import { cliEnv, type RunOptions, type RunResult } from './cli.js';

export interface InProcessOptions extends RunOptions {
  /** Terminal switches of the in-memory streams (all false by default, as with run()'s pipes). */
  stdinIsTTY?: boolean;
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  canPrompt?: boolean;
  width?: number;
  /** The CLI's clock (the real one by default). */
  clock?: Clock;
}

/**
 * The switches of a 120-column terminal, as runInTerminal's: for tests of what the CLI prints on a
 * terminal that type nothing at a prompt (the real terminal tests keep runInTerminal).
 */
export const ON_A_TERMINAL = { stdinIsTTY: true, stdoutIsTTY: true, stderrIsTTY: true, width: 120 } as const;

/** What a terminal would show of an in-process run: stdout, then stderr. */
export function screenOf(result: RunResult): string {
  return result.stdout + result.stderr;
}

/** What the build stamps into the binary (scripts/build.mjs): package.json's version. */
const VERSION = (JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;

// Runs never share state through the process: each has its own streams, environment and folder
// (commands resolve relative paths against the factory's cwd), so concurrent runs need no queue.
export async function runInProcess(args: string[], options: InProcessOptions = {}): Promise<RunResult> {
  const env = cliEnv(options);
  const io = memoryIO({
    stdin: options.stdin,
    env,
    stdinIsTTY: options.stdinIsTTY,
    stdoutIsTTY: options.stdoutIsTTY,
    stderrIsTTY: options.stderrIsTTY,
    canPrompt: options.canPrompt,
    width: options.width,
    noInput: args.includes('--no-input'),
  });
  const cwd = options.cwd ?? process.cwd();
  const code = await runCli(args, { io, env, cwd, readStdin: async () => options.stdin ?? '', clock: options.clock, version: VERSION });
  return { code, signal: null, stdout: io.stdoutText(), stderr: io.stderrText() };
}
