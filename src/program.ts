// The command tree: global flags and every command. Command modules only declare flags here;
// what they need to run (HTTP, tables, CSV, prompts) is loaded when they run.
import { Command, Option } from 'commander';
import type { Factory, GlobalOptions } from './factory.js';
import { intInRange } from './commands/shared.js';
import { parseRateLimit } from './api/rate-limits.js';
import { createListCommand } from './commands/list.js';
import { createGetCommand } from './commands/get.js';
import { createSetPropCommand } from './commands/set-prop.js';
import { createUnsetPropCommand } from './commands/unset-prop.js';
import { createSplitCommand } from './commands/split.js';
import { createDeleteCommand } from './commands/delete.js';
import { createResetDistinctIdCommand } from './commands/reset-distinct-id.js';
import { createDeletionStatusCommand } from './commands/deletion-status.js';
import { createVerifyCommand } from './commands/verify.js';
import { createTimelineCommand } from './commands/timeline.js';
import { createActivityCommand } from './commands/activity.js';
import { createProjectsCommand } from './commands/projects.js';
import { createAuthCommand } from './commands/auth.js';
import { createProfileCommand } from './commands/profile.js';
import { createSandboxCommand } from './commands/sandbox.js';
import { createCompletionCommand } from './commands/completion.js';

export function createProgram(factory: Factory): Command {
  const program = new Command('posthog-persons')
    .description('Manage PostHog persons from the command line: list, inspect, edit, split and delete them.')
    .version(factory.version, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--host <url>', 'PostHog host: us, eu or a URL (env POSTHOG_HOST; default https://us.posthog.com)')
    .option('--project <id>', 'project id or @current (env POSTHOG_PROJECT_ID)')
    .option('--api-key-file <path>', 'read the personal API key from a file, - for stdin (env POSTHOG_PERSONAL_API_KEY)')
    .option('-p, --profile <name>', 'saved profile to use (env POSTHOG_PERSONS_PROFILE)')
    .option('--sandbox', 'run against a built-in local sandbox with demo data (no account needed)')
    .option('--no-input', 'never prompt; commands that need a confirmation then require --yes')
    .option('--timeout <seconds>', 'time allowed for the response headers, and again for the whole body, of each request (default 30)', intInRange('--timeout', 1, 3600))
    .option('--retries <n>', 'retries after the first attempt (default 5)', intInRange('--retries', 0, 20))
    .option('--rate-limit <rate>', 'client-side limit: N (a minute), N/min,M/hour or M/hour (default PostHog\'s: 240/min reads and writes; 480/min,4800/hour deletes; 0 = off)', parseRateLimit)
    .option('-q, --quiet', 'no confirmation lines or run summaries on stderr (errors are still printed)')
    .addOption(new Option('--debug', 'log every request and retry decision to stderr (the key is redacted)'))
    .showSuggestionAfterError(true)
    .configureHelp({ sortSubcommands: false });

  program.hook('preAction', (_root, action) => {
    factory.setGlobals(action.optsWithGlobals() as GlobalOptions);
  });

  const commands = [
    createListCommand(factory),
    createGetCommand(factory),
    createSetPropCommand(factory),
    createUnsetPropCommand(factory),
    createSplitCommand(factory),
    createDeleteCommand(factory),
    createVerifyCommand(factory),
    createResetDistinctIdCommand(factory),
    createDeletionStatusCommand(factory),
    createTimelineCommand(factory),
    createActivityCommand(factory),
    createProjectsCommand(factory),
    createAuthCommand(factory),
    createProfileCommand(factory),
    createSandboxCommand(factory),
    createCompletionCommand(factory, () => program),
  ];
  for (const command of commands) program.addCommand(command);
  // Subcommands made with `new Command()` do not inherit the entry's exitOverride, so commander
  // would exit 1 by itself on a bad flag value; make every level throw, for src/cli.ts to map to 2.
  const overrideExit = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(overrideExit);
  };
  commands.forEach(overrideExit);
  program.addHelpText(
    'after',
    `
Examples:
  # try every command without an account
  $ posthog-persons --sandbox list

  # save a key for PostHog Cloud EU, then look someone up
  $ posthog-persons auth login --host eu
  $ posthog-persons get user@example.com

  # in CI: settings from the environment, machine-readable output
  $ POSTHOG_PERSONAL_API_KEY=... POSTHOG_PROJECT_ID=12345 posthog-persons list --all -o jsonl

Exit codes: 0 ok, 1 failure, 2 bad usage (nothing sent), 3 cancelled, 4 auth, 5 not found,
6 rate limited, 7 partial bulk failure, 8 verify: some persons still present, 130 interrupted.
`,
  );
  return program;
}
