import { describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../../../src/api/limiter.js';
import { fakeClock as clock } from '../../helpers/fake-clock.js';

describe('RateLimiter (sliding window)', () => {
  it('lets N requests through in a window, then waits for the oldest to leave it', async () => {
    const c = clock();
    const limiter = new RateLimiter({ perMinute: { read: 3, delete: 0 }, now: c.now, sleep: c.sleep });
    for (let i = 0; i < 3; i++) {
      await limiter.acquire('read');
      c.advance(1000);
    }
    expect(c.sleeps).toEqual([]);
    await limiter.acquire('read'); // at t=3000 the first stamp (t=0) leaves the window at t=60000
    expect(c.sleeps).toEqual([57_000]);
  });

  it('never lets more than N start in any 60 s window, even with many concurrent callers', async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const limiter = new RateLimiter({ perMinute: { read: 10, delete: 0 } });
      const starts: number[] = [];
      const all = Promise.all(Array.from({ length: 35 }, () => limiter.acquire('read').then(() => starts.push(Date.now()))));
      await vi.runAllTimersAsync();
      await all;
      expect(starts).toHaveLength(35);
      for (const t of starts) expect(starts.filter((s) => s > t - 60_000 && s <= t).length).toBeLessThanOrEqual(10);
      // and no slower than the window allows: 35 requests at 10 a minute start within 3 minutes
      expect(Math.max(...starts)).toBe(180_000);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps buckets apart, and 0 turns a bucket off', async () => {
    const c = clock();
    const limiter = new RateLimiter({ perMinute: { read: 1, delete: 0 }, now: c.now, sleep: c.sleep });
    await limiter.acquire('read');
    for (let i = 0; i < 100; i++) await limiter.acquire('delete');
    expect(c.sleeps).toEqual([]);
  });

  it('pauses every bucket after a 429 for its Retry-After', async () => {
    const c = clock();
    const limiter = new RateLimiter({ perMinute: { read: 0, delete: 0 }, now: c.now, sleep: c.sleep });
    limiter.pause(5000);
    const waits: Array<[number, string]> = [];
    await limiter.acquire('delete', (ms, why) => waits.push([ms, why]));
    await limiter.acquire('read');
    expect(waits).toEqual([[5000, 'pause']]);
    expect(c.now()).toBe(5000);
  });
});
