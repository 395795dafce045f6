// The verify operation: read-only proof that erased identifiers no longer resolve to a person.
// Identifiers are looked up 200 a request (batch_by_uuids / batch_by_distinct_ids, through the
// run's one rate limiter) by the same engine as every bulk run, never a write; those that still
// resolve are printed on stdout, and with --wait checked again, with a growing pause, until they
// are gone or the time is up (PostHog removes persons queued for deletion within minutes).
import type { Factory } from '../../factory.js';
import { CliError, ExitCode } from '../../errors.js';
import { LOOKUP_BATCH, type LookupKind, type PersonsApi, type RetrievedPerson } from '../../api/persons.js';
import type { RecordSchema } from '../../output/columns.js';
import type { Renderer } from '../../output/render.js';
import { plural } from '../../output/message-text.js';
import type { BulkOperation, RunPlan } from '../engine/operation.js';
import { journalOptionsOf, runPlanned } from '../engine/run.js';
import type { BulkSummary } from '../engine/summary.js';
import { rowGroups, type RowSource } from '../input/read-input.js';
import { resolveEmails } from '../../api/email-lookup.js';

/** How verify looks an identifier up: by person UUID, distinct_id, or the persons holding an email. */
export type VerifyKind = LookupKind | 'email';
const VERIFY_KINDS: readonly VerifyKind[] = ['uuid', 'distinct_id', 'email'];
import { openReport } from '../report/report-file.js';

/** A row of verify's stdout: an identifier that still resolves, and to whom. */
export interface PresentRow {
  identifier: string;
  kind: VerifyKind;
  /** an email held by several persons: their UUIDs, space-separated */
  person_uuid: string;
  name: string | null;
  distinct_ids: string[];
  created_at: string | null;
  /** a check over several projects (--projects): the project the identifier still resolves in */
  project?: number;
}

export const presentSchema: RecordSchema<PresentRow> = {
  columns: [
    { name: 'identifier', get: (r) => r.identifier },
    { name: 'kind', get: (r) => r.kind },
    { name: 'person_uuid', fixedWidth: true, get: (r) => r.person_uuid },
    { name: 'name', get: (r) => r.name },
    { name: 'distinct_ids', get: (r) => r.distinct_ids },
    { name: 'created_at', fixedWidth: true, get: (r) => r.created_at },
    { name: 'project', get: (r) => r.project ?? null },
  ],
  defaultFields: ['identifier', 'kind', 'person_uuid', 'name'],
};

/** What to check: unique identifiers in input order, and how each may be looked up. */
export interface VerifyInput {
  rows: RowSource;
  unique: number;
  /** lookups for one identifier: one kind, or both for a UUID-shaped argument without --by */
  kindsOf(id: string): readonly VerifyKind[];
  /** the person a journal recorded for an identifier (for the report of one that is gone) */
  personOf?(id: string): string | undefined;
  /** repeated identifiers: each repeat (arguments) or only their count (a file) */
  duplicates: string[] | number;
  /** the identifiers in input order with their repeats, for the report's duplicate rows */
  all?: readonly string[];
}

export interface VerifyOptions {
  concurrency: number;
  /** --wait, in ms */
  waitMs?: number;
  /** --report, resolved and checked */
  report?: string;
  renderer: Renderer<PresentRow>;
  /**
   * One project of a check over several (src/bulk/ops/verify-projects.ts): its rows carry the
   * project, the renderer and the report stay open for the next project, and what is still
   * present is returned instead of thrown.
   */
  section?: { project: number; report?: { write(row: Record<string, unknown> & ReportRowBase): Promise<void> } };
}

type ReportRowBase = Parameters<Awaited<ReturnType<typeof openReport>>['write']>[0];

export interface VerifyResult {
  checked: number;
  present: number;
  /** lookup requests made */
  lookups: number;
  /** --wait: how long the re-checks took */
  waitedMs?: number;
}

/** The pause before the first re-check with --wait; it doubles up to the cap. */
export const FIRST_RECHECK_MS = 5_000;
export const MAX_RECHECK_MS = 60_000;

/** Exit 8: identifiers that should be gone still resolve to a person. */
export class StillPresent extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.stillPresent, hint);
  }
}

interface Lookup {
  time: string;
  http_status: number;
}

type VerifySummary = BulkSummary & { command: 'verify' };

