// The persons of a query-selected bulk run (`delete --where …`, `set-prop --where … KEY VALUE`,
// `unset-prop --where … KEY...`): listed once, up front, and kept as a snapshot of UUIDs.
//
// Why a snapshot: the list endpoint pages by offset, newest first. Deleting (or changing the
// property the query tests) while paging would shift every later person towards the front, and
// the next offset would skip them. So the whole selection is listed before the first write,
// written to the journal (selection entries, chunks of at most 10,000 UUIDs) before any batch,
// and the run then works on those UUIDs only; --resume reads them back instead of listing again.
// A person seen twice across pages (the project changed while paging) is kept once.
import { createReadStream } from 'node:fs';
import type { ListPerson, ListQuery, PersonsApi } from '../../api/persons.js';
import type { PersonQueryFlags } from '../../filters/person-query.js';
import { parseEntry, type JournalHeader, type JournalSelection } from '../journal/entries.js';
import type { Journal } from '../journal/journal.js';
import type { JournalScope } from '../journal/read.js';
import { splitLines } from './text.js';

/** Persons a list request asks for: PostHog's practical maximum, so a selection costs ceil(matches/1000) pages. */
export const SELECTION_PAGE_SIZE = 1000;
/** UUIDs a selection entry of the journal holds at most. */
export const SNAPSHOT_CHUNK = 10_000;
/** Persons kept whole for the dry run's and the plan's preview. */
export const PREVIEW_PERSONS = 10;

/** A person of the preview: what the dry run shows of it. */
export type PreviewPerson = Pick<ListPerson, 'uuid' | 'name' | 'distinct_ids'>;

export interface Selection {
  /** the query flags as given */
  query: PersonQueryFlags;
  /** every selected person's UUID, once, in list order */
  uuids: string[];
  /** list requests the selection took (0 when read back from the journal) */
  pages: number;
  /** persons listed twice across pages, counted once */
  duplicates: number;
  /** the first persons, whole (empty when read back from the journal: only UUIDs are kept there) */
  preview: PreviewPerson[];
  /** set when the snapshot comes from the journal of an earlier run */
  fromJournal?: { runId: string; time: string };
}

/** Lists every person the query matches, 1000 a page, following `next` (through the run's rate limiter). */
export async function listSelection(api: PersonsApi, query: PersonQueryFlags, filters: Pick<ListQuery, 'email' | 'search' | 'properties'>): Promise<Selection> {
  const seen = new Set<string>();
  const uuids: string[] = [];
  const preview: PreviewPerson[] = [];
  let pages = 0;
  let duplicates = 0;
  for await (const page of api.pages<ListPerson>(() => api.list({ ...filters, limit: SELECTION_PAGE_SIZE }))) {
    pages++;
    for (const person of page.results) {
      const uuid = String(person.uuid).toLowerCase();
      if (seen.has(uuid)) {
        duplicates++;
        continue;
      }
      seen.add(uuid);
      uuids.push(uuid);
      if (preview.length < PREVIEW_PERSONS) preview.push({ uuid, name: person.name, distinct_ids: person.distinct_ids ?? [] });
    }
  }
  return { query, uuids, pages, duplicates, preview };
}

/** The snapshot into the journal, before any batch: chunks of at most SNAPSHOT_CHUNK UUIDs. */
export async function writeSelection(journal: Journal, runId: string, time: string, selection: Selection): Promise<void> {
  const total = selection.uuids.length;
  for (let at = 0; at === 0 || at < total; at += SNAPSHOT_CHUNK) {
    await journal.writeSelection({ run_id: runId, time, query: { ...selection.query }, total, uuids: selection.uuids.slice(at, at + SNAPSHOT_CHUNK) });
  }
}

/**
 * The snapshot of the last run of this operation (command, host, project) that wrote a complete
 * one, or undefined. A run stopped while writing its snapshot had sent nothing yet (the snapshot
 * comes before any batch), so an incomplete one is ignored and the query is listed again.
 */
export async function readSelection(path: string, scope: JournalScope): Promise<Selection | undefined> {
  const inScope = new Set<string>();
  const chunks = new Map<string, JournalSelection[]>();
  const chunksOf = (runId: string) => chunks.get(runId) ?? chunks.set(runId, []).get(runId)!;
  const order: string[] = [];
  const stream = createReadStream(path, { encoding: 'utf8' }) as AsyncIterable<string>;
  for await (const lines of splitLines(stream)) {
    for (const text of lines) {
      if (text.trim() === '') continue;
      // A damaged line fails the journal's own reading (src/bulk/journal/read.ts) first; here it is skipped.
      const entry = parseEntry(text);
      if (typeof entry !== 'object') continue;
      if (entry.type === 'run' && sameOperation(entry, scope)) {
        inScope.add(entry.run_id);
        order.push(entry.run_id);
      } else if (entry.type === 'selection' && inScope.has(entry.run_id)) {
        chunksOf(entry.run_id).push(entry);
      }
    }
  }
  for (const runId of order.reverse()) {
    const parts = chunks.get(runId);
    if (!parts || parts.length === 0) continue;
    const total = parts[0]!.total;
    const uuids = parts.flatMap((part) => part.uuids);
    if (uuids.length !== total) continue;
    return { query: parts[0]!.query as PersonQueryFlags, uuids, pages: 0, duplicates: 0, preview: [], fromJournal: { runId, time: parts[0]!.time } };
  }
  return undefined;
}

function sameOperation(header: JournalHeader, scope: JournalScope): boolean {
  return header.command === scope.command && header.host === scope.host && String(header.project) === String(scope.project);
}
