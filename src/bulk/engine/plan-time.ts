// The plan's line about time: how many requests a run needs and the shortest time the run's rate
// limits allow for them (src/api/rate-model.ts), said in the dry run and before the confirmation:
// "6,000 bulk_delete requests: at least 1 h 2 min at PostHog's 4,800 an hour."
// A run the limits do not slow down (every request fits in the first window) gets no line.
import type { PersonsApi } from '../../api/persons.js';
import type { Bucket, BucketLimits } from '../../api/limiter.js';
import { OLDER_SERVER_LIMITS } from '../../api/rate-limits.js';
import { formatLimitDuration, limitBoundMs, runLimitBoundMs } from '../../api/rate-model.js';
import { plural } from '../../output/message-text.js';

/** Some of a run's requests: how many, of which bucket, and what to call them ("lookup"). */
export interface PlannedRequests {
  bucket: Bucket;
  count: number;
  /** singular noun: "bulk_delete request", "lookup", "write" */
  noun: string;
}

/** The line, or undefined when the limits add no waiting (or there are none). */
export function planTimeLine(api: PersonsApi, parts: PlannedRequests[]): string | undefined {
  const limiter = api.http.limiter;
  if (limiter.source === 'off') return undefined;
  const byBucket = new Map<Bucket, PlannedRequests[]>();
  for (const part of parts) if (part.count > 0) byBucket.set(part.bucket, [...(byBucket.get(part.bucket) ?? []), part]);
  // The buckets are limited apart: the slowest one bounds the run, and the line is about it.
  let slowest: { bucket: Bucket; ms: number; count: number } | undefined;
  for (const [bucket, bucketParts] of byBucket) {
    const count = bucketParts.reduce((sum, p) => sum + p.count, 0);
    const ms = limitBoundMs(count, limiter.limitsOf(bucket));
    if (!slowest || ms > slowest.ms) slowest = { bucket, ms, count };
  }
  if (!slowest) return undefined;
  const limits = limiter.limitsOf(slowest.bucket);
  // A self-hosted server may be an older release that holds reads and writes to 180 a minute and
  // 1,200 an hour (src/api/rate-limits.ts): with PostHog's default limits, say what that costs too.
  const older =
    limiter.source === 'posthog' && slowest.bucket === 'read' && !isCloudHost(api.http.host)
      ? { ...limits, perMinute: OLDER_SERVER_LIMITS.perMinute, perHour: OLDER_SERVER_LIMITS.perHour }
      : undefined;
  const olderMs = older ? limitBoundMs(slowest.count, older) : 0;
  if (slowest.ms <= 0 && olderMs <= 0) return undefined;
  const bucketParts = byBucket.get(slowest.bucket)!;
  const what =
    bucketParts.length === 1
      ? plural(slowest.count, bucketParts[0]!.noun)
      : `${plural(slowest.count, 'request')} (${bucketParts.map((p) => plural(p.count, p.noun)).join(' and ')})`;
  const whose = limiter.source === 'posthog' ? "PostHog's" : "--rate-limit's";
  const time = slowest.ms > 0 ? `at least ${formatLimitDuration(slowest.ms)} at ${whose} ${bindingLimit(slowest.count, limits)}` : `no wait at ${whose} limits`;
  const olderText = older && olderMs > slowest.ms ? `; an older self-hosted PostHog (${bindingLimit(slowest.count, older)}) needs at least ${formatLimitDuration(olderMs)}` : '';
  return `${what}: ${time}${olderText}.`;
}

/** "4,800 an hour" when the hourly budget is what makes the run that long, else "480 a minute". */
function bindingLimit(count: number, limits: BucketLimits): string {
  const minuteOnly = limitBoundMs(count, { ...limits, perHour: 0 });
  if (limits.perHour > 0 && (limits.perMinute <= 0 || limitBoundMs(count, limits) > minuteOnly)) return `${limits.perHour.toLocaleString('en-US')} an hour`;
  return `${limits.perMinute.toLocaleString('en-US')} a minute`;
}

/** PostHog Cloud (US, EU, the old app host): its limits are known; any other host may be self-hosted. */
export function isCloudHost(host: string): boolean {
  try {
    const name = new URL(host).hostname;
    return name === 'posthog.com' || name.endsWith('.posthog.com');
  } catch {
    return false;
  }
}

/** The limit-bound time of some requests (the progress bar's ETA); 0 with the limiter off. */
export function limitTimeMs(api: PersonsApi, parts: PlannedRequests[]): number {
  const limiter = api.http.limiter;
  if (limiter.source === 'off') return 0;
  const counts: Partial<Record<Bucket, number>> = {};
  for (const part of parts) counts[part.bucket] = (counts[part.bucket] ?? 0) + part.count;
  return runLimitBoundMs(counts, { read: limiter.limitsOf('read'), delete: limiter.limitsOf('delete') });
}
