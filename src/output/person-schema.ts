// The fields of a person, shared by `list` and `get`.

import type { RecordSchema } from './columns.js';

/**
 * A person as the API returns it, loose enough for both shapes: a list item has `id` = the UUID
 * string, a retrieve result has `id` = the integer primary key (posthog-api.md §2.1, §2.2).
 */
export interface PersonRecord {
  id: string | number;
  uuid: string;
  name?: string;
  distinct_ids: string[];
  properties: Record<string, unknown>;
  created_at: string;
  last_seen_at?: string | null;
  is_identified?: boolean;
  [key: string]: unknown;
}

export const personSchema: RecordSchema<PersonRecord> = {
  columns: [
    { name: 'uuid', fixedWidth: true, get: (person) => person.uuid },
    { name: 'id', fixedWidth: true, get: (person) => person.id },
    { name: 'name', get: (person) => person.name },
    { name: 'distinct_ids', get: (person) => person.distinct_ids },
    { name: 'created_at', fixedWidth: true, get: (person) => person.created_at },
    { name: 'last_seen_at', fixedWidth: true, get: (person) => person.last_seen_at },
    { name: 'is_identified', fixedWidth: true, get: (person) => person.is_identified },
    { name: 'properties', get: (person) => person.properties },
  ],
  defaultFields: ['uuid', 'name', 'distinct_ids', 'created_at'],
  dynamic: {
    prefix: 'properties.',
    // The rest is one key, dots included: PostHog property keys are flat and may contain dots.
    // hasOwn keeps `properties.constructor` or `properties.__proto__` from reaching the prototype.
    get: (person, key) =>
      person.properties && Object.hasOwn(person.properties, key) ? person.properties[key] : undefined,
    describe: 'properties.<key>',
  },
};
