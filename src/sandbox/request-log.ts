// Reading a request off the wire: its body, how DRF would classify it, and the log entry the
// sandbox keeps. Keys are never stored: the log names which sandbox key was used instead.

import type { IncomingMessage } from 'node:http';

import { parseExact } from '../json/exact.js';
import { findKey } from './auth.js';
import type { BodyState } from './context.js';
import { findSandboxKey } from './keys.js';
import { resolveRoute } from './routes.js';
import type { RequestLogEntry } from './types.js';

/** Far above PostHog's 20 MB limit; only a guard against runaway clients. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('Request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface ParsedBody {
  state: BodyState;
  /** What the log shows: the parsed JSON, else the raw text, else undefined. */
  logged: unknown;
  /** The body as sent (JSON.parse rounds integers past 2^53; tests of exact digits read this). */
  text?: string;
}

/** DRF's JSONParser accepts application/json only; anything else with a body is a 415. */
export function parseBody(raw: Buffer, contentType: string | undefined): ParsedBody {
  if (raw.length === 0) return { state: { kind: 'none' }, logged: undefined };
  const text = raw.toString('utf8');
  let value: unknown;
  let error: string | null = null;
  try {
    // Integers past 2^53 are kept as ExactNumber, as PostHog (Python ints) keeps them.
    value = parseExact(text);
  } catch (e) {
    error = (e as Error).message;
  }
  const logged = error === null ? value : text;
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (media !== 'application/json') return { state: { kind: 'unsupported', text, contentType: contentType ?? '' }, logged, text };
  if (error !== null) return { state: { kind: 'invalid', text, message: error }, logged, text };
  return { state: { kind: 'json', value }, logged, text };
}

const REDACTED = '[redacted]';

function redactBody(body: unknown): unknown {
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'personal_api_key' in body) {
    return { ...(body as Record<string, unknown>), personal_api_key: REDACTED };
  }
  return body;
}

export function redactQuery(rawQuery: string): string {
  return rawQuery.replace(/(^|&)(personal_api_key=)[^&]*/g, `$1$2${REDACTED}`);
}

export function logEntry(req: IncomingMessage, path: string, rawQuery: string, body: ParsedBody): RequestLogEntry {
  const method = req.method ?? 'GET';
  const params = new URLSearchParams(rawQuery);
  const query: Record<string, string> = {};
  for (const [name, value] of params) query[name] = name === 'personal_api_key' ? REDACTED : value;
  const key = findKey(req.headers, body.state.kind === 'json' ? body.state.value : undefined, params);
  const shown = redactBody(body.logged);
  return {
    time: new Date().toISOString(),
    method,
    path,
    route: resolveRoute(method, path)?.name ?? 'unknown',
    query,
    rawQuery: redactQuery(rawQuery),
    body: shown,
    // Only when nothing had to be redacted: the raw text would still hold it.
    ...(shown === body.logged && body.text !== undefined ? { rawBody: body.text } : {}),
    keyLabel: key ? (findSandboxKey(key.value)?.label ?? null) : null,
    userAgent: req.headers['user-agent'],
    hasAuthorization: req.headers.authorization !== undefined,
    status: 0,
  };
}
