// The limiter's per-hour budgets: a bucket may have a sliding 3,600 s window as well as its 60 s
// one, and a request waits until both have room (PostHog Cloud's deletes: 480 a minute and 4,800
// an hour).
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/api/limiter.js';
import { fakeClock } from '../../helpers/fake-clock.js';

describe('RateLimiter per-hour budgets', () => {
  it('lets at most M requests start in any hour, even when the minute window has room', async () => {
    const c = fakeClock();
    const limiter = new RateLimiter({ perMinute: { read: 0, delete: 5 }, perHour: { read: 0, delete: 10 }, now: c.now, sleep: c.sleep });
    const starts: number[] = [];
    for (let i = 0; i < 21; i++) {
      await limiter.acquire('delete');
      starts.push(c.now());
    }
    // 5 at 0, 5 at 60 s (the minute window), then the hour is used up: the next 10 wait for the first
    // ones to leave the hour window (3,600 s after they started).
    expect(starts).toEqual([
      ...Array(5).fill(0),
      ...Array(5).fill(60_000),
      ...Array(5).fill(3_600_000),
      ...Array(5).fill(3_660_000),
      7_200_000,
    ]);
  });

  it('keeps the hour budget per bucket: reads are not held up by deletes', async () => {
    const c = fakeClock();
    const limiter = new RateLimiter({ perMinute: { read: 0, delete: 0 }, perHour: { read: 0, delete: 2 }, now: c.now, sleep: c.sleep });
    await limiter.acquire('delete');
    await limiter.acquire('delete');
    for (let i = 0; i < 50; i++) await limiter.acquire('read');
    expect(c.sleeps).toEqual([]);
    await limiter.acquire('delete');
    expect(c.sleeps).toEqual([3_600_000]);
  });

  it('refunds a throttled request from both windows', async () => {
    const c = fakeClock();
    const limiter = new RateLimiter({ perMinute: { read: 0, delete: 0 }, perHour: { read: 0, delete: 1 }, now: c.now, sleep: c.sleep });
    const at = await limiter.acquire('delete');
    limiter.refund('delete', at);
    await limiter.acquire('delete');
    expect(c.sleeps).toEqual([]);
  });

  it('tells what it enforces, for plans', () => {
    const limiter = new RateLimiter({ perMinute: { read: 240, delete: 480 }, perHour: { read: 0, delete: 4800 } });
    expect(limiter.limitsOf('delete')).toEqual({ perMinute: 480, perHour: 4800, minuteMs: 60_000, hourMs: 3_600_000 });
    expect(limiter.limitsOf('read')).toEqual({ perMinute: 240, perHour: 0, minuteMs: 60_000, hourMs: 3_600_000 });
  });
});

describe('RateLimiter margin', () => {
  it('waits a margin past the window, so a request the server sees a little later than we sent it is not counted in the old window', async () => {
    const c = fakeClock();
    const limiter = new RateLimiter({ perMinute: { read: 2, delete: 0 }, perHour: { read: 3, delete: 0 }, marginMs: 100, now: c.now, sleep: c.sleep });
    for (let i = 0; i < 4; i++) await limiter.acquire('read');
    expect(c.sleeps).toEqual([60_100, 3_600_100 - 60_100]);
  });
});
