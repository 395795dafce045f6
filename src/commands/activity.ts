// `activity [<person>]`: PostHog's activity log of one person, or of every person of the project
// (docs/posthog-api-notes.md, "Activity log and timeline"): who changed, split or deleted persons,
// and when. Pages by page/limit.
import { Command } from 'commander';
import type { Factory } from '../factory.js';
import { parseByFlag, resolvePerson, validatePersonRef } from '../api/resolve-person.js';
import type { ActivityEntry } from '../api/persons.js';
import type { RecordSchema } from '../output/columns.js';
import { byOption, addOutputOptions, examples, exclusive, intInRange, openRenderer, outputFormat, type OutputFlags } from './shared.js';
import { compactValue } from '../output/compact-value.js';
import { writePages } from './page-loop.js';
import { isExactNumber } from '../json/exact-number.js';

export interface ActivityOptions extends OutputFlags {
  limit?: number;
  all?: boolean;
  by?: string;
}

export const DEFAULT_ACTIVITY_LIMIT = 10;
/** Entries per request with --all or a large --limit. */
const PAGE_SIZE = 100;

export const activitySchema: RecordSchema<ActivityEntry> = {
  columns: [
    { name: 'created_at', header: 'WHEN', fixedWidth: true, get: (e) => e.created_at },
    { name: 'user', header: 'WHO', get: (e) => who(e) },
    { name: 'activity', header: 'WHAT', get: (e) => e.activity },
    { name: 'person', fixedWidth: true, get: (e) => e.detail?.name ?? e.item_id },
    { name: 'changes', get: (e) => describeActivityChanges(e) },
    { name: 'item_id', get: (e) => e.item_id },
    { name: 'id', fixedWidth: true, get: (e) => e.id },
  ],
  defaultFields: ['created_at', 'user', 'activity', 'person', 'changes'],
};

export function createActivityCommand(factory: Factory): Command {
  const command = new Command('activity')
    .description("Show the activity log of one person, or of every person without an argument")
    .argument('[person]', 'a person UUID or a distinct_id (omit for every person)')
    .option('--limit <n>', `entries to print, newest first (default ${DEFAULT_ACTIVITY_LIMIT})`, intInRange('--limit', 1))
    .option('--all', 'every entry, following the pages')
    .addOption(byOption());
  addOutputOptions(command, { schema: activitySchema });
  examples(command, [
    ['what happened to one person', 'posthog-persons activity user_472'],
    ['the last 50 changes to any person', 'posthog-persons activity --limit 50'],
    ['who deleted or split persons, the whole log as JSON Lines', 'posthog-persons activity --all -o jsonl'],
    ['a person by UUID, as CSV', 'posthog-persons activity 019704b5-dfbb-70bf-9a46-bbd4c825e918 -o csv'],
  ]);
  return command.action(async (person: string | undefined, options: ActivityOptions) => runActivity(factory, person, options));
}

export async function runActivity(factory: Factory, ref: string | undefined, options: ActivityOptions): Promise<void> {
  exclusive(options, [
    ['all', '--all'],
    ['limit', '--limit'],
  ]);
  const by = parseByFlag(options.by);
  if (ref !== undefined) validatePersonRef(ref, by);
  const format = outputFormat(factory, options.output);
  const renderer = await openRenderer<ActivityEntry>(factory, { output: format, schema: activitySchema, fields: options.fields });

  const api = await factory.api();
  // The integer id works on every server version (the log keys entries by the primary key).
  const personId = ref === undefined ? undefined : String((await resolvePerson(api, ref, by)).person.id);
  const limit = options.all ? Infinity : (options.limit ?? DEFAULT_ACTIVITY_LIMIT);
  const pageSize = Math.min(PAGE_SIZE, limit);
  await writePages(api, () => api.activity(personId, { limit: pageSize, page: 1 }), (entry) => renderer.write(entry), {
    limit,
    stopAtEmptyPage: true,
  });
  const { count } = await renderer.end();
  if (count === 0 && format === 'table') factory.io.err(ref === undefined ? 'No activity found.' : 'No activity found for this person.');
}

/** The user's email, "System" for PostHog's own changes, else the first name. */
function who(entry: ActivityEntry): string {
  const user = entry.user;
  if (!user || user.is_system) return 'System';
  return user.email ?? user.first_name ?? 'System';
}

type Change = NonNullable<NonNullable<ActivityEntry['detail']>['changes']>[number];

/** Every change of an entry on one line, `key: before -> after`, separated by "; ". */
export function describeActivityChanges(entry: ActivityEntry): string {
  return (entry.detail?.changes ?? []).flatMap(describeChange).join('; ');
}

/**
 * A change of an object (PostHog logs property writes as `field: "properties"` with objects before
 * and after) is shown key by key, so the line says which properties changed; anything else as
 * `field: before -> after`. A key that is gone afterwards shows as (unset).
 */
function describeChange(change: Change): string[] {
  const { before, after } = change;
  const objectOrNothing = (v: unknown) => v === null || v === undefined || isPlainObject(v);
  if ((isPlainObject(before) || isPlainObject(after)) && objectOrNothing(before) && objectOrNothing(after)) {
    const b = isPlainObject(before) ? before : undefined;
    const a = isPlainObject(after) ? after : undefined;
    const keys = [...new Set([...Object.keys(b ?? {}), ...Object.keys(a ?? {})])];
    return keys.map((key) => {
      const next = a && Object.hasOwn(a, key) ? compactValue(a[key]) : '(unset)';
      return b && Object.hasOwn(b, key) ? `${key}: ${compactValue(b[key])} -> ${next}` : `${key}: ${next}`;
    });
  }
  const text = before === null || before === undefined ? compactValue(after) : `${compactValue(before)} -> ${compactValue(after)}`;
  return [change.field ? `${change.field}: ${text}` : text];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  // An integer past 2^53 is an ExactNumber object, but a single value.
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isExactNumber(value);
}
