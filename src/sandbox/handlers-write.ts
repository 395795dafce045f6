// Property writes and splits. Each answers at once (202 or 201) and queues the change, which the
// store applies after writeLagMs, as PostHog's ingestion pipeline would.

import { SANDBOX_USER } from './activity.js';
import { dataObject, findPerson, isReply, requestData, type HandlerContext } from './context.js';
import {
  empty, json, pythonListRepr, requiredFieldError, SERVER_ERROR, validationError, type Reply,
} from './http.js';
import type { PersonRecord } from './model.js';

function personAndData(ctx: HandlerContext): { person: PersonRecord; data: Record<string, unknown> } | Reply {
  const person = findPerson(ctx);
  if (isReply(person)) return person;
  const data = requestData(ctx);
  if (isReply(data)) return data;
  return { person, data: dataObject(data.data) };
}

function logUpdate(ctx: HandlerContext, person: PersonRecord, set: Record<string, unknown>): void {
  const before: Record<string, unknown> = {};
  for (const key of Object.keys(set)) before[key] = person.properties[key] ?? null;
  ctx.store.logActivity({
    teamId: person.teamId, personUuid: person.uuid, itemId: String(person.pk), activity: 'updated', user: SANDBOX_USER,
    changes: [{ type: 'Person', action: 'changed', field: 'properties', before, after: set }], name: null,
  });
}

/** PATCH/PUT /{id}/: a `$set` of the given properties; other fields are ignored. */
export function handleUpdate(ctx: HandlerContext): Reply {
  const found = personAndData(ctx);
  if (isReply(found)) return found;
  const { person, data } = found;
  const properties = data.properties;
  if (properties === null || typeof properties !== 'object' || Array.isArray(properties)) {
    return requiredFieldError('properties');
  }
  const set = { ...(properties as Record<string, unknown>) };
  ctx.store.queue(person, { kind: 'set', set });
  logUpdate(ctx, person, set);
  return empty(202);
}

/** POST /{id}/update_property/ {"key","value"}: a `$set` of one property (null allowed, but not by the older generation). */
export function handleUpdateProperty(ctx: HandlerContext): Reply {
  const found = personAndData(ctx);
  if (isReply(found)) return found;
  const { person, data } = found;
  if (data.key === undefined || data.key === null) return requiredFieldError('key');
  // The older generation tests `request.data.get("value") is None`, so a null value is "missing".
  const missing = ctx.options.generation === 'older' ? data.value === undefined || data.value === null : !('value' in data);
  if (missing) return requiredFieldError('value');
  const set = { [String(data.key)]: data.value };
  ctx.store.queue(person, { kind: 'set', set });
  logUpdate(ctx, person, set);
  return empty(202);
}

const MAX_UNSET_KEYS = 1000;

/**
 * The keys a delete_property removes, by generation (docs/posthog-versions.md): a single key works
 * everywhere; a list is taken by the newest, makes the mid one fail with a 500 (a list is not
 * hashable), and is accepted by the older one without removing anything (it wraps the list in
 * another list, and ingestion skips keys that are not strings). Without $unset, the older
 * generations fail with a 500 (a KeyError).
 */
function unsetKeys(ctx: HandlerContext, value: unknown): string[] | Reply {
  const generation = ctx.options.generation;
  if (generation !== 'newest') {
    if (typeof value === 'string') return [value];
    if (generation === 'older' && Array.isArray(value)) return [];
    return json(500, SERVER_ERROR);
  }
  if (typeof value === 'string' && value !== '') return [value];
  if (Array.isArray(value) && value.length >= 1 && value.length <= MAX_UNSET_KEYS && value.every((k) => typeof k === 'string' && k !== '')) {
    return [...new Set(value as string[])];
  }
  return validationError("Provide '$unset' as a property key or a non-empty list of property keys.", '$unset');
}

/**
 * POST /{id}/delete_property/ {"$unset": key | [keys]}: 201 {"success": true}. The person is
 * loaded with a plain `.get()`, so a missing one is a 500 in every generation, not a 404.
 */
