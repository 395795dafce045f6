// What a split will do, worked out from the flags and the person's distinct_ids before anything is
// sent: the request body, what stays and what moves, the sentence the prompt and the confirmation
// line show, and a warning when the person's first distinct_id would move. Pure: no requests.
import { UsageError } from '../errors.js';
import { firstDistinctIdCandidates, type RetrievedPerson, type SplitBody } from '../api/persons.js';
import { escapeForTerminal } from '../output/escape.js';
import { personLabel, shellWord } from '../output/message-text.js';
import { plural } from './shared.js';

/** How many ids a prompt or message names before it says "and N more". */
const LISTED_IDS = 10;

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
