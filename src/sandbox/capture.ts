// PostHog's capture endpoint (POST /batch/, /e/, /capture/, /i/v0/e/), served on the same port as
// the API so that a self-hosted-style setup finds it on its own host. Like PostHog's ingestion:
// the project token travels in the body (no Authorization), only the token's shape is checked at
// the door (a well-formed token of no project gets 200 and its events are silently dropped), an
// unknown distinct_id becomes a new person, and `$set` / `$unset` reach the person after the
// write lag like every other write. Sizes: a body over 20 MB is a 413, an event over 1 MB a 400
// EventTooBig, and then nothing of the request is applied.

import { parseExact } from '../json/exact.js';
import type { BodyState } from './context.js';
import { json, type Reply } from './http.js';
import type { RuntimeOptions } from './options.js';
import { projectOfToken } from './project-detail.js';
import type { SandboxStore } from './store.js';

const CAPTURE_PATHS = new Set(['/batch', '/e', '/capture', '/i/v0/e', '/track']);
/** PostHog's limits (capture's request cap and Kafka's message size). */
export const CAPTURE_MAX_BODY_BYTES = 20 * 1024 * 1024;
export const CAPTURE_MAX_EVENT_BYTES = 1024 * 1024;
/** What capture accepts as a token at the door: phc_ and at least 20 more characters. */
const WELL_FORMED_TOKEN = /^phc_[A-Za-z0-9_-]{20,}$/;

export function isCapturePath(method: string, path: string): boolean {
  return method === 'POST' && CAPTURE_PATHS.has(path.replace(/\/+$/, ''));
}

function captureError(status: number, code: string, detail: string): Reply {
  return json(status, { type: status === 401 ? 'authentication_error' : 'validation_error', code, detail, attr: null });
}

interface CaptureEvent {
  event: unknown;
  distinct_id?: unknown;
  properties?: Record<string, unknown>;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function handleCapture(body: BodyState, rawBytes: number, deps: { store: SandboxStore; options: RuntimeOptions; now: number }): Reply {
  if (rawBytes > CAPTURE_MAX_BODY_BYTES) return captureError(413, 'payload_too_large', 'Payload too large');
  // Capture takes any content type (posthog-js sends text/plain), unlike the API's JSON parser.
  let value: unknown;
  try {
    value = body.kind === 'json' ? body.value : body.kind === 'unsupported' ? parseExact(body.text) : undefined;
  } catch {
    value = undefined;
  }
  const data = asObject(value);
  if (!data) return captureError(400, 'invalid_payload', 'The request body is not an object');
  const events: CaptureEvent[] = Array.isArray(data.batch) ? (data.batch as CaptureEvent[]) : [data as unknown as CaptureEvent];
  const token = data.api_key ?? data.token ?? asObject(events[0]?.properties)?.token;
  if (typeof token !== 'string' || !WELL_FORMED_TOKEN.test(token)) {
    return captureError(401, 'invalid_api_key', 'Project API key invalid. You can find your project API key in your PostHog project settings.');
  }
  for (const event of events) {
    if (!asObject(event) || typeof event.event !== 'string') return captureError(400, 'invalid_event', 'An event has no name');
    const distinctId = event.distinct_id ?? asObject(event.properties)?.distinct_id;
    if (typeof distinctId !== 'string' && typeof distinctId !== 'number') return captureError(400, 'missing_distinct_id', 'An event has no distinct_id');
    if (Buffer.byteLength(JSON.stringify(event)) > CAPTURE_MAX_EVENT_BYTES) return captureError(400, 'EventTooBig', 'EventTooBig: an event is over 1 MB');
  }
  const projectId = projectOfToken(token, deps.store);
  // A token of no project: accepted and dropped, exactly like PostHog (the client cannot tell).
  if (projectId === null) return json(200, { status: 'Ok' });
  const team = deps.store.team(projectId);
  for (const event of events) {
    const distinctId = String(event.distinct_id ?? asObject(event.properties)?.distinct_id);
    let person = team.byDistinctId.get(distinctId);
    if (!person) {
      // Ingestion makes a person for any distinct_id it has not seen: the trap of sending blind.
      person = deps.store.newPersonForDistinctId(team, distinctId, deps.now);
      deps.store.insert(team, person, deps.now + deps.store.listLagMs);
    }
    const properties = asObject(event.properties) ?? {};
    const set = asObject(properties.$set);
    if (set && Object.keys(set).length > 0) deps.store.queue(person, { kind: 'set', set: { ...set } });
    const unset = properties.$unset;
    const keys = (Array.isArray(unset) ? unset : typeof unset === 'string' ? [unset] : []).filter((k): k is string => typeof k === 'string');
    if (keys.length > 0) deps.store.queue(person, { kind: 'unset', keys });
  }
  return json(200, { status: 'Ok' });
}
