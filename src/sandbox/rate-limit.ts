// Per-key throttling with DRF's SimpleRateThrottle semantics: a sliding log of the timestamps of
// allowed requests; a throttled request is not recorded; the wait is rounded up to whole seconds.

import type { RateLimitConfig } from './types.js';

interface Window {
  limit: number;
  durationMs: number;
  history: number[]; // oldest first
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

export class SandboxThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(private config: RateLimitConfig | null) {}

  /** Replaces the limits and forgets recorded history. */
  configure(config: RateLimitConfig | null): void {
    this.config = config;
    this.windows.clear();
  }

  /**
   * Records the request if every window of its bucket allows it; otherwise returns the number of
   * seconds until it would be allowed (the largest wait, like DRF when several throttles fail).
   */
  check(
    keyLabel: string,
    bucket: 'read' | 'delete',
    now: number,
    userLimits: readonly UserLimit[] = [],
  ): { allowed: true } | { allowed: false; waitSeconds: number } {
    const windows = [...this.windowsFor(keyLabel, bucket), ...userLimits.map((limit) => this.window(`user:${limit.name}`, limit.limit, limit.durationMs))];
    let wait = 0;
    for (const w of windows) {
      while (w.history.length > 0 && w.history[0]! <= now - w.durationMs) w.history.shift();
      if (w.history.length >= w.limit) {
        const remaining = w.durationMs - (now - w.history[0]!);
        wait = Math.max(wait, remaining / Math.max(1, w.limit - w.history.length + 1));
      }
    }
    if (wait > 0) return { allowed: false, waitSeconds: Math.max(1, Math.ceil(wait / 1000)) };
    for (const w of windows) w.history.push(now);
    return { allowed: true };
  }

  private windowsFor(keyLabel: string, bucket: 'read' | 'delete'): Window[] {
    const config = this.config;
    if (!config) return [];
    const specs: [string, number, number][] =
      bucket === 'read'
        ? [['read/min', config.read, MINUTE], ['read/hour', config.readHourly ?? 0, HOUR]]
        : [['delete/min', config.delete, MINUTE], ['delete/hour', config.deleteHourly ?? 0, HOUR]];
    const out: Window[] = [];
    const scale = config.windowScale && config.windowScale > 0 ? config.windowScale : 1;
    for (const [name, limit, durationMs] of specs) {
      if (!(limit > 0)) continue;
      out.push(this.window(`${keyLabel}:${name}`, limit, durationMs / scale));
    }
    return out;
  }

  private window(id: string, limit: number, durationMs: number): Window {
    let w = this.windows.get(id);
    if (!w) this.windows.set(id, (w = { limit, durationMs, history: [] }));
    return w;
  }
}

/** A throttle counted per user (every key of the sandbox's one user), whatever the key. */
export interface UserLimit {
  name: string;
  limit: number;
  durationMs: number;
}

/**
 * The older generation's extra throttles: 180 a minute and 1,200 an hour per user, applied even
 * where rate limiting is switched off.
 */
export const OLDER_USER_LIMITS: readonly UserLimit[] = [
  { name: 'burst', limit: 180, durationMs: MINUTE },
  { name: 'sustained', limit: 1200, durationMs: HOUR },
];
