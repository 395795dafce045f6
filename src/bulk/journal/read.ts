// Reading a journal back for --resume: which identifiers are done, which failed, and how the
// last run was started.

import { createReadStream } from 'node:fs';
import { UsageError } from '../../errors.js';
import { IdSet } from '../input/id-set.js';
import { splitLines } from '../input/text.js';
import { parseEntry, type JournalBatch, type JournalEntry, type JournalHeader } from './entries.js';

/** Which operation to resume: runs of other commands, hosts or projects in the same file are ignored. */
export interface JournalScope {
  command: string;
  host: string;
  project: string;
}

/**
 * `runs`, `batches`, `done` and `failed` cover the runs of one operation (command, host and
 * project): by default that of the last run in the file, else `scope`. A journal reused for a
 * rehearsal against a sandbox and then for production must not let one stand in for the other.
 */
export interface JournalState {
  runs: number;
  /** Never to be sent again. */
  done: IdSet;
  /** In a failed batch and in no done batch: to retry. */
  failed: IdSet;
  /** The last run header of the operation. */
  lastHeader?: JournalHeader;
  batches: number;
  /** The file ended in an unfinished line (a write cut short by a kill), which was ignored. */
  corruptTail: boolean;
}

/**
 * Streams a journal's lines to `accept` with their 1-based numbers; `last` is true only for a final
 * line without its "\n" (a write cut short by a kill). A missing file is a UsageError saying
 * `missing`; any other read error a UsageError naming the file. Errors `accept` throws pass through.
 */
export async function forEachJournalLine(path: string, accept: (text: string, line: number, last: boolean) => void, missing: string): Promise<void> {
  let pending: { text: string; line: number } | undefined;
  let endsWithNewline = true;
  let line = 0;
  try {
    const chunks = createReadStream(path, { encoding: 'utf8' }) as AsyncIterable<string>;
    for await (const lines of splitLines(watchEnd(chunks, (last) => (endsWithNewline = last === '\n')))) {
      for (const text of lines) {
        if (pending !== undefined) accept(pending.text, pending.line, false);
        pending = { text, line: ++line };
      }
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(missing);
    throw new UsageError(`cannot read the journal ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (pending !== undefined) accept(pending.text, pending.line, !endsWithNewline);
}

/**
 * Reads an existing journal for --resume. A torn last line is ignored and reported with
 * corruptTail; a corrupt line elsewhere is a UsageError naming the line. The file is streamed and
 * each batch's identifiers go straight into the sets of its run, so a journal of a million
 * identifiers is never held whole.
 */
export async function readJournal(path: string, scope?: JournalScope): Promise<JournalState> {
  const tally = new Tally(path);
  let corruptTail = false;
  const accept = (text: string, line: number, last: boolean): void => {
    if (text.trim() === '') return;
    const parsed = parseEntry(text);
    if (typeof parsed === 'object') tally.add(parsed, line);
    else if (last) corruptTail = true;
    else throw new UsageError(`${path} line ${line}: ${parsed}`, 'The journal is damaged: repair that line, or start afresh with another --journal PATH.');
  };

  // Only an unterminated last line can be torn; a finished line that does not parse is damage.
  await forEachJournalLine(path, accept, `no journal at ${path} to resume from`);
  return { ...tally.finish(scope), corruptTail };
}

/** Passes text through, telling `onEnd` the last character seen. */
async function* watchEnd(chunks: AsyncIterable<string>, onEnd: (last: string) => void): AsyncGenerator<string> {
  for await (const chunk of chunks) {
    if (chunk.length > 0) onEnd(chunk[chunk.length - 1]);
    yield chunk;
  }
}

interface RunIds {
  done: IdSet;
  failed: IdSet;
  batches: number;
}

/** The journal's entries as they are read: run headers, and each run's identifiers. */
class Tally {
  private readonly headers: JournalHeader[] = [];
  private readonly runs = new Map<string, RunIds>();
  /** The first line of each run seen before (or without) its header. */
  private readonly unheaded = new Map<string, number>();

  constructor(private readonly path: string) {}

  add(entry: JournalEntry, line: number): void {
    if (entry.type === 'run') {
      this.headers.push(entry);
      this.unheaded.delete(entry.run_id);
      return;
    }
    if (!this.headers.some((header) => header.run_id === entry.run_id) && !this.unheaded.has(entry.run_id)) {
      this.unheaded.set(entry.run_id, line);
    }
    if (entry.type !== 'batch') return;
    let run = this.runs.get(entry.run_id);
    if (run === undefined) {
      run = { done: new IdSet(), failed: new IdSet(), batches: 0 };
      this.runs.set(entry.run_id, run);
    }
    run.batches++;
    const into = entry.status === 'done' ? run.done : run.failed;
    for (const id of entry.ids) into.add(id);
  }

  /**
   * `runs`, `batches`, `done` and `failed` of one operation: by default that of the last run in
   * the file, else `scope`.
   */
  finish(scope: JournalScope | undefined): Omit<JournalState, 'corruptTail'> {
    const orphan = [...this.unheaded].sort((a, b) => a[1] - b[1])[0];
    if (orphan !== undefined) throw new UsageError(`${this.path} line ${orphan[1]}: run "${orphan[0]}" has no header line`);
    const target = scope ?? this.headers.at(-1);
    const inScope = new Set<string>();
    let lastHeader: JournalHeader | undefined;
    for (const header of this.headers) {
      if (target === undefined || !sameOperation(header, target)) continue;
      inScope.add(header.run_id);
      lastHeader = header;
    }
    const runs = [...inScope].flatMap((id) => this.runs.get(id) ?? []);
    const done = union(runs.map((run) => run.done));
    // Done wins whatever the order: an identifier recorded done is never sent again.
    const failed = new IdSet();
    for (const run of runs) for (const id of run.failed) if (!done.has(id)) failed.add(id);
    const batches = runs.reduce((sum, run) => sum + run.batches, 0);
    return { runs: inScope.size, done, failed, lastHeader, batches };
  }
}

function union(sets: IdSet[]): IdSet {
  if (sets.length === 1) return sets[0];
  const all = new IdSet();
  for (const set of sets) for (const id of set) all.add(id);
  return all;
}

function sameOperation(header: JournalHeader, target: JournalScope): boolean {
  return header.command === target.command && header.host === target.host && String(header.project) === String(target.project);
}
