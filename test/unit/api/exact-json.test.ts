// The HTTP layer keeps integers past 2^53 exact both ways: a server answer holding one is parsed
// into ExactNumber (not rounded to the nearest double), and a request body holding one is sent as
// its digits. The server here answers raw text, so nothing on its side rounds either.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../src/api/http.js';
import { RateLimiter } from '../../../src/api/limiter.js';
import { ExactNumber } from '../../../src/json/exact.js';

const BIG = '12345678901234567890';
let answer = '';
let status = 200;
const bodies: string[] = [];
const srv: Server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    bodies.push(body);
    res.writeHead(status, { 'content-type': 'application/json' }).end(answer);
  });
});
let client: HttpClient;

beforeAll(async () => {
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  client = new HttpClient({
    host: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    apiKey: 'phx_unitTestKey_abcdefghijklmnopqrstuvwxyz',
    userAgent: 'posthog-persons/test',
    limiter: new RateLimiter({ perMinute: { read: 0, delete: 0 } }),
    retries: 0,
  });
});
afterAll(async () => {
  await client.close();
  srv.closeAllConnections();
  await new Promise((r) => srv.close(r));
});

describe('exact numbers in the HTTP layer', () => {
  it('parses an answer holding an integer past 2^53 without rounding it', async () => {
    status = 200;
    answer = `{"results":[{"properties":{"n":${BIG},"small":7,"id":"${BIG}"}}]}`;
    const res = await client.request<{ results: { properties: Record<string, unknown> }[] }>({ method: 'GET', path: '/x/', retry: 'safe' });
    const props = res.data!.results[0]!.properties;
    expect(props.n).toBeInstanceOf(ExactNumber);
    expect(String(props.n)).toBe(BIG);
    expect(props.small).toBe(7);
    expect(props.id).toBe(BIG);
  });

  it('sends a body holding an exact number as its digits', async () => {
    status = 202;
    answer = '';
    bodies.length = 0;
    await client.request({ method: 'PATCH', path: '/x/', body: { properties: { n: new ExactNumber(BIG), m: 1.5 } }, retry: 'never' });
    expect(bodies).toEqual([`{"properties":{"n":${BIG},"m":1.5}}`]);
  });

  it('an error detail quoting such a number keeps its digits', async () => {
    status = 400;
    answer = `{"type":"validation_error","code":"invalid","detail":{"n":${BIG}},"attr":null}`;
    await expect(client.request({ method: 'GET', path: '/x/', retry: 'never' })).rejects.toThrow(`PostHog answered 400: {"n":${BIG}}`);
  });
});
