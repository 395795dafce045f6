// One rate limiter per run, shared by every concurrent request. Like PostHog's own throttle it is a
// sliding window: at most N requests in any 60 s (no smoothing below that). A 429 pauses everyone.

export type Bucket = 'read' | 'delete';

export interface LimiterOptions {
  /** requests per minute per bucket; 0 or undefined turns the bucket's limit off */
  perMinute: Record<Bucket, number>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  windowMs?: number;
}

/** PostHog Cloud's documented limits for personal API keys on the persons endpoints. */
export const POSTHOG_LIMITS: Record<Bucket, number> = { read: 240, delete: 480 };

export class RateLimiter {
  private readonly stamps: Record<Bucket, number[]> = { read: [], delete: [] };
  private pausedUntil = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly windowMs: number;

  constructor(private readonly options: LimiterOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.windowMs = options.windowMs ?? 60_000;
  }

  /**
   * Waits until a request of this bucket may start, then records it. The check and the record
   * happen in the same tick, so concurrent callers never overshoot the window.
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
      const limit = this.options.perMinute[bucket];
      if (!limit) return;
      const stamps = this.stamps[bucket];
      while (stamps.length > 0 && stamps[0]! <= now - this.windowMs) stamps.shift();
      if (stamps.length < limit) {
        stamps.push(now);
        return now;
      }
      const ms = stamps[0]! + this.windowMs - now;
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
    const stamps = this.stamps[bucket];
    const index = stamps.lastIndexOf(at);
    if (index >= 0) stamps.splice(index, 1);
  }

  /** A 429 told us to stop: every request of the run waits this long. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }
}
