// --report in a bulk run: the path checked before any request, and the file written once the run
// is over, whatever its end (completed, failed, interrupted): it says what the journal holds,
// across every run of the operation in it.
import { resolve } from 'node:path';
import type { Factory } from '../../factory.js';
import type { JournalScope } from '../journal/read.js';
import { checkReportPath, openReport } from './report-file.js';
import { writeReport, type ReportCounts, type SourceRow } from './report-rows.js';

/** What a run needs to write its report at the end. */
export interface RunReport {
  /** absolute */
  path: string;
  /** what the identifiers are (distinct_id, uuid) */
  kind: string;
  rows(): AsyncIterable<readonly SourceRow[]>;
}

/** Checks --report before any request (exit 2 naming the problem) and returns its absolute path. */
export async function checkRunReport(factory: Factory, report: string, others: { input?: string; journal?: string; backup?: string }): Promise<string> {
  const path = resolve(factory.cwd, report);
  const absolute = Object.fromEntries(Object.entries(others).map(([name, other]) => [name, other === undefined ? undefined : resolve(factory.cwd, other)]));
  await checkReportPath(path, absolute);
  return path;
}

/** The outcomes in the order the closing line names them. */
const ORDER = ['deleted', 'queued', 'not_found', 'failed', 'duplicate', 'done_earlier', 'not_sent'];

/** Writes the report from the journal and says where it is (unless -q). */
export async function finishRunReport(factory: Factory, report: RunReport, journal: string, scope: JournalScope): Promise<ReportCounts> {
  const writer = await openReport(report.path, { extra: ['run'] });
  const counts = await writeReport({ journal, scope, kind: report.kind, rows: () => report.rows() }, writer);
  if (!factory.globals().quiet) factory.io.err(`Report: ${report.path}: ${describeCounts(counts)}`);
  return counts;
}

export function describeCounts(counts: ReportCounts): string {
  const parts = [...ORDER, ...Object.keys(counts.outcomes).filter((o) => !ORDER.includes(o))]
    .filter((outcome) => (counts.outcomes[outcome] ?? 0) > 0)
    .map((outcome) => `${outcome} ${counts.outcomes[outcome]!.toLocaleString('en-US')}`);
  const rows = `${counts.rows.toLocaleString('en-US')} ${counts.rows === 1 ? 'row' : 'rows'}`;
  return parts.length > 0 ? `${rows} (${parts.join(', ')})` : rows;
}
