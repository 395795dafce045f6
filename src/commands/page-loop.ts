// The page-and-limit loop of the listing commands (list, activity, deletion-status): records are
// written as their page arrives, the next page is asked for only while more records are wanted,
// and no more than `limit` are written. One page is held in memory at a time.
import type { Page, PersonsApi } from '../api/persons.js';

export interface PageLoopOptions<T = unknown> {
  /** How many records to write at most (Infinity for --all). */
  limit: number;
  /** Also stop at an empty page even when it links a next one (the activity log's paging). */
  stopAtEmptyPage?: boolean;
  /** After each record, with the count written so far; may return a promise to wait for. */
  afterRecord?: (written: number) => Promise<void> | void;
  /** After each page, with the count written so far (e.g. a progress line). */
  afterPage?: (written: number) => void;
  /** Each page as it arrives, before its records are written (list --all watches the total). */
  onPage?: (page: Page<T>) => void;
  /** A record to leave out (list --all: a person already printed from an earlier page). */
  skip?: (record: T) => boolean;
}

/** Writes the records of `first()` and the pages it links, up to the limit; returns how many were written. */
export async function writePages<T>(
  api: Pick<PersonsApi, 'pages'>,
  first: () => Promise<Page<T>>,
  write: (record: T) => Promise<void>,
  options: PageLoopOptions<T>,
): Promise<number> {
  const { limit } = options;
  let received = 0;
  let written = 0;
  const pages = api.pages<T>(first, (page) => {
    received += page.results.length;
    return received < limit && (!options.stopAtEmptyPage || page.results.length > 0);
  });
  outer: for await (const page of pages) {
    options.onPage?.(page);
    for (const record of page.results) {
      if (written >= limit) break outer;
      if (options.skip?.(record)) continue;
      await write(record);
      written++;
      const waiting = options.afterRecord?.(written);
      if (waiting) await waiting;
    }
    options.afterPage?.(written);
  }
  return written;
}
