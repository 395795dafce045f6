// The --report of a run whose outcome per identifier is in its journal's batch lines (reset-distinct-id):
// one row per identifier, the last word of every run of the same operation (a later `done` wins
// over an earlier `failed`), so a report written after --resume covers the whole job.
import { createReadStream } from 'node:fs';
import { splitLines } from '../input/text.js';
import { parseEntry, type JournalBatch } from '../journal/entries.js';
import type { JournalScope } from '../journal/read.js';
import { openReport, type ReportRow } from './report-file.js';

/** Writes the report at `path` from the journal at `journal`; returns the rows written. */
export async function reportFromJournal(journal: string, path: string, scope: JournalScope, outcomeOf: (batch: JournalBatch) => string): Promise<number> {
  const runs = new Set<string>();
  const rows = new Map<string, ReportRow>();
  const chunks = createReadStream(journal, { encoding: 'utf8' }) as AsyncIterable<string>;
  for await (const lines of splitLines(chunks)) {
    for (const text of lines) {
      const entry = parseEntry(text);
      if (typeof entry !== 'object') continue;
      if (entry.type === 'run') {
        if (entry.command === scope.command && entry.host === scope.host && String(entry.project) === String(scope.project)) runs.add(entry.run_id);
        continue;
      }
      if (entry.type !== 'batch' || !runs.has(entry.run_id)) continue;
      for (const id of entry.ids) {
        const before = rows.get(id);
        if (before !== undefined && before.outcome !== 'failed' && entry.status === 'failed') continue;
        rows.set(id, {
          identifier: id,
          kind: entry.by,
          person_uuid: null,
          outcome: entry.status === 'failed' ? 'failed' : outcomeOf(entry),
          batch: entry.batch,
          time: entry.time,
          http_status: entry.http_status ?? null,
        });
      }
    }
  }
  const report = await openReport(path);
  try {
    for (const row of rows.values()) await report.write(row);
    return await report.commit();
  } catch (error) {
    await report.abort();
    throw error;
  }
}
