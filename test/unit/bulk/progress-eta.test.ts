// The progress bar's ETA: the larger of what the observed rate predicts and the shortest time the
// rate limits allow for the requests left (src/api/rate-model.ts), so a run about to meet an hourly
// budget does not promise to end in minutes.
import { describe, expect, it } from 'vitest';
import { etaText } from '../../../src/bulk/engine/progress.js';

describe('etaText', () => {
  it('the observed rate when the limits allow faster', () => {
    expect(etaText({ done: 100, total: 400, elapsedMs: 10_000, limitMs: 0 })).toBe('30 s');
  });

  it('the limits when they allow less than the observed rate: 4,800 deletes done in a few seconds, 1,200 left need the hour to roll', () => {
    expect(etaText({ done: 4800, total: 6000, elapsedMs: 9 * 60_000, limitMs: 51 * 60_000 + 2 * 60_000 })).toBe('53 min');
  });

  it('before anything is done: the limits, or nothing to say yet', () => {
    expect(etaText({ done: 0, total: 6000, elapsedMs: 0, limitMs: 62 * 60_000 })).toBe('1 h 2 min');
    expect(etaText({ done: 0, total: 10, elapsedMs: 0, limitMs: 0 })).toBe('…');
  });

  it('done: 0 s', () => {
    expect(etaText({ done: 10, total: 10, elapsedMs: 5_000, limitMs: 0 })).toBe('0 s');
  });
});
