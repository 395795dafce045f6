// PostHog's capture endpoint, for bulk property writes that PostHog's REST writes would send one
// person at a time. PostHog's own REST write is a thin wrapper that sends a `$set` event (for
// delete_property, `$unset`) through capture; sending the same events ourselves lands in the same
// place, up to 1,000 a request and with no per-key rate limit. Two traps decide the shape of this
// file (docs/posthog-api-notes.md, "Capture"):
// - capture checks only a token's shape: a wrong but well-formed token gets 200 and every event
//   is dropped. So the token is never typed: it is read from the project (`api_token`).
// - capture creates a person for a distinct_id it has not seen: the bulk operation looks every
//   identifier up first and sends only persons that exist (src/bulk/ops/capture-writes.ts).
import { AuthError, UsageError } from '../errors.js';
import type { HttpClient } from './http.js';

/** The most events capture takes in one request. */
export const CAPTURE_MAX_EVENTS = 1000;
/** A request body stays under this (capture refuses bodies over 20 MB; a margin for the envelope). */
export const CAPTURE_MAX_BODY_BYTES = 20_000_000;
/** One event stays under this (Kafka's message limit: capture answers 400 EventTooBig above about 1 MB). */
export const CAPTURE_MAX_EVENT_BYTES = 1_000_000;

export interface CaptureEvent {
  event: '$set';
  distinct_id: string;
  properties: { $set: Record<string, unknown> } | { $unset: string[] };
}

/**
 * The event PostHog's REST write sends, without `timestamp` (an old timestamp can be routed as
 * historical data). The event is `$set` in both cases: it always updates the person, and `$unset`
 * is honoured on any event.
 */
export function captureEvent(distinctId: string, write: { set: Record<string, unknown> } | { unset: string[] }): CaptureEvent {
  return { event: '$set', distinct_id: distinctId, properties: 'set' in write ? { $set: write.set } : { $unset: write.unset } };
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Where capture requests go: PostHog Cloud's ingestion host of the API host's region, else (a
 * self-hosted instance) the API host itself; `override` (--capture-host) wins, checked like --host.
 */
export function captureHostFor(apiHost: string, override?: string): string {
  if (override !== undefined) return checkCaptureHost(override);
  const url = new URL(apiHost);
  const host = url.hostname.toLowerCase();
  if (host === 'us.posthog.com' || host === 'app.posthog.com') return 'https://us.i.posthog.com';
  if (host === 'eu.posthog.com') return 'https://eu.i.posthog.com';
  return apiHost.replace(/\/+$/, '');
}

function checkCaptureHost(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(`--capture-host "${raw}" is not a URL`, 'Give the ingestion host in full, e.g. --capture-host https://eu.i.posthog.com.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`--capture-host: only https:// URLs are supported (got ${url.protocol})`);
  if (url.username || url.password) throw new UsageError('--capture-host: credentials in the URL are not allowed');
  if (url.search || url.hash) throw new UsageError('--capture-host: the URL cannot have a query or fragment');
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname)) {
    throw new UsageError(
      `--capture-host: refusing plain http:// to ${url.hostname}: the project token and your data would cross the network unencrypted`,
      'Use https://, or http:// only for a server on this machine (localhost, 127.0.0.1, [::1]).',
    );
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * The project's token (`api_token` of GET /api/projects/{id}/), read with the personal API key:
 * the one token whose events PostHog will not silently drop. Needs the project:read scope.
 */
export async function getProjectToken(http: HttpClient, projectId: string): Promise<string> {
  let data: { api_token?: unknown } | undefined;
  try {
    data = (await http.request<{ api_token?: unknown }>({ method: 'GET', path: `/api/projects/${projectId}/`, retry: 'safe' })).data;
  } catch (error) {
    if (error instanceof AuthError && error.status === 403) {
      throw new AuthError(
        `--via capture reads the project's token, which needs the project:read scope: ${error.message}`,
        'Add the project:read scope to the personal API key (PostHog: Settings > Personal API keys), or use --via api.',
        403,
      );
    }
    throw error;
  }
  const token = data?.api_token;
  if (typeof token !== 'string' || !token.startsWith('phc_')) {
    throw new AuthError(`project ${projectId} answered without a project token (api_token), so its events cannot be sent through capture`, 'Use --via api.');
  }
  return token;
}

/** Sends events to the capture host. No Authorization header: the token travels in the body. */
export class CaptureApi {
  constructor(
    readonly http: HttpClient,
    private readonly token: string,
  ) {}

  get host(): string {
    return this.http.host;
  }

  /**
   * One POST /batch/. A `$set` is idempotent, so a 5xx or a dropped connection is retried; a 4xx
   * (EventTooBig, a body too large) fails the request. Capture answers 200 without a per-event
   * result: only a read-back tells whether the writes were applied.
   */
  async send(events: readonly CaptureEvent[]): Promise<void> {
    await this.http.request({ method: 'POST', path: '/batch/', body: { api_key: this.token, batch: events }, retry: 'safe' });
  }
}

/** The size in bytes of a value as sent. */
export function jsonBytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
