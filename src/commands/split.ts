// `split <person>`: move distinct_ids of a merged person to persons of their own (posthog-api.md
// §2.9). Destructive and not undoable, so it is confirmed like `delete`, validated against the
// person's real distinct_ids before anything is sent, and never retried (the API layer sends it
// with retry 'never'). PostHog runs the split later in a background task. The request always
// names what stays (main_distinct_id) or what moves: an older PostHog empties the person's
// properties when it names neither.
import { Command } from 'commander';
import { requireConsentPossible } from '../io/confirm.js';
import type { Factory } from '../factory.js';
import { Cancelled, UsageError } from '../errors.js';
import { parseByFlag, resolvePerson, validatePersonRef } from '../api/resolve-person.js';
import { firstDistinctIdCandidates, type PersonsApi, type RetrievedPerson, type SplitBody } from '../api/persons.js';
import type { RecordSchema } from '../output/columns.js';
import { escapeForTerminal } from '../output/escape.js';
import { collect, examples, exclusive, plural, type OutputFlags } from './shared.js';
import {
  addResultOutputOptions,
  addWaitOption,
  formatElapsed,
  formatWaitSeconds,
  personLabel,
  pollUntil,
  printResult,
  resultRenderer,
  shellWord,
  confirmationNotice,
  displayValue,
  waitMs,
  waitTimedOut,
  type WaitFlag,
  type WriteStatus,
} from './wait.js';

export interface SplitOptions extends OutputFlags {
  keep?: string;
  only?: string[];
  yes?: boolean;
  dryRun?: boolean;
  by?: string;
  wait?: WaitFlag;
}

export interface SplitResult {
  person: string;
  /** The distinct_ids that stay. */
  kept: string[];
  /** The distinct_ids that move to new persons. */
  moved: string[];
  status: WriteStatus;
}

export const splitResultSchema: RecordSchema<SplitResult> = {
  columns: [
    { name: 'person', fixedWidth: true, get: (r) => r.person },
    { name: 'kept', get: (r) => r.kept },
    { name: 'moved', get: (r) => r.moved },
    { name: 'status', get: (r) => r.status },
  ],
  defaultFields: ['person', 'kept', 'moved', 'status'],
};

/** How many ids a prompt or message names before it says "and N more". */
const LISTED_IDS = 10;

export function createSplitCommand(factory: Factory): Command {
  const command = new Command('split')
    .description("Split a person's distinct_ids into separate persons (asks first; without --keep/--only the first distinct_id stays, sent as main_distinct_id; PostHog runs it in the background)")
    .argument('<person>', 'a person UUID or a distinct_id')
    .option('--keep <distinct-id>', 'this distinct_id stays on the person; every other one moves to a new person')
    .option('--only <ids>', 'only these distinct_ids move (comma-separated, or repeat the flag); the rest stay', collect)
    .option('--dry-run', 'show what would move, send no write')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .option('--by <kind>', 'read <person> only as: uuid, distinct-id or id (the integer primary key)');
  addWaitOption(command, 'until every moved distinct_id belongs to a new person');
  addResultOutputOptions(command, ['person', 'kept', 'moved', 'status']);
  examples(command, [
    ['see what a split would do (the first distinct_id stays), without doing it', 'posthog-persons split user_472 --dry-run'],
    ['keep one distinct_id on the person, move the others', 'posthog-persons split user_472 --keep user_472'],
    ['move only two devices off a wrongly merged person', 'posthog-persons split many-devices-user --only device-0017,device-0018'],
    ['in a script: no prompt, wait until done, result as JSON', 'posthog-persons split user_472 --keep user_472 --yes --wait -o json'],
  ]);
  return command.action(async (person: string, options: SplitOptions) => runSplit(factory, person, options));
}

