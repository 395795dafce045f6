// ListingWatch keeps a bounded horizon of the UUIDs it printed (memory flat in the listing's
// size): a person met again within it is left out; a shift larger than it is said, not hidden.
import { describe, expect, it } from 'vitest';
import { ListingWatch } from '../../../src/commands/listing-watch.js';

const p = (n: number) => ({ uuid: `0190${String(n).padStart(4, '0')}-0000-7000-8000-000000000000` });

describe('ListingWatch horizon', () => {
  it('remembers only the last `horizon` persons', () => {
    const watch = new ListingWatch(3);
    for (let i = 0; i < 5; i++) expect(watch.firstSight(p(i))).toBe(true);
    expect(watch.firstSight(p(4))).toBe(false); // within the last 3
    expect(watch.firstSight(p(0))).toBe(true); // fell out of the horizon
    expect(watch.notes()).toEqual(['1 person appeared on two pages and was printed once.']);
  });

  it('a total that grew by more than the horizon: repeats beyond it may have been printed', () => {
    const watch = new ListingWatch(3);
    watch.page({ results: [], next: 'x', count: 10 });
    watch.page({ results: [], next: null, count: 14 });
    expect(watch.notes()).toEqual([
      'The project changed during the listing: 10 persons at the start, 14 at the end; this is not a snapshot ' +
        '(more persons were created meanwhile than the last 3 printed, which is all that is checked for repeats: some may have been printed twice).',
    ]);
  });
});
