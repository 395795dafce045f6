// The argv → exit code path, without `process`: builds the program, runs it and turns every error
// into a message on stderr and the exit code of the contract. src/cli.ts wires the real process to
// it (streams, signals, a broken pipe, process.exitCode); tests call runCli in-process with
// in-memory streams (see test/helpers/in-process.ts).
import { CommanderError, type Command } from 'commander';
import { CliError, ExitCode, redact } from './errors.js';
import { createFactory, type Clock, type Factory } from './factory.js';
import type { IOStreams } from './io/streams.js';
import { createProgram } from './program.js';

declare const __VERSION__: string;
export const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

export interface CliDeps {
  io: IOStreams;
  /** The environment the commands see; they never read process.env. */
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** All of stdin as text (for --with-token and --api-key-file -). */
  readStdin: () => Promise<string>;
  /** The real clock when omitted. */
  clock?: Clock;
  version?: string;
  /**
   * Called once the factory exists, before the command runs: the process wiring hooks signals and
   * a broken stdout to it here. The function it returns is called when the command is over,
   * before the factory closes.
   */
  attach?: (factory: Factory) => () => void;
}

/** Runs the command line `args` (without node and the script) and resolves to its exit code. */
export async function runCli(args: string[], deps: CliDeps): Promise<number> {
  const { io } = deps;
  const factory = createFactory({
    io,
    env: deps.env,
    version: deps.version ?? VERSION,
    cwd: deps.cwd,
    readStdin: deps.readStdin,
    clock: deps.clock,
  });
  const detach = deps.attach?.(factory);

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
    await program.parseAsync(args, { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    return report(error, factory.secrets(), factory.debugEnabled(), io.err);
  } finally {
    detach?.();
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

