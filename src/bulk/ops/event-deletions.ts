// The event deletions an erasure queued, read back: which persons a journal's delete runs deleted
// with delete_events, and PostHog's deletion_status row of each. Events are deleted later by a
// weekly batch, and PostHog keeps one row per queued person (newest first); a person with no row
// had nothing queued, which is not the same as done.
import type { DeletionStatusRow, PersonsApi } from '../../api/persons.js';
import type { ErasureRecord } from '../journal/erasure-record.js';

/** A person whose events a run asked PostHog to delete, under the identifier the run was given. */
export interface EventDeletionTarget {
  identifier: string;
  personUuid: string;
  /** the project the run deleted it in (each project of a run over several has its own persons) */
  project: string;
}

export interface EventDeletionTargets {
  targets: EventDeletionTarget[];
  /** delete runs with delete_events */
  runs: number;
  /** identifiers of distinct_id batches sent without a lookup: the journal does not name their persons */
  unnamed: number;
  /** the projects of a run over several (delete --projects), in the order it went through them; else undefined */
  projects?: string[];
  /** their names, as the run's headers recorded them */
  names?: Record<string, string>;
}

/**
 * Every person the journal's delete runs with delete_events (the persons kept or not) deleted,
 * once, in journal order: UUID batches name them; a distinct_id batch looked up first names them
 * in `found`; a run by email names each UUID's email in its resolve entries.
 */
export function eventDeletionTargets(record: ErasureRecord): EventDeletionTargets {
  const targets: EventDeletionTarget[] = [];
  const seen = new Set<string>();
  let runs = 0;
  let unnamed = 0;
  const projects: string[] = [];
  let project = '';
  const add = (identifier: string, personUuid: string) => {
    const uuid = personUuid.toLowerCase();
    if (seen.has(`${project}/${uuid}`)) return;
    seen.add(`${project}/${uuid}`);
    targets.push({ identifier, personUuid: uuid, project });
  };
  let multi = false;
  const names: Record<string, string> = {};
  for (const run of record.runs) {
    if (run.header.command !== 'delete' || run.header.flags.delete_events !== true) continue;
    runs++;
    project = String(run.header.project);
    if (run.header.projects_run !== undefined) multi = true;
    Object.assign(names, run.header.projects_run?.names ?? {});
    if (!projects.includes(project)) projects.push(project);
    const emailOf = new Map<string, string>();
    for (const resolve of run.resolves) {
      for (const [email, uuids] of Object.entries(resolve.matches ?? {})) for (const uuid of uuids) emailOf.set(uuid.toLowerCase(), email);
    }
    for (const batch of run.batches) {
      if (batch.status !== 'done') continue;
      if (batch.by === 'uuid') for (const id of batch.ids) add(emailOf.get(id.toLowerCase()) ?? id, id);
      else if (batch.looked_up === true) for (const [id, uuid] of Object.entries(batch.found ?? {})) add(id, uuid);
      else unnamed += batch.ids.length;
    }
  }
  return { targets, runs, unnamed, ...(multi ? { projects, names } : {}) };
}

/** Rows a page of the whole list holds: the server's default, which every version accepts. */
export const STATUS_PAGE = 100;
/** Up to this many persons are always asked for one at a time (the list may be far longer). */
export const ONE_BY_ONE_MAX = 10;

/**
 * The newest deletion_status row of each person. A few persons: one request each
 * (`person_uuid=`, `limit=1`). More: the first page of the whole list says how many rows there
 * are; if reading them all takes fewer requests than one per person still missing, page through
 * them, otherwise ask for the rest one at a time.
 */
export async function fetchDeletionStatuses(api: PersonsApi, uuids: readonly string[]): Promise<Map<string, DeletionStatusRow>> {
  const wanted = new Set(uuids.map((u) => u.toLowerCase()));
  const rows = new Map<string, DeletionStatusRow>();
  const take = (row: DeletionStatusRow) => {
    const uuid = String(row.person_uuid).toLowerCase();
    // Newest first: the first row of a person is its latest deletion.
    if (wanted.has(uuid) && !rows.has(uuid)) rows.set(uuid, row);
  };
  if (wanted.size > ONE_BY_ONE_MAX) {
    let first = true;
    let switched = false;
    // Decided before the next page is asked for (pages() fetches it while this one is read).
    const more = (page: { results: DeletionStatusRow[]; count?: number }): boolean => {
      page.results.forEach(take);
      if (first && typeof page.count === 'number' && Math.ceil(page.count / STATUS_PAGE) - 1 > wanted.size - rows.size) switched = true;
      first = false;
      return !switched && rows.size < wanted.size;
    };
    for await (const page of api.pages(() => api.deletionStatus({ limit: STATUS_PAGE }), more)) page.results.forEach(take);
    // A list read to its end names every person that has a row: the others have none.
    if (!switched) return rows;
  }
  for (const uuid of wanted) {
    if (rows.has(uuid)) continue;
    const page = await api.deletionStatus({ person_uuid: uuid, limit: 1 });
    page.results.forEach(take);
  }
  return rows;
}