export function handleDeleteProperty(ctx: HandlerContext): Reply {
  const found = personAndData(ctx);
  if (isReply(found)) return found.status === 404 ? json(500, SERVER_ERROR) : found;
  const { person, data } = found;
  const keys = unsetKeys(ctx, data.$unset);
  if (isReply(keys)) return keys;
  if (person.distinctIds.length === 0) {
    return validationError("This person has no distinct IDs, so its properties can't be removed.");
  }
  if (keys.length > 0) ctx.store.queue(person, { kind: 'unset', keys });
  const before: Record<string, unknown> = {};
  for (const key of keys) before[key] = person.properties[key] ?? null;
  ctx.store.logActivity({
    teamId: person.teamId, personUuid: person.uuid, itemId: String(person.pk), activity: 'delete_property', user: SANDBOX_USER,
    changes: [{ type: 'Person', action: 'changed', field: 'properties', before, after: null }], name: null,
  });
  return json(201, { success: true });
}

/** Which distinct ids a split moves, or the validation error. */
function idsToMove(person: PersonRecord, data: Record<string, unknown>): string[] | Reply {
  const toSplit = data.distinct_ids_to_split;
  const main = data.main_distinct_id;
  if (toSplit !== undefined && toSplit !== null) {
    const attr = 'distinct_ids_to_split';
    if (!Array.isArray(toSplit) || !toSplit.every((id) => typeof id === 'string')) return validationError('must be a list of strings', attr);
    if (toSplit.length === 0) return validationError('must not be empty', attr);
    if (main !== undefined && main !== null) return validationError('cannot be combined with main_distinct_id', attr);
    const wanted = [...new Set(toSplit as string[])];
    const unknown = wanted.filter((id) => !person.distinctIds.includes(id));
    if (unknown.length > 0) return validationError(`not on this person: ${pythonListRepr(unknown)}`, attr);
    return wanted;
  }
  if (main !== undefined && main !== null && typeof main !== 'string') return validationError('must be a string', 'main_distinct_id');
  const keep = (main as string | null | undefined) ?? person.distinctIds[0];
  return person.distinctIds.filter((id) => id !== keep);
}

/** POST /{id}/split/: 201 now, the split itself after writeLagMs (a Celery task in PostHog). */
export function handleSplit(ctx: HandlerContext): Reply {
  const found = personAndData(ctx);
  if (isReply(found)) return found;
  const { person, data } = found;
  const moving = idsToMove(person, data);
  if (isReply(moving)) return moving;
  // The older generation's split_person: `if not main_distinct_id: self.properties = {}`.
  const named = (data.main_distinct_id ?? null) !== null || (data.distinct_ids_to_split ?? null) !== null;
  const emptiesProperties = ctx.options.generation === 'older' && !named;
  if (moving.length > 0 || emptiesProperties) ctx.store.queue(person, { kind: 'split', distinctIds: moving, emptyProperties: emptiesProperties });
  const after: Record<string, unknown> = { distinct_ids: [...person.distinctIds] };
  if (Array.isArray(data.distinct_ids_to_split)) after.distinct_ids_to_split = moving;
  ctx.store.logActivity({
    teamId: person.teamId, personUuid: person.uuid, itemId: String(person.pk), activity: 'split_person', user: SANDBOX_USER,
    changes: [{ type: 'Person', action: 'split', field: null, before: null, after }], name: person.uuid,
  });
  return json(201, { success: true });
}

/**
 * POST /reset_person_distinct_id/: 202 with an empty body for any non-empty string, a distinct_id
 * never deleted too (PostHog then only logs it); the reset is recorded (store.resetDistinctIds).
 */
export function handleResetDistinctId(ctx: HandlerContext): Reply {
  const data = requestData(ctx);
  if (isReply(data)) return data;
  const distinctId = dataObject(data.data).distinct_id;
  if (typeof distinctId !== 'string' || distinctId === '') return validationError('distinct_id is required');
  ctx.store.recordReset(ctx.team, distinctId);
  return empty(202);
}