export async function runSplit(factory: Factory, ref: string, options: SplitOptions): Promise<void> {
  // Everything that can fail without the person fails here, before any request.
  const by = parseByFlag(options.by);
  validatePersonRef(ref, by);
  exclusive(options, [
    ['keep', '--keep'],
    ['only', '--only'],
  ]);
  if (options.keep !== undefined && options.keep === '') throw new UsageError('--keep is empty: give the distinct_id that stays');
  const onlyValues = options.only ?? [];
  for (const value of onlyValues) {
    if (value.split(',').some((id) => id === '')) {
      throw new UsageError(`--only ${JSON.stringify(value)} has an empty distinct_id; separate ids with single commas`);
    }
  }
  requireConsentPossible(factory, options, 'split a person');
  const timeoutMs = waitMs(options.wait);
  const renderer = await resultRenderer(factory, options, splitResultSchema);

  const api = await factory.api();
  const { person } = await resolvePerson(api, ref, by);
  const plan = planSplit(person, options.keep, onlyValues);
  const label = personLabel(person, ref);
  const result = (status: WriteStatus): SplitResult => ({ person: person.uuid, kept: plan.kept, moved: plan.moved, status });

  if (plan.warning) factory.io.err(`warning: ${plan.warning}`);
  if (options.dryRun) {
    factory.io.err(`Dry run: would split ${label}: ${plan.description}. Nothing was sent.`);
    await printResult(renderer, result('dry-run'));
    return;
  }
  if (!options.yes) {
    const prompter = await factory.prompter();
    if (!(await prompter.confirm(`Split ${label}: ${plan.description}. Continue?`))) throw new Cancelled();
  }

  await api.split(person.uuid, plan.body);
  const tell = confirmationNotice(factory);
  if (timeoutMs === undefined) {
    tell(`Queued: split ${label}: ${plan.description}. PostHog runs splits in the background, within seconds to minutes; add --wait to wait for it.`);
    await printResult(renderer, result('queued'));
    return;
  }
  tell(`Queued: split ${label}: ${plan.description}. Waiting up to ${formatWaitSeconds(timeoutMs)} for PostHog to run it…`);
  const { visible, elapsedMs } = await pollUntil(factory, timeoutMs, waitForMoves(api, person, plan));
  await printResult(renderer, result(visible ? 'visible' : 'queued'));
  if (!visible) throw waitTimedOut(timeoutMs, `posthog-persons get ${person.uuid}`);
  tell(`Done: ${plural(plan.moved.length, 'distinct_id')} now ${plan.moved.length === 1 ? 'belongs' : 'belong'} to new persons (after ${formatElapsed(elapsedMs)}).`);
}

export interface SplitPlan {
  body: SplitBody;
  kept: string[];
  moved: string[];
  /** What the prompt, the dry run and the confirmation line say will happen. */
  description: string;
  warning?: string;
}

/**
 * Checks the flags against the person's distinct_ids and works out what moves. Without --keep or
 * --only, the person's first (oldest) distinct_id stays, as PostHog does by default, and is sent
 * as main_distinct_id. The API lists identified ids before anonymous ones, so when a person has
 * both kinds the listed first (an identified one) stays: naming it explicitly makes the outcome
 * the one the plan shows.
 */
