// A hostile or broken server must not hang or exhaust the HTTP layer: a body that drips, a body
// that never ends or is far too large, redirects that go round in circles.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../src/api/http.js';
import { RateLimiter } from '../../../src/api/limiter.js';
import { ApiError } from '../../../src/errors.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let handler: Handler = (_req, res) => res.end();
const seen: string[] = [];
const srv: Server = createServer((req, res) => {
  seen.push(`${req.method} ${req.url}`);
  res.on('error', () => undefined);
  handler(req, res);
});
const url = () => `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
const KEY = 'phx_unitTestKey_abcdefghijklmnopqrstuvwxyz';
const clients: HttpClient[] = [];
const timers: NodeJS.Timeout[] = [];

function client(options: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient {
  const c = new HttpClient({
    host: url(),
    apiKey: KEY,
    userAgent: 'posthog-persons/test',
    limiter: new RateLimiter({ perMinute: { read: 0, delete: 0 } }),
    sleep: async () => undefined,
    retries: 0,
    ...options,
  });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
});
afterEach(() => {
  seen.length = 0;
  timers.splice(0).forEach(clearInterval);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close(true)));
  srv.closeAllConnections();
  await new Promise((r) => srv.close(r));
});

const get = (c: HttpClient) => c.request({ method: 'GET', path: '/api/projects/1/persons/', retry: 'safe' });

describe('response body deadline', () => {
  it('a body that drips one byte at a time fails at the deadline, not the inactivity timeout', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      timers.push(setInterval(() => res.write(' '), 50));
    };
    const started = Date.now();
    const error = await get(client({ timeoutMs: 600 })).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe(`could not complete the request to ${url()}: the response body did not arrive in full within the 0.6 s timeout`);
    expect((error as ApiError).hint).toBe('PostHog may be slow or unreachable; try again later, or raise --timeout.');
    expect((error as ApiError).code).toBe('BODY_DEADLINE');
    // A real socket and the HTTP layer's real timers, so only a lower bound (the deadline did
    // fire, and not early). No upper bound: the error code says the deadline fired rather than
    // the inactivity timeout, which the drip keeps from ever firing, and a hang would hit the
    // test's own timeout long before the drip's 50 s end.
    expect(elapsed).toBeGreaterThanOrEqual(550);
  });

  it('is retried like other timeouts on requests that are safe to repeat', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      timers.push(setInterval(() => res.write(' '), 50));
    };
    const error = await get(client({ timeoutMs: 300, retries: 1 })).catch((e: unknown) => e);
    expect((error as ApiError).code).toBe('BODY_DEADLINE');
    expect(seen).toHaveLength(2);
  });

  it('a body that arrives in time is read whole', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"results":');
      setTimeout(() => res.end('[1,2]}'), 100);
    };
    expect((await get(client({ timeoutMs: 2000 }))).data).toEqual({ results: [1, 2] });
  });
});

describe('response body size cap', () => {
  const MiB = 1024 * 1024;

  it('a body larger than the cap is refused once the cap is passed, without retrying', async () => {
    // 3 MiB of valid JSON, without a Content-Length: the size is only known by reading
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"results":["${'x'.repeat(3 * MiB)}"]}`);
    };
    const error = await get(client({ maxBodyBytes: MiB, retries: 3 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe(`the response from ${url()} was larger than 1 MiB; stopped reading it`);
    expect((error as ApiError).hint).toBe('No page of persons is that large: a server or proxy is sending something else; check --host.');
    expect(seen).toHaveLength(1);
  });

  it('a body that never ends is cut off at the cap', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 'y');
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.write('{"results":["');
      pump();
    };
    const error = await get(client({ maxBodyBytes: 2 * MiB })).catch((e: unknown) => e);
    expect((error as ApiError).message).toBe(`the response from ${url()} was larger than 2 MiB; stopped reading it`);
  });

  it('a Content-Length above the cap is refused before reading the body', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(5 * MiB) });
      res.write('{');
    };
    const error = await get(client({ maxBodyBytes: MiB })).catch((e: unknown) => e);
    expect((error as ApiError).message).toBe(`the response from ${url()} was larger than 1 MiB; stopped reading it`);
  });

  it('a body just under the cap is read', async () => {
    const body = `{"results":["${'z'.repeat(MiB - 20)}"]}`;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MiB);
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    const res = await get(client({ maxBodyBytes: MiB }));
    expect((res.data as { results: string[] }).results[0]).toHaveLength(MiB - 20);
  });

  it('the default cap is 128 MiB', () => {
    expect(client().maxBodyBytes).toBe(128 * MiB);
  });
});

describe('redirect loops', () => {
  it('a redirect to a URL already reached through a redirect stops with a clear message', async () => {
    handler = (req, res) => {
      const next = req.url === '/api/projects/1/persons/' ? '/api/b/' : '/api/projects/1/persons/';
      res.writeHead(307, { location: `${url()}${next}` }).end();
    };
    const error = await get(client()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe('PostHog redirected the request in a loop (back to /api/b/); stopped following it');
    expect((error as ApiError).hint).toBe('Check --host: a proxy or load balancer in front of PostHog may be misconfigured.');
    expect(seen).toEqual(['GET /api/projects/1/persons/', 'GET /api/b/', 'GET /api/projects/1/persons/']);
  });

  it('a chain of same-origin redirects longer than 3 stops with a clear message', async () => {
    let n = 0;
    handler = (_req, res) => res.writeHead(302, { location: `/api/hop-${++n}/` }).end();
    const error = await get(client()).catch((e: unknown) => e);
    expect((error as ApiError).message).toBe('PostHog redirected the request more than 3 times (last to /api/hop-4/); stopped following it');
    expect(seen).toHaveLength(4);
  });
});
