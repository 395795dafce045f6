// --rate-limit's forms and the limits a run starts with.
import { describe, expect, it } from 'vitest';
import { limiterLimits, parseRateLimit } from '../../../src/api/rate-limits.js';

describe('parseRateLimit', () => {
  it.each([
    ['100', { perMinute: 100 }],
    ['100/min', { perMinute: 100 }],
    ['1200/hour', { perHour: 1200 }],
    ['180/min,1200/hour', { perMinute: 180, perHour: 1200 }],
    [' 180/minute , 1200/hour ', { perMinute: 180, perHour: 1200 }],
    ['1200/hour,180/min', { perMinute: 180, perHour: 1200 }],
    ['0', { off: true }],
  ])('reads %j', (text, expected) => {
    expect(parseRateLimit(text)).toEqual(expected);
  });

  it.each([
    ['10/sec', '--rate-limit "10/sec": "10/sec" is not a rate; use N (a minute), N/min, N/hour or N/min,M/hour'],
    ['-1', '--rate-limit must be between 0 and 100000, not "-1"'],
    ['x/min', '--rate-limit "x/min": "x/min" is not a rate; use N (a minute), N/min, N/hour or N/min,M/hour'],
    ['100/min,200/min', '--rate-limit "100/min,200/min": the per-minute limit is given twice'],
    ['', '--rate-limit "": "" is not a rate; use N (a minute), N/min, N/hour or N/min,M/hour'],
    ['100001', '--rate-limit must be between 0 and 100000, not "100001"'],
    ['0/min,100/hour', '--rate-limit "0/min,100/hour": 0 turns every limit off, so it stands alone'],
  ])('refuses %j', (text, message) => {
    expect(() => parseRateLimit(text)).toThrow(message);
  });
});

describe('limiterLimits', () => {
  it('starts at PostHog Cloud\'s limits: reads 240 a minute, deletes 480 a minute and 4,800 an hour', () => {
    expect(limiterLimits(undefined)).toEqual({ perMinute: { read: 240, delete: 480 }, perHour: { read: 0, delete: 4800 }, source: 'posthog' });
  });

  it('N changes the per-minute limit of both buckets and keeps the hourly budget', () => {
    expect(limiterLimits({ perMinute: 100 })).toEqual({ perMinute: { read: 100, delete: 100 }, perHour: { read: 0, delete: 4800 }, source: 'flag' });
  });

  it('N/min,M/hour sets both for both buckets', () => {
    expect(limiterLimits({ perMinute: 180, perHour: 1200 })).toEqual({ perMinute: { read: 180, delete: 180 }, perHour: { read: 1200, delete: 1200 }, source: 'flag' });
  });

  it('M/hour alone keeps PostHog\'s per-minute limits', () => {
    expect(limiterLimits({ perHour: 1200 })).toEqual({ perMinute: { read: 240, delete: 480 }, perHour: { read: 1200, delete: 1200 }, source: 'flag' });
  });

  it('0 turns every limit off', () => {
    expect(limiterLimits({ off: true })).toEqual({ perMinute: { read: 0, delete: 0 }, perHour: { read: 0, delete: 0 }, source: 'off' });
  });
});
