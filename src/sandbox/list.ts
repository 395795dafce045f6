// GET /persons/: selection, order and paging from the lagging index, content from the primary
// store (so recently deleted persons drop out of a page, leaving it short with `next` still set).

import { canonicalUuid, type HandlerContext } from './context.js';
import { allOf, compileFilter, FilterError, parsePropertyFilters, searchPredicate, type Predicate, type PropertyFilter } from './filters.js';
import { rawJson, SERVER_ERROR, json, validationError, type Reply } from './http.js';
import type { IndexEntry, PersonRecord } from './model.js';
import { listOrder } from './list-index.js';
import { parsePythonInt, replaceOrAppend } from './pagination.js';
import { listItemJson } from './person-shapes.js';

const DEFAULT_LIMIT = 100;
/** MAX_SELECT_RETURNED_ROWS: larger limits are cut silently. */
const MAX_ROWS = 50_000;
const EMAIL_LIKE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const DASHED_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Paging {
  limit: number;
  offset: number;
}

/** limit/offset as Filter reads them; a non-number fails inside int(), i.e. a 500. */
function parsePaging(query: URLSearchParams): Paging | null {
  const rawLimit = query.get('limit');
  const rawOffset = query.get('offset');
  const limit = rawLimit === null || rawLimit === '' ? 0 : parsePythonInt(rawLimit);
  const offset = rawOffset === null || rawOffset === '' ? 0 : parsePythonInt(rawOffset);
  if (limit === null || offset === null || limit < 0 || offset < 0) return null;
  return { limit: limit || DEFAULT_LIMIT, offset };
}

function page(ctx: HandlerContext, persons: PersonRecord[], paging: Paging, hasMore: boolean, count: number | null): Reply {
  const { absoluteUrl } = ctx;
  const next = hasMore ? replaceOrAppend(absoluteUrl, 'offset', paging.offset + paging.limit) : null;
  const previous = paging.offset - paging.limit >= 0 ? replaceOrAppend(absoluteUrl, 'offset', paging.offset - paging.limit) : null;
  let body = `{"results":[${persons.map(listItemJson).join(',')}],"next":${JSON.stringify(next)},"previous":${JSON.stringify(previous)}`;
  if (count !== null) body += `,"count":${count}`;
  return rawJson(200, `${body}}`);
}

/** The exact-identifier fast path of `search`: a full email or UUID resolved as an identifier. */
function exactIdentifierHits(ctx: HandlerContext, term: string): PersonRecord[] {
  const hits = new Set<PersonRecord>();
  if (DASHED_UUID.test(term)) {
    const byUuid = ctx.team.persons.get(canonicalUuid(term)!);
    if (byUuid) hits.add(byUuid);
  }
  const byDistinctId = ctx.team.byDistinctId.get(term);
  if (byDistinctId) hits.add(byDistinctId);
  return [...hits].sort(listOrder);
}

/** Walks the index in order, keeping the requested window of matching entries. */
function select(entries: readonly IndexEntry[], predicate: Predicate | null, paging: Paging, needTotal: boolean) {
  const take = Math.min(paging.limit, MAX_ROWS);
  if (!predicate) {
    return { window: entries.slice(paging.offset, paging.offset + take), total: entries.length };
  }
  const window: IndexEntry[] = [];
  let matched = 0;
  for (const entry of entries) {
    if (!predicate(entry)) continue;
    if (matched >= paging.offset && window.length < take) window.push(entry);
    matched++;
    if (!needTotal && window.length >= take) break;
  }
  return { window, total: matched };
}

export function handleList(ctx: HandlerContext): Reply {
  const { query, team } = ctx;
  const paging = parsePaging(query);
  if (!paging) return json(500, SERVER_ERROR);
  const includeTotal = query.has('include_total');

  const filters: PropertyFilter[] = [];
  const rawProperties = query.get('properties');
  if (rawProperties !== null && rawProperties !== '') {
    const parsed = parsePropertyFilters(rawProperties);
    if (parsed instanceof FilterError) return validationError(parsed.detail);
    filters.push(...parsed);
  }
  const email = query.get('email');
  if (email !== null) filters.push({ key: 'email', value: email, operator: 'exact' });
  const fastPathAllowed = filters.length === 0 && paging.offset === 0;

  const predicates: Predicate[] = [];
  const distinctId = query.get('distinct_id');
  if (distinctId !== null) {
    const person = team.byDistinctId.get(distinctId);
    if (!person) return page(ctx, [], paging, false, includeTotal ? 0 : null);
    if (fastPathAllowed) return page(ctx, [person], paging, false, includeTotal ? 1 : null);
    predicates.push((entry) => entry.uuid === person.uuid);
  }

  const term = (query.get('search') ?? '').trim();
  if (term !== '') {
    if (fastPathAllowed && (EMAIL_LIKE.test(term) || DASHED_UUID.test(term))) {
      const hits = exactIdentifierHits(ctx, term);
      if (hits.length > 0) return page(ctx, hits, paging, false, includeTotal ? hits.length : null);
    }
    predicates.push(searchPredicate(term));
  }

  for (const filter of filters) {
    const compiled = compileFilter(filter);
    if (compiled instanceof FilterError) return validationError(compiled.detail);
    predicates.push(compiled);
  }

  const { window, total } = select(team.index.view(ctx.now), allOf(predicates), paging, includeTotal);
  const persons: PersonRecord[] = [];
  for (const entry of window) {
    const person = team.persons.get(entry.uuid);
    if (person) persons.push(person);
  }
  return page(ctx, persons, paging, window.length >= paging.limit, includeTotal ? total : null);
}
