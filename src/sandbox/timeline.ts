// GET /{id}/properties_timeline/: the person's property history within a date window, one point
// each time a "crucial" property (a person key referenced by the filters) changes value.

import { findPerson, isReply, type HandlerContext } from './context.js';
import { FilterError, parsePropertyFilters } from './filters.js';
import { historyOf } from './history.js';
import { json, validationError, type Reply } from './http.js';
import type { Properties } from './model.js';

const DAY = 86_400_000;
const RELATIVE = /^-(\d+)([hdwmy])$/;
const UNIT_MS: Record<string, number> = { h: 3_600_000, d: DAY, w: 7 * DAY, m: 30 * DAY, y: 365 * DAY };

/** An absolute date, a relative one like `-7d`, or `all`; null when unparsable. */
function parseDate(raw: string, now: number, earliest: number): number | null {
  if (raw === 'all') return earliest;
  const relative = RELATIVE.exec(raw);
  if (relative) {
    const start = now - Number(relative[1]) * UNIT_MS[relative[2]!]!;
    return relative[2] === 'h' ? start : start - (start % DAY);
  }
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw);
  return Number.isNaN(ms) ? null : ms;
}

/** The team's time zone is UTC: `2024-01-01T00:00:00+00:00`. */
function teamTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** Person keys referenced by `properties` and a person breakdown. */
function crucialKeys(query: URLSearchParams): string[] | Reply {
  const keys = new Set<string>();
  const raw = query.get('properties');
  if (raw) {
    const filters = parsePropertyFilters(raw);
    if (filters instanceof FilterError) return validationError(filters.detail);
    for (const f of filters) keys.add(f.key);
  }
  const breakdown = query.get('breakdown');
  if (breakdown && (query.get('breakdown_type') ?? 'event') === 'person') keys.add(breakdown);
  return [...keys].sort();
}

function sameValues(a: Properties, b: Properties, keys: readonly string[]): boolean {
  return keys.every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]));
}

export function handleTimeline(ctx: HandlerContext): Reply {
  const person = findPerson(ctx);
  if (isReply(person)) return person;
  const keys = crucialKeys(ctx.query);
  if (isReply(keys)) return keys;

  const rawFrom = ctx.query.get('date_from');
  const rawTo = ctx.query.get('date_to');
  const from = rawFrom ? parseDate(rawFrom, ctx.now, person.createdAt) : person.createdAt;
  let to = rawTo ? parseDate(rawTo, ctx.now, person.createdAt) : ctx.now;
  if (from === null) return validationError(`Invalid date_from: ${rawFrom}`, 'date_from');
  if (to === null) return validationError(`Invalid date_to: ${rawTo}`, 'date_to');
  if (to === from) to = from + DAY; // PostHog widens an empty window by one interval

  const points: { timestamp: string; properties: Properties; relevant_event_count: number }[] = [];
  let last: Properties | null = null;
  for (const snapshot of historyOf(person, ctx.store.seed)) {
    if (snapshot.at < from || snapshot.at > to) continue;
    const current = points[points.length - 1];
    if (current && last && sameValues(last, snapshot.properties, keys)) {
      current.relevant_event_count += snapshot.events;
    } else {
      points.push({ timestamp: new Date(snapshot.at).toISOString(), properties: snapshot.properties, relevant_event_count: snapshot.events });
    }
    last = snapshot.properties;
  }
  return json(200, {
    points,
    crucial_property_keys: keys,
    effective_date_from: teamTime(from),
    effective_date_to: teamTime(to),
  });
}
