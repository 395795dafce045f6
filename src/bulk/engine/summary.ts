// What a bulk run reports at the end, built only from what PostHog answered: the counts of the
// contract (requested, found, deleted, queued for deletion, not found, failed, skipped), printed
// on stderr for people, or as one JSON object on stdout with -o json for scripts and records.
import type { BulkDeleteSummary } from '../../api/persons.js';
import { stringifyExact } from '../../json/exact.js';
import { escapeForTerminal } from '../../output/escape.js';
import { plural } from '../../output/message-text.js';
import type { InputStats } from '../input/read-input.js';
import type { BatchReport, RunOutcome } from './runner.js';

/** What every bulk run's summary holds, whatever its operation: one JSON object (stdout with -o json, the journal's footer). */
export interface BulkSummary {
  command: 'delete' | 'set-prop' | 'unset-prop' | 'verify' | 'reset-distinct-id';
  outcome: RunOutcome;
  by: string;
  requested: number;
  failed: number;
  skipped: number;
  /** identifiers never sent (an interrupted or stopped run) */
  not_sent: number;
  /**
   * A resumed run: how many runs of the journal the counts cover (they sum every run; `skipped`
   * is what this run skipped as done by the earlier ones). Absent for a run's first run.
   */
  runs?: number;
  batches: RunContext['batches'];
  input?: RunContext['input'];
  journal?: string;
  backup?: string;
  /** persons the server said it could not delete (delete only): exit 7 even when every request succeeded */
  deletion_errors?: string[];
  /** an email run: its emails, how many matched a person, none, or several */
  emails?: { count: number; matched: number; not_found: number; matching_several: number };
}

/** The summary of `delete`: counts are null where the server did not say (unknown, not zero). */
export interface DeleteSummary extends BulkSummary {
  command: 'delete';
  accepted: number;
  found: number | null;
  deleted: number | null;
  queued_for_deletion: number | null;
  not_found: number | null;
  events_queued_for_deletion: boolean | null;
  recordings_queued_for_deletion: boolean | null;
  deletion_errors: string[];
}

/** The summary of set-prop / unset-prop --from-file. */
export interface WriteSummary extends BulkSummary {
  command: 'set-prop' | 'unset-prop';
  found: number;
  queued: number;
  not_found: number;
}

/** What a bulk operation sums its batch reports into. */
export interface Tally<S extends BulkSummary> {
  add(report: BatchReport): void;
  summarize(run: RunContext): S;
}

export interface RunContext {
  outcome: RunOutcome;
  requested: number;
  skipped: number;
  batches: { done: number; failed: number };
  input?: InputStats & { path: string };
  journal?: string;
  backup?: string;
}

/** Sums the servers' bulk_delete answers. Identifiers, not persons: one person may have several. */
export class DeleteTally {
  accepted = 0;
  found = 0;
  deleted = 0;
  queued = 0;
  failedIds = 0;
  /** persons the server reported in deletion_errors */
  errorPersons: string[] = [];
  eventsQueued = false;
  recordingsQueued = false;
  /** a batch was answered without a summary (an old server's empty 202): the found counts are unknown */
  unknown = false;
  /** a summary lacked persons_deleted / persons_queued_for_deletion (older servers): that count is unknown */
  deletedUnknown = false;
  queuedUnknown = false;

  add(report: BatchReport): void {
    if (report.status === 'failed') {
      this.failedIds += report.ids.length;
      return;
    }
    this.accepted += report.ids.length;
    const summary = report.response as BulkDeleteSummary | undefined;
    if (!summary || typeof summary !== 'object' || typeof summary.persons_found !== 'number') {
      this.unknown = true;
      return;
    }
    this.found += summary.persons_found;
    if (typeof summary.persons_deleted === 'number') this.deleted += summary.persons_deleted;
    else this.deletedUnknown = true;
    if (typeof summary.persons_queued_for_deletion === 'number') this.queued += summary.persons_queued_for_deletion;
    else this.queuedUnknown = true;
    this.eventsQueued ||= summary.events_queued_for_deletion === true;
    this.recordingsQueued ||= summary.recordings_queued_for_deletion === true;
    for (const entry of summary.deletion_errors ?? []) this.errorPersons.push(String(entry?.person_uuid ?? stringifyExact(entry)));
  }

