// What the journal says became of each identifier, across every run of one operation in the file:
// the map the --report rows and the whole-erasure counts are built from. bulk_delete answers with
// counts only, so a delete's outcome per identifier comes from the lookup journaled with its batch
// (`found`, `looked_up`): found and answered → deleted (or queued, when the server queued its
// deletions), absent from `found` → not_found. Batches without `looked_up` (older journals, or
// --no-lookup) only say the identifier was done: `done_earlier`.
//
// Besides the entries of src/bulk/journal/entries.ts this reads two kinds other runs write: an
// email erasure's `resolve` entries (each email with the person UUIDs it matched; the batches then
// go by UUID) and a query run's `selection` entries (the snapshot of UUIDs it works on). Lines are
// read here as plain JSON so that a journal holding them can be reported on.
import { createReadStream } from 'node:fs';
import { splitLines } from '../input/text.js';
import type { JournalScope } from '../journal/read.js';

/** What became of one identifier. `not_sent` is never journaled: it is what an identifier without an entry is. */
export type IdentifierOutcome = 'deleted' | 'queued' | 'not_found' | 'failed' | 'done_earlier' | 'not_sent';

/** The batch an outcome comes from: shared by all its identifiers. */
export interface BatchRef {
  /** 1-based run of the operation in the journal */
  run: number;
  batch: number;
  time: string;
  http_status: number | null;
}

export interface IdRecord {
  outcome: IdentifierOutcome;
  /** the person the lookup resolved the identifier to */
  person: string | null;
  batch: BatchRef;
}

export interface JournalOutcomes {
  /** runs of the operation in the journal */
  runs: number;
  /** what the first run's header says the identifiers are ("distinct_id", "uuid") */
  by: string | undefined;
  /** per identifier as sent (distinct_id or UUID): the last word of the journal on it */
  ids: Map<string, IdRecord>;
  /** email runs: each email with the person UUIDs it matched */
  resolved: Map<string, string[]> | undefined;
  /** query runs: the journal holds the selection the run worked on (read with selectionChunks) */
  selected: boolean;
  /** a batch entry was written (the run got past its resolve or selection step) */
  anyBatch: boolean;
}

type Entry = Record<string, unknown>;

function parseLine(text: string): Entry | undefined {
  if (text.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as Entry).run_id !== 'string') return undefined;
    return value as Entry;
  } catch {
    return undefined;
  }
}

function sameOperation(header: Entry, scope: JournalScope): boolean {
  return header.command === scope.command && header.host === scope.host && String(header.project) === String(scope.project);
}

/** Reads the journal once into the per-identifier map. */
export async function readOutcomes(path: string, scope: JournalScope): Promise<JournalOutcomes> {
  const ids = new Map<string, IdRecord>();
  let resolved: Map<string, string[]> | undefined;
  let selected = false;
  let anyBatch = false;
  let runs = 0;
  let by: string | undefined;
  let keepPerson = false;
  for await (const { entry, run } of scopedEntries(path, scope)) {
    if (entry.type === 'run') {
      // Headers come before their entries; the run's flags (keep_person) are read from them.
      runs++;
      const flags = (entry.flags ?? {}) as Entry;
      by ??= typeof flags.by === 'string' ? flags.by : undefined;
      keepPerson = flags.keep_person === true;
    } else if (entry.type === 'resolve') {
      resolved ??= new Map();
      for (const [email, uuids] of Object.entries((entry.matches ?? {}) as Record<string, unknown>)) {
        resolved.set(email, Array.isArray(uuids) ? uuids.map(String) : []);
      }
    } else if (entry.type === 'selection') {
      selected = true;
    } else if (entry.type === 'batch' && Array.isArray(entry.ids)) {
      anyBatch = true;
      const ref: BatchRef = { run, batch: Number(entry.batch), time: String(entry.time), http_status: typeof entry.http_status === 'number' ? entry.http_status : null };
      const command = scope.command;
      for (const id of entry.ids as string[]) {
        const before = ids.get(id);
        const record = outcomeOf(entry, id, ref, command, keepPerson);
        // Done wins whatever the order: an identifier recorded done is never sent again.
        if (record.outcome === 'failed' && before !== undefined && before.outcome !== 'failed') continue;
        ids.set(id, record);
      }
    }
  }
  return { runs, by, ids, resolved, selected, anyBatch };
}

/** One identifier's outcome in one batch entry. */
function outcomeOf(entry: Entry, id: string, batch: BatchRef, command: string, keepPerson: boolean): IdRecord {
  const found = entry.looked_up === true && typeof entry.found === 'object' && entry.found !== null ? (entry.found as Record<string, string>) : undefined;
  const person = found?.[id] ?? null;
  if (entry.status !== 'done') return { outcome: 'failed', person, batch };
  const response = (entry.response ?? null) as Entry | null;
  if (command !== 'delete') {
    // Property writes journal found and missing persons apart, with or without the lookup fields.
    return { outcome: response?.outcome === 'not_found' ? 'not_found' : 'queued', person, batch };
  }
  if (found === undefined) return { outcome: 'done_earlier', person: null, batch };
  if (person === null) return { outcome: 'not_found', person, batch };
  const errors = Array.isArray(response?.deletion_errors) ? (response!.deletion_errors as Entry[]) : [];
  if (errors.some((error) => String(error?.person_uuid ?? '').toLowerCase() === person.toLowerCase())) return { outcome: 'failed', person, batch };
  // Inferred: the lookup found the person and the server accepted the batch. (An empty answer, from
  // older servers, is taken as deleted.) keep_person deletes only the person's data, which is queued.
  const queued = keepPerson || (typeof response?.persons_queued_for_deletion === 'number' && response.persons_queued_for_deletion > 0);
  return { outcome: queued ? 'queued' : 'deleted', person, batch };
}

/** A query run's selection, in the order it was snapshotted: the chunks of the first run that wrote one. */
export async function* selectionChunks(path: string, scope: JournalScope): AsyncGenerator<string[]> {
  let from: number | undefined;
  for await (const { entry, run } of scopedEntries(path, scope)) {
    if (entry.type !== 'selection' || !Array.isArray(entry.uuids)) continue;
    from ??= run;
    if (run === from) yield (entry.uuids as unknown[]).map(String);
  }
}

/**
 * The entries of one operation (command, host, project) in file order, its run headers included,
 * each with its run's number; a torn or damaged line is skipped (the report says what the journal
 * holds; --resume is what refuses a damaged journal).
 */
export async function* scopedEntries(path: string, scope: JournalScope): AsyncGenerator<{ entry: Entry; run: number }> {
  const runs = new Map<string, number>();
  try {
    const stream = createReadStream(path, { encoding: 'utf8' }) as AsyncIterable<string>;
    for await (const lines of splitLines(stream)) {
      for (const text of lines) {
        const entry = parseLine(text);
        if (entry === undefined) continue;
        const runId = String(entry.run_id);
        if (entry.type === 'run') {
          if (!sameOperation(entry, scope)) continue;
          runs.set(runId, runs.size + 1);
          yield { entry, run: runs.size };
          continue;
        }
        const run = runs.get(runId);
        if (run !== undefined) yield { entry, run };
      }
    }
  } catch (error) {
    // No journal yet (the run stopped before writing one): nothing was done.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
}
