// One rate limiter per run, shared by every concurrent request. Like PostHog's own throttles it
// keeps sliding windows: at most N requests in any 60 s and, where a bucket has an hourly budget,
// at most M in any 3,600 s (no smoothing below that). A 429 pauses everyone.
// What the limits are by default, and how --rate-limit reads, is src/api/rate-limits.ts; how long
// a number of requests takes under them is src/api/rate-model.ts.

import type { Bucket } from './posthog-limits.js';
export type { Bucket };

export interface LimiterOptions {
  /** requests per minute per bucket; 0 or undefined turns the bucket's minute limit off */
  perMinute: Record<Bucket, number>;
  /** requests per hour per bucket; 0 or undefined: no hourly budget */
  perHour?: Partial<Record<Bucket, number>>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** the minute window's length (benchmarks scale both windows down) */
  windowMs?: number;
  /** the hour window's length */
  hourWindowMs?: number;
  /**
   * Extra wait past each window (default 0). The server counts a request when it arrives, a little
   * after we sent it, and by a varying amount: without a margin, a request sent the moment the
   * oldest leaves our window can arrive while the server's window still holds that oldest one
   * (it arrived later than it was sent too) and be refused with a 429 costing a whole second.
   */
  marginMs?: number;
  /** where the limits came from (plans name PostHog's limits or --rate-limit) */
  source?: 'posthog' | 'flag' | 'off';
}

/** What one bucket is held to. */
export interface BucketLimits {
  perMinute: number;
  perHour: number;
  minuteMs: number;
  hourMs: number;
}

export { POSTHOG_HOURLY, POSTHOG_LIMITS } from './posthog-limits.js';

/** Request start times, oldest first, with a moving head so dropping the oldest costs nothing. */
class Window {
  private stamps: number[] = [];
  private head = 0;

  constructor(
    readonly limit: number,
    readonly durationMs: number,
  ) {}


  /** Drops what left the window by `now`; returns how long until one more fits (0: now). */
  waitAt(now: number): number {
    while (this.head < this.stamps.length && this.stamps[this.head]! <= now - this.durationMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.stamps.length) {
      this.stamps = this.stamps.slice(this.head);
      this.head = 0;
    }
    if (this.stamps.length - this.head < this.limit) return 0;
    // The window holds `limit` or more (after a refund race it cannot hold more): the oldest of the
    // last `limit` must leave first.
    return this.stamps[this.stamps.length - this.limit]! + this.durationMs - now;
  }

  record(at: number): void {
    this.stamps.push(at);
  }

  remove(at: number): void {
    const index = this.stamps.lastIndexOf(at);
    if (index >= this.head) this.stamps.splice(index, 1);
  }
}

export class RateLimiter {
  private readonly windows: Record<Bucket, Window[]>;
  private pausedUntil = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly minuteMs: number;
  private readonly hourMs: number;

  constructor(private readonly options: LimiterOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.minuteMs = options.windowMs ?? 60_000;
    this.hourMs = options.hourWindowMs ?? 3_600_000;
    const windowsOf = (bucket: Bucket): Window[] => {
      const out: Window[] = [];
      const minute = options.perMinute[bucket];
      const hour = options.perHour?.[bucket] ?? 0;
      const margin = options.marginMs ?? 0;
      if (minute > 0) out.push(new Window(minute, this.minuteMs + margin));
      if (hour > 0) out.push(new Window(hour, this.hourMs + margin));
      return out;
    };
    this.windows = { read: windowsOf('read'), delete: windowsOf('delete') };
  }

  /** Where the limits came from: PostHog's defaults, --rate-limit, or --rate-limit 0. */
  get source(): 'posthog' | 'flag' | 'off' {
    return this.options.source ?? 'flag';
  }

  /** The limits a bucket is held to (0: none), for plans and the progress bar's ETA. */
  limitsOf(bucket: Bucket): BucketLimits {
    return {
      perMinute: this.options.perMinute[bucket] || 0,
      perHour: this.options.perHour?.[bucket] ?? 0,
      minuteMs: this.minuteMs,
      hourMs: this.hourMs,
    };
  }

  /**
   * Waits until a request of this bucket may start, then records it. The check and the record
   * happen in the same tick, so concurrent callers never overshoot a window.
   * `onWait` hears about waits so the caller can tell the user. Returns the time recorded (for
   * refund()), or undefined when the bucket has no limit.
   */
  async acquire(bucket: Bucket, onWait?: (ms: number, reason: 'limit' | 'pause') => void): Promise<number | undefined> {
    for (;;) {
      const now = this.now();
      if (this.pausedUntil > now) {
        const ms = this.pausedUntil - now;
        onWait?.(ms, 'pause');
        await this.sleep(ms);
        continue;
      }
      const windows = this.windows[bucket];
      if (windows.length === 0) return;
      // Every window must have room; the longest wait among them is the one that matters.
      let ms = 0;
      for (const window of windows) ms = Math.max(ms, window.waitAt(now));
      if (ms <= 0) {
        for (const window of windows) window.record(now);
        return now;
      }
      onWait?.(ms, 'limit');
      await this.sleep(Math.max(ms, 1));
    }
  }

  /**
   * The server throttled the request recorded at `at` (a 429): it did not count it (DRF's
   * SimpleRateThrottle only records the requests it lets in), so neither do we. Otherwise each
   * retry would take a second place in the window, and a run shaped to the server's limit would
   * spill into one more window: measured, 3 such 429s turned a 60 s run into 120 s.
   */
  refund(bucket: Bucket, at: number | undefined): void {
    if (at === undefined) return;
    for (const window of this.windows[bucket]) window.remove(at);
  }

  /** A 429 told us to stop: every request of the run waits this long. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }
}
