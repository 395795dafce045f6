// What `list --all` notices about a listing that is not a snapshot. PostHog pages persons by
// offset, newest first: a person created while the pages are read pushes everyone down, so the
// last persons of one page come again at the top of the next; a person deleted pulls everyone up,
// so one is skipped. The first is repaired (each person is printed once, by UUID); both show in
// the total (`count`, asked for with include_total on the first request, which every `next` link
// keeps), compared between the first page and the last.
//
// Memory: one UUID string per person printed. Measured with the export benchmark
// (docs/benchmarks.md) against its bar of a flat peak RSS.
import type { Page } from '../api/persons.js';
import { plural } from '../output/message-text.js';

export class ListingWatch {
  private readonly seen = new Set<string>();
  private repeats = 0;
  private firstCount: number | undefined;
  private lastCount: number | undefined;

  /** Each page as it arrives: its total, when the server gives one. */
  page(page: Page<unknown>): void {
    if (typeof page.count !== 'number') return;
    this.firstCount ??= page.count;
    this.lastCount = page.count;
  }

  /** True the first time a person is met; false when an earlier page already held it. */
  firstSight(person: { uuid?: unknown; id?: unknown }): boolean {
    const key = typeof person.uuid === 'string' ? person.uuid : typeof person.id === 'string' ? person.id : undefined;
    if (key === undefined) return true;
    if (this.seen.has(key)) {
      this.repeats++;
      return false;
    }
    this.seen.add(key);
    return true;
  }

  /** What to tell the user on stderr once the listing is over. */
  notes(): string[] {
    const out: string[] = [];
    if (this.repeats > 0) {
      out.push(`${plural(this.repeats, 'person')} appeared on two pages and ${this.repeats === 1 ? 'was' : 'were'} printed once.`);
    }
    if (this.firstCount !== undefined && this.lastCount !== undefined && this.firstCount !== this.lastCount) {
      out.push(
        `The project changed during the listing: ${plural(this.firstCount, 'person')} at the start, ` +
          `${this.lastCount.toLocaleString('en-US')} at the end; this is not a snapshot.`,
      );
    }
    return out;
  }
}
