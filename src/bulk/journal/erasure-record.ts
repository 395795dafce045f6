// A whole journal read back as the record of an erasure: every run (of any command, host or
// project) with its header, batches, footer and the entries that say which persons a run chose
// (`resolve` for emails, `selection` for a query). `verify --journal` and
// `deletion-status --journal` read it; --resume keeps its own streaming reader (read.ts), which
// needs only the identifiers done.
import { UsageError } from '../../errors.js';
import { parseEntry, type JournalBatch, type JournalFooter, type JournalHeader } from './entries.js';
import { forEachJournalLine } from './read.js';

/** Written by runs that look their persons up by email before writing by UUID. */
export interface ResolveRecord {
  type: 'resolve';
  run_id: string;
  by?: string;
  matches?: Record<string, string[]>;
}

/** Written by runs that select their persons by a query: a snapshot of UUIDs, in chunks. */
export interface SelectionRecord {
  type: 'selection';
  run_id: string;
  query?: Record<string, unknown>;
  total?: number;
  uuids?: string[];
}

/** A batch as recorded, with what the lookup before it found, where the run made one. */
export type BatchRecord = JournalBatch & {
  /** identifier → person UUID, for the identifiers of the batch that resolved before it was sent */
  found?: Record<string, string>;
  /** true when `found` is complete: identifiers of the batch absent from it matched no person */
  looked_up?: boolean;
};

export interface RunRecord {
  header: JournalHeader;
  /** the header's line number (1-based) */
  line: number;
  batches: BatchRecord[];
  footer?: JournalFooter;
  resolves: ResolveRecord[];
  selections: SelectionRecord[];
}

export interface ErasureRecord {
  path: string;
  /** in the order their headers appear */
  runs: RunRecord[];
  /** the file ends in an unfinished line (a write cut short), which records nothing */
  tornTail: boolean;
}

/**
 * Reads every run of a journal. A line that is not an entry is an error naming it (exit 2), except
 * an unfinished last line; entries of types this version does not know are skipped, so a journal
 * written by a newer version still reads.
 */
export async function readErasureRecord(path: string): Promise<ErasureRecord> {
  const runs = new Map<string, RunRecord>();
  const orphans: Array<{ runId: string; line: number; add(run: RunRecord): void }> = [];
  let tornTail = false;

  const accept = (text: string, line: number, last: boolean): void => {
    if (text.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      if (last) {
        tornTail = true;
        return;
      }
      throw damaged(path, line, 'not valid JSON');
    }
    const type = (raw as { type?: unknown } | null)?.type;
    const runId = (raw as { run_id?: unknown } | null)?.run_id;
    if (type === 'resolve' || type === 'selection') {
      if (typeof runId !== 'string') throw damaged(path, line, 'not a journal entry (no run_id)');
      const add = (run: RunRecord) => (type === 'resolve' ? run.resolves.push(raw as ResolveRecord) : run.selections.push(raw as SelectionRecord));
      const run = runs.get(runId);
      if (run) add(run);
      else orphans.push({ runId, line, add });
      return;
    }
    const entry = parseEntry(text);
    if (typeof entry === 'string') {
      if (/unknown type/.test(entry)) return;
      throw damaged(path, line, entry);
    }
    if (entry.type === 'run') {
      if (!runs.has(entry.run_id)) runs.set(entry.run_id, { header: entry, line, batches: [], resolves: [], selections: [] });
      return;
    }
    const add = (run: RunRecord) => (entry.type === 'batch' ? run.batches.push(entry as BatchRecord) : (run.footer = entry as JournalFooter));
    const run = runs.get(entry.run_id);
    if (run) add(run);
    else orphans.push({ runId: entry.run_id, line, add });
  };

  await forEachJournalLine(path, accept, `no journal at ${path}`);
  // A batch may be written before its header only by a hand edit; its header may still come later.
  for (const orphan of orphans) {
    const run = runs.get(orphan.runId);
    if (!run) throw damaged(path, orphan.line, `run "${orphan.runId}" has no header line`);
    orphan.add(run);
  }
  return { path, runs: [...runs.values()], tornTail };
}

function damaged(path: string, line: number, what: string): UsageError {
  return new UsageError(`${path} line ${line}: ${what}`, 'The journal is damaged: it cannot serve as the record of an erasure as it is.');
}

/** An identifier a run recorded as deleted (or queued for deletion), and how to look it up. */
export interface ErasedIdentifier {
  id: string;
  kind: 'uuid' | 'distinct_id';
  /** the person UUID the lookup before the batch found, when there was one */
  personUuid?: string;
  run: RunRecord;
  batch: BatchRecord;
}

/**
 * The identifiers of done batches of delete runs that removed persons (not --keep-person runs,
 * which keep them). Where a batch was looked up first, only the identifiers it found (the others
 * matched no person, so there was nothing to delete); otherwise all of them. Runs by email or by
 * query send person UUIDs, so their batches are by uuid.
 */
export function* erasedIdentifiers(record: ErasureRecord, runs: readonly RunRecord[] = record.runs): Generator<ErasedIdentifier> {
  for (const run of runs) {
    if (!isPersonDeletion(run)) continue;
    for (const batch of run.batches) {
      if (batch.status !== 'done') continue;
      const kind = batch.by === 'uuid' ? 'uuid' : 'distinct_id';
      if (batch.looked_up === true) {
        for (const [id, personUuid] of Object.entries(batch.found ?? {})) yield { id, kind, personUuid, run, batch };
      } else {
        for (const id of batch.ids) yield { id, kind, ...(kind === 'uuid' ? { personUuid: id.toLowerCase() } : {}), run, batch };
      }
    }
  }
}

/** A delete run that removed the persons themselves (not only their events or recordings). */
export function isPersonDeletion(run: RunRecord): boolean {
  return run.header.command === 'delete' && run.header.flags.keep_person !== true;
}
