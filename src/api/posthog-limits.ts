// PostHog Cloud's limits for personal API keys on the persons endpoints, apart from the limiter
// (src/api/limiter.ts) so that reading --rate-limit at start-up does not load the limiter itself.
export type Bucket = 'read' | 'delete';

/** PostHog Cloud's per-minute limits for personal API keys on the persons endpoints. */
export const POSTHOG_LIMITS: Record<Bucket, number> = { read: 240, delete: 480 };
/** PostHog Cloud's hourly budgets: deletes only (reads and writes have none in its current code). */
export const POSTHOG_HOURLY: Record<Bucket, number> = { read: 0, delete: 4800 };
