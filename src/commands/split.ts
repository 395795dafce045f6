// `split <person>`: move distinct_ids of a merged person to persons of their own
// (docs/posthog-api-notes.md, "Split"). Destructive and not undoable, so it is confirmed like
// `delete`, validated against the person's real distinct_ids before anything is sent, and never
// retried (the API layer sends it with retry 'never'). PostHog runs the split later in a background
// task. The request always names what stays (main_distinct_id) or what moves: an older PostHog
// empties the person's properties when it names neither.
import { Command } from 'commander';
import { requireConsentPossible } from '../io/confirm.js';
import type { Factory } from '../factory.js';
import { Cancelled, UsageError } from '../errors.js';
import { parseByFlag, resolvePerson, validatePersonRef } from '../api/resolve-person.js';
import type { PersonsApi, RetrievedPerson } from '../api/persons.js';
import type { RecordSchema } from '../output/columns.js';
import { byOption, collect, examples, exclusive, plural, type OutputFlags } from './shared.js';
import { addWaitOption, formatElapsed, formatWaitSeconds, pollUntil, waitMs, waitTimedOut, type WaitFlag } from './wait-option.js';
import { addResultOutputOptions, printResult, resultRenderer, confirmationNotice, type WriteStatus } from './write-result.js';
import { personLabel } from '../output/message-text.js';
import { planSplit, type SplitPlan } from './split-plan.js';

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

export function createSplitCommand(factory: Factory): Command {
  const command = new Command('split')
    .description("Split a person's distinct_ids into separate persons (asks first; without --keep/--only the first distinct_id stays, sent as main_distinct_id; PostHog runs it in the background)")
    .argument('<person>', 'a person UUID or a distinct_id')
    .option('--keep <distinct-id>', 'this distinct_id stays on the person; every other one moves to a new person')
    .option('--only <ids>', 'only these distinct_ids move (comma-separated, or repeat the flag); the rest stay', collect)
    .option('--dry-run', 'show what would move, send no write')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .addOption(byOption());
  addWaitOption(command, 'until every moved distinct_id belongs to a new person');
  addResultOutputOptions(command, splitResultSchema);
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
