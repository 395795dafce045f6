// The summary of a resumed run covers the whole erasure, not only its last run: every batch the
// journal records for the operation (command, host, project) is summed again, the way the report
// reads it, so the counts and the report agree. An identifier whose batch failed in one run and
// succeeded in a later one counts once, as done.
import type { JournalScope } from '../journal/read.js';
import { scopedEntries } from '../report/journal-outcomes.js';
import type { BatchReport } from './runner.js';

/**
 * Replays the journal's batches into `tally`; returns the runs it holds. One pass, holding only
 * the identifiers of failed batches not yet done (a run never sends again what is recorded done, so
 * a done entry settles every earlier failure of its identifiers).
 */
export async function replayJournal(path: string, scope: JournalScope, tally: { add(report: BatchReport): void }): Promise<number> {
  let runs = 0;
  const failed = new Set<string>();
  for await (const { entry } of scopedEntries(path, scope)) {
    if (entry.type === 'run') runs++;
    if (entry.type !== 'batch' || !Array.isArray(entry.ids)) continue;
    const ids = entry.ids as string[];
    if (entry.status !== 'done') {
      for (const id of ids) failed.add(id);
      continue;
    }
    for (const id of ids) failed.delete(id);
    tally.add({ ids, status: 'done', ...(typeof entry.http_status === 'number' ? { http_status: entry.http_status } : {}), response: entry.response });
  }
  // Failed batches count only their identifiers no later batch did (what --resume would send again).
  if (failed.size > 0) tally.add({ ids: [...failed], status: 'failed' });
  return runs;
}
