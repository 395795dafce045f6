// What set-prop --from-file and unset-prop --from-file share: their flags, the checks made before
// any request, and how a batch is sent. Their operations are src/bulk/ops/set-prop.ts (PATCH with
// every property of the row, one request a person) and src/bulk/ops/unset-prop.ts
// (delete_property once a key, the form every PostHog generation applies); the input reader,
// journal, --resume, dry run, confirmation, rate limiter and summary are those of every bulk run.
//
// Rows go in batches of up to 200, the most batch_by_distinct_ids / batch_by_uuids resolves in one
// request, so a person costs no lookup request of its own. Every batch is looked up first, UUIDs
// too: delete_property on a missing person is a 500 (retried, then counted failed), not a 404, so
// persons the lookup does not find are counted not found and sent no write. Each batch is
// journaled when its rows have been answered; a write repeated after a kill sets the same values
// again, which is harmless.
import type { Factory } from '../../factory.js';
import { NotFoundError, UsageError } from '../../errors.js';
import { LOOKUP_BATCH, type PersonsApi } from '../../api/persons.js';
import { parseByFlag } from '../../api/resolve-person.js';
import { requireConsentPossible } from '../../io/confirm.js';
import type { OutputFormat } from '../../output/render.js';
import { plural } from '../../output/message-text.js';
import type { BulkOperation, RunPlan } from '../engine/operation.js';
import { runFromInput } from '../engine/run.js';
import { parseMaxNotFound } from '../engine/max-not-found.js';
import { describeError, isFatal, type Batch, type BatchContext, type BatchReport } from '../engine/runner.js';
import { formatWriteSummary, WriteTally, type WriteSummary } from '../engine/summary.js';
import type { IdLookup } from '../input/id-set.js';
import { readInput, sentAs, type IdKind, type InputResult, type InputRow } from '../input/read-input.js';
import { stringifyExact } from '../../json/exact.js';
import { limitTimeMs, planTimeLine, type PlannedRequests } from '../engine/plan-time.js';

/** The flags of a property-write run, whatever selects its persons (a file or a query). */
export interface PropertyRunOptions {
  column?: string;
  /** uuid or distinct-id (default distinct-id) */
  by?: string;
  /** set-prop: CSV cells are JSON */
  json?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  journal?: string;
  resume?: boolean;
  /** --report PATH: one row per input identifier, written at the end of the run */
  report?: string;
  /** persons per batch (1-200, default 100; --via capture: 1-1000, default 1000): one journal line each */
  batchSize?: number;
  /** api (default): one REST write a person; capture: $set events through PostHog's capture endpoint */
  via?: string;
  /** --via capture: where the events go (default: follows the API host) */
  captureHost?: string;
  /** --via capture --wait: how long to read the persons back (ms) */
  waitMs?: number;
  /** --wait-all: read back every person, not a sample */
  waitAll?: boolean;
  concurrency?: number;
  /** --max-not-found N or P% */
  maxNotFound?: string;
  output?: OutputFormat;
}

export interface PropertyFileOptions extends PropertyRunOptions {
  fromFile: string;
}

export const DEFAULT_PROPERTY_BATCH = 100;
export const DEFAULT_PROPERTY_CONCURRENCY = 4;

/** One property-write run, its flags checked and its input open (a file, or a query's snapshot: UUIDs, no file). */
export interface PropertyRun {
  factory: Factory;
  api: PersonsApi;
  options: PropertyRunOptions;
  input: Pick<InputResult, 'kind' | 'rows'> & Partial<Pick<InputResult, 'format' | 'stats'>>;
  batchSize: number;
  concurrency: number;
}

export interface PropertyWrite {
  command: WriteSummary['command'];
  /** what the refusal without a terminal names: "set properties from a file" */
  consent: string;
  /** checks of this write's own flags, before any request */
  check(options: PropertyFileOptions): void;
  /** set-prop reads the row's other columns as the properties */
  withProperties: boolean;
  /** unset-prop: the keys removed from every person (what --via capture sends as $unset) */
  unsetKeys?: string[];
  operation(run: PropertyRun): BulkOperation<WriteSummary>;
}

/**
 * How a property write is sent (--via api|capture, checked before any request) and its batch size:
 * up to 200 persons a batch through the REST API (one lookup request), 1,000 through capture. The
 * capture module is loaded only when it is used.
 */
