// The kill trials' parameters and their seeded moments, shared by kill.test.ts and the
// reliability document (reliability-doc.ts), so the document lists the moments the test uses.

export const KILL_TRIALS = 5;
export const KILLS_PER_TRIAL = 3;
export const KILL_SEED = 0x5eed_2024;
export const IDS = 1000;
export const BATCH = 50;
export const CONCURRENCY = 2;
const BATCHES = IDS / BATCH;
/** sandbox latency: 20 batches, 2 at a time, take about half a second, so kills land mid-run */
export const LATENCY_MS = 40;

/** mulberry32: a small seeded PRNG, so the kill moments are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * When to kill: `afterBatches` journaled batches (counted over the whole journal) and then
 * `extraMs` more, so a kill also lands between an answer and its journal line; with
 * `afterBatches` 0 the kill is timed from the start, and may come before the journal exists.
 */
export interface Kill {
  afterBatches: number;
  extraMs: number;
}

/** The kill moments of every trial, drawn once from the seed. */
export function plan(): Kill[][] {
  const random = prng(KILL_SEED);
  return Array.from({ length: KILL_TRIALS }, () => {
    // First at start-up (0-300 ms in: before, during or just after the first request), then
    // somewhere in the first half of the batches, then in the second half.
    const early = { afterBatches: 0, extraMs: Math.floor(random() * 300) };
    const first = 2 + Math.floor(random() * (BATCHES / 2 - 2));
    const second = first + 1 + Math.floor(random() * (BATCHES / 2 - 2));
    return [early, ...[first, second].map((afterBatches) => ({ afterBatches, extraMs: Math.floor(random() * 60) }))];
  });
}

export function describeKills(kills: readonly Kill[]): string {
  return kills.map((k) => (k.afterBatches === 0 ? `${k.extraMs} ms in` : `after ${k.afterBatches} batches + ${k.extraMs} ms`)).join(', then ');
}
