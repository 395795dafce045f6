// The summary of a resumed run covers the whole erasure, not only its last run: every batch the
// journal records for the operation (command, host, project) is summed again, the way the report
// reads it, so the counts and the report agree. An identifier whose batch failed in one run and
// succeeded in a later one counts once, as done.
import { readJournal } from '../journal/read.js';
import type { JournalScope } from '../journal/read.js';
import { scopedEntries } from '../report/journal-outcomes.js';
import type { BatchReport } from './runner.js';

/** Replays the journal's batches into `tally`; returns the runs it holds. */
export async function replayJournal(path: string, scope: JournalScope, tally: { add(report: BatchReport): void }): Promise<number> {
  let runs = 0;
  for await (const { entry } of scopedEntries(path, scope)) {
    if (entry.type === 'run') runs++;
    if (entry.type !== 'batch' || entry.status !== 'done' || !Array.isArray(entry.ids)) continue;
    tally.add({
      ids: entry.ids as string[],
      status: 'done',
      ...(typeof entry.http_status === 'number' ? { http_status: entry.http_status } : {}),
      response: entry.response,
    });
  }
  // Failed batches count only their identifiers no later batch did (what --resume would send again).
  const { failed } = await readJournal(path, scope);
  if (failed.size > 0) tally.add({ ids: [...failed], status: 'failed' });
  return runs;
}