export async function writePath(options: PropertyRunOptions): Promise<{ capture?: typeof import('./capture-writes.js'); batchSize: number }> {
  const via = options.via ?? 'api';
  if (via !== 'api' && via !== 'capture') throw new UsageError(`--via must be api or capture (got ${JSON.stringify(via)})`);
  if (options.captureHost !== undefined && via !== 'capture') throw new UsageError('--capture-host only applies with --via capture');
  const capture = via === 'capture' ? await import('./capture-writes.js') : undefined;
  const maxBatch = capture ? capture.DEFAULT_CAPTURE_BATCH : LOOKUP_BATCH;
  const batchSize = options.batchSize ?? (capture ? capture.DEFAULT_CAPTURE_BATCH : DEFAULT_PROPERTY_BATCH);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > maxBatch) {
    throw new UsageError(`--batch-size must be between 1 and ${maxBatch} for property writes${capture ? ' through capture' : ''}`);
  }
  return { capture, batchSize };
}

export async function runPropertyFile(factory: Factory, options: PropertyFileOptions, write: PropertyWrite): Promise<void> {
  const refBy = options.by === 'email' ? 'auto' : parseByFlag(options.by);
  if (refBy === 'id') throw new UsageError('--from-file reads distinct_ids or person UUIDs (or emails): use --by distinct-id, --by uuid or --by email');
  // --by email: each email is looked up and every person holding it gets the write.
  const explicitBy: IdKind | undefined = options.by === 'email' ? 'email' : refBy === 'uuid' ? 'uuid' : refBy === 'distinct-id' ? 'distinct_id' : undefined;
  const { capture, batchSize } = await writePath(options);
  const concurrency = options.concurrency ?? DEFAULT_PROPERTY_CONCURRENCY;
  const maxNotFound = options.maxNotFound === undefined ? undefined : parseMaxNotFound(options.maxNotFound);
  write.check(options);
  requireConsentPossible(factory, options, write.consent);

  const api = await factory.api();
  // Checked before the input is read: a bad --capture-host is a usage error, nothing sent.
  if (capture) capture.checkCaptureHost(api.http.host, options.captureHost);
  const input = await readInput({ path: options.fromFile, cwd: factory.cwd, stdin: factory.io.stdin, by: explicitBy, column: options.column, withProperties: write.withProperties, jsonValues: options.json });
  try {
    const run = { factory, api, options, input, batchSize, concurrency };
    const rest = write.operation(run);
    const viaCapture = capture?.captureOperation(run, rest, write.unsetKeys ? { kind: 'unset', keys: write.unsetKeys } : { kind: 'set' });
    const json = options.output === 'json' || options.output === 'jsonl';
    await runFromInput(factory, api, viaCapture ?? rest, input, { ...options, maxNotFound }, { batchSize, concurrency, json });
    if (viaCapture && options.waitMs !== undefined && !options.dryRun) await viaCapture.readBack(options.waitMs);
  } finally {
    await input.close();
  }
}

