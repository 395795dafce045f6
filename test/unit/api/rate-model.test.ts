// The model of limit-bound time: the shortest time sliding windows allow for N requests, starting
// from empty windows (the time the last request may start).
import { describe, expect, it } from 'vitest';
import { formatLimitDuration, limitBoundMs, runLimitBoundMs } from '../../../src/api/rate-model.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const cloudDelete = { perMinute: 480, perHour: 4800, minuteMs: MIN, hourMs: HOUR };
const cloudRead = { perMinute: 240, perHour: 0, minuteMs: MIN, hourMs: HOUR };

describe('limitBoundMs', () => {
  it('is 0 when every request fits in the first window, or no limit applies', () => {
    expect(limitBoundMs(0, cloudDelete)).toBe(0);
    expect(limitBoundMs(480, cloudDelete)).toBe(0);
    expect(limitBoundMs(1_000_000, { perMinute: 0, perHour: 0, minuteMs: MIN, hourMs: HOUR })).toBe(0);
  });

  it('per minute only: one more minute per full window', () => {
    expect(limitBoundMs(481, cloudDelete)).toBe(MIN);
    expect(limitBoundMs(241, cloudRead)).toBe(MIN);
    expect(limitBoundMs(2400, cloudRead)).toBe(9 * MIN);
    expect(limitBoundMs(50_000, cloudRead)).toBe(208 * MIN); // 3 h 28 min: the 50,000th starts in minute 208
  });

  it('6,000 bulk_delete requests at 480 a minute and 4,800 an hour: the first 4,800 in 9 minutes, the rest once the hour rolls', () => {
    // Requests 0-4,799 start at 0, 1, …, 9 minutes (480 each); request 4,800 waits for request 0 to
    // leave the hour window (60 min); the last 1,200 start at 60, 61 and 62 minutes.
    expect(limitBoundMs(4800, cloudDelete)).toBe(9 * MIN);
    expect(limitBoundMs(4801, cloudDelete)).toBe(HOUR);
    expect(limitBoundMs(6000, cloudDelete)).toBe(HOUR + 2 * MIN);
    expect(limitBoundMs(9600, cloudDelete)).toBe(HOUR + 9 * MIN);
    expect(limitBoundMs(9601, cloudDelete)).toBe(2 * HOUR);
  });

  it('an hourly budget that is not a multiple of the minute limit', () => {
    const older = { perMinute: 180, perHour: 1200, minuteMs: MIN, hourMs: HOUR };
    // 180 a minute for 6 minutes (1,080), 120 more in minute 6, then the hour rolls.
    expect(limitBoundMs(1200, older)).toBe(6 * MIN);
    expect(limitBoundMs(1201, older)).toBe(HOUR);
    expect(limitBoundMs(50_000, older)).toBe(41 * HOUR + 4 * MIN); // 41 full hours (49,200), then 800 more starting within 4 minutes
  });

  it('scales with the windows', () => {
    expect(limitBoundMs(6000, { ...cloudDelete, minuteMs: 1000, hourMs: 60_000 })).toBe(62_000);
  });

  it('agrees with a brute-force schedule', () => {
    const brute = (n: number, a: number, b: number) => {
      const t: number[] = [];
      for (let i = 0; i < n; i++) t.push(Math.max(0, i >= a ? t[i - a]! + MIN : 0, b > 0 && i >= b ? t[i - b]! + HOUR : 0));
      return n === 0 ? 0 : t[n - 1]!;
    };
    for (const [a, b] of [[7, 50], [10, 25], [3, 0], [480, 4800], [11, 13]] as const) {
      for (const n of [1, 2, 5, 13, 24, 26, 99, 500, 5000]) {
        expect(limitBoundMs(n, { perMinute: a, perHour: b, minuteMs: MIN, hourMs: HOUR }), `${n} at ${a}/${b}`).toBe(brute(n, a, b));
      }
    }
  });
});

describe('runLimitBoundMs', () => {
  it('buckets are held apart, so the run takes as long as its slowest bucket', () => {
    expect(runLimitBoundMs({ read: 2400, delete: 6000 }, { read: cloudRead, delete: cloudDelete })).toBe(HOUR + 2 * MIN);
    expect(runLimitBoundMs({ read: 50_000 }, { read: cloudRead, delete: cloudDelete })).toBe(208 * MIN);
  });
});

describe('formatLimitDuration', () => {
  it.each([
    [45_000, '45 s'],
    [MIN, '1 min'],
    [62_500, '1 min 2 s'],
    [14 * MIN + 30_000, '14 min'],
    [HOUR + 2 * MIN, '1 h 2 min'],
    [2 * HOUR, '2 h'],
    [41 * HOUR + 4 * MIN, '41 h 4 min'],
  ])('%d ms reads "%s" (rounded down: the figure is a lower bound)', (ms, text) => {
    expect(formatLimitDuration(ms)).toBe(text);
  });
});
