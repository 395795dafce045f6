// A request the server throttled (429) does not count against the server's window (DRF records
// only the requests it lets in), so it must not count against ours either: otherwise every retry
// takes a second place in the window and a run shaped to the limit spills into one more window.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../src/api/http.js';
import { RateLimiter } from '../../../src/api/limiter.js';
import { fakeClock as clock } from '../../helpers/fake-clock.js';

describe('RateLimiter.refund', () => {
  it('gives the place of a throttled request back', async () => {
    const c = clock();
    const limiter = new RateLimiter({ perMinute: { read: 0, delete: 2 }, now: c.now, sleep: c.sleep });
    await limiter.acquire('delete');
    const throttled = await limiter.acquire('delete');
    limiter.refund('delete', throttled);
    await limiter.acquire('delete'); // the refunded place
    expect(c.sleeps).toEqual([]);
    await limiter.acquire('delete'); // the window is full again: wait for the first to leave it
    expect(c.sleeps).toEqual([60_000]);
  });

  it('ignores a bucket without a limit', async () => {
    const c = clock();
    const limiter = new RateLimiter({ perMinute: { read: 0, delete: 0 }, now: c.now, sleep: c.sleep });
    const at = await limiter.acquire('read');
    expect(at).toBeUndefined();
    limiter.refund('read', at);
    expect(c.sleeps).toEqual([]);
  });
});

describe('HttpClient after a 429', () => {
  let server: Server;
  let statuses: number[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const status = statuses.shift() ?? 200;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (status === 429) headers['retry-after'] = '1';
        res.writeHead(status, headers).end(status === 429 ? '{"type":"throttled_error","code":"throttled","detail":"Request was throttled.","attr":null}' : '{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('does not count the throttled attempt in its own window', async () => {
    const c = clock();
    const limiter = new RateLimiter({ perMinute: { read: 0, delete: 2 }, now: c.now, sleep: c.sleep });
    const http = new HttpClient({
      host: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      apiKey: 'phx_unitTestKey_abcdefghijklmnopqrstuvwxyz',
      userAgent: 'posthog-persons/test',
      limiter,
      sleep: c.sleep,
    });
    try {
      statuses = [429, 200, 200];
      const post = () => http.request({ method: 'POST', path: '/bulk/', body: {}, retry: 'safe', bucket: 'delete' });
      await post(); // 429, waits its Retry-After, then 200
      await post(); // the second place in the window: no wait
      expect(c.sleeps).toEqual([1000]); // only the Retry-After: no wait for a full window
    } finally {
      await http.close();
    }
  });
});
