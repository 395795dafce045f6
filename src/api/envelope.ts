// PostHog's error envelope ({type, code, detail, attr}; docs/posthog-api-notes.md, "Errors") and
// its exceptions (swapped code/detail on update, {"error"} on properties_at_time,
// {"success":false,"detail"}), turned into the typed errors of src/errors.ts with a hint saying
// what to do next.
import { ApiError, AuthError, CliError, NotFoundError, RateLimitError } from '../errors.js';
import { parseExact, stringifyExact } from '../json/exact.js';
import { escapeForTerminal } from '../output/escape.js';

export interface Envelope {
  type?: string;
  code?: string;
  detail?: string;
  attr?: string | null;
}

export function parseEnvelope(text: string): Envelope | undefined {
  let data: unknown;
  try {
    data = parseExact(text);
  } catch {
    return undefined;
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const record = data as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  let code = str(record.code);
  let detail = str(record.detail) ?? str(record.error);
  // update and update_property swap the two: code "This field is required.", detail "required".
  if (code && detail && /\s/.test(code) && !/\s/.test(detail)) [code, detail] = [detail, code];
  if (detail === undefined && typeof record.detail === 'object' && record.detail) {
    detail = stringifyExact(record.detail);
  }
  if (detail === undefined) {
    // DRF field errors without the envelope: {"field": ["message"]}
    const [field, value] = Object.entries(record)[0] ?? [];
    if (field && (typeof value === 'string' || Array.isArray(value))) {
      return { type: 'validation_error', code, detail: `${field}: ${Array.isArray(value) ? value.join(' ') : value}`, attr: field };
    }
    return undefined;
  }
  return { type: str(record.type), code, detail, attr: (record.attr as string | null | undefined) ?? null };
}

export function bodyPreview(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (!flat) return '(empty body)';
  return escapeForTerminal(JSON.stringify(flat.length > max ? `${flat.slice(0, max)}…` : flat));
}

export function errorFromResponse(
  status: number,
  text: string,
  contentType: string | undefined,
  context: { method: string; path?: string; retryAfterMs?: number },
): CliError {
  const envelope = parseEnvelope(text);
  // Messages are shown on a terminal: the server's words are escaped there (the error keeps
  // them exact in `detail`), so a crafted detail cannot clear the screen or forge a line.
  const detail = envelope?.detail === undefined ? undefined : escapeForTerminal(envelope.detail);
  const attr = envelope?.attr ? ` (${escapeForTerminal(String(envelope.attr))})` : '';
  if (status === 401) {
    return new AuthError(
      `PostHog rejected the API key (401): ${detail ?? 'not authenticated'}`,
      'Check the key, or create a personal API key under Settings > Personal API keys and run `posthog-persons auth login`.',
      status,
    );
  }
  if (status === 403) {
    return new AuthError(`PostHog refused the request (403): ${detail ?? 'permission denied'}`, forbiddenHint(detail), status);
  }
  if (status === 404) {
    // Name what was looked up: callers that know better (a person, a project) replace this.
    const what = context.path ? ` (${context.method} ${context.path.split('?')[0]})` : '';
    return new NotFoundError(`not found (404): ${detail ?? 'Not found.'}${what}`);
  }
  if (status === 429) {
    const wait = context.retryAfterMs !== undefined ? ` Retry-After was ${Math.ceil(context.retryAfterMs / 1000)} s.` : '';
    return new RateLimitError(
      `PostHog kept rate limiting the requests (429): ${detail ?? 'Request was throttled.'}${wait}`,
      'Wait a minute and rerun (bulk runs: with --resume), or lower --rate-limit so the run stays under the limit.',
    );
  }
  if (!envelope) {
    const isHtml = (contentType ?? '').includes('html') || /^\s*</.test(text);
    return new ApiError(
      `PostHog answered ${status} with ${isHtml ? 'an HTML page' : 'a body that is not a JSON error'}: ${bodyPreview(text)}`,
      {
        status,
        hint: status >= 500 ? 'PostHog or a proxy in front of it is having trouble; try again later.' : undefined,
      },
    );
  }
  return new ApiError(`PostHog answered ${status}: ${detail}${attr}`, {
    status,
    code: envelope.code,
    detail: envelope.detail,
    attr: envelope.attr,
    hint: status >= 500 ? 'PostHog is having trouble; try again later.' : undefined,
  });
}

function forbiddenHint(detail: string | undefined): string {
  const text = (detail ?? '').toLowerCase();
  if (text.includes('does not support personal api key')) {
    return 'PostHog does not accept scoped personal API keys on this endpoint; only a key created without scopes (a legacy key) works.';
  }
  if (text.includes('missing required scope')) {
    const scope = /'([^']+)'/.exec(detail ?? '')?.[1];
    return `Create a personal API key that has the ${scope ?? 'needed'} scope (person:write also grants person:read).`;
  }
  if (text.includes('does not have access to the requested project')) {
    return 'The key is limited to other projects: check --project, or give the key access to this project.';
  }
  return 'Check that the key has the person:read / person:write scopes and access to this project.';
}
