// Prompts, always on stderr so stdout stays data. Only used when IOStreams.canPrompt is true;
// callers decide what to do without a terminal (usually: require --yes).
import { Cancelled, Interrupted, UsageError } from '../errors.js';
import { escapeLinesForTerminal } from '../output/escape.js';
import type { IOStreams } from './streams.js';

export interface Prompter {
  /** y/N question; false unless the answer is yes. */
  confirm(message: string): Promise<boolean>;
  /** The user types a number to go on: true when it is `expected`. */
  typeCount(message: string, expected: number): Promise<{ ok: boolean; typed: string }>;
  input(message: string, options?: { default?: string; validate?: (value: string) => string | true }): Promise<string>;
  password(message: string, validate?: (value: string) => string | true): Promise<string>;
  select<T extends string>(message: string, choices: Array<{ name: string; value: T; description?: string }>): Promise<T>;
}

export function createPrompter(io: IOStreams): Prompter {
  const context = { input: io.stdin, output: io.stderr, clearPromptOnDone: false } as never;

  // Prompts quote server data (a person's name): a CR or an escape sequence in it could rewrite
  // what the question shows, so every message is shown with control characters escaped.
  const shown = escapeLinesForTerminal;

  async function guard<T>(run: () => Promise<T>): Promise<T> {
    if (!io.canPrompt) throw new UsageError('cannot prompt: stdin and stderr are not both terminals, or --no-input is set');
    try {
      return await run();
    } catch (error) {
      // Ctrl-C or Ctrl-D at a prompt: inquirer rejects with ExitPromptError.
      if (error instanceof Error && error.name === 'ExitPromptError') throw new Interrupted();
      if (error instanceof Error && error.name === 'AbortPromptError') throw new Cancelled();
      throw error;
    }
  }

  return {
    async confirm(message) {
      const { default: input } = await import('@inquirer/input');
      const answer = await guard(() => input({ message: `${shown(message)} [y/N]` }, context));
      return /^(y|yes)$/i.test(answer.trim());
    },
    async typeCount(message, expected) {
      const { default: input } = await import('@inquirer/input');
      const typed = await guard(() => input({ message: shown(message) }, context));
      return { ok: typed.trim().replace(/[,_\s]/g, '') === String(expected), typed: typed.trim() };
    },
    async input(message, options = {}) {
      const { default: input } = await import('@inquirer/input');
      return guard(() => input({ message: shown(message), default: options.default, validate: options.validate }, context));
    },
    async password(message, validate) {
      const { default: password } = await import('@inquirer/password');
      return guard(() => password({ message: shown(message), mask: '*', validate }, context));
    },
    async select(message, choices) {
      const { default: select } = await import('@inquirer/select');
      return guard(() => select({ message: shown(message), choices }, context));
    },
  };
}