/** Checks every identifier; prints those that still resolve; writes the report. Throws StillPresent (exit 8) when some do. */
export async function verifyIdentifiers(factory: Factory, api: PersonsApi, input: VerifyInput, options: VerifyOptions): Promise<VerifyResult> {
  const present = new Map<string, { kind: VerifyKind; person: RetrievedPerson }>();
  /** the last lookup that checked each identifier (1-based), and each lookup's time and status */
  const checkedBy = new Map<string, number>();
  const lookups: Lookup[] = [];
  const lookUp = async (ids: string[], kind: VerifyKind): Promise<Map<string, RetrievedPerson>> => {
    const found = kind === 'email' ? await emailHolders(api, ids) : await api.lookupPersons(ids, kind);
    lookups.push({ time: factory.now().toISOString(), http_status: 200 });
    for (const id of ids) checkedBy.set(id, lookups.length);
    return found;
  };
  const keyOf = (id: string, kind: VerifyKind) => (kind === 'uuid' ? id.toLowerCase() : id);

  // Read-only: no journal (nothing to resume: a verify is simply run again), no dry run, no plan
  // and no confirmation (the run is started with yes), so those parts of the interface are empty.
  const operation: BulkOperation<VerifySummary> = {
    command: 'verify',
    progressUnit: 'ids',
    journalFlags: () => ({ flags: {}, sameOnResume: [] }),
    async dryRun() {},
    announce() {},
    confirmation: () => ({ count: input.unique, single: '', many: '', nothingDone: '' }),
    async execute(batch) {
      for (const kind of VERIFY_KINDS) {
        const ids = batch.ids.filter((id) => input.kindsOf(id).includes(kind) && !present.has(id));
        if (ids.length === 0) continue;
        const found = await lookUp(ids, kind);
        for (const id of ids) {
          const person = found.get(keyOf(id, kind));
          if (person) present.set(id, { kind, person });
        }
      }
      return [{ ids: batch.ids, status: 'done', http_status: 200 }];
    },
    tally: (by) => {
      let checked = 0;
      return {
        add: (report) => (checked += report.ids.length),
        summarize: (run) => ({ command: 'verify', outcome: run.outcome, by, requested: run.requested, failed: 0, skipped: 0, not_sent: run.requested - checked, batches: run.batches }),
      };
    },
    // verify says what it found once --wait is over (below), not when the first pass ends.
    format: () => [],
  };
  const plan: RunPlan = { by: 'distinct_id', requested: input.unique, toSend: input.unique, skipped: 0, done: new Set(), first: [], notes: [] };
  if (input.unique > 0) {
    await runPlanned(factory, operation, plan, { yes: true }, { batchSize: LOOKUP_BATCH, concurrency: options.concurrency, json: false }, {
      rows: input.rows,
      journalOptions: journalOptionsOf(api, operation, {}, 'distinct_id'),
    });
  }
  const stillThere = present.size;
  const waited = options.waitMs !== undefined && present.size > 0 ? await waitUntilGone(factory, present, options.waitMs, lookUp) : undefined;

  // stdout: what still resolves, in input order.
  for await (const group of rowGroups(input.rows)) {
    for (const row of group) {
      const hit = present.get(row.id);
      if (hit) await options.renderer.write({ ...presentRow(row.id, hit.kind, hit.person), ...(options.section ? { project: options.section.project } : {}) });
    }
  }
  if (options.section !== undefined) {
    const { project, report } = options.section;
    if (report !== undefined) await reportRows(input, present, checkedBy, lookups, (row) => report.write({ ...row, project }));
    return { checked: input.unique, present: present.size, lookups: lookups.length, ...(waited ? { waitedMs: waited.elapsedMs } : {}) };
  }
  await options.renderer.end();
  if (options.report !== undefined) await writeReport(options.report, input, present, checkedBy, lookups);

  const say = factory.globals().quiet ? () => undefined : (line: string) => factory.io.err(line);
  const dupes = typeof input.duplicates === 'number' ? input.duplicates : input.duplicates.length;
  const repeats = dupes > 0 ? ` (${plural(dupes, 'duplicate')} checked once)` : '';
  const after = waited === undefined ? '' : ` after waiting ${Math.round(waited.elapsedMs / 1000)} s (${stillThere.toLocaleString('en-US')} present at first)`;
  if (input.unique === 0) say('Nothing to verify: the input holds no identifiers.');
  else say(`Checked ${plural(input.unique, 'identifier')}${repeats} in ${plural(lookups.length, 'lookup')}: ${(input.unique - present.size).toLocaleString('en-US')} gone, ${present.size.toLocaleString('en-US')} still present${after}.`);
  if (options.report !== undefined) say(`Report: ${options.report}`);
  if (present.size > 0) {
    throw new StillPresent(
      `${plural(present.size, 'identifier')} still ${present.size === 1 ? 'resolves' : 'resolve'} to a person`,
      waited === undefined
        ? 'PostHog removes persons queued for deletion within minutes: check again with --wait[=SECONDS].'
        : 'Check the run that should have deleted them (its journal), or delete them again.',
    );
  }
  return { checked: input.unique, present: 0, lookups: lookups.length };
}

