// `timeline <person>`: how a person's properties changed over time, from properties_timeline
// (docs/posthog-api-notes.md, "Activity log and timeline"). PostHog emits a point each time a
// "crucial" property changes; the keys given with --property become crucial through an is_set
// filter. The endpoint declares no scope, so PostHog refuses it to every personal API key that has
// scopes (same file, "Keys and scopes").
import { Command } from 'commander';
import type { Factory } from '../factory.js';
import { AuthError, UsageError } from '../errors.js';
import { parseByFlag, resolvePerson, validatePersonRef } from '../api/resolve-person.js';
import type { PropertiesTimeline } from '../api/persons.js';
import type { RecordSchema } from '../output/columns.js';
import { stringifyExact } from '../json/exact-number.js';
import { compactValue } from '../output/compact-value.js';
import { byOption, addOutputOptions, collect, examples, openRenderer, outputFormat, type OutputFlags } from './shared.js';

export interface TimelineOptions extends OutputFlags {
  from?: string;
  to?: string;
  property?: string[];
  by?: string;
}

type TimelinePoint = PropertiesTimeline['points'][number];

/** A point with what changed since the point before it. */
export interface TimelineRow {
  point: TimelinePoint;
  changes: string;
}

export const timelineSchema: RecordSchema<TimelineRow> = {
  columns: [
    { name: 'timestamp', header: 'TIME', fixedWidth: true, get: (r) => r.point.timestamp },
    { name: 'changes', get: (r) => r.changes },
    { name: 'events', fixedWidth: true, get: (r) => r.point.relevant_event_count },
    { name: 'properties', get: (r) => r.point.properties },
  ],
  defaultFields: ['timestamp', 'changes', 'events'],
};

export function createTimelineCommand(factory: Factory): Command {
  const command = new Command('timeline')
    .description("Show how a person's properties changed over time (needs a personal API key without scopes)")
    .argument('<person>', 'a person UUID or a distinct_id')
    .option('--from <date>', 'start: YYYY-MM-DD, an ISO date-time, relative like -30d, -12h, -6m, or all')
    .option('--to <date>', 'end, in the same forms (default now)')
    .option('--property <key>', 'track this property (repeatable): a new point each time it changes', collect)
    .addOption(byOption());
  addOutputOptions(command, { schema: timelineSchema });
  examples(command, [
    ['how the plan changed over the last 90 days', 'posthog-persons timeline user_472 --property plan --from -90d'],
    ['two properties in a fixed window', 'posthog-persons timeline user_472 --property plan --property seats --from 2024-01-01 --to 2024-06-30'],
    ["PostHog's whole answer as JSON", 'posthog-persons timeline 019704b5-dfbb-70bf-9a46-bbd4c825e918 --property email -o json'],
    ['one line per point, for a script', 'posthog-persons timeline user_472 --property plan -o jsonl'],
  ]);
  return command.action(async (person: string, options: TimelineOptions) => runTimeline(factory, person, options));
}

export async function runTimeline(factory: Factory, ref: string, options: TimelineOptions): Promise<void> {
  const by = parseByFlag(options.by);
  validatePersonRef(ref, by);
  const from = options.from === undefined ? undefined : parseDateFlag('--from', options.from);
  const to = options.to === undefined ? undefined : parseDateFlag('--to', options.to);
  if (from?.absolute !== undefined && to?.absolute !== undefined && from.absolute > to.absolute) {
    throw new UsageError(`--from ${options.from} is after --to ${options.to}`);
  }
  const keys = [...new Set(options.property ?? [])];
  if (keys.some((key) => key.trim() === '')) throw new UsageError('--property is empty: give a property key');
  const format = outputFormat(factory, options.output);
  // json prints the server's answer as is; the renderer still validates --fields up front.
  const renderer = await openRenderer<TimelineRow>(factory, {
    output: format,
    schema: timelineSchema,
    fields: options.fields,
    raw: (row) => row.point,
  });

  const api = await factory.api();
  const { person } = await resolvePerson(api, ref, by);
  const properties =
    keys.length > 0 ? JSON.stringify(keys.map((key) => ({ key, value: 'is_set', operator: 'is_set', type: 'person' }))) : undefined;
  let timeline: PropertiesTimeline;
  try {
    timeline = await api.propertiesTimeline(person.uuid, { date_from: from?.text, date_to: to?.text, properties });
  } catch (error) {
    throw explainScopedKeyRefusal(error);
  }

  if (format === 'json' && options.fields === undefined) {
    factory.io.stdout.write(`${stringifyExact(timeline, 2)}\n`);
    return;
  }
  const crucial = timeline.crucial_property_keys ?? [];
  let previous: Record<string, unknown> | undefined;
  for (const point of timeline.points ?? []) {
    const current = point.properties ?? {};
    await renderer.write({ point, changes: describeChanges(previous, current, crucial) });
    previous = current;
  }
  const { count } = await renderer.end();
  if (format === 'table' && count === 0) {
    const window =
      timeline.effective_date_from && timeline.effective_date_to
        ? ` between ${timeline.effective_date_from} and ${timeline.effective_date_to}`
        : '';
    factory.io.err(`No events of this person${window}.`);
  }
}

