// A query-selected run of any operation (`delete --where …`, `set-prop --where … KEY VALUE`,
// `unset-prop --where … KEY...`): the journal planned, the selection listed (or, on --resume, read
// back from the journal), --expect checked, then the one skeleton of every bulk run (runPlanned)
// on the snapshot's UUIDs, with the snapshot journaled after the header and before any batch.
// The operation brings what it does to a batch; this file says how a selection is planned, shown
// and confirmed.
import { Cancelled } from '../../errors.js';
import type { Factory } from '../../factory.js';
import type { PersonsApi } from '../../api/persons.js';
import { describeQuery, personListQuery, queryRecord, type PersonQueryFlags } from '../../filters/person-query.js';
import { planNotice, type ConsentFlags } from '../../io/confirm.js';
import { escapeForTerminal } from '../../output/escape.js';
import { plural } from '../../output/message-text.js';
import { stringifyExact } from '../../json/exact.js';
import { listSelection, readSelection, SELECTION_PAGE_SIZE, writeSelection, type PreviewPerson, type Selection } from '../input/query-selection.js';
import type { InputRow } from '../input/read-input.js';
import type { BulkOperation, RunPlan } from './operation.js';
import { journalOptionsOf, runPlanned, type PlannedRows, type RunSettings } from './run.js';
import { planJournal, type JournalPlan, type JournalPlanOptions } from './run-journal.js';
import { planSend } from './session.js';
import type { BulkSummary } from './summary.js';

export interface SelectionRunFlags extends ConsentFlags {
  journal?: string;
  resume?: boolean;
  /** --expect N: the selection must be exactly N persons, else nothing is written (exit 3) */
  expect?: number;
}

/** How an operation's plan reads for a selection of persons. */
export interface SelectionWords {
  /** "delete 3 persons", "set tier = \"gold\" on 3 persons" */
  action(whom: string): string;
  /** the requests the run sends: "2 bulk_delete requests of up to 1,000" */
  requests(toSend: number): string;
  /** what happens to the selected persons only: "deleted", "changed" */
  done: string;
  /** the y/N question for one person: "Delete person 0190…?" */
  single(uuid: string): string;
  nothingDone: string;
}

/** What an operation brings to a selection run: everything but how it plans and asks. */
export type SelectionCore<S extends BulkSummary> = Omit<BulkOperation<S>, 'dryRun' | 'announce' | 'confirmation'>;

/** A selection run planned: the journal, the snapshot (listed, or read back on --resume), what is left to send. */
export interface PlannedSelection {
  journalPlan: JournalPlan;
  journalOptions: JournalPlanOptions;
  selection: Selection;
  /** the snapshot came from the journal (--resume): it is not written again */
  kept: boolean;
  rows: InputRow[];
  plan: RunPlan;
}

/**
 * Plans a selection run: the journal, then the selection listed (or read back), before any write.
 * `section`: one project's part of a run over several projects (src/bulk/engine/projects-run.ts).
 */
export async function planSelection<S extends BulkSummary>(
  factory: Factory,
  api: PersonsApi,
  core: SelectionCore<S>,
  query: PersonQueryFlags,
  flags: SelectionRunFlags,
  properties?: Record<string, unknown>,
  section?: Pick<JournalPlanOptions, 'projectsRun' | 'lockHeld'>,
): Promise<PlannedSelection> {
  const filters = personListQuery(query);
  const record = queryRecord(query);
  // The query is part of what a --resume must repeat: its snapshot belongs to that query.
  const base = journalOptionsOf(api, core, flags, 'uuid');
  const journalOptions = { ...base, flags: { ...base.flags, query: record }, sameOnResume: [...base.sameOnResume, 'query'], ...section };
  const journalPlan = await planJournal(factory, journalOptions);
  await core.checkFiles?.(journalPlan.path);

  const kept = journalPlan.resume ? await readSelection(journalPlan.path, { command: core.command, host: api.http.host, project: api.project }) : undefined;
  if (kept) planNotice(factory, flags)(`Resuming with the snapshot of ${plural(kept.uuids.length, 'person')} kept in the journal${section ? ` for project ${api.project}` : ''}; the query is not run again.`);
  const selection = kept ?? (await listSelection(api, record, filters));
  const total = selection.uuids.length;
  const rows: InputRow[] = selection.uuids.map((id, i) => ({ id, line: i + 1, ...(properties ? { properties } : {}) }));
  const { toSend, first } = await planSend(rows, journalPlan.done, total);
  const plan: RunPlan = { by: 'uuid', requested: total, toSend, skipped: total - toSend, done: journalPlan.done, first, notes: [], journal: journalPlan.path };
  return { journalPlan, journalOptions, selection, kept: kept !== undefined, rows, plan };
}

