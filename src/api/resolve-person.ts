// How a <person> argument becomes a person (README, "Commands"): a UUID-shaped value is tried
// as a person UUID first and then as a distinct_id (anonymous distinct_ids are UUIDs too); any
// other value is an exact distinct_id. --by forces one reading.
import { NotFoundError, UsageError } from '../errors.js';
import { ProjectNotFoundError, type PersonsApi, type RetrievedPerson } from './persons.js';

export type PersonRefKind = 'auto' | 'uuid' | 'distinct-id' | 'id';
export const PERSON_REF_KINDS = ['uuid', 'distinct-id', 'id'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function parseByFlag(value: string | undefined): PersonRefKind {
  if (value === undefined) return 'auto';
  const normal = value === 'distinct_id' ? 'distinct-id' : value;
  if ((PERSON_REF_KINDS as readonly string[]).includes(normal)) return normal as PersonRefKind;
  throw new UsageError(`invalid --by "${value}": use uuid, distinct-id or id`);
}

/** Checks a reference before any request, so a bad one exits 2 with nothing sent. */
export function validatePersonRef(ref: string, by: PersonRefKind): void {
  if (ref.trim() === '') throw new UsageError('the person is empty: give a UUID, a distinct_id or (with --by id) an id');
  if (by === 'uuid' && !isUuid(ref)) throw new UsageError(`"${ref}" is not a UUID (--by uuid)`);
  if (by === 'id' && !/^[1-9]\d*$/.test(ref)) throw new UsageError(`"${ref}" is not a numeric person id (--by id)`);
}

export interface ResolvedPerson {
  person: RetrievedPerson;
  /** how the reference matched */
  matchedBy: 'uuid' | 'distinct-id' | 'id';
}

export async function resolvePerson(api: PersonsApi, ref: string, by: PersonRefKind = 'auto'): Promise<ResolvedPerson> {
  validatePersonRef(ref, by);
  if (by === 'id') return { person: await retrieveOrNotFound(api, ref, ref, by), matchedBy: 'id' };
  if (by === 'uuid' || (by === 'auto' && isUuid(ref))) {
    try {
      return { person: await api.retrieve(ref.toLowerCase()), matchedBy: 'uuid' };
    } catch (error) {
      if (!(error instanceof NotFoundError) || by === 'uuid') throw notFoundFor(error, ref, by, api);
    }
  }
  const page = await api.list({ distinct_id: ref });
  const match = page.results.find((p) => p.distinct_ids?.includes(ref)) ?? page.results[0];
  if (!match) throw notFoundFor(undefined, ref, by, api);
  // The list shape caps distinct_ids at 1000 and lacks the integer id: fetch the full record.
  return { person: await retrieveOrNotFound(api, match.uuid, ref, by), matchedBy: 'distinct-id' };
}

async function retrieveOrNotFound(api: PersonsApi, id: string, ref: string, by: PersonRefKind): Promise<RetrievedPerson> {
  try {
    return await api.retrieve(id);
  } catch (error) {
    throw notFoundFor(error, ref, by, api);
  }
}

function notFoundFor(error: unknown, ref: string, by: PersonRefKind, api: PersonsApi): unknown {
  if (error !== undefined && (!(error instanceof NotFoundError) || error instanceof ProjectNotFoundError)) return error;
  const what =
    by === 'id'
      ? `id ${ref}`
      : by === 'uuid'
        ? `UUID ${ref}`
        : by === 'distinct-id' || !isUuid(ref)
          ? `distinct_id "${ref}"`
          : `UUID or distinct_id ${ref}`;
  return new NotFoundError(
    `no person with ${what} in project ${api.project} at ${api.http.host}`,
    by === 'uuid' ? 'Without --by uuid, a UUID is also tried as a distinct_id.' : undefined,
  );
}
