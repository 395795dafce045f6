import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, SANDBOX_KEYS, type Sandbox } from '../../src/sandbox/index.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ persons: 30, writeLagMs: 0 });
});
beforeEach(() => sandbox.clearRequests());
afterAll(() => sandbox.close());

const listPath = '/persons/';

describe('HTTP behaviour end to end', () => {
  it('429 then success: waits for Retry-After and finishes', async () => {
    sandbox.script({ path: listPath, kind: 'status', status: 429, headers: { 'Retry-After': '1' } });
    // The CLI waits on its own clock, which moves forward at once: no real second goes by.
    const clock = fakeClock();
    const started = clock.now();
    const r = await runInProcess(['list', '--limit', '3', '--fields', 'uuid'], { sandbox, clock });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
    expect(clock.now() - started).toBeGreaterThanOrEqual(1000);
    expect(sandbox.requests.map((q) => q.status)).toEqual([429, 200]);
  });

  it('5xx then success on a read', async () => {
    sandbox.script({ path: listPath, kind: 'status', status: 503, times: 2 });
    const r = await runInProcess(['list', '--limit', '1', '--fields', 'uuid'], { sandbox });
    expect(r.code).toBe(0);
    expect(sandbox.requests.map((q) => q.status)).toEqual([503, 503, 200]);
  });

  it('5xx until the retries run out: exit 1 with the status and detail', async () => {
    sandbox.script({ path: listPath, kind: 'status', status: 500, times: 3 });
    const r = await runInProcess(['list', '--retries', '2'], { sandbox });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: PostHog answered 500: A server error occurred.\nPostHog is having trouble; try again later.\n');
    expect(sandbox.requests).toHaveLength(3);
  });

  it('429 until the retries run out: exit 6', async () => {
    sandbox.script({ path: listPath, kind: 'status', status: 429, headers: { 'Retry-After': '0' }, times: 2 });
    const r = await runInProcess(['list', '--retries', '1'], { sandbox });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('PostHog kept rate limiting the requests (429)');
  });

  it('response headers slower than --timeout: retried, then exit 1 naming the timeout', async () => {
    sandbox.script({ path: listPath, kind: 'slow-headers', delayMs: 3000, times: 2 });
    const r = await runInProcess(['list', '--timeout', '1', '--retries', '1'], { sandbox });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no response within the 1 s timeout');
    expect(sandbox.requests).toHaveLength(2);
  });

  it('401 and 403: exit 4 with the server detail and a hint, never retried', async () => {
    const r401 = await runInProcess(['list'], { sandbox, key: 'phx_revokedrevokedrevokedrevokedrevoked1234' });
    expect(r401.code).toBe(4);
    expect(r401.stderr).toBe(
      'error: PostHog rejected the API key (401): Personal API key found in request Authorization header is invalid.\n' +
        'Check the key, or create a personal API key under Settings > Personal API keys and run `posthog-persons auth login`.\n',
    );
    expect(sandbox.requests).toHaveLength(1);
  });

  it('--debug logs requests and retries to stderr with the key redacted', async () => {
    sandbox.script({ path: listPath, kind: 'status', status: 502 });
    const key = SANDBOX_KEYS.all.key;
    const r = await runInProcess(['list', '--limit', '1', '--debug'], { sandbox, key });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`[debug] → GET ${sandbox.url}/api/projects/1/persons/?limit=1 (attempt 1/6)`);
    expect(r.stderr).toContain('[debug] ← 502');
    expect(r.stderr).toContain('[debug] retry 2/6');
    expect(r.stderr).toContain('authorization: Bearer phx_sand…cJGG');
    expect(r.stdout + r.stderr).not.toContain(key);
  });

  it('a redirect to another origin is not followed with the key', async () => {
    sandbox.script({ path: listPath, kind: 'redirect', location: 'http://127.0.0.2:9/api/projects/1/persons/' });
    const r = await runInProcess(['list'], { sandbox });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('redirecting to http://127.0.0.2:9; not followed, because the request carries your API key');
    expect(sandbox.requests).toHaveLength(1);
  });
});
