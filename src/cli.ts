// Entry point: builds the program, runs it, and turns every error into a message on stderr and
// its exit code (README, "Exit codes"). The only module besides src/io that touches `process`.
import { CommanderError, type Command } from 'commander';
import { CliError, ExitCode, redact, STOP_SIGNALS, type StopSignal } from './errors.js';
import { createFactory } from './factory.js';
import { systemIO } from './io/streams.js';
import { createProgram } from './program.js';

declare const __VERSION__: string;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

async function main(argv: string[]): Promise<number> {
  const io = systemIO({ env: process.env, noInput: argv.includes('--no-input') });
  const factory = createFactory({
    io,
    env: process.env,
    version: VERSION,
    cwd: process.cwd(),
    readStdin: () => readAll(process.stdin),
  });
  let interrupts = 0;
  // Ctrl-C, SIGTERM (a cancelled CI job, `kill`) and SIGHUP (the terminal closed) all stop a run
  // the same way: a command that registered with onInterrupt (a bulk run, the sandbox) stops by
  // itself, finishes its journal and says how to resume; a second signal, or a command with
  // nothing to save, stops at once. The exit code is 128 + the signal's number.
  const onSignal = (signal: StopSignal) => {
    interrupts++;
    if (interrupts === 1 && factory.interrupt(signal)) return;
    io.err(signal === 'SIGINT' ? 'Interrupted.' : `${STOP_SIGNALS[signal].said}.`);
    process.exit(STOP_SIGNALS[signal].exitCode);
  };
  const stopSignals: StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of stopSignals) process.on(signal, onSignal);
  // `posthog-persons list --all | head`: the reader went away, which is not an error of ours. A
  // bulk run asks to keep its exit code (factory.keepExitCodeOnBrokenPipe): it still finishes its
  // journal and exits with its own code (7 for a partial failure); its remaining output is dropped.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    // EIO: the terminal itself went away (SIGHUP follows).
    if (error.code === 'EPIPE' || error.code === 'EIO') {
      if (!factory.keepsExitCodeOnBrokenPipe()) process.exit(ExitCode.ok);
      return;
    }
    // `> /dev/full`, a full disk, a quota: the data cannot be written, which is worth one line.
    io.err(`error: cannot write the output: ${describeWriteError(error)}`);
    process.exit(ExitCode.failure);
  });
  // stderr's reader gone (a closed pipe, a hung-up terminal): messages have nowhere to go, but
  // the run goes on to its end and its exit code; io.err stops writing.
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'EIO') throw error;
  });

  const program = createProgram(factory);
  program.exitOverride();
  const output = {
    writeOut: (text: string) => io.stdout.write(text),
    // commander echoes what was typed ("unknown option '--api-key=phx_…'"): mask anything key-shaped.
    writeErr: (text: string) => io.stderr.write(redact(text, [])),
  };
  // Subcommands made with `new Command()` do not inherit the program's output settings.
  const configureOutput = (command: Command): void => {
    command.configureOutput(output);
    command.commands.forEach(configureOutput);
  };
  configureOutput(program);
  try {
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (error) {
    return report(error, factory.secrets(), factory.debugEnabled(), io.err);
  } finally {
    for (const signal of stopSignals) process.off(signal, onSignal);
    await factory.close();
  }
}

function report(error: unknown, secrets: string[], debug: boolean, err: (line: string) => void): number {
  if (error instanceof CommanderError) {
    // commander has already printed its message (help, version, or a usage error).
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
      return ExitCode.ok;
    }
    if (error.code === 'commander.executeSubCommandAsync') return error.exitCode;
    return ExitCode.usage;
  }
  if (error instanceof CliError) {
    err(`error: ${redact(error.message, secrets)}`);
    if (error.hint) err(redact(error.hint, secrets));
    if (debug && error.stack) err(redact(error.stack, secrets));
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  err(`error: unexpected failure: ${redact(message, secrets)}`);
  if (error instanceof Error && error.stack) {
    err(debug ? redact(error.stack, secrets) : 'Run again with --debug for details.');
  }
  return ExitCode.failure;
}

function describeWriteError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOSPC':
      return 'no space left on the device (ENOSPC)';
    case 'EDQUOT':
      return 'the disk quota is exceeded (EDQUOT)';
    case 'EFBIG':
      return 'the file is too large (EFBIG)';
    case 'EIO':
      return 'an input/output error on the device (EIO)';
    default:
      return error.code ? `${error.code}` : error.message;
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) text += chunk as string;
  return text;
}

main(process.argv).then((code) => {
  process.exitCode = code;
  // After Ctrl-C (or SIGTERM, SIGHUP), requests abandoned by a bulk run may still be waiting to
  // retry; the journal and summary are written, so leave once stdout has been flushed instead of
  // waiting for them.
  if (code === ExitCode.interrupted || code === ExitCode.terminated || code === ExitCode.hangup) process.stdout.write('', () => process.exit(code));
});
