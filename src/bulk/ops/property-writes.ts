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
import { describeError, isFatal, type Batch, type BatchContext, type BatchReport } from '../engine/runner.js';
import { formatWriteSummary, WriteTally, type WriteSummary } from '../engine/summary.js';
import type { IdLookup } from '../input/id-set.js';
import { readInput, type IdKind, type InputResult, type InputRow } from '../input/read-input.js';
import { stringifyExact } from '../../json/exact.js';
import { limitTimeMs, planTimeLine, type PlannedRequests } from '../engine/plan-time.js';

export interface PropertyFileOptions {
  fromFile: string;
  column?: string;
  /** uuid or distinct-id (default distinct-id) */
  by?: string;
  /** set-prop: CSV cells are JSON */
  json?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  journal?: string;
  resume?: boolean;
  /** persons per batch (1-200, default 100): one lookup request and one journal line each */
  batchSize?: number;
  concurrency?: number;
  output?: OutputFormat;
}

export const DEFAULT_PROPERTY_BATCH = 100;
const DEFAULT_CONCURRENCY = 4;

/** One property-write run, its flags checked and its input open. */
export interface PropertyRun {
  factory: Factory;
  api: PersonsApi;
  options: PropertyFileOptions;
  input: InputResult;
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
  operation(run: PropertyRun): BulkOperation<WriteSummary>;
}

export async function runPropertyFile(factory: Factory, options: PropertyFileOptions, write: PropertyWrite): Promise<void> {
  const refBy = parseByFlag(options.by);
  if (refBy === 'id') throw new UsageError('--from-file reads distinct_ids or person UUIDs: use --by distinct-id or --by uuid');
  const explicitBy: IdKind | undefined = refBy === 'uuid' ? 'uuid' : refBy === 'distinct-id' ? 'distinct_id' : undefined;
  const batchSize = options.batchSize ?? DEFAULT_PROPERTY_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > LOOKUP_BATCH) throw new UsageError(`--batch-size must be between 1 and ${LOOKUP_BATCH} for property writes`);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  write.check(options);
  requireConsentPossible(factory, options, write.consent);

  const api = await factory.api();
  const input = await readInput({ path: options.fromFile, cwd: factory.cwd, stdin: factory.io.stdin, by: explicitBy, column: options.column, withProperties: write.withProperties, jsonValues: options.json });
  try {
    const operation = write.operation({ factory, api, options, input, batchSize, concurrency });
    const json = options.output === 'json' || options.output === 'jsonl';
    await runFromInput(factory, api, operation, input, options, { batchSize, concurrency, json });
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
  const by = input.kind;
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
export async function writeBatch(api: PersonsApi, batch: Batch, context: BatchContext, by: IdKind, unsetKeys: string[] | undefined): Promise<BatchReport[]> {
  const persons = await api.lookupPersons(batch.ids, by);
  const queued: string[] = [];
  const missing: string[] = [];
  const failed: BatchReport[] = [];
  for (const row of batch.rows) {
    if (context.stopping()) break;
    const uuid = persons.get(by === 'uuid' ? row.id.toLowerCase() : row.id)?.uuid;
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
      else failed.push({ ids: [row.id], status: 'failed', ...describeError(error), cause: error });
    }
  }
  return [
    { ids: queued, status: 'done', response: { outcome: 'queued' } },
    { ids: missing, status: 'done', response: { outcome: 'not_found' } },
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
