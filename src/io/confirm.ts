// When a destructive or bulk run may go ahead (README, "delete"): a dry run always; with
// --yes always; otherwise only after the user agreed at a terminal. One person is a y/N question;
// more than one means typing the count, so a habitual "y" cannot erase thousands of people.
// Shared by delete, split and every --from-file run.
import { Cancelled, UsageError } from '../errors.js';
import type { Factory } from '../factory.js';

export interface ConsentFlags {
  yes?: boolean;
  dryRun?: boolean;
}

/**
 * Checked before the first request: without a terminal to ask on, a run needs --yes. `what` names
 * the action for the message ("delete persons", "set properties from a file").
 */
export function requireConsentPossible(factory: Factory, flags: ConsentFlags, what: string): void {
  if (flags.dryRun || flags.yes || factory.io.canPrompt) return;
  const why = factory.globals().input === false ? '--no-input is set' : 'there is no terminal to confirm on';
  throw new UsageError(
    `refusing to ${what} without confirmation: ${why}`,
    'Pass --yes to confirm, or --dry-run to see what would happen without sending anything.',
  );
}

export interface ConfirmRequest {
  /** How many items the run touches: 1 asks y/N, more asks to type this number. */
  count: number;
  /** The y/N question for one item, e.g. "Delete person Ada (0190…)?" */
  single: string;
  /** The type-the-count prompt, e.g. "Type 3 to delete 3 persons:" (must contain the number). */
  many: string;
  /** Said when the user declines, e.g. "Nothing was deleted." */
  nothingDone: string;
}

/** Asks when it has to; returns when the run may go ahead, throws Cancelled (exit 3) when not. */
export async function confirmRun(factory: Factory, flags: ConsentFlags, request: ConfirmRequest): Promise<void> {
  if (flags.dryRun || flags.yes) return;
  requireConsentPossible(factory, flags, 'go ahead');
  const prompter = await factory.prompter();
  if (request.count === 1) {
    if (!(await prompter.confirm(request.single))) throw new Cancelled(`Cancelled. ${request.nothingDone}`);
    return;
  }
  const { ok, typed } = await prompter.typeCount(request.many, request.count);
  if (!ok) {
    const shown = typed === '' ? 'nothing' : JSON.stringify(typed);
    throw new Cancelled(`Cancelled: you typed ${shown}, not ${request.count}. ${request.nothingDone}`);
  }
}

/**
 * Where a run's plan ("About to …", the journal path) is said before its confirmation: on stderr,
 * except with -q and --yes, where no one is asked and the run says nothing but errors.
 */
export function planNotice(factory: Factory, flags: ConsentFlags): (line: string) => void {
  return factory.globals().quiet && flags.yes ? () => undefined : (line) => factory.io.err(line);
}
