// `--wait[=SECONDS]` of the write commands (set-prop, unset-prop, split) and the polling behind it.
// PostHog answers these writes at once and applies them later through its ingestion pipeline
// (README, "set-prop, unset-prop"), so a write is "queued" unless --wait saw it on a fresh read
// ("visible"): poll with a short backoff until the change shows or time is up.
import { Command, InvalidArgumentError } from 'commander';
import { CliError, ExitCode } from '../errors.js';
import type { Factory } from '../factory.js';

export const DEFAULT_WAIT_SECONDS = 60;
const MAX_WAIT_SECONDS = 24 * 3600;
/** First pause between polls; it doubles up to the cap, so a quick change is seen quickly. */
const FIRST_POLL_DELAY_MS = 250;
const MAX_POLL_DELAY_MS = 1_000;

/** The flag's value as commander gives it: true for a bare `--wait`, a number for `--wait=N`. */
export type WaitFlag = true | number | undefined;

/** `until` completes "wait …", e.g. "until the new value is visible". */
export function addWaitOption(command: Command, until: string, defaultSeconds = DEFAULT_WAIT_SECONDS): Command {
  return command.option(
    '--wait [seconds]',
    `wait ${until}, up to SECONDS (default ${defaultSeconds}); write --wait=SECONDS`,
    parseWaitSeconds,
  );
}

function parseWaitSeconds(value: string): number {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed)) {
    // A bare `--wait` followed by an argument makes commander hand that argument to the flag.
    throw new InvalidArgumentError(
      `--wait takes a whole number of seconds, not "${value}". Write --wait=SECONDS, or put --wait after the arguments.`,
    );
  }
  const seconds = Number(trimmed);
  if (seconds < 1 || seconds > MAX_WAIT_SECONDS) {
    throw new InvalidArgumentError(`--wait must be between 1 and ${MAX_WAIT_SECONDS} seconds.`);
  }
  return seconds;
}

/** How long to wait in ms, or undefined when --wait was not given. */
export function waitMs(flag: WaitFlag, defaultSeconds = DEFAULT_WAIT_SECONDS): number | undefined {
  if (flag === undefined) return undefined;
  return (flag === true ? defaultSeconds : flag) * 1000;
}

export interface PollResult {
  visible: boolean;
  elapsedMs: number;
}

/**
 * Calls `check` until it returns true or `timeoutMs` has passed. The first check runs at once
 * (the change may already be applied) and the last one at the deadline, so a change that lands
 * just in time still counts.
 */
export async function pollUntil(factory: Factory, timeoutMs: number, check: () => Promise<boolean>): Promise<PollResult> {
  const started = factory.now().getTime();
  const deadline = started + timeoutMs;
  let delay = FIRST_POLL_DELAY_MS;
  for (;;) {
    if (await check()) return { visible: true, elapsedMs: factory.now().getTime() - started };
    const remaining = deadline - factory.now().getTime();
    if (remaining <= 0) return { visible: false, elapsedMs: factory.now().getTime() - started };
    await factory.clock.sleep(Math.min(delay, remaining));
    delay = Math.min(delay * 2, MAX_POLL_DELAY_MS);
  }
}

/** Exit 1: the server accepted the change, but it did not show up in time. */
export function waitTimedOut(timeoutMs: number, recheck: string): CliError {
  return new CliError(
    `the change was accepted but not visible after ${formatWaitSeconds(timeoutMs)}`,
    ExitCode.failure,
    `PostHog may still apply it (its ingestion pipeline can lag by minutes). Check later with: ${recheck}`,
  );
}

export function formatWaitSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** "1.2 s" for how long a wait took. */
export function formatElapsed(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** How a write went: no --wait ('queued'), seen in time ('visible'), or not seen in time. */
export type WaitOutcome = 'queued' | 'visible' | 'timed-out';
