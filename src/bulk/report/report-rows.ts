// The rows of a --report: one per input row, in input order, from the journal's per-identifier map
// (src/bulk/report/journal-outcomes.ts) and the input read once more. What is held while the rows
// are written is that map (each identifier sent, its person and outcome, a reference to its batch)
// and, for an email run, each email's matches; the input rows stream past.
//
// Where the rows come from:
// - a file run: every non-blank row of the input, duplicates included (`duplicate`, with the person
//   of the identifier's first row); a stream (stdin, a pipe) is read once, so only its unique
//   identifiers are rowed (its duplicates are counted in the summary, not listed);
// - named persons: each argument, with the UUID it was resolved to;
// - an email run (`resolve` entries): one row per email, person_uuid all the persons it matched,
//   its outcome combined from theirs; an email matching nobody is not_found;
// - a query run (`selection` entries): one row per selected UUID, in the snapshot's order.
import type { JournalScope } from '../journal/read.js';
import type { ReportRow, ReportWriter } from './report-file.js';
import { readOutcomes, selectionChunks, type IdentifierOutcome, type IdRecord, type JournalOutcomes } from './journal-outcomes.js';

/** A row of the input as the report sees it. */
export interface SourceRow {
  /** the identifier as the input gave it */
  id: string;
  /** the identifier appeared on an earlier row */
  duplicate: boolean;
  /** the identifier the journal knows it by, when it is not `id` (a named person: its UUID) */
  key?: string;
  /** what the identifier is, when it differs from the run's kind (a named person given by distinct_id) */
  kind?: string;
}

export interface ReportSource {
  journal: string;
  scope: JournalScope;
  /** what the identifiers are: distinct_id, uuid (email comes from the journal's resolve entries) */
  kind: string;
  /** the input rows, in order (not read for a query run, whose rows are its selection) */
  rows(): AsyncIterable<readonly SourceRow[]>;
}

/** What a finished report holds: its rows by outcome, and the runs it covers. */
export interface ReportCounts {
  rows: number;
  runs: number;
  outcomes: Record<string, number>;
}

/** Builds the rows and hands each to `write`. */
export async function buildReport(source: ReportSource, write: (row: ReportRow) => Promise<void>): Promise<ReportCounts> {
  const journal = await readOutcomes(source.journal, source.scope);
  const counts: ReportCounts = { rows: 0, runs: journal.runs, outcomes: {} };
  const emit = async (row: ReportRow): Promise<void> => {
    counts.rows++;
    counts.outcomes[row.outcome] = (counts.outcomes[row.outcome] ?? 0) + 1;
    await write(row);
  };
  if (journal.selected) {
    for await (const chunk of selectionChunks(source.journal, source.scope)) {
      for (const uuid of chunk) await emit(rowOf(uuid, 'uuid', journal.ids.get(uuid), uuid));
    }
    return counts;
  }
  const byEmail = journal.resolved;
  for await (const group of source.rows()) {
    for (const row of group) {
      if (byEmail !== undefined) await emit(emailRow(row, journal, byEmail));
      else {
        const record = journal.ids.get(row.key ?? row.id);
        const kind = row.kind ?? source.kind;
        await emit(row.duplicate ? duplicateRow(row.id, kind, record?.person ?? null) : rowOf(row.id, kind, record, row.key));
      }
    }
  }
  return counts;
}

/** Writes the whole report through `writer` and puts it in place. */
export async function writeReport(source: ReportSource, writer: ReportWriter): Promise<ReportCounts> {
  try {
    const counts = await buildReport(source, (row) => writer.write(row));
    await writer.commit();
    return counts;
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** `known`: the person the identifier is known to be before any batch (a named person's UUID). */
function rowOf(identifier: string, kind: string, record: IdRecord | undefined, known?: string): ReportRow {
  if (record === undefined) return { identifier, kind, person_uuid: known ?? null, outcome: 'not_sent', batch: null, time: null, http_status: null, run: null };
  return {
    identifier,
    kind,
    person_uuid: record.person ?? (record.outcome === 'not_found' ? null : (known ?? null)),
    outcome: record.outcome,
    batch: record.batch.batch,
    time: record.batch.time,
    http_status: record.batch.http_status,
    run: record.batch.run,
  };
}

function duplicateRow(identifier: string, kind: string, person: string | string[] | null): ReportRow {
  return { identifier, kind, person_uuid: person, outcome: 'duplicate', batch: null, time: null, http_status: null, run: null };
}

/** Which outcome an email takes when its persons' differ: the one that most needs attention. */
const EMAIL_PRECEDENCE: IdentifierOutcome[] = ['failed', 'not_sent', 'queued', 'deleted', 'done_earlier', 'not_found'];

function emailRow(row: SourceRow, journal: JournalOutcomes, byEmail: Map<string, string[]>): ReportRow {
  const uuids = byEmail.get(row.id) ?? byEmail.get(row.id.toLowerCase());
  if (row.duplicate) return duplicateRow(row.id, 'email', uuids ?? null);
  if (uuids === undefined || uuids.length === 0) {
    // An email the resolve step never reached (the run stopped during it) was not sent; one it
    // reached (or every one, once the run got to its batches) matched nobody.
    const outcome = uuids === undefined && !journal.anyBatch ? 'not_sent' : 'not_found';
    return { identifier: row.id, kind: 'email', person_uuid: [], outcome, batch: null, time: null, http_status: null, run: null };
  }
  const records = uuids.map((uuid) => journal.ids.get(uuid));
  const outcomeOf = (record: IdRecord | undefined): IdentifierOutcome => record?.outcome ?? 'not_sent';
  const outcome = EMAIL_PRECEDENCE.find((candidate) => records.some((record) => outcomeOf(record) === candidate)) ?? 'not_sent';
  const from = records.find((record) => outcomeOf(record) === outcome);
  return {
    identifier: row.id,
    kind: 'email',
    person_uuid: uuids,
    outcome,
    batch: from?.batch.batch ?? null,
    time: from?.batch.time ?? null,
    http_status: from?.batch.http_status ?? null,
    run: from?.batch.run ?? null,
  };
}
