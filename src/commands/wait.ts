// What the write commands (set-prop, unset-prop, split) share: `--wait[=SECONDS]` and the result
// they report. PostHog answers these writes at once and applies them later through its ingestion
// pipeline (posthog-api.md §7.1, §7.4), so a result is "queued" unless --wait saw it on a fresh
// read ("visible"): poll with a short backoff until the change shows or time is up.
import { Command, InvalidArgumentError, Option } from 'commander';
import { CliError, ExitCode } from '../errors.js';
import type { Factory } from '../factory.js';
import type { RecordSchema } from '../output/columns.js';
import type { OutputFormat, Renderer } from '../output/render.js';
import { escapeForTerminal } from '../output/escape.js';
import { stringifyExact } from '../json/exact-number.js';
import { openRenderer } from './shared.js';

export const DEFAULT_WAIT_SECONDS = 60;
const MAX_WAIT_SECONDS = 24 * 3600;
/** First pause between polls; it doubles up to the cap, so a quick change is seen quickly. */
const FIRST_POLL_DELAY_MS = 250;
const MAX_POLL_DELAY_MS = 1_000;

/** The flag's value as commander gives it: true for a bare `--wait`, a number for `--wait=N`. */
export type WaitFlag = true | number | undefined;

/** `until` completes "wait …", e.g. "until the new value is visible". */
export function addWaitOption(command: Command, until: string): Command {
  return command.option(
    '--wait [seconds]',
    `wait ${until}, up to SECONDS (default ${DEFAULT_WAIT_SECONDS}); write --wait=SECONDS`,
    parseWaitSeconds,
  );
}

/**
 * -o/--output and --fields of a write command: without them stdout stays empty; with them the
 * result record is printed as data.
 */
export function addResultOutputOptions(command: Command, fields: string[]): Command {
  command.addOption(
    new Option('-o, --output <format>', 'print the result as data (default: nothing on stdout)').choices([
      'table',
      'tsv',
      'json',
      'jsonl',
      'csv',
    ]),
  );
  return command.option('--fields <list>', `result fields to print, comma-separated: ${fields.join(', ')}`);
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
export function waitMs(flag: WaitFlag): number | undefined {
  if (flag === undefined) return undefined;
  return (flag === true ? DEFAULT_WAIT_SECONDS : flag) * 1000;
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

/** Whether a write ended with the change still in PostHog's queue or seen on a fresh read. */
export type WriteStatus = 'queued' | 'visible' | 'dry-run';

/** How a write went: no --wait ('queued'), seen in time ('visible'), or not seen in time. */
export type WaitOutcome = 'queued' | 'visible' | 'timed-out';

/**
 * The confirmation lines of write commands: on stderr whether or not it is a terminal (a CI log
 * must show what was done, and to whom), silenced by the global -q.
 */
export function confirmationNotice(factory: Factory): (line: string) => void {
  return factory.globals().quiet ? () => undefined : (line) => factory.io.err(line);
}

/**
 * The renderer for a write command's result record, or undefined when the user asked for no
 * output (then stdout stays empty; the confirmation line is on stderr either way). Created
 * before any request, so a bad --fields exits 2 with nothing sent.
 */
export async function resultRenderer<T>(
  factory: Factory,
  flags: { output?: OutputFormat; fields?: string },
  schema: RecordSchema<T>,
): Promise<Renderer<T> | undefined> {
  if (flags.output === undefined && flags.fields === undefined) return undefined;
  return openRenderer<T>(factory, { output: flags.output, schema, fields: flags.fields, kind: 'single' });
}

export async function printResult<T>(renderer: Renderer<T> | undefined, record: T): Promise<void> {
  if (!renderer) return;
  await renderer.write(record);
  await renderer.end();
}

/**
 * `person <uuid> (user_1)`: the UUID, and a distinct_id: what the user typed when it was one, else
 * the person's first listed distinct_id (else its name).
 */
export function personLabel(person: { uuid: string; name?: string; distinct_ids?: readonly string[] }, ref: string): string {
  const typed = ref.toLowerCase() !== person.uuid.toLowerCase() ? ref : undefined;
  const alias = typed ?? person.distinct_ids?.[0] ?? person.name;
  return alias && alias !== person.uuid ? `person ${person.uuid} (${displayValue(String(alias))})` : `person ${person.uuid}`;
}

/**
 * Text from the server or the user, made safe for a message line on a terminal (control
 * characters escaped). Every confirmation line goes through here.
 */
export function displayValue(text: string): string {
  return escapeForTerminal(text);
}

/** A value as JSON, cut short and safe for a message line. */
export function shortJson(value: unknown, max = 80): string {
  const text = displayValue(stringifyExact(value) ?? 'undefined');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A word for a shell command line in a hint, quoted when the shell would change it. */
export function shellWord(text: string): string {
  return /^[\w.@:,/-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
