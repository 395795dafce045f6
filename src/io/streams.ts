// Everything the tool knows about its terminal lives here: which streams are terminals, whether
// colour is allowed, whether a prompt may be shown. Commands ask this object, never `process`.
import { PassThrough, Writable } from 'node:stream';
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

export interface MemoryIOOptions {
  /** What stdin holds (empty when omitted); it ends after this text. */
  stdin?: string;
  stdinIsTTY?: boolean;
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  /** Defaults as on a real terminal: stdin and stderr terminals and no --no-input. */
  canPrompt?: boolean;
  width?: number;
  /** NO_COLOR and TERM decide colour as for the real streams. */
  env?: NodeJS.ProcessEnv;
  noInput?: boolean;
}

export interface MemoryIOStreams extends IOStreams {
  /** Everything written to stdout so far, decoded as UTF-8. */
  stdoutText(): string;
  /** Everything written to stderr so far, decoded as UTF-8. */
  stderrText(): string;
}

/**
 * IOStreams held in memory, for running the CLI in-process (tests): stdin is a given text, stdout
 * and stderr are buffers, and each terminal property is a switch.
 */
export function memoryIO(options: MemoryIOOptions = {}): MemoryIOStreams {
  const env = options.env ?? {};
  const stdinIsTTY = options.stdinIsTTY ?? false;
  const stdoutIsTTY = options.stdoutIsTTY ?? false;
  const stderrIsTTY = options.stderrIsTTY ?? false;
  const colorAllowed = !('NO_COLOR' in env) && env.TERM !== 'dumb';
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? '');
  const out = bufferStream();
  const err = bufferStream();
  // What a prompt library reads to wrap its question: the width of a terminal, as on a real one.
  const width = options.width ?? 80;
  if (stdoutIsTTY) Object.assign(out.stream, { columns: width });
  if (stderrIsTTY) Object.assign(err.stream, { columns: width });
  return {
    stdin,
    stdout: out.stream,
    stderr: err.stream,
    stdinIsTTY,
    stdoutIsTTY,
    stderrIsTTY,
    color: colorAllowed && stdoutIsTTY,
    canPrompt: options.canPrompt ?? (stdinIsTTY && stderrIsTTY && !options.noInput),
    width,
    err(line: string) {
      err.stream.write(`${escapeLinesForTerminal(line)}\n`);
    },
    stdoutText: out.text,
    stderrText: err.text,
  };
}

function bufferStream(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, encoding, callback) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk);
      callback();
    },
  });
  // Like process.stdout and process.stderr, which outlive whoever ends them: a prompt library
  // ends its output when it closes, and the CLI goes on writing to stderr after a prompt.
  stream.end = function end(this: Writable, ...args: unknown[]): Writable {
    const chunk = args.find((a) => typeof a === 'string' || Buffer.isBuffer(a));
    if (chunk !== undefined) this.write(chunk as string | Buffer);
    const done = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    if (done) queueMicrotask(done);
    return this;
  } as Writable['end'];
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}
