// IdSet must answer exactly as a Set<string> would, whatever the identifiers and however their
// hashes collide; LineList must answer "is this line listed?" for lines asked in order.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { IdSet, LineList, hashId } from '../../../src/bulk/input/id-set.js';

/** Plays the same adds against an IdSet and a Set, checking every answer on the way. */
function sameAsSet(ids: string[], set: IdSet, probes: string[] = []): void {
  const model = new Map<string, number>();
  ids.forEach((id, index) => {
    const line = index + 1;
    const earlier = model.get(id);
    expect(set.addOrGet(id, line)).toBe(earlier ?? -1);
    if (earlier === undefined) model.set(id, line);
    expect(set.size).toBe(model.size);
  });
  for (const id of [...ids, ...probes]) expect(set.has(id)).toBe(model.has(id));
  // Entries come back in the order they were added, with their values.
  expect([...set]).toEqual([...model.keys()]);
  [...model.values()].forEach((line, entry) => expect(set.valueAt(entry)).toBe(line));
}

const units = fc.constantFrom('a', 'b', 'A', ' ', '\t', 'é', '\u00a0', '😀', '\ud800', '\udc00', '\u0000', '\ufffd', ',', '"', '-');
const ids = fc.array(fc.string({ unit: units, maxLength: 6 }), { maxLength: 300 });

describe('IdSet', () => {
  test('answers like a Set for any identifiers (property, the real hash)', () => {
    fc.assert(
      fc.property(ids, fc.array(fc.string({ unit: units, maxLength: 6 }), { maxLength: 20 }), (list, probes) => {
        sameAsSet(list, new IdSet({ values: true }), probes);
      }),
      { numRuns: 300 },
    );
  });

  test('answers like a Set when every hash collides: a hash match alone never makes a duplicate', () => {
    fc.assert(
      fc.property(ids, (list) => {
        sameAsSet(list, new IdSet({ values: true, hash: () => 7 }));
      }),
      { numRuns: 100 },
    );
  });

  test('a different identifier with the same hash is not taken for the first one', () => {
    const set = new IdSet({ values: true, hash: () => 1 });
    expect(set.addOrGet('alice@example.com', 1)).toBe(-1);
    expect(set.addOrGet('bob@example.com', 2)).toBe(-1);
    expect(set.addOrGet('alice@example.com', 3)).toBe(1);
    expect(set.addOrGet('bob@example.com', 4)).toBe(2);
    expect(set.size).toBe(2);
  });

  test('identifiers with lone surrogates stay exact (UTF-8 would turn both into U+FFFD)', () => {
    const set = new IdSet();
    expect(set.add('x\ud800')).toBe(true);
    expect(set.add('x\udc00')).toBe(true);
    expect(set.add('x\ufffd')).toBe(true);
    expect(set.add('x\ud800')).toBe(false);
    expect(set.add('😀')).toBe(true); // a surrogate pair is fine
    expect(set.add('😀')).toBe(false);
    expect(set.size).toBe(4);
    expect([...set]).toEqual(['x\ud800', 'x\udc00', 'x\ufffd', '😀']);
    expect(set.idAt(1)).toBe('x\udc00');
    expect(() => set.idAt(4)).toThrow(RangeError);
  });

  test('grows past its first buffers: 200,000 identifiers, each found once', () => {
    const set = new IdSet(); // no size hint: the arena and the tables double many times
    const n = 200_000;
    for (let i = 0; i < n; i++) expect(set.add(`user-${i}@example.com`)).toBe(true);
    for (let i = 0; i < n; i += 997) expect(set.add(`user-${i}@example.com`)).toBe(false);
    expect(set.has('user-200000@example.com')).toBe(false);
    expect(set.size).toBe(n);
  });

  test('identifiers UTF-8 cannot hold keep their place while the table grows around them', () => {
    const list: string[] = [];
    for (let i = 0; i < 5000; i++) list.push(i % 100 === 7 ? `odd-${i}-\ud800` : `plain-${i}`);
    sameAsSet([...list, ...list.slice(0, 300)], new IdSet({ values: true }), ['odd-8-\ud800', 'plain-5000']);
  });

  test('a size hint smaller than the truth only means the buffers double', () => {
    const set = new IdSet({ expectedBytes: 10 });
    const long = 'é'.repeat(50_000); // 100,000 bytes of UTF-8 in one identifier
    expect(set.add(long)).toBe(true);
    expect(set.add(`${long}!`)).toBe(true);
    expect(set.has(long)).toBe(true);
    expect(set.size).toBe(2);
  });

  test('without values, addOrGet still tells a duplicate (0) from a new identifier (-1)', () => {
    const set = new IdSet();
    expect(set.addOrGet('a', 5)).toBe(-1);
    expect(set.addOrGet('a', 6)).toBe(0);
  });

  test('a released set refuses to be used, and the next set starts empty on its buffers', () => {
    const first = new IdSet();
    for (let i = 0; i < 5000; i++) first.add(`old-${i}`);
    first.release();
    expect(() => first.has('old-1')).toThrow('used after release');
    expect(() => first.add('new')).toThrow('used after release');
    const next = new IdSet({ values: true });
    expect(next.size).toBe(0);
    expect(next.has('old-1')).toBe(false);
    sameAsSet(['old-1', 'b', 'old-1', 'old-4999'], next, ['old-2']);
  });

  test('hashId is FNV-1a over UTF-16 code units', () => {
    expect(hashId('')).toBe(0x811c9dc5);
    expect(hashId('a')).toBe(0xe40c292c); // the published FNV-1a 32-bit value for "a"
  });
});

describe('LineList', () => {
  test('a cursor answers for increasing lines, listed or not', () => {
    const list = new LineList();
    for (const line of [3, 4, 10, 600]) list.push(line);
    const listed = list.cursor();
    expect([1, 3, 4, 5, 9, 10, 11, 600, 601].map(listed)).toEqual([false, true, true, false, false, true, false, true, false]);
    expect(list.length).toBe(4);
    // a second cursor starts again from the first line
    expect(list.cursor()(3)).toBe(true);
  });

  test('grows past its first block', () => {
    const list = new LineList();
    for (let line = 2; line <= 20_000; line += 2) list.push(line);
    const listed = list.cursor();
    let count = 0;
    for (let line = 1; line <= 20_001; line++) if (listed(line)) count++;
    expect(count).toBe(10_000);
  });

  test('refuses a line that does not increase', () => {
    const list = new LineList();
    list.push(5);
    expect(() => list.push(5)).toThrow(RangeError);
  });
});