/** The entries a new snapshot is journaled as, after the header and before any batch. */
export function snapshotWriter(factory: Factory, planned: PlannedSelection): PlannedRows['beforeBatches'] {
  return planned.kept ? undefined : (journal, runId) => writeSelection(journal, runId, factory.now().toISOString(), planned.selection);
}

export async function runFromSelection<S extends BulkSummary>(
  factory: Factory,
  api: PersonsApi,
  core: SelectionCore<S>,
  words: SelectionWords,
  query: PersonQueryFlags,
  flags: SelectionRunFlags,
  settings: RunSettings,
  /** set-prop: the properties every selected person gets */
  properties?: Record<string, unknown>,
): Promise<void> {
  const record = queryRecord(query);
  const described = describeQuery(record);
  const planned = await planSelection(factory, api, core, query, flags, properties);
  const { journalPlan, journalOptions, selection, rows, plan } = planned;
  const total = selection.uuids.length;
  const toSend = plan.toSend;
  if (flags.expect !== undefined && total !== flags.expect) {
    throw new Cancelled(`the selection has ${plural(total, 'person')}, --expect said ${flags.expect.toLocaleString('en-US')}: nothing was written`);
  }
  if (total === 0) {
    factory.io.err(`No person matches ${described}; nothing to do.`);
    return;
  }

  const preview = (n: number): string[] => {
    const persons = selection.preview.filter((p) => !plan.done.has(p.uuid)).slice(0, n);
    if (persons.length > 0) return ['First persons:', ...persons.map(personLine)];
    return plan.first.length > 0 ? [`First person UUIDs: ${plan.first.join(', ')}${toSend > plan.first.length ? ', …' : ''}`] : [];
  };
  const whom = plural(toSend, 'person');
  const operation: BulkOperation<S> = {
    ...core,
    async dryRun() {
      if (settings.json) {
        const dryRun = {
          dry_run: true,
          command: core.command,
          by: 'uuid',
          query: record,
          selected: total,
          list_requests: selection.pages,
          duplicates: selection.duplicates,
          ...(selection.fromJournal ? { snapshot_from_journal: true } : {}),
          to_send: toSend,
          skipped: plan.skipped,
          batches: Math.ceil(toSend / settings.batchSize),
          batch_size: settings.batchSize,
          first: selection.preview.length > 0 ? selection.preview.filter((p) => !plan.done.has(p.uuid)) : plan.first.map((uuid) => ({ uuid })),
          journal: plan.journal,
        };
        factory.io.stdout.write(`${stringifyExact(dryRun, 2)}\n`);
      }
      factory.io.err('Dry run: nothing was sent.');
      factory.io.err(`Would ${words.action(whom)} selected by ${described}, in ${words.requests(toSend)}.`);
      factory.io.err(`  ${matchedLine(selection, plan.skipped)}.`);
      for (const line of preview(10)) factory.io.err(line);
    },
    announce(_plan, { say }) {
      say(`About to ${words.action(whom)} selected by ${described}, in project ${api.project} at ${api.http.host}:`);
      say(`  ${matchedLine(selection, plan.skipped)}; their UUIDs are kept in the journal, and only they are ${words.done}.`);
      say(`  ${words.requests(toSend)}, ${settings.concurrency} at a time.`);
      for (const line of preview(5)) say(line);
      say(`Journal: ${plan.journal}`);
    },
    confirmation() {
      return { count: toSend, single: words.single(plan.first[0]!), many: `Type ${toSend} to ${words.action(whom)}:`, nothingDone: words.nothingDone };
    },
  };
  await runPlanned(factory, operation, plan, flags, settings, {
    rows,
    journalPlan,
    journalOptions,
    // A snapshot read back from the journal is already there; a new one goes in before any write.
    beforeBatches: snapshotWriter(factory, planned),
  });
}

/** "1,500 persons matched (2 list requests of up to 1,000)", or where a resumed run's snapshot came from. */
function matchedLine(selection: Selection, skipped: number): string {
  const total = selection.uuids.length;
  const source = selection.fromJournal
    ? `${plural(total, 'person')} in the snapshot kept in the journal (selected ${selection.fromJournal.time})`
    : `${plural(total, 'person')} matched (${plural(selection.pages, 'list request')} of up to ${SELECTION_PAGE_SIZE.toLocaleString('en-US')})` +
      (selection.duplicates > 0 ? `, ${plural(selection.duplicates, 'person')} listed twice kept once` : '');
  return `${source}${skipped > 0 ? `; ${skipped.toLocaleString('en-US')} already done in the journal` : ''}`;
}

/** A person of the preview: server data, so escaped for the terminal. */
function personLine(person: PreviewPerson): string {
  const ids = person.distinct_ids ?? [];
  const shown = ids.slice(0, 3).map(escapeForTerminal).join(', ') + (ids.length > 3 ? `, … (${plural(ids.length, 'distinct_id')})` : '');
  return `  ${person.uuid}  ${escapeForTerminal(String(person.name ?? ''))}  ${shown}`;
}
