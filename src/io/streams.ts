// Everything the tool knows about its terminal lives here: which streams are terminals, whether
// colour is allowed, whether a prompt may be shown. Commands ask this object, never `process`.
import { escapeLinesForTerminal } from '../output/escape.js';

export interface IOStreams {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Colour on stdout/stderr: only on a terminal, never with NO_COLOR or TERM=dumb. */
  color: boolean;
  /** Prompts need stdin and stderr to be terminals, and no --no-input. */
  canPrompt: boolean;
  /** Columns of the terminal (80 when unknown). */
  width: number;
  /**
   * Writes one line to stderr. Control characters other than LF are shown escaped, so a server
   * value that reaches a message, warning or summary unescaped still cannot drive the terminal.
   */
  err(line: string): void;
}

export interface SystemIOOptions {
  env: NodeJS.ProcessEnv;
  noInput?: boolean;
}

export function systemIO(options: SystemIOOptions): IOStreams {
  const { env } = options;
  const stdinIsTTY = Boolean(process.stdin.isTTY);
  const stdoutIsTTY = Boolean(process.stdout.isTTY);
  const stderrIsTTY = Boolean(process.stderr.isTTY);
  const colorAllowed = !('NO_COLOR' in env) && env.TERM !== 'dumb';
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    stdinIsTTY,
    stdoutIsTTY,
    stderrIsTTY,
    color: colorAllowed && stdoutIsTTY,
    canPrompt: stdinIsTTY && stderrIsTTY && !options.noInput,
    width: process.stdout.columns || process.stderr.columns || 80,
    err(line: string) {
      // After stderr's reader went away (EPIPE) the stream is destroyed: drop the line.
      if (process.stderr.destroyed || !process.stderr.writable) return;
      process.stderr.write(`${escapeLinesForTerminal(line)}\n`);
    },
  };
}
