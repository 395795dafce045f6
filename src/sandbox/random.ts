// Seeded randomness and UUID helpers. Everything the sandbox generates comes from these, so the
// same seed always produces the same data, byte for byte.

import { createHash } from 'node:crypto';

export type Rng = () => number;

/** mulberry32: a tiny, fast PRNG with a 32-bit state; plenty for demo data. */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes several integers into one 32-bit seed (for per-person generators). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x01000193);
    h ^= h >>> 13;
  }
  return h >>> 0;
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

export function randomInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

function uint32(rng: Rng): number {
  return Math.floor(rng() * 4294967296) >>> 0;
}

const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const DASH = 45;
const uuidCodes: number[] = new Array<number>(36);

/**
 * Formats 128 bits (four 32-bit words) as a dashed UUID, setting its version and variant. Built
 * from char codes so the result is a flat string: 100,000 of them hash into Maps much faster.
 */
function formatUuid(w0: number, w1: number, w2: number, w3: number, version: number): string {
  const words = [w0, ((w1 & 0xffff0fff) | (version << 12)) >>> 0, ((w2 & 0x3fffffff) | 0x80000000) >>> 0, w3];
  let at = 0;
  for (const word of words) {
    for (let shift = 28; shift >= 0; shift -= 4) {
      if (at === 8 || at === 13 || at === 18 || at === 23) uuidCodes[at++] = DASH;
      uuidCodes[at++] = HEX_CODES[(word >>> shift) & 15]!;
    }
  }
  return String.fromCharCode(...uuidCodes);
}

/** A UUID v7 (time-ordered, as PostHog now generates for persons) for the given millisecond. */
export function uuidV7(rng: Rng, ms: number): string {
  const time = Math.floor(ms);
  const high = Math.floor(time / 65536) >>> 0;
  const low = ((time & 0xffff) << 16) >>> 0;
  return formatUuid(high, (low | (uint32(rng) & 0xffff)) >>> 0, uint32(rng), uint32(rng), 7);
}

/** A random UUID v4, lower case: what SDKs use for anonymous distinct ids. */
export function uuidV4(rng: Rng): string {
  return formatUuid(uint32(rng), uint32(rng), uint32(rng), uint32(rng), 4);
}

/** RFC 4122 UUID v5 (SHA-1 of namespace + name). */
export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The namespace PostHog's ingestion uses for person UUIDs derived from distinct ids. */
const PERSON_UUID_NAMESPACE = '932979b4-65c3-4424-8467-0b66ec27bc22';

/**
 * The UUID a person created for `distinctId` gets (what `split` gives the new persons), like
 * PostHog's `uuidFromDistinctId(team_id, distinct_id)`.
 */
export function uuidFromDistinctId(teamId: number, distinctId: string): string {
  return uuidV5(PERSON_UUID_NAMESPACE, `${teamId}:${distinctId}`);
}
