// What `list --all` notices about a listing that is not a snapshot. PostHog pages persons by
// offset, newest first: a person created while the pages are read pushes everyone down, so the
// last persons of one page come again at the top of the next; a person deleted pulls everyone up,
// so one is skipped. The first is repaired (a person already printed is left out, by UUID); both
// show in the total (`count`, asked for with include_total on the first request, which every
// `next` link keeps), compared between the first page and the last.
//
// Memory stays flat in the size of the listing: only the last HORIZON UUIDs printed are kept (a
// ring and a set: under 2 MiB, from 8 MiB measured for a set of 100,000 UUIDs parsed from JSON). A repeat comes from as far back as the number of persons created
// since the listing began, so the horizon covers that many; when the total grew by more, the
// warning says repeats beyond it were not checked.
import type { Page } from '../api/persons.js';
import { plural } from '../output/message-text.js';

const HORIZON = 20_000;

export class ListingWatch {
  private readonly ring: string[] = [];
  private next = 0;
  private readonly recent = new Set<string>();
  private repeats = 0;
  private firstCount: number | undefined;
  private lastCount: number | undefined;
  private largestGrowth = 0;

  constructor(private readonly horizon = HORIZON) {}

  /** Each page as it arrives: its total, when the server gives one. */
  page(page: Page<unknown>): void {
    if (typeof page.count !== 'number') return;
    this.firstCount ??= page.count;
    this.lastCount = page.count;
    this.largestGrowth = Math.max(this.largestGrowth, page.count - this.firstCount);
  }

  /** True when the person is to be printed; false when it was printed within the horizon. */
  firstSight(person: { uuid?: unknown; id?: unknown }): boolean {
    const key = typeof person.uuid === 'string' ? person.uuid : typeof person.id === 'string' ? person.id : undefined;
    if (key === undefined) return true;
    if (this.recent.has(key)) {
      this.repeats++;
      return false;
    }
    if (this.ring.length < this.horizon) this.ring.push(key);
    else {
      this.recent.delete(this.ring[this.next]!);
      this.ring[this.next] = key;
      this.next = (this.next + 1) % this.horizon;
    }
    this.recent.add(key);
    return true;
  }

  /** What to tell the user on stderr once the listing is over. */
  notes(): string[] {
    const out: string[] = [];
    if (this.repeats > 0) {
      out.push(`${plural(this.repeats, 'person')} appeared on two pages and ${this.repeats === 1 ? 'was' : 'were'} printed once.`);
    }
    if (this.firstCount !== undefined && this.lastCount !== undefined && this.firstCount !== this.lastCount) {
      const beyond =
        this.largestGrowth > this.horizon
          ? ` (more persons were created meanwhile than the last ${this.horizon.toLocaleString('en-US')} printed, which is all that is checked for repeats: some may have been printed twice)`
          : '';
      out.push(
        `The project changed during the listing: ${plural(this.firstCount, 'person')} at the start, ` +
          `${this.lastCount.toLocaleString('en-US')} at the end; this is not a snapshot${beyond}.`,
      );
    }
    return out;
  }
}
