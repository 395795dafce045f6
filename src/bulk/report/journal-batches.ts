// The --report of a run whose outcome per identifier is in its journal's batch lines (reset-distinct-id):
// one row per identifier, the last word of every run of the same operation (a later `done` wins
// over an earlier `failed`), so a report written after --resume covers the whole job.
import { createReadStream } from 'node:fs';
import { splitLines } from '../input/text.js';
import { parseEntry, type JournalBatch } from '../journal/entries.js';
import type { JournalScope } from '../journal/read.js';
import { openReport, type ReportRow } from './report-file.js';

/**
 * Writes the report at `path` from the journal at `journal`; returns the rows written. Several
 * scopes (a run over several projects): a row per identifier and project, with a `project` column.
 */
export async function reportFromJournal(journal: string, path: string, scopes: JournalScope | JournalScope[], outcomeOf: (batch: JournalBatch) => string): Promise<number> {
  const several = Array.isArray(scopes);
  const list = several ? scopes : [scopes];
  /** run id → its project, for the runs in scope */
  const runs = new Map<string, string>();
  const rows = new Map<string, ReportRow>();
  const chunks = createReadStream(journal, { encoding: 'utf8' }) as AsyncIterable<string>;
  for await (const lines of splitLines(chunks)) {
    for (const text of lines) {
      const entry = parseEntry(text);
      if (typeof entry !== 'object') continue;
      if (entry.type === 'run') {
        if (list.some((scope) => entry.command === scope.command && entry.host === scope.host && String(entry.project) === String(scope.project))) runs.set(entry.run_id, String(entry.project));
        continue;
      }
      const project = entry.type === 'batch' ? runs.get(entry.run_id) : undefined;
      if (entry.type !== 'batch' || project === undefined) continue;
      for (const id of entry.ids) {
        const key = several ? `${project}\n${id}` : id;
        const before = rows.get(key);
        if (before !== undefined && before.outcome !== 'failed' && entry.status === 'failed') continue;
        rows.set(key, {
          identifier: id,
          kind: entry.by,
          person_uuid: null,
          outcome: entry.status === 'failed' ? 'failed' : outcomeOf(entry),
          batch: entry.batch,
          time: entry.time,
          http_status: entry.http_status ?? null,
          ...(several ? { project: Number(project) } : {}),
        });
      }
    }
  }
  const report = await openReport(path, several ? { extra: ['project'] } : {});
  try {
    const ordered = several ? list.flatMap((scope) => [...rows.values()].filter((row) => String(row.project) === String(scope.project))) : rows.values();
    for (const row of ordered) await report.write(row);
    return await report.commit();
  } catch (error) {
    await report.abort();
    throw error;
  }
}
