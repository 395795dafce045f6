// Property filters and search, evaluated against list-index entries (so they see the index's
// possibly stale values). Semantics follow HogQL's property_to_expr: values compare as strings,
// a list value means IN, numeric operators compare numbers, negated operators match persons
// that lack the property.

import { isExactNumber, stringifyExact } from '../json/exact.js';
import type { IndexEntry } from './model.js';

export type Predicate = (entry: IndexEntry) => boolean;

export interface PropertyFilter {
  key: string;
  value: unknown;
  operator: string;
}

/** A filter problem, answered as a 400. */
export class FilterError {
  constructor(
    readonly detail: string,
    readonly code = 'invalid_input',
  ) {}
}

const UNPARSABLE = 'Properties are unparsable!';

/** Parses the `properties` query parameter: a JSON array of person property filters. */
export function parsePropertyFilters(raw: string): PropertyFilter[] | FilterError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return new FilterError(UNPARSABLE);
  }
  if (!Array.isArray(parsed)) return new FilterError(UNPARSABLE);
  const filters: PropertyFilter[] = [];
  for (const item of parsed) {
    if (item === null || typeof item !== 'object' || typeof (item as { key?: unknown }).key !== 'string') {
      return new FilterError(UNPARSABLE);
    }
    const { key, value, operator, type } = item as Record<string, unknown>;
    if (type !== undefined && type !== 'person') {
      return new FilterError(`The sandbox supports only person property filters, not type "${String(type)}".`);
    }
    filters.push({ key: key as string, value, operator: typeof operator === 'string' ? operator : 'exact' });
  }
  return filters;
}

/** How a JSON value reads as text in ClickHouse (null/absent have none). */
function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isExactNumber(value)) return value.text;
  return stringifyExact(value);
}

const NUMERIC = /^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && NUMERIC.test(value)) return Number(value);
  if (isExactNumber(value)) return Number(value.text);
  return null;
}

function valuesOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map(textOf).filter((v): v is string => v !== null);
}

function dateOf(value: unknown): number | null {
  const text = textOf(value);
  if (text === null) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/** A test on the property's value, for the positive operators. */
function valueTest(filter: PropertyFilter): ((v: unknown) => boolean) | FilterError {
  const { operator, value } = filter;
  switch (operator) {
    case 'exact':
    case 'is_not':
    case 'in':
    case 'not_in': {
      const wanted = new Set(valuesOf(value));
      return (v) => {
        const text = textOf(v);
        return text !== null && wanted.has(text);
      };
    }
    case 'icontains':
    case 'not_icontains': {
      const needle = (textOf(value) ?? '').toLowerCase();
      return (v) => (textOf(v)?.toLowerCase().includes(needle) ?? false);
    }
    case 'regex':
    case 'not_regex': {
      let pattern: RegExp;
      try {
        pattern = new RegExp(textOf(value) ?? '');
      } catch {
        return new FilterError(`Invalid regular expression: ${textOf(value) ?? ''}`);
      }
      return (v) => {
        const text = textOf(v);
        return text !== null && pattern.test(text);
      };
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const bound = numberOf(value);
      if (bound === null) return new FilterError(`The value of a "${operator}" filter must be a number.`);
      return (v) => {
        const n = numberOf(v);
        if (n === null) return false;
        return operator === 'gt' ? n > bound : operator === 'gte' ? n >= bound : operator === 'lt' ? n < bound : n <= bound;
      };
    }
    case 'is_date_exact':
    case 'is_date_before':
    case 'is_date_after': {
      const bound = dateOf(value);
      if (bound === null) return new FilterError(`The value of a "${operator}" filter must be a date.`);
      return (v) => {
        const d = dateOf(v);
        if (d === null) return false;
        return operator === 'is_date_exact' ? d === bound : operator === 'is_date_before' ? d < bound : d > bound;
      };
    }
    case 'is_set':
    case 'is_not_set':
      return (v) => v !== null && v !== undefined;
    default:
      return new FilterError(`Unsupported operator "${operator}".`);
  }
}

const NEGATED = new Set(['is_not', 'not_in', 'not_icontains', 'not_regex', 'is_not_set']);

/** Operators whose list value HogQL hands on whole; for every other one an empty list is no condition. */
const LIST_AS_IS = new Set(['between', 'not_between', 'icontains', 'not_icontains']);

export function compileFilter(filter: PropertyFilter): Predicate | FilterError {
  // property_to_expr turns a filter with an empty list into the constant 1: every person matches.
  if (Array.isArray(filter.value) && filter.value.length === 0 && !LIST_AS_IS.has(filter.operator)) return () => true;
  const test = valueTest(filter);
  if (test instanceof FilterError) return test;
  const { key } = filter;
  if (NEGATED.has(filter.operator)) return (entry) => !test(entry.properties[key]);
  return (entry) => test(entry.properties[key]);
}

/**
 * PostHog's fuzzy search: the trimmed term as a case-insensitive substring of the email, the
 * name, the UUID or any distinct id.
 */
export function searchPredicate(term: string): Predicate {
  const needle = term.trim().toLowerCase();
  const contains = (v: unknown): boolean => typeof v === 'string' && v.toLowerCase().includes(needle);
  return (entry) =>
    contains(entry.properties.email) ||
    contains(entry.properties.name) ||
    entry.uuid.includes(needle) ||
    entry.distinctIds.some(contains);
}

export function allOf(predicates: Predicate[]): Predicate | null {
  if (predicates.length === 0) return null;
  if (predicates.length === 1) return predicates[0]!;
  return (entry) => predicates.every((p) => p(entry));
}
