// Entry point: wires the real process to runCli (src/main.ts), which builds the program, runs it
// and maps errors to exit codes. Here live the process-level concerns: the real streams, signals,
// a broken stdout pipe and process.exitCode (README, "Exit codes"). The only module besides
// src/io that touches `process`.
import { ExitCode, STOP_SIGNALS, type StopSignal } from './errors.js';
import type { Factory } from './factory.js';
import { systemIO } from './io/streams.js';
import { runCli } from './main.js';

async function main(argv: string[]): Promise<number> {
  const args = argv.slice(2);
  const io = systemIO({ env: process.env, noInput: args.includes('--no-input') });
  return runCli(args, {
    io,
    env: process.env,
    cwd: process.cwd(),
    readStdin: () => readAll(process.stdin),
    attach: (factory) => attachProcess(factory, io.err),
  });
}

/** Signals and stdout/stderr errors of the real process, routed to the run's factory. */
function attachProcess(factory: Factory, err: (line: string) => void): () => void {
  let interrupts = 0;
  // Ctrl-C, SIGTERM (a cancelled CI job, `kill`) and SIGHUP (the terminal closed) all stop a run
  // the same way: a command that registered with onInterrupt (a bulk run, the sandbox) stops by
  // itself, finishes its journal and says how to resume; a second signal, or a command with
  // nothing to save, stops at once. The exit code is 128 + the signal's number.
  const onSignal = (signal: StopSignal) => {
    interrupts++;
    if (interrupts === 1 && factory.interrupt(signal)) return;
    err(signal === 'SIGINT' ? 'Interrupted.' : `${STOP_SIGNALS[signal].said}.`);
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
    err(`error: cannot write the output: ${describeWriteError(error)}`);
    process.exit(ExitCode.failure);
  });
  // stderr's reader gone (a closed pipe, a hung-up terminal): messages have nowhere to go, but
  // the run goes on to its end and its exit code; io.err stops writing.
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'EIO') throw error;
  });
  return () => {
    for (const signal of stopSignals) process.off(signal, onSignal);
  };
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
