// The activity log: the ActivityLogEntry shape and the two paged endpoints (one person, and
// every person of the project).

import { findPerson, isReply, type HandlerContext } from './context.js';
import { json, validationError, type Reply } from './http.js';
import type { ActivityEntry, ActivityUser } from './model.js';
import { parsePythonInt, replaceOrAppend } from './pagination.js';

/** The user behind every sandbox key. */
export const SANDBOX_USER: ActivityUser = { first_name: 'Sandbox', email: 'sandbox@example.com' };

export function activityJson(entry: ActivityEntry): Record<string, unknown> {
  return {
    id: entry.id,
    user: entry.user,
    activity: entry.activity,
    scope: 'Person',
    item_id: entry.itemId,
    detail: {
      id: entry.itemId,
      changes: entry.changes,
      merge: null,
      trigger: null,
      name: entry.name,
      short_id: null,
      type: null,
    },
    created_at: new Date(entry.createdAt).toISOString(),
  };
}

/** parse_activity_page_params: positive integers, else a 400 naming the parameter. */
function pageParam(query: URLSearchParams, name: 'limit' | 'page', fallback: number): number | Reply {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = parsePythonInt(raw);
  if (value === null || value < 1) return validationError(`${name} must be a positive integer.`, name);
  return value;
}

function activityPage(ctx: HandlerContext, entries: ActivityEntry[]): Reply {
  const limit = pageParam(ctx.query, 'limit', 10);
  if (isReply(limit)) return limit;
  const page = pageParam(ctx.query, 'page', 1);
  if (isReply(page)) return page;
  const newestFirst = entries.slice().reverse();
  const start = (page - 1) * limit;
  const link = (target: number): string => replaceOrAppend(replaceOrAppend(ctx.absoluteUrl, 'page', target), 'limit', limit);
  return json(200, {
    results: newestFirst.slice(start, start + limit).map(activityJson),
    next: start + limit < newestFirst.length ? link(page + 1) : null,
    previous: page > 1 ? link(page - 1) : null,
    total_count: newestFirst.length,
  });
}

/** GET /{id}/activity/: the person must still exist (use /activity/ for deleted ones). */
export function handlePersonActivity(ctx: HandlerContext): Reply {
  const person = findPerson(ctx);
  if (isReply(person)) return person;
  const itemId = String(person.pk);
  return activityPage(ctx, ctx.team.activity.filter((e) => e.itemId === itemId));
}

/** GET /activity/: every person of the project. */
export function handleAllActivity(ctx: HandlerContext): Reply {
  return activityPage(ctx, ctx.team.activity);
}