/**
 * PostHog answers 403 "This action does not support Personal API Key access" to any key with
 * scopes, `*` included, because the endpoint declares none. Say that plainly.
 */
function explainScopedKeyRefusal(error: unknown): unknown {
  if (!(error instanceof AuthError) || error.status !== 403) return error;
  if (!/does not support personal api key/i.test(error.message)) return error;
  return new AuthError(
    'PostHog does not let personal API keys with scopes read the properties timeline (403: "This action does not support Personal API Key access"), not even keys with every scope.',
    'Only a personal API key created without scopes (an older, unscoped key) works here. Without one, see the timeline in the PostHog app on the person\'s page.',
    403,
  );
}

/**
 * `key: old -> new` for each property that differs from the previous point. The first point shows
 * the starting values: of the crucial keys when there are any, else of every property.
 */
export function describeChanges(previous: Record<string, unknown> | undefined, current: Record<string, unknown>, crucial: string[]): string {
  if (previous === undefined) {
    const keys = crucial.length > 0 ? crucial : Object.keys(current).sort();
    return keys.map((key) => `${key}: ${valueText(current, key)}`).join('; ');
  }
  const keys = [...new Set([...Object.keys(previous), ...Object.keys(current)])].sort();
  return keys
    .filter((key) => Object.hasOwn(previous, key) !== Object.hasOwn(current, key) || JSON.stringify(previous[key]) !== JSON.stringify(current[key]))
    .map((key) => `${key}: ${valueText(previous, key)} -> ${valueText(current, key)}`)
    .join('; ');
}

/** A value in a change description: strings bare, everything else as JSON, a missing key as (unset). */
export function valueText(properties: Record<string, unknown>, key: string): string {
  if (!Object.hasOwn(properties, key)) return '(unset)';
  return compactValue(properties[key]);
}

export interface DateFlag {
  /** what is sent to PostHog */
  text: string;
  /** ms since the epoch for an absolute date, to check --from <= --to */
  absolute?: number;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$/;
/** PostHog's relative dates: -30d, -12h, -2w, -6m, -1y, -1q (optionally "Start"/"End" of that unit). */
const RELATIVE = /^-\d+[hdwmqy](Start|End)?$/;

export function parseDateFlag(flag: string, value: string): DateFlag {
  const text = value.trim();
  if (RELATIVE.test(text) || (flag === '--from' && text === 'all')) return { text };
  if (ISO_DATE.test(text) || ISO_DATE_TIME.test(text)) {
    const ms = Date.parse(ISO_DATE.test(text) ? `${text}T00:00:00Z` : text.replace(' ', 'T'));
    if (!Number.isNaN(ms) && sameCalendarDate(text, ms)) return { text, absolute: ms };
  }
  throw new UsageError(
    `${flag} ${JSON.stringify(value)} is not a date`,
    'Use YYYY-MM-DD, an ISO date-time like 2024-05-01T12:00:00Z, or a relative date like -30d, -12h, -2w, -6m, -1y.',
  );
}

/** Date.parse rolls 2024-02-31 over to March; a date that does not exist is a typo. */
function sameCalendarDate(text: string, ms: number): boolean {
  if (!ISO_DATE.test(text.slice(0, 10))) return false;
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d && !Number.isNaN(ms);
}
