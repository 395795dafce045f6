// What set-prop and unset-prop share for one person: the key check, and the queued → poll → done
// flow. PostHog queues a property write, so the command says "Queued" at once and, with --wait,
// reads the person until the change shows ("Done") or time is up.
import type { Factory } from '../factory.js';
import { UsageError } from '../errors.js';
import { formatElapsed, formatWaitSeconds, pollUntil, type WaitOutcome } from './wait-option.js';
import { confirmationNotice } from './write-result.js';

export function validatePropertyKey(key: string): void {
  if (key.trim() === '') throw new UsageError('the property key is empty');
}

export interface PropertyWrite {
  /** Sends the write (the endpoint function decides how each PostHog generation takes it). */
  send: () => Promise<unknown>;
  /** What was queued, for the confirmation line: "set plan = \"scale\" on person … (user_1)". */
  what: string;
  /** A fresh read: does the change show yet? */
  isVisible: () => Promise<boolean>;
  /** The line once it shows, given how long that took, e.g. "plan = \"scale\" is visible on person …". */
  done: (elapsed: string) => string;
}

/**
 * Sends the write and, with a timeout, polls until it shows. Says what happened in one line on
 * stderr (unless -q); reports 'timed-out' rather than throwing, so the caller can still print its
 * result before failing.
 */
export async function writeAndWait(factory: Factory, write: PropertyWrite, timeoutMs: number | undefined): Promise<WaitOutcome> {
  await write.send();
  const tell = confirmationNotice(factory);
  if (timeoutMs === undefined) {
    tell(`Queued: ${write.what}. PostHog applies it within seconds to minutes; add --wait to wait for it.`);
    return 'queued';
  }
  tell(`Queued: ${write.what}. Waiting up to ${formatWaitSeconds(timeoutMs)} for PostHog to apply it…`);
  const { visible, elapsedMs } = await pollUntil(factory, timeoutMs, write.isVisible);
  if (!visible) return 'timed-out';
  tell(`Done: ${write.done(formatElapsed(elapsedMs))}.`);
  return 'visible';
}
