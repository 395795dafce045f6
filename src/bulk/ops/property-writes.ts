// set-prop --from-file and unset-prop --from-file: PATCH with every property of the row (one
// request a person), or delete_property once a key (the form every PostHog generation applies),
// sharing the input reader, journal, --resume, dry run, confirmation, rate limiter and summary
// with `delete`.
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
import { stringifyExact } from '../../json/exact.js';
import type { IdLookup } from '../input/id-set.js';
import { parseByFlag } from '../../api/resolve-person.js';
import type { OutputFormat } from '../../output/render.js';
import { plural } from '../../output/text.js';
import { confirmRun, planNotice, requireConsentPossible } from '../../io/confirm.js';
import { readInput, type IdKind, type InputResult, type InputRow } from '../input/read-input.js';
import { inputNotes } from '../input/notes.js';
import { planJournal, type JournalPlanOptions } from '../engine/run-journal.js';
import { describeError, isFatal, type Batch, type BatchContext, type BatchReport } from '../engine/runner.js';
import { planSend, runSession } from '../engine/session.js';
import { formatWriteSummary, WriteTally } from '../engine/summary.js';

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

export function runSetPropFromFile(factory: Factory, options: PropertyFileOptions): Promise<void> {
  return runPropertyFile(factory, options, { kind: 'set-prop' });
}

export function runUnsetPropFromFile(factory: Factory, options: PropertyFileOptions, keys: string[]): Promise<void> {
  return runPropertyFile(factory, options, { kind: 'unset-prop', keys });
}

type Kind = { kind: 'set-prop' } | { kind: 'unset-prop'; keys: string[] };

async function runPropertyFile(factory: Factory, options: PropertyFileOptions, what: Kind): Promise<void> {
  const refBy = parseByFlag(options.by);
  if (refBy === 'id') throw new UsageError('--from-file reads distinct_ids or person UUIDs: use --by distinct-id or --by uuid');
  const explicitBy: IdKind | undefined = refBy === 'uuid' ? 'uuid' : refBy === 'distinct-id' ? 'distinct_id' : undefined;
  const batchSize = options.batchSize ?? DEFAULT_PROPERTY_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > LOOKUP_BATCH) throw new UsageError(`--batch-size must be between 1 and ${LOOKUP_BATCH} for property writes`);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const keys = what.kind === 'unset-prop' ? [...new Set(what.keys)] : [];
  if (what.kind === 'unset-prop' && (keys.length === 0 || keys.some((k) => k.trim() === ''))) throw new UsageError('give the property keys to remove, none of them empty');
  if (what.kind === 'unset-prop' && options.json) throw new UsageError('--json only applies to set-prop');
  requireConsentPossible(factory, options, what.kind === 'set-prop' ? 'set properties from a file' : 'remove properties from a file');

  const api = await factory.api();
  const input = await readInput({ path: options.fromFile, stdin: factory.io.stdin, by: explicitBy, column: options.column, withProperties: what.kind === 'set-prop', jsonValues: options.json });
  try {
    await writeFromInput({ factory, options, what, api, input, batchSize, concurrency, keys });
  } finally {
    await input.close();
  }
}

interface InputRun {
  factory: Factory;
  options: PropertyFileOptions;
  what: Kind;
  api: PersonsApi;
  input: InputResult;
  batchSize: number;
  concurrency: number;
  keys: string[];
}

