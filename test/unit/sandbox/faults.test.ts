import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { SANDBOX_KEYS, startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { call, P } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ persons: 20, writeLagMs: 0 });
});
afterAll(() => sb.close());
beforeEach(() => sb.clearRequests());

const auth = { Authorization: `Bearer ${SANDBOX_KEYS.all.key}` };

describe('scripted faults', () => {
  it('answers a status with PostHog’s envelope and headers, for `times` matching requests', async () => {
    sb.script({ method: 'GET', path: '/persons/', kind: 'status', status: 429, headers: { 'Retry-After': '2' }, times: 2 });
    const throttled = await call(sb, `${P}/`);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('2');
    expect(throttled.json).toEqual({
      type: 'throttled_error',
      code: 'throttled',
      detail: 'Request was throttled. Expected available in 2 seconds.',
      attr: null,
    });
    expect((await call(sb, '/api/environments/1/persons')).status).toBe(429);
    expect((await call(sb, `${P}/`)).status).toBe(200);
    expect(sb.requests.map((r) => [r.fault, r.status])).toEqual([['status', 429], ['status', 429], [undefined, 200]]);
  });

  it('matches method and path, and uses the default 500 body', async () => {
    sb.script({ method: 'POST', path: /bulk_delete/, kind: 'status', status: 500 });
    expect((await call(sb, `${P}/`)).status).toBe(200);
    const failed = await call(sb, `${P}/bulk_delete/`, { method: 'POST', body: { ids: ['x'] } });
    expect(failed.status).toBe(500);
    expect(failed.json).toEqual({ type: 'server_error', code: 'error', detail: 'A server error occurred.', attr: null });
  });

  it('resets the connection before answering, without doing the work', async () => {
    const person = sb.store.persons()[0]!;
    sb.script({ kind: 'reset', path: `/persons/${person.uuid}/` });
    await expect(fetch(`${sb.url}${P}/${person.uuid}/`, { method: 'DELETE', headers: auth })).rejects.toThrow();
    expect(sb.store.person(person.uuid)).toBeDefined();
    expect(sb.requests[0]).toMatchObject({ fault: 'reset', status: 0, route: 'destroy' });
  });

  it('cuts a body mid-way after doing the work (reset-mid-body)', async () => {
    const person = sb.store.persons()[0]!;
    sb.script({ kind: 'reset-mid-body' });
    const response = await fetch(`${sb.url}${P}/bulk_delete/`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ids: [person.uuid] }),
    });
    expect(response.status).toBe(202);
    await expect(response.text()).rejects.toThrow();
    expect(sb.store.person(person.uuid)).toBeUndefined();
  });

  it('sends truncated JSON, an HTML proxy page, a non-JSON body and a redirect', async () => {
    sb.script({ kind: 'truncated-json' }, { kind: 'html' }, { kind: 'non-json' }, { kind: 'redirect' });
    const truncated = await call(sb, `${P}/?limit=2`);
    expect(truncated.status).toBe(200);
    expect(truncated.text.startsWith('{"results":[')).toBe(true);
    expect(() => JSON.parse(truncated.text)).toThrow();

    const html = await call(sb, `${P}/`);
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toBe('text/html');
    expect(html.text).toContain('502 Bad Gateway');

    const text = await call(sb, `${P}/`);
    expect(text.status).toBe(200);
    expect(text.headers.get('content-type')).toBe('text/plain');
    expect(text.text).toBe('OK');

    const redirect = await call(sb, `${P}/?limit=1`);
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get('location')).toBe(`http://127.0.0.2:${sb.port}${P}/?limit=1`);
  });

  it('delays headers after doing the work (slow-headers), or delays the whole request (latency)', async () => {
    const person = sb.store.persons()[0]!;
    sb.script({ kind: 'slow-headers', delayMs: 150 });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 50);
    await expect(
      fetch(`${sb.url}${P}/${person.uuid}/`, { method: 'PATCH', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{"properties":{"slow":true}}', signal: controller.signal }),
    ).rejects.toThrow();
    clearTimeout(timer);
    expect(sb.store.person(person.uuid)!.properties.slow).toBe(true);

    sb.script({ kind: 'latency', delayMs: 100 });
    const started = Date.now();
    expect((await call(sb, `${P}/?limit=1`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
  });
});

describe('random failures and latency', () => {
  async function statuses(seed: number): Promise<number[]> {
    const flaky = await startSandbox({ persons: 5, seed, failRate: 0.5 });
    try {
      const out: number[] = [];
      for (let i = 0; i < 16; i++) out.push((await call(flaky, `${P}/?limit=1`)).status);
      expect(flaky.requests.filter((r) => r.fault === 'fail-rate')).toHaveLength(out.filter((s) => s !== 200).length);
      return out;
    } finally {
      await flaky.close();
    }
  }

  it('fails a seeded, repeatable fraction of requests with 5xx', async () => {
    const first = await statuses(7);
    expect(await statuses(7)).toEqual(first);
    expect(first.filter((s) => s !== 200).every((s) => [500, 502, 503, 504].includes(s))).toBe(true);
    expect(first.some((s) => s !== 200) && first.some((s) => s === 200)).toBe(true);
  });

  it('adds latency to every response', async () => {
    sb.setOptions({ latencyMs: 60 });
    try {
      const started = Date.now();
      await call(sb, `${P}/?limit=1`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    } finally {
      sb.setOptions({ latencyMs: 0 });
    }
  });
});

describe('control surface', () => {
  it('exposes health, the request log and fault scripting over HTTP, unlogged and without auth', async () => {
    const health = await fetch(`${sb.url}/_sandbox/health`);
    expect(health.status).toBe(200);
    expect((await health.json()).ok).toBe(true);

    const queued = await fetch(`${sb.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify([{ kind: 'status', status: 503, path: '/persons' }]) });
    expect(queued.status).toBe(201);
    expect((await call(sb, `${P}/`)).status).toBe(503);

    const log = await (await fetch(`${sb.url}/_sandbox/requests`)).json();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ method: 'GET', path: `${P}/`, status: 503, fault: 'status', keyLabel: 'all' });
    expect((await fetch(`${sb.url}/_sandbox/requests`, { method: 'DELETE' })).status).toBe(204);
    expect(sb.requests).toHaveLength(0);
  });
});
