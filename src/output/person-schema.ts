// The fields of a person, shared by `list` and `get`.

import type { ListPerson, RetrievedPerson } from '../api/persons.js';
import type { RecordSchema } from './columns.js';

/** Either person shape: a list item (`id` = the UUID) or a retrieve result (`id` = the integer pk). */
export type PersonRecord = ListPerson | RetrievedPerson;

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
