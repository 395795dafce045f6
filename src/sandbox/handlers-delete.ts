// Deletion: DELETE /{id}/, bulk_delete, the deprecated delete_events/delete_recordings, and
// deletion_status, which tracks queued event deletions until the simulated batch completes them.

import { SANDBOX_USER } from './activity.js';
import { canonicalUuid, dataObject, findPerson, isReply, requestData, type HandlerContext } from './context.js';
import { empty, json, validationError, type Reply } from './http.js';
import type { PersonRecord } from './model.js';
import { limitOffsetLinks, parsePythonInt } from './pagination.js';

interface DeleteFlags {
  events: boolean;
  recordings: boolean;
  keepPerson: boolean;
}

/** Python's bool(): the JSON string "false" is true. */
function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Async bulk deletion is a setting of the newest generation only. */
function deletesAsync(ctx: HandlerContext): boolean {
  return ctx.options.generation === 'newest' && ctx.options.deleteMode === 'async';
}

function deletePersons(ctx: HandlerContext, persons: PersonRecord[], flags: DeleteFlags): void {
  const async = deletesAsync(ctx);
  for (const person of persons) {
    if (flags.events) ctx.store.queueEventDeletion(person);
    if (flags.keepPerson) continue;
    ctx.store.logActivity({
      teamId: person.teamId, personUuid: person.uuid, itemId: String(person.pk), activity: 'deleted',
      user: SANDBOX_USER, changes: null, name: person.uuid,
    });
    if (async) ctx.store.queue(person, { kind: 'delete' });
    else ctx.store.deleteNow(person);
  }
}

/** DELETE /{id}/: flags are query parameters tested for presence only. */
export function handleDestroy(ctx: HandlerContext): Reply {
  const person = findPerson(ctx);
  if (isReply(person)) return person;
  deletePersons(ctx, [person], {
    events: ctx.query.has('delete_events'),
    recordings: ctx.query.has('delete_recordings'),
    keepPerson: ctx.query.has('keep_person'),
  });
  return empty(ctx.options.generation === 'older' ? 204 : 202);
}

const MAX_IDS = 1000;

function pythonTypeName(value: unknown): string {
  if (typeof value === 'string') return 'str';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'boolean') return 'bool';
  return 'dict';
}

/** Validation in PostHog's order: not both, distinct_ids ≤ 1000, ids ≤ 1000, at least one. */
function bulkTargets(ctx: HandlerContext, data: Record<string, unknown>): PersonRecord[] | Reply {
  const { distinct_ids: distinctIds, ids } = data;
  if (truthy(distinctIds) && truthy(ids)) return validationError('You must provide either distinct_ids or ids, not both');
  for (const [name, value] of [['distinct_ids', distinctIds], ['ids', ids]] as const) {
    if (truthy(value) && !Array.isArray(value)) {
      return validationError(`Expected a list of items but got type "${pythonTypeName(value)}".`, name);
    }
    if (Array.isArray(value) && value.length > MAX_IDS) return validationError(`You can only pass ${MAX_IDS} ${name} in one call`);
  }
  if (!truthy(distinctIds) && !truthy(ids)) return validationError('You need to specify either distinct_ids or ids');

  const found = new Set<PersonRecord>();
  if (Array.isArray(distinctIds)) {
    for (const id of distinctIds) {
      const person = typeof id === 'string' || typeof id === 'number' ? ctx.team.byDistinctId.get(String(id)) : undefined;
      if (person) found.add(person);
    }
  } else {
    for (const id of ids as unknown[]) {
      const uuid = typeof id === 'string' ? canonicalUuid(id) : null;
      const person = uuid ? ctx.team.persons.get(uuid) : undefined;
      if (person) found.add(person);
    }
  }
  return [...found];
}

/** POST /bulk_delete/: flags come from the body; unknown ids simply don't count. */
export function handleBulkDelete(ctx: HandlerContext): Reply {
  const body = requestData(ctx);
  if (isReply(body)) return body;
  const data = dataObject(body.data);
  const persons = bulkTargets(ctx, data);
  if (isReply(persons)) return persons;
  const flags = { events: truthy(data.delete_events), recordings: truthy(data.delete_recordings), keepPerson: truthy(data.keep_person) };
  deletePersons(ctx, persons, flags);
  // The older generation answers with an empty body; the mid one has no async mode and no
  // persons_queued_for_deletion; the newest has both.
  const generation = ctx.options.generation;
  if (generation === 'older') return empty(202);
  const removed = flags.keepPerson ? 0 : persons.length;
  const async = deletesAsync(ctx);
  return json(202, {
    persons_found: persons.length,
    persons_deleted: async ? 0 : removed,
    ...(generation === 'newest' ? { persons_queued_for_deletion: async ? removed : 0 } : {}),
    events_queued_for_deletion: flags.events && persons.length > 0,
    recordings_queued_for_deletion: flags.recordings && persons.length > 0,
    deletion_errors: [],
  });
}

/** The deprecated POST /{id}/delete_events/ and /{id}/delete_recordings/. */
export function handleDeleteData(ctx: HandlerContext): Reply {
  const person = findPerson(ctx);
  if (isReply(person)) return person;
  if (ctx.route === 'delete_events') ctx.store.queueEventDeletion(person);
  return empty(202);
}

const STATUSES = new Set(['pending', 'completed', 'all']);

/** GET /deletion_status/: DRF LimitOffset pages of event-deletion rows, newest first. */
export function handleDeletionStatus(ctx: HandlerContext): Reply {
  const { query } = ctx;
  const status = query.get('status') ?? 'all';
  if (!STATUSES.has(status)) return validationError(`"${status}" is not a valid choice.`, 'status');
  const rawUuid = query.get('person_uuid');
  const personUuid = rawUuid === null ? null : canonicalUuid(rawUuid);
  if (rawUuid !== null && personUuid === null) return validationError('Must be a valid UUID.', 'person_uuid');

  // LimitOffsetPagination falls back to its defaults on values that are not positive integers.
  const limit = parsePythonInt(query.get('limit') ?? '') ?? 100;
  const offset = parsePythonInt(query.get('offset') ?? '') ?? 0;
  const pageLimit = limit > 0 ? limit : 100;
  const pageOffset = Math.max(0, offset);

  const rows = ctx.store
    .deletionStatus(ctx.team.id)
    .filter((row) => (status === 'all' || row.status === status) && (personUuid === null || row.person_uuid === personUuid));
  const { next, previous } = limitOffsetLinks(ctx.absoluteUrl, pageLimit, pageOffset, rows.length);
  return json(200, { count: rows.length, next, previous, results: rows.slice(pageOffset, pageOffset + pageLimit) });
}
