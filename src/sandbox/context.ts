// What a handler is given: the authenticated request, resolved project and live state.

import type { IncomingHttpHeaders } from 'node:http';

import { errorReply, notFound, validationError, type Reply } from './http.js';
import type { PersonRecord } from './model.js';
import type { RuntimeOptions } from './options.js';
import type { RouteName } from './routes.js';
import type { SandboxStore } from './store.js';
import type { TeamState } from './team.js';
import type { SandboxKey } from './types.js';

export type BodyState =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'invalid'; text: string; message: string }
  | { kind: 'unsupported'; text: string; contentType: string };

export interface HandlerContext {
  route: RouteName;
  personId: string | undefined;
  store: SandboxStore;
  options: RuntimeOptions;
  team: TeamState;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: BodyState;
  /** The request's absolute URL as received (scheme + Host header + raw path and query). */
  absoluteUrl: string;
  key: SandboxKey;
  now: number;
}

/** The 400 or 415 that DRF raises when it parses a body it cannot read; null otherwise. */
export function bodyError(body: BodyState): Reply | null {
  if (body.kind === 'invalid') return errorReply(400, 'invalid_request', 'parse_error', `JSON parse error - ${body.message}`);
  if (body.kind === 'unsupported') {
    return errorReply(415, 'invalid_request', 'unsupported_media_type', `Unsupported media type "${body.contentType}" in request.`);
  }
  return null;
}

/** request.data as DRF gives it: {} for an empty body, the parsed JSON, or the parse error. */
export function requestData(ctx: HandlerContext): { data: unknown } | Reply {
  const error = bodyError(ctx.body);
  if (error) return error;
  return { data: ctx.body.kind === 'json' ? ctx.body.value : {} };
}

/** request.data as a dict, or {} when the JSON body is not an object. */
export function dataObject(data: unknown): Record<string, unknown> {
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
}

const UUID = /^(?:urn:uuid:)?\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;

/** A UUID in canonical form, accepting the spellings Python's uuid.UUID() accepts. */
export function canonicalUuid(text: string): string | null {
  const m = UUID.exec(text.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toLowerCase() : null;
}

/**
 * safely_get_object: the `{id}` segment as a UUID, else an integer pk, else a 400; a person that
 * is missing or belongs to another project is a 404.
 */
export function findPerson(ctx: HandlerContext): PersonRecord | Reply {
  const id = ctx.personId ?? '';
  const uuid = canonicalUuid(id);
  let person: PersonRecord | undefined;
  if (uuid) person = ctx.team.persons.get(uuid);
  else if (/^\s*[+-]?\d+\s*$/.test(id)) person = ctx.team.byPk.get(Number.parseInt(id, 10));
  else {
    return validationError(
      `The ID provided does not look like a personID. If you are using a distinctId, please use /persons?distinct_id=${id} instead.`,
    );
  }
  return person ?? notFound();
}

export function isReply(value: unknown): value is Reply {
  return value !== null && typeof value === 'object' && 'status' in value && typeof (value as Reply).status === 'number';
}
