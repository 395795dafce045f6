// Which persons hold each email: the persons list's `properties` filter on the `email` person
// property with operator `exact` and a list value, which PostHog compiles to `email IN (...)`
// (docs/posthog-api-notes.md, "Finding persons by email"), so one request asks about many emails.
//
// - Exact means exact: the comparison is case-sensitive, so `Ada@x.com` does not find a person
//   whose email is `ada@x.com`. Emails are sent and matched as written.
// - PostHog reads an empty list as no condition at all (every person matches): an empty list is
//   never sent.
// - The filter runs in the query string, and proxies refuse long URLs: emails are packed into a
//   request until its URL would pass MAX_URL_BYTES.
// - One request may match more persons than a page holds: pages of PAGE_SIZE are followed through
//   `next` (through the run's rate limiter, like every request).
// - A person is matched to an email by its own `email` property, so a person the server returns
//   for another reason (or twice, across pages) never targets the wrong email.
import { formatQuery } from './http.js';
import type { ListPerson, ListQuery, PersonsApi } from './persons.js';

/** A URL longer than this is refused by some proxies and servers (8 KB is the common limit). */
export const MAX_URL_BYTES = 8192;
/** Room left in each URL for the `&offset=N` a `next` link adds. */
const NEXT_LINK_ROOM = 24;
/** Persons a page: the most PostHog's list is worth asking for in one request. */
export const PAGE_SIZE = 1000;

/** Each email (in input order) with the UUIDs of the persons holding it; none for an email that matches no person. */
export type EmailMatches = Map<string, string[]>;

/** The persons list query for these emails. */
export function emailQuery(emails: readonly string[], offset?: number): ListQuery {
  return {
    properties: JSON.stringify([{ key: 'email', value: emails, operator: 'exact', type: 'person' }]),
    limit: PAGE_SIZE,
    ...(offset !== undefined ? { offset } : {}),
  };
}

/** The emails cut into requests whose URLs stay under MAX_URL_BYTES (one email always makes a request). */
export function packEmails(api: Pick<PersonsApi, 'http' | 'base'>, emails: readonly string[]): string[][] {
  // Form encoding works character by character, so each email adds the encoded length of its JSON
  // string and a comma to the URL of the empty list: the length is counted as the group grows.
  const encoded = (text: string) => new URLSearchParams({ q: text }).toString().length - 2;
  const empty = Buffer.byteLength(`${api.http.host.replace(/\/+$/, '')}${api.base}/${formatQuery(emailQuery([]) as Record<string, string | number>)}`);
  const comma = encoded(',');
  const groups: string[][] = [];
  let group: string[] = [];
  let length = empty;
  for (const email of emails) {
    const adds = encoded(JSON.stringify(email)) + (group.length > 0 ? comma : 0);
    if (group.length > 0 && length + adds + NEXT_LINK_ROOM > MAX_URL_BYTES) {
      groups.push(group);
      group = [];
      length = empty;
      length += encoded(JSON.stringify(email));
    } else {
      length += adds;
    }
    group.push(email);
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** Looks every email up: the persons holding each one, by UUID (lower case). */
export async function resolveEmails(api: PersonsApi, emails: readonly string[]): Promise<EmailMatches> {
  const unique = [...new Set(emails)].filter((email) => email !== '');
  const matches: EmailMatches = new Map(unique.map((email) => [email, []]));
  for (const group of packEmails(api, unique)) {
    const wanted = new Set(group);
    for await (const page of api.pages<ListPerson>(() => api.list(emailQuery(group)))) {
      for (const person of page.results) {
        const email = person.properties?.email;
        if (typeof email !== 'string' || !wanted.has(email)) continue;
        const found = matches.get(email)!;
        const uuid = String(person.uuid).toLowerCase();
        if (!found.includes(uuid)) found.push(uuid);
      }
    }
  }
  return matches;
}
