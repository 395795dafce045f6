import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, formatQuery, parseRetryAfter } from '../../../src/api/http.js';
import { RateLimiter } from '../../../src/api/limiter.js';
import { parseEnvelope } from '../../../src/api/envelope.js';
import { ApiError, AuthError, NotFoundError, RateLimitError } from '../../../src/errors.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
interface Seen {
  method: string;
  url: string;
  authorization?: string;
  userAgent?: string;
}

function server() {
  let handlers: Handler[] = [];
  const seen: Seen[] = [];
  const srv: Server = createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, userAgent: req.headers['user-agent'] });
    const handler = handlers.shift() ?? ((_q, r) => r.writeHead(500).end('no handler'));
    req.resume();
    req.on('end', () => handler(req, res));
  });
  return {
    srv,
    seen,
    script: (...h: Handler[]) => (handlers = h),
    /** Like gh's httpmock Verify: how many scripted answers the test left unused (and forgets them). */
    verify: () => {
      const unused = handlers.length;
      handlers = [];
      return unused;
    },
    url: () => `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
  };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
};

const KEY = 'phx_unitTestKey_abcdefghijklmnopqrstuvwxyz';
const main = server();
const other = server();
const clients: HttpClient[] = [];
let debugLines: string[] = [];
let notices: string[] = [];
let sleeps: number[] = [];

let fakeNow = 0;
const fakeSleep = async (ms: number) => {
  sleeps.push(ms);
  fakeNow += ms;
};

function client(options: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) {
  const c = new HttpClient({
    host: main.url(),
    apiKey: KEY,
    userAgent: 'posthog-persons/test',
    limiter: new RateLimiter({ perMinute: { read: 0, delete: 0 }, sleep: fakeSleep, now: () => fakeNow }),
    debug: (line) => debugLines.push(line),
    notice: (line) => notices.push(line),
    sleep: fakeSleep,
    random: () => 0.5,
    ...options,
  });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  await new Promise<void>((r) => main.srv.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => other.srv.listen(0, '127.0.0.1', r));
});
afterEach(async () => {
  // A scripted answer nobody asked for means the client sent fewer requests than the test thinks.
  const unused = { main: main.verify(), other: other.verify() };
  expect(unused, 'scripted answers the test left unused').toEqual({ main: 0, other: 0 });
  main.seen.length = 0;
  other.seen.length = 0;
  debugLines = [];
  notices = [];
  sleeps = [];
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  main.srv.closeAllConnections();
  other.srv.closeAllConnections();
  await new Promise((r) => main.srv.close(r));
  await new Promise((r) => other.srv.close(r));
});

describe('HttpClient', () => {
  it('sends the key, the user agent and JSON, and parses the answer', async () => {
    main.script(json(200, { results: [1] }));
    const res = await client().request<{ results: number[] }>({ method: 'GET', path: '/api/x/', query: { limit: 5, include_total: true, skip: undefined }, retry: 'safe' });
    expect(res.data).toEqual({ results: [1] });
    expect(main.seen).toEqual([{ method: 'GET', url: '/api/x/?limit=5&include_total=', authorization: `Bearer ${KEY}`, userAgent: 'posthog-persons/test' }]);
  });

  it('retries 5xx on safe requests with exponential backoff and jitter, then succeeds', async () => {
    main.script(json(503, { detail: 'busy' }), json(502, {}), json(200, { ok: true }));
    const res = await client({ backoffBaseMs: 100 }).request({ method: 'GET', path: '/', retry: 'safe' });
    expect(res.data).toEqual({ ok: true });
    expect(main.seen).toHaveLength(3);
    expect(sleeps).toEqual([75, 150]); // half fixed, half random (0.5): 100→75, 200→150
  });

  // The fault matrix's 429-no-retry-after row checks the same schedule against a real process,
  // with lower bounds only; here its upper ends are exact, at both extremes of the jitter.
  it.each([
    { random: 0, waits: [200, 400] },
    { random: 0.999_999, waits: [400, 800] },
  ])('backs off 429 without Retry-After on a 400 ms base: first wait 200-400 ms, second 400-800 ms (random $random)', async ({ random, waits }) => {
    const throttled = json(429, { type: 'throttled_error', code: 'throttled', detail: 'Request was throttled.', attr: null });
    main.script(throttled, throttled, json(200, { ok: true }));
    const res = await client({ backoffBaseMs: 400, random: () => random }).request({ method: 'GET', path: '/', retry: 'safe' });
    expect(res.data).toEqual({ ok: true });
    expect(main.seen).toHaveLength(3);
    expect(sleeps).toEqual(waits);
  });

  it('does not retry 5xx on requests that are not safe to repeat', async () => {
    main.script(json(500, { type: 'server_error', code: 'error', detail: 'A server error occurred.', attr: null }));
    const error = await client().request({ method: 'POST', path: '/split/', retry: 'never' }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe('PostHog answered 500: A server error occurred.');
    expect(main.seen).toHaveLength(1);
  });

  it('always retries 429, waits Retry-After and announces long waits', async () => {
    main.script(json(429, { type: 'throttled_error', code: 'throttled', detail: 'Request was throttled. Expected available in 7 seconds.', attr: null }, { 'Retry-After': '7' }), json(202, {}));
    const res = await client().request({ method: 'POST', path: '/split/', retry: 'never' });
    expect(res.status).toBe(202);
    expect(sleeps).toContain(7000);
    expect(notices).toEqual(['Rate limited by PostHog (429); retrying in 7.0 s (attempt 2 of 6).']);
  });

  it('gives up on 429 after the retries with a RateLimitError (exit 6)', async () => {
    const throttled = json(429, { detail: 'Request was throttled.' }, { 'Retry-After': '1' });
    main.script(throttled, throttled, throttled);
    const error = await client({ retries: 2 }).request({ method: 'GET', path: '/', retry: 'safe' }).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.exitCode).toBe(6);
    expect(main.seen).toHaveLength(3);
  });

  it('maps 401, 403 and 404 without retrying', async () => {
    main.script(
      json(401, { type: 'authentication_error', code: 'authentication_failed', detail: 'Personal API key found in request Authorization header is invalid.', attr: null }),
      json(403, { type: 'authentication_error', code: 'permission_denied', detail: "API key missing required scope 'person:write'", attr: null }),
      json(404, { type: 'invalid_request', code: 'not_found', detail: 'Not found.', attr: null }),
    );
    const c = client();
    const e401 = await c.request({ method: 'GET', path: '/', retry: 'safe' }).catch((e) => e);
    const e403 = await c.request({ method: 'GET', path: '/', retry: 'safe' }).catch((e) => e);
    const e404 = await c.request({ method: 'GET', path: '/', retry: 'safe' }).catch((e) => e);
    expect(e401).toBeInstanceOf(AuthError);
    expect(e401.message).toBe('PostHog rejected the API key (401): Personal API key found in request Authorization header is invalid.');
    expect(e403).toBeInstanceOf(AuthError);
    expect(e403.hint).toBe('Create a personal API key that has the person:write scope (person:write also grants person:read).');
    expect(e404).toBeInstanceOf(NotFoundError);
    expect(main.seen).toHaveLength(3);
  });

  it('does not follow a redirect to another origin (the key stays home)', async () => {
    main.script((_req, res) => res.writeHead(307, { location: `${other.url()}/api/steal` }).end());
    const error = await client().request({ method: 'GET', path: '/', retry: 'safe' }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe(
      `PostHog answered 307 redirecting to ${other.url()}; not followed, because the request carries your API key`,
    );
    expect(other.seen).toHaveLength(0);
  });

  it('follows a same-origin redirect', async () => {
    main.script((_req, res) => res.writeHead(301, { location: '/api/moved/' }).end(), json(200, { moved: true }));
    const res = await client().request({ method: 'GET', path: '/api/old', retry: 'safe' });
    expect(res.data).toEqual({ moved: true });
    expect(main.seen.map((s) => s.url)).toEqual(['/api/old', '/api/moved/']);
  });

  it('reports a non-JSON 200 body with its first bytes', async () => {
    main.script((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('OK'));
    const error = await client().request({ method: 'GET', path: '/', retry: 'safe' }).catch((e) => e);
    expect(error.message).toBe('PostHog answered 200 with a body that is not valid JSON: "OK"');
    expect(error.exitCode).toBe(1);
  });

  it('reports an HTML error page from a proxy after retrying', async () => {
    const html: Handler = (_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    main.script(html, html);
    const error = await client({ retries: 1 }).request({ method: 'GET', path: '/', retry: 'safe' }).catch((e) => e);
    expect(error.message).toBe('PostHog answered 502 with an HTML page: "<html><body><h1>502 Bad Gateway</h1></body></html>"');
    expect(main.seen).toHaveLength(2);
  });

  it('times out slow response headers, retries, then names the timeout', async () => {
    const slow: Handler = (_req, res) => setTimeout(() => res.writeHead(200).end('{}'), 2500);
    main.script(slow, slow);
    const error = await client({ retries: 1, timeoutMs: 1000 }).request({ method: 'GET', path: '/', retry: 'safe' }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe(`could not complete the request to ${main.url()}: no response within the 1 s timeout`);
    expect(main.seen).toHaveLength(2);
  });

  it('never writes the key into the debug log', async () => {
    main.script(json(503, {}), json(200, {}));
    await client().request({ method: 'POST', path: '/', body: { personal_api_key: KEY }, retry: 'safe' });
    const log = debugLines.join('\n');
    expect(log).toContain('authorization: Bearer phx_unit…wxyz');
    expect(log).toContain('retry 2/6');
    expect(log).not.toContain(KEY);
  });
});

describe('helpers', () => {
  it('parses Retry-After in seconds and as a date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString())).toBeGreaterThan(8000);
  });
  it('formats queries, dropping undefined and false, presence-only true', () => {
    expect(formatQuery({ a: 1, b: undefined, c: false, d: true, e: 'x y' })).toBe('?a=1&d=&e=x+y');
  });
  it('reads the swapped code/detail body of update_property', () => {
    expect(parseEnvelope('{"attr":"value","code":"This field is required.","detail":"required","type":"validation_error"}')).toEqual({
      type: 'validation_error',
      code: 'required',
      detail: 'This field is required.',
      attr: 'value',
    });
  });
  it('reads the {"error"} envelope and DRF field errors', () => {
    expect(parseEnvelope('{"error":"Person with distinct_id \'x\' not found"}')?.detail).toBe("Person with distinct_id 'x' not found");
    expect(parseEnvelope('{"distinct_ids_to_split":["must be a list of strings"]}')?.detail).toBe('distinct_ids_to_split: must be a list of strings');
  });
});
