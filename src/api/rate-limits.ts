// What the run's rate limiter holds each bucket to: PostHog Cloud's limits unless --rate-limit
// says otherwise, and how --rate-limit reads.
//
// Every host starts at Cloud's limits, self-hosted ones too: the tool cannot see a server's
// release, a current self-hosted server usually has no limit at all (rate limiting is off there
// by default), and holding every run to the slowest release's 1,200 an hour would make a 50,000-
// person write take two days where it need not. An older self-hosted server that does throttle
// answers 429 with Retry-After, which the HTTP layer honours (and announces when it is long);
// plans for a self-hosted host also state the time under that release's limits. `--rate-limit
// 180/min,1200/hour` holds a run to them from the start; `--rate-limit 0` turns the limiter off.
import { InvalidArgumentError } from 'commander';
import { POSTHOG_HOURLY, POSTHOG_LIMITS, type Bucket } from './posthog-limits.js';

/** --rate-limit as given: one or both of the limits, or everything off. */
export interface RateLimitFlag {
  perMinute?: number;
  perHour?: number;
  off?: boolean;
}

export interface LimiterLimits {
  perMinute: Record<Bucket, number>;
  perHour: Record<Bucket, number>;
  /** where they came from: PostHog's defaults, --rate-limit, or --rate-limit 0 */
  source: 'posthog' | 'flag' | 'off';
}

/** An older self-hosted release's per-user limits on reads and writes (the persons endpoints). */
export const OLDER_SERVER_LIMITS = { perMinute: 180, perHour: 1200 } as const;

const MAX_RATE = 100_000;
const FORMS = 'use N (a minute), N/min, N/hour or N/min,M/hour';

/** Commander's parser for --rate-limit: `N`, `N/min`, `N/hour`, `N/min,M/hour`, or `0` (off). */
export function parseRateLimit(text: string): RateLimitFlag {
  const flag: RateLimitFlag = {};
  const parts = text.split(',').map((part) => part.trim());
  for (const part of parts) {
    const match = /^(-?\d+)(?:\s*\/\s*(min|minute|hour))?$/.exec(part);
    if (!match) throw new InvalidArgumentError(`--rate-limit ${JSON.stringify(text)}: ${JSON.stringify(part)} is not a rate; ${FORMS}`);
    const n = Number(match[1]);
    if (n < 0 || n > MAX_RATE) throw new InvalidArgumentError(`--rate-limit must be between 0 and ${MAX_RATE}, not ${JSON.stringify(part)}`);
    const key = match[2] === 'hour' ? 'perHour' : 'perMinute';
    if (flag[key] !== undefined) {
      throw new InvalidArgumentError(`--rate-limit ${JSON.stringify(text)}: the ${key === 'perHour' ? 'per-hour' : 'per-minute'} limit is given twice`);
    }
    flag[key] = n;
  }
  if (flag.perMinute === 0 || flag.perHour === 0) {
    if (parts.length > 1) throw new InvalidArgumentError(`--rate-limit ${JSON.stringify(text)}: 0 turns every limit off, so it stands alone`);
    return { off: true };
  }
  return flag;
}

/** The limiter's limits for a run: PostHog's, changed by what --rate-limit gives. */
export function limiterLimits(given: RateLimitFlag | number | undefined): LimiterLimits {
  const flag = typeof given === 'number' ? (given === 0 ? { off: true } : { perMinute: given }) : given;
  if (flag?.off) return { perMinute: { read: 0, delete: 0 }, perHour: { read: 0, delete: 0 }, source: 'off' };
  if (flag === undefined || (flag.perMinute === undefined && flag.perHour === undefined)) {
    return { perMinute: { ...POSTHOG_LIMITS }, perHour: { ...POSTHOG_HOURLY }, source: 'posthog' };
  }
  return {
    perMinute: flag.perMinute !== undefined ? { read: flag.perMinute, delete: flag.perMinute } : { ...POSTHOG_LIMITS },
    perHour: flag.perHour !== undefined ? { read: flag.perHour, delete: flag.perHour } : { ...POSTHOG_HOURLY },
    source: 'flag',
  };
}
