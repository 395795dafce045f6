// `verify --journal PATH`: the journal as the record of an erasure. Its hash chain is checked
// first, its runs are summarised (what was run, when, where, with which flags, and what PostHog
// answered), and the identifiers it records as deleted or queued become verify's input.
import { CliError, ExitCode, UsageError } from '../../errors.js';
import type { Factory } from '../../factory.js';
import type { LookupKind, PersonsApi } from '../../api/persons.js';
import { escapeForTerminal } from '../../output/escape.js';
import { plural } from '../../output/message-text.js';
import { DeleteTally } from '../engine/summary.js';
import { checkChain, type ChainCheck } from '../journal/chain.js';
import { erasedIdentifiers, isPersonDeletion, readErasureRecord, type ErasureRecord, type RunRecord } from '../journal/erasure-record.js';
import type { InputRow } from '../input/read-input.js';
import type { VerifyInput } from './verify.js';

export interface JournalVerifyPlan {
  input: VerifyInput;
  chain: ChainCheck;
  record: ErasureRecord;
  /**
   * A journal of a run over several projects (--projects): what to check in each of them, in the
   * order the run went through them (`input` is then that of the first).
   */
  projects?: Array<{ project: string; input: VerifyInput; name?: string }>;
}

/** Reads and checks the journal, says what it records (stderr), and returns what to look up. Sends nothing. */
export async function planJournalVerify(factory: Factory, api: PersonsApi, path: string): Promise<JournalVerifyPlan> {
  const chain = await checkChain(path);
  const say = factory.globals().quiet ? () => undefined : (line: string) => factory.io.err(line);
  // Said whatever -q says: the record of an erasure cannot be trusted as it is.
  if (!chain.ok) factory.io.err(`Journal ${path}: the hash chain is broken: ${chain.message}.`);
  let record: ErasureRecord;
  try {
    record = await readErasureRecord(path);
  } catch (error) {
    if (!chain.ok) throw chainBroken(chain);
    throw error;
  }
  if (chain.ok) say(`Journal ${path}: ${plural(chain.lines, 'line')}, hash chain intact${unchainedNote(chain)}.`);
  if (chain.ok && chain.lastHash !== null) say(`  SHA-256 of its last line: ${chain.lastHash} (record it elsewhere: it pins every line before it)`);
  if (record.tornTail) say('  Its last line is unfinished (a run was stopped while writing it): it records nothing and is not part of the chain.');

  const erasures = record.runs.filter(isPersonDeletion);
  // A run over several projects checks each of them, on the host given; any other journal, the
  // runs of the host and project given.
  const multi = erasures.some((run) => run.header.projects_run !== undefined && run.header.host === api.http.host);
  const here = (run: RunRecord) => run.header.host === api.http.host && (multi ? run.header.projects_run !== undefined : String(run.header.project) === String(api.project));
  const where = multi ? `${api.http.host}` : `${api.http.host}, project ${api.project}`;
  const checked = erasures.filter(here);
  const elsewhere = erasures.filter((run) => !here(run));
  say(`Runs: ${record.runs.length}`);
  record.runs.forEach((run, i) => say(`  ${i + 1}. ${describeRun(run)}`));
  for (const line of recordedCounts(record.runs.filter((run) => run.header.command === 'delete'))) say(line);
  if (elsewhere.length > 0) {
    const others = [...new Set(elsewhere.map((run) => `${run.header.host}, project ${run.header.project}`))].map(escapeForTerminal).join('; ');
    factory.io.err(`Note: ${plural(elsewhere.length, 'delete run')} of this journal ran against ${others}, not ${where}: ${elsewhere.length === 1 ? 'it is' : 'they are'} not checked here (pass --host and --project to check ${elsewhere.length === 1 ? 'it' : 'them'}).`);
    if (checked.length === 0) {
      throw new UsageError(
        `the journal records no delete run against ${where}`,
        factory.globals().sandbox
          ? 'Every --sandbox command starts a sandbox of its own, with all its persons: to delete and then verify, run `posthog-persons sandbox` in another terminal and point both commands at it.'
          : 'Check --host and --project: verify looks identifiers up where they were deleted.',
      );
    }
  }
  if (multi) {
    const projects = [...new Set(checked.map((run) => String(run.header.project)))];
    const nameOf = (project: string) => checked.map((run) => run.header.projects_run?.names?.[project]).find((name) => name !== undefined);
    const sections = projects.map((project) => ({ project, name: nameOf(project), input: inputOf(record, checked.filter((run) => String(run.header.project) === project)) }));
    say(`Checking the identifiers the journal records as deleted or queued for deletion, in ${plural(projects.length, 'project')}: ${sections.map((s) => `project ${s.project} (${s.input.unique.toLocaleString('en-US')})`).join(', ')}.`);
    return { chain, record, input: sections[0]!.input, projects: sections };
  }
  const input = inputOf(record, checked);
  say(`Checking ${plural(input.unique, 'identifier')} the journal records as deleted or queued for deletion.`);
  return { chain, record, input };
}

