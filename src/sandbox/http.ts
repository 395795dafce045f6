// Replies and PostHog's error envelope. Handlers return a Reply instead of writing to the
// socket, so the server can delay, damage or cut a response after the work is done.

import { stringifyExact } from '../json/exact.js';

export interface Reply {
  status: number;
  /** Serialised body; absent means an empty body. */
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export type ErrorType =
  | 'validation_error'
  | 'authentication_error'
  | 'invalid_request'
  | 'throttled_error'
  | 'server_error';

export interface ErrorEnvelope {
  type: ErrorType;
  code: string;
  detail: string;
  attr: string | null;
}

export const JSON_TYPE = 'application/json';

export function json(status: number, value: unknown, headers?: Record<string, string>): Reply {
  return { status, body: stringifyExact(value), contentType: JSON_TYPE, headers };
}

/** A body already serialised (list pages are assembled from cached item strings). */
export function rawJson(status: number, body: string): Reply {
  return { status, body, contentType: JSON_TYPE };
}

export function empty(status: number): Reply {
  return { status };
}

export function envelope(type: ErrorType, code: string, detail: string, attr: string | null = null): ErrorEnvelope {
  return { type, code, detail, attr };
}

export function errorReply(
  status: number, type: ErrorType, code: string, detail: string, attr: string | null = null,
  headers?: Record<string, string>,
): Reply {
  return json(status, envelope(type, code, detail, attr), headers);
}

/** A DRF ValidationError: `invalid` is renamed `invalid_input` by drf-exceptions-hog. */
export function validationError(detail: string, attr: string | null = null): Reply {
  return errorReply(400, 'validation_error', 'invalid_input', detail, attr);
}

/** The hand-built 400 of update/update_property, with `code` and `detail` swapped. */
export function requiredFieldError(attr: string): Reply {
  return json(400, { attr, code: 'This field is required.', detail: 'required', type: 'validation_error' });
}

export function notFound(detail = 'Not found.'): Reply {
  return errorReply(404, 'invalid_request', 'not_found', detail);
}

export function projectNotFound(): Reply {
  return notFound('Project not found.');
}

export function methodNotAllowed(method: string, detail = `Method "${method}" not allowed.`): Reply {
  return errorReply(405, 'invalid_request', 'method_not_allowed', detail);
}

export function permissionDenied(detail: string): Reply {
  return errorReply(403, 'authentication_error', 'permission_denied', detail);
}

export const SERVER_ERROR = envelope('server_error', 'error', 'A server error occurred.');

/** DRF's Throttled message: singular for one second, as ngettext makes it. */
export function throttledDetail(wait: number | null): string {
  if (wait === null) return 'Request was throttled.';
  return `Request was throttled. Expected available in ${wait} ${wait === 1 ? 'second' : 'seconds'}.`;
}

export function throttled(wait: number): Reply {
  return errorReply(429, 'throttled_error', 'throttled', throttledDetail(wait), null, { 'Retry-After': String(wait) });
}

/** The default PostHog-style error body for a status (used by scripted faults). */
export function defaultErrorBody(status: number, retryAfter?: string): ErrorEnvelope {
  switch (status) {
    case 400: return envelope('validation_error', 'invalid_input', 'Bad request.');
    case 401: return envelope('authentication_error', 'authentication_failed', 'Personal API key found in request Authorization header is invalid.');
    case 403: return envelope('authentication_error', 'permission_denied', 'You do not have permission to perform this action.');
    case 404: return envelope('invalid_request', 'not_found', 'Not found.');
    case 429: {
      const wait = retryAfter !== undefined && /^\d+$/.test(retryAfter) ? Number(retryAfter) : null;
      return envelope('throttled_error', 'throttled', throttledDetail(wait));
    }
    case 503: return envelope('server_error', 'service_unavailable', 'Service temporarily unavailable, try again later.');
    default:
      return status >= 500 ? SERVER_ERROR : envelope('invalid_request', 'error', 'Request failed.');
  }
}

/** Python's repr() of a list of strings, as PostHog puts it in some messages: ['a', 'b']. */
export function pythonListRepr(items: readonly string[]): string {
  const repr = (s: string): string => {
    const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
    const body = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
  };
  return `[${items.map(repr).join(', ')}]`;
}