/** Re-checks what is still present, 5 s then doubling to 60 s between rounds, until it is gone or time is up. */
async function waitUntilGone(
  factory: Factory,
  present: Map<string, { kind: VerifyKind; person: RetrievedPerson }>,
  waitMs: number,
  lookUp: (ids: string[], kind: VerifyKind) => Promise<Map<string, RetrievedPerson>>,
): Promise<{ elapsedMs: number }> {
  const started = factory.clock.now();
  const deadline = started + waitMs;
  let delay = FIRST_RECHECK_MS;
  const progress = factory.io.stderrIsTTY && !factory.globals().quiet;
  while (present.size > 0) {
    const remaining = deadline - factory.clock.now();
    if (remaining <= 0) break;
    const pause = Math.min(delay, remaining);
    if (progress) {
      factory.io.err(`Waiting: ${plural(present.size, 'identifier')} still present; checking again in ${Math.ceil(pause / 1000)} s (${Math.ceil(remaining / 1000)} s left)…`);
    }
    await factory.clock.sleep(pause);
    delay = Math.min(delay * 2, MAX_RECHECK_MS);
    for (const kind of VERIFY_KINDS) {
      const ids = [...present].filter(([, hit]) => hit.kind === kind).map(([id]) => id);
      for (let at = 0; at < ids.length; at += LOOKUP_BATCH) {
        const chunk = ids.slice(at, at + LOOKUP_BATCH);
        const found = await lookUp(chunk, kind);
        for (const id of chunk) {
          const person = found.get(kind === 'uuid' ? id.toLowerCase() : id);
          if (person) present.set(id, { kind, person });
          else present.delete(id);
        }
      }
    }
  }
  return { elapsedMs: factory.clock.now() - started };
}

function presentRow(identifier: string, kind: VerifyKind, person: RetrievedPerson): PresentRow {
  return {
    identifier,
    kind,
    person_uuid: person.uuid,
    name: person.name === undefined || person.name === null ? null : String(person.name),
    distinct_ids: person.distinct_ids ?? [],
    created_at: person.created_at ?? null,
  };
}

/** One row per input identifier: present or gone (with the lookup that said so), or duplicate. */
async function writeReport(
  path: string,
  input: VerifyInput,
  present: Map<string, { kind: VerifyKind; person: RetrievedPerson }>,
  checkedBy: Map<string, number>,
  lookups: Lookup[],
): Promise<void> {
  const report = await openReport(path);
  try {
    await reportRows(input, present, checkedBy, lookups, (row) => report.write(row));
    await report.commit();
  } catch (error) {
    await report.abort();
    throw error;
  }
}

/** The report's rows, in input order, handed to `write`. */
async function reportRows(
  input: VerifyInput,
  present: Map<string, { kind: VerifyKind; person: RetrievedPerson }>,
  checkedBy: Map<string, number>,
  lookups: Lookup[],
  write: (row: ReportRowBase) => Promise<void>,
): Promise<void> {
  const seen = new Set<string>();
  const rowOf = (id: string) => {
    const hit = present.get(id);
    const lookup = checkedBy.get(id);
    const kinds = input.kindsOf(id);
    return {
      identifier: id,
      kind: hit?.kind ?? kinds.join('|'),
      person_uuid: hit?.person.uuid ?? input.personOf?.(id) ?? null,
      outcome: hit ? 'present' : 'gone',
      batch: lookup ?? null,
      time: lookup === undefined ? null : lookups[lookup - 1]!.time,
      http_status: lookup === undefined ? null : lookups[lookup - 1]!.http_status,
    };
  };
  if (input.all !== undefined) {
    for (const id of input.all) {
      if (seen.has(id)) {
        await write({ ...rowOf(id), outcome: 'duplicate', batch: null, time: null, http_status: null });
        continue;
      }
      seen.add(id);
      await write(rowOf(id));
    }
  } else {
    for await (const group of rowGroups(input.rows)) for (const row of group) await write(rowOf(row.id));
  }
}

/**
 * The persons holding each email (PostHog's email person filter, many emails a request): an email
 * still resolves when any person holds it; several persons show as their UUIDs, space-separated.
 */
async function emailHolders(api: PersonsApi, emails: string[]): Promise<Map<string, RetrievedPerson>> {
  const holders = new Map<string, RetrievedPerson>();
  for (const [email, uuids] of await resolveEmails(api, emails)) {
    if (uuids.length > 0) holders.set(email, { id: 0, uuid: [...uuids].sort().join(' '), name: null, distinct_ids: [], properties: { email }, created_at: null } as unknown as RetrievedPerson);
  }
  return holders;
}
