// Read endpoints other than the list: retrieve, values and the batch lookups.

import { canonicalUuid, dataObject, findPerson, isReply, requestData, type HandlerContext } from './context.js';
import { stringifyExact } from '../json/exact.js';
import { json, validationError, type Reply } from './http.js';
import { minimalShape, retrieveShape, type RetrieveShape } from './person-shapes.js';

export function handleRetrieve(ctx: HandlerContext): Reply {
  const person = findPerson(ctx);
  if (isReply(person)) return person;
  return json(200, retrieveShape(person));
}

const VALUES_LIMIT = 100;

/** GET /values/?key=&value=: how many persons hold each value of a property (from the index). */
export function handleValues(ctx: HandlerContext): Reply {
  const key = ctx.query.get('key');
  const needle = (ctx.query.get('value') ?? '').toLowerCase();
  const counts = new Map<string, { name: unknown; count: number }>();
  if (key && !key.startsWith('$virt')) {
    for (const entry of ctx.team.index.view(ctx.now)) {
      const value = entry.properties[key];
      if (value === undefined || value === null) continue;
      const text = typeof value === 'string' ? value : stringifyExact(value);
      if (needle && !text.toLowerCase().includes(needle)) continue;
      const slot = counts.get(text);
      if (slot) slot.count++;
      else counts.set(text, { name: value, count: 1 });
    }
  }
  const results = [...counts.values()].sort((a, b) => b.count - a.count).slice(0, VALUES_LIMIT);
  const headers = { 'Cache-Control': 'max-age=10' };
  return ctx.options.generation === 'older' ? json(200, results, headers) : json(200, { results, refreshing: false }, headers);
}

const BATCH_LIMIT = 200;

export function handleBatchByDistinctIds(ctx: HandlerContext): Reply {
  const data = requestData(ctx);
  if (isReply(data)) return data;
  const ids = dataObject(data.data).distinct_ids;
  const results: Record<string, RetrieveShape> = {};
  if (Array.isArray(ids)) {
    for (const id of ids.slice(0, BATCH_LIMIT)) {
      if (typeof id !== 'string') continue;
      const person = ctx.team.byDistinctId.get(id);
      if (person) results[id] = minimalShape(person);
    }
  }
  return json(200, { results });
}

export function handleBatchByUuids(ctx: HandlerContext): Reply {
  const data = requestData(ctx);
  if (isReply(data)) return data;
  const raw = dataObject(data.data).uuids;
  const results: Record<string, RetrieveShape> = {};
  if (!Array.isArray(raw) || raw.length === 0) return json(200, { results });
  const uuids: string[] = [];
  for (const item of raw.slice(0, BATCH_LIMIT)) {
    const uuid = typeof item === 'string' ? canonicalUuid(item) : null;
    if (!uuid) return validationError('One or more UUIDs are invalid.', 'uuids');
    uuids.push(uuid);
  }
  for (const uuid of uuids) {
    const person = ctx.team.persons.get(uuid);
    if (person) results[uuid] = minimalShape(person);
  }
  return json(200, { results });
}
