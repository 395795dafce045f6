// Reading a journal back for --resume: which identifiers are done, which failed, and how the
// last run was started.

import { createReadStream } from 'node:fs';
import { UsageError } from '../errors.js';
import { splitLines } from './input-text.js';
import type { JournalBatch, JournalEntry, JournalHeader } from './journal.js';

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
  done: Set<string>;
  /** In a failed batch and in no done batch: to retry. */
  failed: Set<string>;
  /** The last run header of the operation. */
  lastHeader?: JournalHeader;
  batches: number;
  /** The file ended in an unfinished line (a write cut short by a kill), which was ignored. */
  corruptTail: boolean;
}

/** Reads an existing journal for --resume. A torn last line is ignored and reported with corruptTail; a corrupt line elsewhere is a UsageError naming the line. */
export async function readJournal(path: string, scope?: JournalScope): Promise<JournalState> {
  const entries: { entry: JournalEntry; line: number }[] = [];
  let corruptTail = false;
  let pending: { text: string; line: number } | undefined;
  let endsWithNewline = true;
  const accept = (text: string, line: number, last: boolean): void => {
    if (text.trim() === '') return;
    const parsed = parseEntry(text);
    if (typeof parsed === 'object') entries.push({ entry: parsed, line });
    else if (last) corruptTail = true;
    else throw new UsageError(`${path} line ${line}: ${parsed}`, 'The journal is damaged: repair that line, or start afresh with another --journal PATH.');
  };

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
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`no journal at ${path} to resume from`);
    throw new UsageError(`cannot read the journal ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Only an unterminated last line can be torn; a finished line that does not parse is damage.
  if (pending !== undefined) accept(pending.text, pending.line, !endsWithNewline);
  return summarize(entries, path, scope, corruptTail);
}

/** Passes text through, telling `onEnd` the last character seen. */
async function* watchEnd(chunks: AsyncIterable<string>, onEnd: (last: string) => void): AsyncGenerator<string> {
  for await (const chunk of chunks) {
    if (chunk.length > 0) onEnd(chunk[chunk.length - 1]);
    yield chunk;
  }
}

function summarize(
  entries: { entry: JournalEntry; line: number }[],
  path: string,
  scope: JournalScope | undefined,
  corruptTail: boolean,
): JournalState {
  const headers = entries.flatMap(({ entry }) => (entry.type === 'run' ? [entry] : []));
  const target = scope ?? headers.at(-1);
  const inScope = new Set<string>();
  let lastHeader: JournalHeader | undefined;
  for (const header of headers) {
    if (target === undefined || !sameOperation(header, target)) continue;
    inScope.add(header.run_id);
    lastHeader = header;
  }

  const known = new Set(headers.map((header) => header.run_id));
  const done = new Set<string>();
  const failedIds = new Set<string>();
  let batches = 0;
  for (const { entry, line } of entries) {
    if (entry.type === 'run') continue;
    if (!known.has(entry.run_id)) throw new UsageError(`${path} line ${line}: run "${entry.run_id}" has no header line`);
    if (entry.type !== 'batch' || !inScope.has(entry.run_id)) continue;
    batches++;
    const into = entry.status === 'done' ? done : failedIds;
    for (const id of entry.ids) into.add(id);
  }
  // Done wins whatever the order: an identifier recorded done is never sent again.
  const failed = new Set([...failedIds].filter((id) => !done.has(id)));
  return { runs: inScope.size, done, failed, lastHeader, batches, corruptTail };
}

function sameOperation(header: JournalHeader, target: JournalScope): boolean {
  return header.command === target.command && header.host === target.host && String(header.project) === String(target.project);
}

/** A journal line as an entry, or what is wrong with it. */
export function parseEntry(text: string): JournalEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a journal entry';
  const entry = value as Record<string, unknown>;
  if (typeof entry.run_id !== 'string') return 'not a journal entry (no run_id)';
  switch (entry.type) {
    case 'run':
      if (entry.version !== 1) return `journal version ${JSON.stringify(entry.version)} is not supported by this version of posthog-persons`;
      if (typeof entry.command !== 'string' || typeof entry.host !== 'string') return 'a run header without its command or host';
      return entry as unknown as JournalHeader;
    case 'batch':
      if (!Array.isArray(entry.ids) || !entry.ids.every((id) => typeof id === 'string')) return 'a batch without its list of identifiers';
      if (entry.status !== 'done' && entry.status !== 'failed') return `a batch with the unknown status ${JSON.stringify(entry.status)}`;
      return entry as unknown as JournalBatch;
    case 'end':
      return entry as unknown as JournalEntry;
    default:
      return `an entry of the unknown type ${JSON.stringify(entry.type)}`;
  }
}