/** What both property writes do alike: journal flags, the summary, the plan's wording; `action` names the write. */
export function propertyOperation(
  run: PropertyRun,
  write: {
    command: WriteSummary['command'];
    /** the write's own journal flags (recorded after the identifiers' column) */
    flags: Record<string, unknown>;
    sameOnResume: string[];
    /** "set properties on 3 persons" */
    action(whom: string): string;
    /** the y/N question's verb phrase: "Set properties on" */
    single: string;
    /** unset-prop: the keys removed from every person (also in the dry run's JSON) */
    unsetKeys?: string[];
    /** the dry run's count of requests: "3 requests, one a person" */
    requests(toSend: number): string;
    /** the dry run's last lines: what the first persons would get */
    sample(plan: RunPlan): Promise<string[]>;
  },
): BulkOperation<WriteSummary> {
  const { factory, api, options, input } = run;
  // An email run writes to the persons its emails resolved to, by UUID.
  const by = sentAs(input.kind);
  const whom = (toSend: number) => (by === 'uuid' ? plural(toSend, 'person') : `the persons of ${plural(toSend, 'distinct_id')}`);
  // A lookup a batch, then one write a person (a key and person for unset-prop), all reads to the limiter.
  const requestsFor = (persons: number): PlannedRequests[] => [
    { bucket: 'read', count: Math.ceil(persons / run.batchSize), noun: 'lookup' },
    { bucket: 'read', count: persons * (write.unsetKeys?.length ?? 1), noun: 'write' },
  ];
  const timeLine = (plan: RunPlan) => planTimeLine(api, requestsFor(plan.toSend));
  return {
    command: write.command,
    progressUnit: 'persons',
    limitEtaMs: (persons) => limitTimeMs(api, requestsFor(persons)),
    journalFlags: (kind) => ({
      flags: { by: kind, ...(options.column !== undefined ? { column: options.column } : {}), ...write.flags, batch_size: run.batchSize, concurrency: run.concurrency, yes: Boolean(options.yes) },
      sameOnResume: write.sameOnResume,
    }),
    async dryRun(plan) {
      if (options.output === 'json' || options.output === 'jsonl') {
        const dryRun = {
          dry_run: true,
          command: write.command,
          by,
          requested: plan.requested,
          to_send: plan.toSend,
          skipped: plan.skipped,
          batches: Math.ceil(plan.toSend / run.batchSize),
          first_ids: plan.first,
          notes: plan.notes,
          ...(write.unsetKeys?.length ? { keys: write.unsetKeys } : {}),
          input: { path: plan.input!.source, format: input.format, ...input.stats },
          journal: plan.journal,
        };
        factory.io.stdout.write(`${stringifyExact(dryRun, 2)}\n`);
      }
      factory.io.err('Dry run: nothing was sent.');
      const skipped = plan.skipped > 0 ? ` (${plan.skipped.toLocaleString('en-US')} already done in the journal)` : '';
      factory.io.err(`Would ${write.action(whom(plan.toSend))} from ${plan.input!.source}: ${write.requests(plan.toSend)}${skipped}.`);
      const time = timeLine(plan);
      if (time) factory.io.err(`  ${time}`);
      for (const note of plan.notes) factory.io.err(`  Note: ${note}.`);
      for (const line of await write.sample(plan)) factory.io.err(line);
    },
    announce(plan, { say, tell }) {
      say(`About to ${write.action(whom(plan.toSend))} from ${plan.input!.source}, in project ${api.project} at ${api.http.host}.`);
      const time = timeLine(plan);
      if (time) say(`  ${time}`);
      for (const note of plan.notes) tell(`  Note: ${note}.`);
      say(`Journal: ${plan.journal}`);
    },
    confirmation(plan) {
      return {
        count: plan.toSend,
        single: `${write.single} ${by === 'uuid' ? `person ${plan.first[0]}` : `the person with distinct_id ${JSON.stringify(plan.first[0])}`}?`,
        many: `Type ${plan.toSend} to ${write.action(whom(plan.toSend))}:`,
        nothingDone: 'Nothing was changed.',
      };
    },
    execute: (batch, context) => writeBatch(api, batch, context, by, write.unsetKeys),
    tally(kind) {
      const tally = new WriteTally();
      return { add: (report) => tally.add(report), summarize: (summary) => tally.toJSON(write.command, kind, summary) };
    },
    format: formatWriteSummary,
  };
}

/** The rows of one batch, one request each; stops between rows when the run is stopping. */
export async function writeBatch(api: PersonsApi, batch: Batch, context: BatchContext, by: ReturnType<typeof sentAs>, unsetKeys: string[] | undefined): Promise<BatchReport[]> {
  const persons = await api.lookupPersons(batch.ids, by);
  const queued: string[] = [];
  const missing: string[] = [];
  const failed: BatchReport[] = [];
  // What the lookup found, journaled with each report (the --report names each person).
  const found: Record<string, string> = {};
  const foundOf = (ids: string[]): Record<string, string> => Object.fromEntries(ids.flatMap((id) => (found[id] === undefined ? [] : [[id, found[id]!]])));
  for (const row of batch.rows) {
    const uuid = persons.get(by === 'uuid' ? row.id.toLowerCase() : row.id)?.uuid;
    if (uuid !== undefined) found[row.id] = uuid;
  }
  for (const row of batch.rows) {
    if (context.stopping()) break;
    const uuid = found[row.id];
    if (uuid === undefined) {
      missing.push(row.id);
      continue;
    }
    try {
      if (unsetKeys) await api.deleteProperties(uuid, unsetKeys);
      else await api.setProperties(uuid, row.properties ?? {});
      queued.push(row.id);
    } catch (error) {
      // A bad key or a missing project fails every row alike: report what was done, stop the run.
      if (isFatal(error)) {
        context.abort(error);
        break;
      }
      if (error instanceof NotFoundError) missing.push(row.id);
      else failed.push({ ids: [row.id], status: 'failed', ...describeError(error), cause: error, found: foundOf([row.id]) });
    }
  }
  return [
    { ids: queued, status: 'done', response: { outcome: 'queued' }, found: foundOf(queued) },
    { ids: missing, status: 'done', response: { outcome: 'not_found' }, found: foundOf(missing) },
    ...failed,
  ];
}

/** The first `n` rows the run would send (the journal's done ones skipped). */
export async function firstRows(rows: AsyncIterable<InputRow> | Iterable<InputRow>, done: IdLookup, n: number): Promise<InputRow[]> {
  const out: InputRow[] = [];
  for await (const row of rows) {
    if (done.has(row.id)) continue;
    out.push(row);
    if (out.length >= n) break;
  }
  return out;
}