  toJSON(by: string, run: RunContext, flags: { deleteEvents: boolean; deleteRecordings: boolean }): DeleteSummary {
    const known = !this.unknown;
    const notSent = Math.max(0, run.requested - run.skipped - this.accepted - this.failedIds);
    return {
      command: 'delete',
      outcome: run.outcome,
      by,
      requested: run.requested,
      accepted: this.accepted,
      found: known ? this.found : null,
      deleted: known && !this.deletedUnknown ? this.deleted : null,
      queued_for_deletion: known && !this.queuedUnknown ? this.queued : null,
      // identifiers that matched no person when their batch was sent (an identifier whose person an
      // earlier identifier of the run already deleted counts here too)
      not_found: known ? Math.max(0, this.accepted - this.found) : null,
      failed: this.failedIds + this.errorPersons.length,
      skipped: run.skipped,
      not_sent: notSent,
      events_queued_for_deletion: flags.deleteEvents ? (known ? this.eventsQueued : null) : false,
      recordings_queued_for_deletion: flags.deleteRecordings ? (known ? this.recordingsQueued : null) : false,
      deletion_errors: this.errorPersons,
      batches: run.batches,
      ...(run.input ? { input: run.input } : {}),
      ...(run.journal ? { journal: run.journal } : {}),
      ...(run.backup ? { backup: run.backup } : {}),
    };
  }
}

/** set-prop / unset-prop --from-file: one request a person, each answered 202/201 or not. */
export class WriteTally {
  found = 0;
  queued = 0;
  notFound = 0;
  failed = 0;

  add(report: BatchReport): void {
    const outcome = (report.response as { outcome?: string } | undefined)?.outcome;
    if (report.status === 'failed') this.failed += report.ids.length;
    else if (outcome === 'not_found') this.notFound += report.ids.length;
    else {
      this.found += report.ids.length;
      this.queued += report.ids.length;
    }
  }

  toJSON(command: WriteSummary['command'], by: string, run: RunContext): WriteSummary {
    return {
      command,
      outcome: run.outcome,
      by,
      requested: run.requested,
      found: this.found,
      queued: this.queued,
      not_found: this.notFound,
      failed: this.failed,
      skipped: run.skipped,
      not_sent: Math.max(0, run.requested - run.skipped - this.found - this.notFound - this.failed),
      batches: run.batches,
      ...(run.input ? { input: run.input } : {}),
      ...(run.journal ? { journal: run.journal } : {}),
    };
  }
}

/** The people-readable block: one aligned line per count, "unknown" where the server did not say. */
export function formatCounts(rows: Array<[label: string, value: number | null]>): string[] {
  const width = Math.max(...rows.map(([label]) => label.length));
  const shown = rows.map(([, value]) => (value === null ? 'unknown' : value.toLocaleString('en-US')));
  const valueWidth = Math.max(...shown.map((v) => v.length));
  return rows.map(([label], i) => `  ${label.padEnd(width)}  ${shown[i]!.padStart(valueWidth)}`);
}

export function formatDeleteSummary(summary: DeleteSummary): string[] {
  const rows: Array<[string, number | null]> = [
    ['requested', summary.requested],
    ['found', summary.found],
    ['deleted', summary.deleted],
    ['queued for deletion', summary.queued_for_deletion],
    ['not found', summary.not_found],
    ['failed', summary.failed],
    ['skipped', summary.skipped],
  ];
  if (summary.not_sent > 0) rows.push(['not sent', summary.not_sent]);
  const nothing = summary.accepted === 0 && summary.failed > 0;
  const lines = [`${headline(summary.outcome, nothing ? 'deleted' : undefined)}${acrossRuns(summary)} (by ${summary.by}):`, ...formatCounts(rows)];
  if (summary.runs !== undefined && summary.deleted !== null) {
    // A server that queues its deletions (PostHog Cloud) deletes nothing at once: say what it queued.
    const queued = summary.queued_for_deletion ?? 0;
    const what = [
      ...(summary.deleted > 0 || queued === 0 ? [`Deleted ${plural(summary.deleted, 'person')}`] : []),
      ...(queued > 0 ? [`${summary.deleted > 0 ? 'queued' : 'Queued'} ${plural(queued, 'person')} for deletion`] : []),
    ].join(' and ');
    lines.push(`${what} across ${summary.runs} runs (the counts cover every run of the journal; skipped: done by an earlier run).`);
  }
  if (summary.found === null) {
    lines.push(
      `This PostHog server answered without a summary: it accepted ${plain(summary.accepted)} ${summary.accepted === 1 ? 'identifier' : 'identifiers'}, but what it found and deleted is unknown.`,
    );
  } else if (summary.deleted === null || summary.queued_for_deletion === null) {
    const unsaid = [summary.deleted === null ? 'deleted' : '', summary.queued_for_deletion === null ? 'queued for deletion' : ''].filter(Boolean).join(' or ');
    lines.push(`This PostHog server's summary does not say how many persons it ${unsaid}: unknown, not zero.`);
  }
  if (summary.events_queued_for_deletion === true) {
    lines.push('Events are queued for deletion: PostHog deletes them in a weekly batch; check with `posthog-persons deletion-status`.');
  }
  if (summary.recordings_queued_for_deletion === true) lines.push('Recordings are queued for deletion.');
  const errors = summary.deletion_errors;
  if (errors.length > 0) lines.push(`PostHog could not delete ${plain(errors.length)} ${errors.length === 1 ? 'person' : 'persons'}: ${errors.slice(0, 5).map(escapeForTerminal).join(', ')}${errors.length > 5 ? ', …' : ''}`);
  return [...lines, ...footerLines(summary)];
}

