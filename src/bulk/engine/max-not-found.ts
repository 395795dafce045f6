// The --max-not-found value (README, "delete"): parsed by the commands before any request, so it
// stays free of anything heavy (the command tree loads it). The guard itself is not-found-guard.ts.
import { UsageError } from '../../errors.js';

/** What --max-not-found allows: a number of identifiers, or a percentage of the unique ones. */
export type NotFoundLimit = { count: number; text: string } | { percent: number; text: string };

/** Parses --max-not-found before any request: `10`, `0`, `5%`, `2.5%` (at most 100%). */
export function parseMaxNotFound(value: string): NotFoundLimit {
  const text = value.trim();
  const bad = () => new UsageError(`invalid --max-not-found "${value}": give a number of identifiers (10) or a percentage of them (5%)`);
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent) {
    const n = Number(percent[1]);
    if (!(n <= 100)) throw bad();
    return { percent: n, text };
  }
  if (!/^\d+$/.test(text)) throw bad();
  const count = Number(text);
  if (!Number.isSafeInteger(count)) throw bad();
  return { count, text };
}

/** How many of `total` identifiers may match no person. */
export function allowedNotFound(limit: NotFoundLimit, total: number): number {
  return 'count' in limit ? limit.count : Math.floor((limit.percent * total) / 100);
}

