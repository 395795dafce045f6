// How long PostHog's limits make a number of requests take: the shortest time the limiter's
// sliding windows (src/api/limiter.ts) allow, from empty windows, until the last request may
// start. Plans (dry runs, confirmations) and the progress bar's ETA use it, so what a plan says
// and what the limiter does are the same arithmetic.
//
// Requests go out in bursts, as the limiter lets them: all that fit at once, then nothing until
// the oldest leaves a window. E.g. 6,000 bulk_delete requests at 480 a minute and 4,800 an hour:
// 480 at each of minutes 0-9 (4,800), then request 4,801 waits for the first to leave the hour
// window at 60 min, and the last 1,200 start at 60, 61 and 62 min: at least 1 h 2 min.
import type { Bucket, BucketLimits } from './limiter.js';

/**
 * The earliest time (ms after the first request) at which the last of `requests` may start.
 * `history`: start times of requests already in the windows, relative to now (negative or 0,
 * oldest first), for an ETA in the middle of a run.
 */
export function limitBoundMs(requests: number, limits: BucketLimits, history: readonly number[] = []): number {
  const windows = [
    { limit: limits.perMinute, duration: limits.minuteMs },
    { limit: limits.perHour, duration: limits.hourMs },
  ].filter((w) => w.limit > 0);
  if (requests <= 0 || windows.length === 0) return 0;
  // Bursts of requests: start time and how many; a window's content is a range of them.
  const times: number[] = [];
  const counts: number[] = [];
  for (const at of history) {
    if (times.length > 0 && times[times.length - 1] === at) counts[counts.length - 1]! += 1;
    else {
      times.push(at);
      counts.push(1);
    }
  }
  const first = windows.map(() => 0);
  const inside = windows.map(() => 0);
  for (let w = 0; w < windows.length; w++) for (const c of counts) inside[w]! += c;
  let now = 0;
  let sent = 0;
  for (;;) {
    let room = Infinity;
    windows.forEach((w, i) => {
      while (first[i]! < times.length && times[first[i]!]! <= now - w.duration) inside[i]! -= counts[first[i]!++]!;
      room = Math.min(room, w.limit - inside[i]!);
    });
    if (room > 0) {
      const burst = Math.min(room, requests - sent);
      times.push(now);
      counts.push(burst);
      for (let i = 0; i < windows.length; i++) inside[i]! += burst;
      sent += burst;
      if (sent >= requests) return now;
      continue;
    }
    // No room: wait until every full window has let enough of its oldest requests go for one more.
    let next = now;
    windows.forEach((w, i) => {
      let over = inside[i]! - w.limit + 1;
      let k = first[i]!;
      while (over > 0) over -= counts[k++]!;
      if (k > first[i]!) next = Math.max(next, times[k - 1]! + w.duration);
    });
    now = next;
  }
}

/** A run's requests by bucket: the buckets are limited apart, so the slowest one bounds the run. */
export function runLimitBoundMs(requests: Partial<Record<Bucket, number>>, limits: Record<Bucket, BucketLimits>): number {
  let ms = 0;
  for (const bucket of Object.keys(requests) as Bucket[]) ms = Math.max(ms, limitBoundMs(requests[bucket] ?? 0, limits[bucket]));
  return ms;
}

/** "45 s", "2 min 30 s", "14 min", "1 h 2 min": rounded down, since the figure is a lower bound. */
export function formatLimitDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  // Seconds matter while the whole is a few minutes.
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}