async function writeFromInput({ factory, options, what, api, input, batchSize, concurrency, keys }: InputRun): Promise<void> {
  // The column's name, --by or the default says what the identifiers are (src/bulk/input/rows.ts).
  const by = input.kind;
  const notes = inputNotes(input);
  const journalOptions: JournalPlanOptions = {
    command: what.kind,
    host: api.http.host,
    project: api.project,
    path: options.journal,
    resume: options.resume,
    // A stream (a pipe, process substitution) is read once like stdin.
    inputPath: input.rereadable ? options.fromFile : '-',
    inputDigest: input.digest,
    flags: { by, ...(options.column !== undefined ? { column: options.column } : {}), ...(what.kind === 'set-prop' ? { json: Boolean(options.json) } : { keys }), batch_size: batchSize, concurrency, yes: Boolean(options.yes) },
    sameOnResume: what.kind === 'set-prop' ? ['by', 'json'] : ['by', 'keys'],
    dryRun: Boolean(options.dryRun),
  };
  const journalPlan = await planJournal(factory, journalOptions);
  const { toSend, first } = await planSend(input.rows, journalPlan.done, input.stats.unique);
  const source = options.fromFile === '-' ? 'stdin' : options.fromFile;
  const whom = by === 'uuid' ? plural(toSend, 'person') : `the persons of ${plural(toSend, 'distinct_id')}`;
  const action = what.kind === 'set-prop' ? `set properties on ${whom}` : `remove ${keys.join(', ')} from ${whom}`;
  const skipped = input.stats.unique - toSend;
  const json = options.output === 'json' || options.output === 'jsonl';

  if (options.dryRun) {
    if (json) {
      const plan = { dry_run: true, command: what.kind, by, requested: input.stats.unique, to_send: toSend, skipped, batches: Math.ceil(toSend / batchSize), first_ids: first, notes, ...(keys.length ? { keys } : {}), input: { path: source, format: input.format, ...input.stats }, journal: journalPlan.path };
      factory.io.stdout.write(`${stringifyExact(plan, 2)}\n`);
    }
    factory.io.err('Dry run: nothing was sent.');
    const requests = what.kind === 'set-prop' ? `${plural(toSend, 'request')}, one a person` : `${plural(toSend * keys.length, 'delete_property request')}, one a key and person`;
    factory.io.err(`Would ${action} from ${source}: ${requests}${skipped > 0 ? ` (${skipped.toLocaleString('en-US')} already done in the journal)` : ''}.`);
    for (const note of notes) factory.io.err(`  Note: ${note}.`);
    if (what.kind === 'set-prop') for (const row of await firstRows(input.rows, journalPlan.done, 3)) factory.io.err(`  ${row.id}: ${stringifyExact(row.properties ?? {})}`);
    else if (first.length > 0) factory.io.err(`First identifiers: ${first.join(', ')}${toSend > first.length ? ', …' : ''}`);
    return;
  }
  if (toSend > 0) {
    const say = planNotice(factory, options);
    say(`About to ${action} from ${source}, in project ${api.project} at ${api.http.host}.`);
    for (const note of notes) factory.io.err(`  Note: ${note}.`);
    say(`Journal: ${journalPlan.path}`);
    await confirmRun(factory, options, {
      count: toSend,
      single: `${what.kind === 'set-prop' ? 'Set properties on' : `Remove ${keys.join(', ')} from`} ${by === 'uuid' ? `person ${first[0]}` : `the person with distinct_id ${JSON.stringify(first[0])}`}?`,
      many: `Type ${toSend} to ${action}:`,
      nothingDone: 'Nothing was changed.',
    });
  }

  const tally = new WriteTally();
  await runSession({
    factory,
    rows: input.rows,
    requested: input.stats.unique,
    toSend,
    by,
    batchSize,
    concurrency,
    plan: journalPlan,
    journalOptions,
    input: { path: options.fromFile, format: input.format, column: input.column, stats: input.stats, digest: input.digest },
    execute: (batch, context) => writeBatch(api, batch, context, by, what.kind === 'set-prop' ? undefined : keys),
    tally,
    summarize: (run) => tally.toJSON(what.kind, by, run),
    format: formatWriteSummary,
    json,
    progressUnit: 'persons',
  });
}

/** The rows of one batch, one request each; stops between rows when the run is stopping. */
async function writeBatch(api: PersonsApi, batch: Batch, context: BatchContext, by: IdKind, unsetKeys: string[] | undefined): Promise<BatchReport[]> {
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

async function firstRows(rows: AsyncIterable<InputRow> | Iterable<InputRow>, done: IdLookup, n: number): Promise<InputRow[]> {
  const out: InputRow[] = [];
  for await (const row of rows) {
    if (done.has(row.id)) continue;
    out.push(row);
    if (out.length >= n) break;
  }
  return out;
}
