// What a delete batch records of the lookup made just before it: bulk_delete answers with counts
// only, so the identifiers that resolved (and to which person) come from batch_by_distinct_ids /
// batch_by_uuids, journaled as the batch's `found` (docs/erasure-report.md).
import { LOOKUP_BATCH, type RetrievedPerson } from '../../api/persons.js';
import type { IdKind } from '../input/read-input.js';

/** Which identifiers of a batch the lookup resolved, and to which person. */
export function foundIn(persons: ReadonlyMap<string, RetrievedPerson>, ids: string[], by: IdKind): Record<string, string> {
  const found: Record<string, string> = {};
  for (const id of ids) {
    const uuid = persons.get(by === 'uuid' ? id.toLowerCase() : id)?.uuid;
    if (uuid !== undefined) found[id] = uuid;
  }
  return found;
}

/** Named persons: resolved just before the run, each is found as itself. */
export function foundAmong(uuids: string[], resolved: ReadonlySet<string>): Record<string, string> {
  const found: Record<string, string> = {};
  for (const uuid of uuids) if (resolved.has(uuid)) found[uuid] = uuid;
  return found;
}

/** Lookup requests for `toSend` identifiers in batches of `batchSize`: 200 identifiers a request, per batch. */
export function lookupRequests(toSend: number, batchSize: number): number {
  const full = Math.floor(toSend / batchSize);
  return full * Math.ceil(batchSize / LOOKUP_BATCH) + Math.ceil((toSend % batchSize) / LOOKUP_BATCH);
}