/**
 * The one line a delete of one named person prints, naming it and saying what PostHog answered;
 * anything but a clean answer falls back to the table of counts.
 */
export function formatSingleDelete(summary: DeleteSummary, label: string, flags: { keepPerson: boolean }): string[] {
  if (summary.outcome !== 'completed' || summary.deletion_errors.length > 0) return formatDeleteSummary(summary);
  const data = [summary.events_queued_for_deletion === true ? 'events' : '', summary.recordings_queued_for_deletion === true ? 'recordings' : ''].filter(Boolean);
  const dataNote = data.length > 0 ? ` Its ${data.join(' and ')} ${data.length === 1 ? 'is' : 'are'} queued for deletion.` : '';
  if (summary.found === null) return [`Accepted: delete ${label}. This PostHog server's answer does not say what it found or deleted.`];
  if (summary.found === 0) return [`Not deleted: ${label} was not found when the delete was sent.`];
  if (flags.keepPerson) return [`Queued: delete the ${data.join(' and ') || 'data'} of ${label}, keeping the person.`];
  if (summary.deleted === 1) return [`Deleted: ${label}.${dataNote}`];
  if (summary.queued_for_deletion === 1) return [`Queued for deletion: ${label}. PostHog removes it within minutes.${dataNote}`];
  return [`Accepted: delete ${label}. This PostHog server's answer does not say whether it was deleted.${dataNote}`];
}

export function formatWriteSummary(summary: WriteSummary): string[] {
  const rows: Array<[string, number]> = [
    ['requested', summary.requested],
    ['found', summary.found],
    ['queued', summary.queued],
    ['not found', summary.not_found],
    ['failed', summary.failed],
    ['skipped', summary.skipped],
  ];
  if (summary.not_sent > 0) rows.push(['not sent', summary.not_sent]);
  const nothing = summary.found + summary.not_found === 0 && summary.failed > 0;
  const lines = [`${headline(summary.outcome, nothing ? 'changed' : undefined)}${acrossRuns(summary)} (${summary.command}, by ${summary.by}):`, ...formatCounts(rows)];
  if (summary.runs !== undefined) lines.push(`The counts cover all ${summary.runs} runs of the journal (skipped: done by an earlier run).`);
  if (summary.queued > 0) lines.push('PostHog applies property changes asynchronously: they show up within seconds to minutes.');
  return [...lines, ...footerLines(summary)];
}

function acrossRuns(summary: BulkSummary): string {
  return summary.runs !== undefined ? ` across ${summary.runs} runs` : '';
}

function footerLines(summary: BulkSummary): string[] {
  const lines: string[] = [];
  if (summary.backup) lines.push(`Backup: ${summary.backup}`);
  if (summary.journal) lines.push(`Journal: ${summary.journal}`);
  return lines;
}

/** `nothing`: the run failed and no request succeeded ("Failed, nothing was deleted"). */
function headline(outcome: RunOutcome, nothing?: 'deleted' | 'changed'): string {
  if (nothing && outcome !== 'interrupted') return `Failed, nothing was ${nothing}`;
  switch (outcome) {
    case 'completed':
      return 'Done';
    case 'partial':
      return 'Done, with failures';
    case 'interrupted':
      return 'Interrupted';
    case 'failed':
      return 'Stopped';
  }
}

function plain(n: number | null): string {
  return n === null ? 'unknown' : n.toLocaleString('en-US');
}