export function planSplit(person: RetrievedPerson, keep: string | undefined, only: string[]): SplitPlan {
  const ids = person.distinct_ids ?? [];
  if (ids.length < 2) {
    throw new UsageError(
      `${personLabel(person, person.uuid)} cannot be split: it has ${ids.length === 0 ? 'no distinct_ids' : `only one distinct_id (${listIds(ids)})`}`,
    );
  }
  const firstCandidates = firstDistinctIdCandidates(ids);

  if (keep !== undefined) {
    if (!ids.includes(keep)) throw unknownIds(person, [keep], '--keep');
    const moved = ids.filter((id) => id !== keep);
    return {
      body: { main_distinct_id: keep },
      kept: [keep],
      moved,
      description: `${moveText(moved)}; ${listIds([keep])} stays`,
      warning: firstIdWarning(firstCandidates, moved),
    };
  }

  if (only.length > 0) {
    const requested = expandOnly(only, ids);
    const unknown = requested.filter((id) => !ids.includes(id));
    if (unknown.length > 0) throw unknownIds(person, unknown, '--only');
    const moving = new Set(requested);
    const kept = ids.filter((id) => !moving.has(id));
    if (kept.length === 0) {
      throw new UsageError(
        `--only names every distinct_id of ${personLabel(person, person.uuid)}, which would leave it with none`,
        'Use --keep ID to choose the one that stays.',
      );
    }
    const moved = requested;
    return {
      body: { distinct_ids_to_split: moved },
      kept,
      moved,
      description: `${moveText(moved)}; ${listIds(kept)} ${kept.length === 1 ? 'stays' : 'stay'}`,
      warning: firstIdWarning(firstCandidates, moved),
    };
  }

  // The first distinct_id as the API lists it stays, and is sent as main_distinct_id, so what
  // stays is exactly what the plan shows, whatever the server would have chosen by itself.
  const first = ids[0]!;
  const moved = ids.filter((id) => id !== first);
  return {
    body: { main_distinct_id: first },
    kept: [first],
    moved,
    description: `${moveText(moved)}; ${listIds([first])} stays (the first distinct_id, sent as main_distinct_id)`,
  };
}

/**
 * `--only a,b --only c`: split on commas, except that a value which is itself one of the person's
 * distinct_ids is taken whole (distinct_ids may contain commas, e.g. "smith,john").
 */
function expandOnly(values: string[], ids: string[]): string[] {
  const out: string[] = [];
  for (const value of values) out.push(...(ids.includes(value) ? [value] : value.split(',')));
  return [...new Set(out)];
}

function firstIdWarning(candidates: string[], moved: string[]): string | undefined {
  const moving = candidates.filter((id) => moved.includes(id));
  if (moving.length === 0) return undefined;
  const risk = "PostHog has reported that splitting off a person's first distinct_id can leave the person blank";
  if (candidates.length === 1) {
    return `${listIds(moving)} is the person's first distinct_id and would move to a new person; ${risk}. To keep it, use --keep ${shellWord(moving[0]!)}.`;
  }
  return (
    `the person's first (oldest) distinct_id is ${listIds(candidates.slice(0, 1))} or ${listIds(candidates.slice(1))} ` +
    `(the API does not say which), and ${listIds(moving)} would move to a new person; ${risk}.`
  );
}

function unknownIds(person: RetrievedPerson, unknown: string[], flag: string): UsageError {
  const ids = person.distinct_ids ?? [];
  return new UsageError(
    `${flag}: ${unknown.length === 1 ? 'distinct_id' : 'distinct_ids'} ${listIds(unknown)} ${unknown.length === 1 ? 'is' : 'are'} not on ${personLabel(person, person.uuid)}`,
    `Its distinct_ids: ${listIds(ids)}.`,
  );
}

function moveText(moved: string[]): string {
  return `${plural(moved.length, 'distinct_id')} ${moved.length === 1 ? 'moves to a new person' : 'move to new persons'} (${listIds(moved)})`;
}

/** `"a", "b", "c"`, or the first ten and "and N more". */
function listIds(ids: readonly string[]): string {
  const shown = ids.slice(0, LISTED_IDS).map((id) => escapeForTerminal(JSON.stringify(id)));
  const more = ids.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more.toLocaleString('en-US')} more` : shown.join(', ');
}

/**
 * A poll that is done once every moving distinct_id resolves to a person other than the original
 * (PostHog gives each one a new person). Ids seen moved are not asked again, and a round stops at
 * the first id still on the person, so a split of a thousand ids costs about a thousand lookups in
 * all, not per round.
 */
function waitForMoves(api: PersonsApi, person: RetrievedPerson, plan: SplitPlan): () => Promise<boolean> {
  const pending = [...plan.moved];
  return async () => {
    for (const id of [...pending]) {
      const page = await api.list({ distinct_id: id });
      const owner = page.results.find((p) => p.distinct_ids?.includes(id)) ?? page.results[0];
      if (!owner || owner.uuid === person.uuid) return false;
      pending.splice(pending.indexOf(id), 1);
    }
    return true;
  };
}