/**
 * Each identifier once, whichever runs recorded it; in the order the journal recorded them. The
 * kinds are a bit mask, not a Set each: a journal may record a million identifiers.
 */
function inputOf(record: ErasureRecord, runs: RunRecord[]): VerifyInput {
  const kinds = new Map<string, number>();
  const persons = new Map<string, string>();
  const rows: InputRow[] = [];
  let repeats = 0;
  for (const erased of erasedIdentifiers(record, runs)) {
    const bit = KIND_BIT[erased.kind];
    const known = kinds.get(erased.id);
    if (known === undefined) rows.push({ id: erased.id, line: rows.length + 1 });
    else if (known & bit) repeats++;
    kinds.set(erased.id, (known ?? 0) | bit);
    // A UUID batch's identifier is its person: only distinct_ids need the journal's answer kept.
    if (erased.personUuid !== undefined && erased.personUuid !== erased.id.toLowerCase()) persons.set(erased.id, erased.personUuid);
  }
  return {
    rows,
    unique: rows.length,
    kindsOf: (id) => KINDS_OF_MASK[kinds.get(id) ?? 0]!,
    personOf: (id) => persons.get(id) ?? ((kinds.get(id) ?? 0) & KIND_BIT.uuid ? id.toLowerCase() : undefined),
    duplicates: repeats,
  };
}

const KIND_BIT: Record<LookupKind, number> = { uuid: 1, distinct_id: 2 };
const KINDS_OF_MASK: ReadonlyArray<readonly LookupKind[]> = [[], ['uuid'], ['distinct_id'], ['uuid', 'distinct_id']];

/** Exit 1 (not 0, not 8): the record was changed after it was written, whatever the lookups say. */
export function chainBroken(chain: Extract<ChainCheck, { ok: false }>): CliError {
  return new CliError(
    `the journal's hash chain is broken: ${chain.message}`,
    ExitCode.failure,
    'The journal cannot serve as proof as it is. Compare it with a copy kept elsewhere (its last line\'s SHA-256, if recorded).',
  );
}

function unchainedNote(chain: Extract<ChainCheck, { ok: true }>): string {
  if (chain.unchained === 0) return '';
  if (chain.unchained === chain.lines) return ` (written by an earlier version: none of its ${plural(chain.lines, 'line')} is hash-chained)`;
  return ` from line ${chain.unchained + 1} (lines 1–${chain.unchained} were written by an earlier version, before the chain)`;
}

/** "delete, started …, finished … (completed); https://…, project 1; by=distinct_id delete_events=true …" */
function describeRun(run: RunRecord): string {
  const h = run.header;
  const end = run.footer ? `finished ${run.footer.finished_at} (${run.footer.outcome})` : 'no end recorded (stopped without finishing)';
  const flags = Object.entries(h.flags ?? {})
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const input = h.input ? `; input ${h.input.path}` : '';
  return escapeForTerminal(`${h.command}, started ${h.started_at}, ${end}; ${h.host}, project ${h.project}${input}; ${flags}`);
}

/** What PostHog answered, summed over every delete run: the counts its bulk_delete answers gave. */
function recordedCounts(runs: RunRecord[]): string[] {
  if (runs.length === 0) return ['Recorded: no delete run.'];
  const tally = new DeleteTally();
  const done = new Set<string>();
  for (const run of runs) {
    for (const batch of run.batches) {
      if (batch.status !== 'done') continue;
      tally.add({ ids: batch.ids, status: 'done', response: batch.response });
      for (const id of batch.ids) done.add(id);
    }
  }
  const failed = new Set<string>();
  for (const run of runs) for (const batch of run.batches) if (batch.status === 'failed') for (const id of batch.ids) if (!done.has(id)) failed.add(id);
  const count = (n: number, unknown: boolean) => (unknown ? 'unknown' : n.toLocaleString('en-US'));
  return [
    `Recorded: ${plural(tally.accepted, 'identifier')} sent in ${plural(runs.length, 'delete run')}: ` +
      `${count(tally.found, tally.unknown)} found, ${count(tally.deleted, tally.unknown || tally.deletedUnknown)} deleted, ` +
      `${count(tally.queued, tally.unknown || tally.queuedUnknown)} queued for deletion, ` +
      `${count(Math.max(0, tally.accepted - tally.found), tally.unknown)} not found, ${failed.size.toLocaleString('en-US')} failed (never done).`,
  ];
}
