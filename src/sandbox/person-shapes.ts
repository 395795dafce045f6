// The two shapes PostHog serialises a person in (list item vs retrieve), plus the minimal shape
// of the batch endpoints, with PostHog's distinct-id ordering and display-name derivation.

import { stringifyExact } from '../json/exact.js';
import type { PersonRecord, Properties } from './model.js';

/** PostHog's ANONYMOUS_REGEX: five dash-separated lower-case alphanumeric groups (a UUID). */
const ANONYMOUS_ID = /^([a-z0-9]+-){4}([a-z0-9]+)$/;

export function isAnonymousId(distinctId: string): boolean {
  return ANONYMOUS_ID.test(distinctId);
}

/** `sorted(ids, key=is_anonymous_id)`: a stable partition, identified ids first. */
export function sortDistinctIds(ids: readonly string[]): string[] {
  const named: string[] = [];
  const anonymous: string[] = [];
  for (const id of ids) (isAnonymousId(id) ? anonymous : named).push(id);
  return named.length === 0 || anonymous.length === 0 ? [...ids] : named.concat(anonymous);
}

/** Python truthiness, which decides whether a display-name property counts. */
function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

const DISPLAY_NAME_PROPERTIES = ['email', 'name', 'username'];

/**
 * PostHog's get_person_name_helper: the first truthy display property, else the first distinct id
 * in sorted order (identified ids first), else the pk as a string.
 */
export function personName(pk: number, properties: Properties, distinctIds: readonly string[]): unknown {
  for (const key of DISPLAY_NAME_PROPERTIES) {
    if (isTruthy(properties[key])) return properties[key];
  }
  const first = sortDistinctIds(distinctIds)[0];
  return first ?? String(pk);
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : isoTime(ms);
}

const LIST_DISTINCT_ID_LIMIT = 1000;

/** The list item as a JSON string, cached on the record (pages of 1000 stay cheap). */
export function listItemJson(person: PersonRecord): string {
  if (person.listJson !== undefined) return person.listJson;
  const distinctIds = sortDistinctIds(person.distinctIds).slice(0, LIST_DISTINCT_ID_LIMIT);
  // Integers past 2^53 (ExactNumber) are written as their digits, as PostHog serves them.
  person.listJson = stringifyExact({
    type: 'person',
    id: person.uuid,
    uuid: person.uuid,
    created_at: isoTime(person.createdAt),
    last_seen_at: isoOrNull(person.lastSeenAt),
    properties: person.properties,
    is_identified: person.isIdentified,
    name: personName(person.pk, person.properties, person.distinctIds),
    distinct_ids: distinctIds,
    matched_recordings: [],
    value_at_data_point: null,
  });
  return person.listJson;
}

export interface RetrieveShape {
  id: number;
  name: unknown;
  distinct_ids: string[];
  properties: Properties;
  created_at: string;
  uuid: string;
  last_seen_at: string | null;
}

/** The retrieve shape: integer `id`, every distinct id. */
export function retrieveShape(person: PersonRecord, distinctIdLimit = Infinity): RetrieveShape {
  return {
    id: person.pk,
    name: personName(person.pk, person.properties, person.distinctIds),
    distinct_ids: sortDistinctIds(person.distinctIds).slice(0, distinctIdLimit),
    properties: person.properties,
    created_at: isoTime(person.createdAt),
    uuid: person.uuid,
    last_seen_at: isoOrNull(person.lastSeenAt),
  };
}

/** MinimalPerson of the batch endpoints: the retrieve shape with at most 10 distinct ids. */
export function minimalShape(person: PersonRecord): RetrieveShape {
  return retrieveShape(person, 10);
}
