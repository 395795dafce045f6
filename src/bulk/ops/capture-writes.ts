// set-prop / unset-prop `--via capture`: the same `$set` / `$unset` events PostHog's REST write
// sends internally, sent ourselves through PostHog's capture endpoint (src/api/capture.ts), up to
// 1,000 persons a request instead of one. It wraps the REST operation of the same write (its
// plan, confirmation and journal flags) and replaces how a batch is sent, the dry run and the
// summary. It only sees batches of rows, so it works on any input source.
//
// Each batch (up to 1,000 rows, one journal line) is looked up first, 200 identifiers a request
// through the shared rate limiter: capture would make a new person of an unknown distinct_id, so
// identifiers the lookup does not find are never sent and count as not found, and a person given
// by UUID is sent under its first distinct_id. Capture requests do not go through the limiter
// (capture has no per-key limit). Requests are cut by count (1,000 events) and by size (under 20 MB);
// an event over 1 MB is refused while planning, before any request, naming its row (its size is
// known from the row; only a UUID row's distinct_id is not, and an event that still comes out
// too large fails that row alone).
import type { Factory } from '../../factory.js';
import { UsageError } from '../../errors.js';
import { HttpClient } from '../../api/http.js';
import { RateLimiter } from '../../api/limiter.js';
import { LOOKUP_BATCH, type PersonsApi } from '../../api/persons.js';
import {
  CAPTURE_MAX_BODY_BYTES, CAPTURE_MAX_EVENT_BYTES, CAPTURE_MAX_EVENTS, CaptureApi, captureEvent, captureHostFor, getProjectToken, jsonBytes,
  type CaptureEvent,
} from '../../api/capture.js';
import { stringifyExact } from '../../json/exact.js';
import { displayValue, plural } from '../../output/message-text.js';
import type { BulkOperation, RunPlan } from '../engine/operation.js';
import { describeError, isFatal, type Batch, type BatchContext, type BatchReport } from '../engine/runner.js';
import { formatWriteSummary, WriteTally, type WriteSummary } from '../engine/summary.js';
import type { IdKind, InputResult, InputRow } from '../input/read-input.js';
import { readBack, ReadBackSample } from './capture-read-back.js';

/** Rows a capture batch holds by default: one capture request's worth. */
export const DEFAULT_CAPTURE_BATCH = CAPTURE_MAX_EVENTS;

/** What a capture run is given (a property run's checked flags and open input). */
export interface CaptureRun {
  factory: Factory;
  api: PersonsApi;
  options: { captureHost?: string; dryRun?: boolean; output?: string; waitAll?: boolean };
  input: Pick<InputResult, 'kind' | 'rows'> & Partial<Pick<InputResult, 'stats' | 'format'>>;
  batchSize: number;
}

export interface CaptureWriteSummary extends WriteSummary {
  via: 'capture';
  capture_requests: number;
}

/** Refuses a bad --capture-host (exit 2) before anything is read or sent. */
export function checkCaptureHost(apiHost: string, override: string | undefined): void {
  captureHostFor(apiHost, override);
}

/** What a capture write sends for each person: its row's properties, or the same keys removed. */
export type CaptureWrite = { kind: 'set' } | { kind: 'unset'; keys: string[] };

/** A capture run's operation, and the read-back of --wait once its batches are over. */
export interface CaptureOperation extends BulkOperation<WriteSummary> {
  readBack(timeoutMs: number): Promise<void>;
}

export function captureOperation(run: CaptureRun, rest: BulkOperation<WriteSummary>, write: CaptureWrite): CaptureOperation {
  const { factory, api, options, input } = run;
  const by = input.kind;
  const host = captureHostFor(api.http.host, options.captureHost);
  let capture: CaptureApi | undefined;
  const readBackSample = new ReadBackSample(() => Boolean(options.waitAll));
  const eventOf = (distinctId: string, row: InputRow): CaptureEvent =>
    captureEvent(distinctId, write.kind === 'set' ? { set: row.properties ?? {} } : { unset: write.keys });
  const noun = write.kind === 'set' ? 'property writes' : 'property removals';
  const action = (whom: string) => (write.kind === 'set' ? `set properties on ${whom}` : `remove ${write.keys.join(', ')} from ${whom}`);
  const whom = (n: number) => (by === 'uuid' ? plural(n, 'person') : `the persons of ${plural(n, 'distinct_id')}`);

  return {
    ...rest,
    journalFlags(kind) {
      const flags = rest.journalFlags(kind);
      // `via` is not among the flags a --resume must repeat: a slow REST run may go on through capture.
      return { ...flags, flags: { ...flags.flags, via: 'capture', capture_host: host } };
    },
    async checkFiles(journal) {
      await rest.checkFiles?.(journal);
      await refuseOversizeEvents(input.rows, (row) => eventOf(row.id, row));
      if (!options.dryRun) capture = await openCapture(factory, api, host);
    },
    async dryRun(plan) {
      const requests = requestCounts(plan.toSend, run.batchSize);
      if (options.output === 'json' || options.output === 'jsonl') {
        const dryRun = {
          dry_run: true,
          command: rest.command,
          via: 'capture',
          capture_host: host,
          by,
          requested: plan.requested,
          to_send: plan.toSend,
          skipped: plan.skipped,
          batches: Math.ceil(plan.toSend / run.batchSize),
          lookup_requests: requests.lookups,
          capture_requests: requests.captures,
          first_ids: plan.first,
          notes: plan.notes,
          ...(write.kind === 'unset' ? { keys: write.keys } : {}),
          ...(plan.input ? { input: { path: plan.input.source, format: input.format, ...input.stats } } : {}),
          journal: plan.journal,
        };
        factory.io.stdout.write(`${stringifyExact(dryRun, 2)}\n`);
      }
      factory.io.err('Dry run: nothing was sent.');
      const skipped = plan.skipped > 0 ? ` (${plan.skipped.toLocaleString('en-US')} already done in the journal)` : '';
      factory.io.err(
        `Would ${action(whom(plan.toSend))} from ${plan.input!.source} through PostHog's capture endpoint: ` +
          `${plural(requests.lookups, 'lookup request')} (${LOOKUP_BATCH} identifiers each), then about ${plural(requests.captures, 'capture request')} ` +
          `(up to ${CAPTURE_MAX_EVENTS.toLocaleString('en-US')} events each); no REST writes${skipped}.`,
      );
      for (const note of plan.notes) factory.io.err(`  Note: ${note}.`);
      for (const line of await sample(plan)) factory.io.err(line);
    },
    announce(plan, voices) {
      readBackSample.plan(plan.toSend);
      rest.announce(plan, voices);
      const requests = requestCounts(plan.toSend, run.batchSize);
      voices.say(
        `Through PostHog's capture endpoint at ${host} with the project's own token: ${plural(requests.lookups, 'lookup request')}, then about ${plural(requests.captures, 'capture request')}; no REST writes.`,
      );
    },
    execute: (batch, context) =>
      sendBatch(api, capture!, batch, context, by, eventOf, (position, uuid, row) =>
        readBackSample.add((batch.index - 1) * run.batchSize + position, write.kind === 'set' ? { uuid, set: row.properties ?? {} } : { uuid, unset: write.keys }),
      ),
    readBack: (timeoutMs) => readBack(factory, api, readBackSample, timeoutMs),
    tally(kind) {
      const tally = new WriteTally();
      let requests = 0;
      return {
        add(report) {
          requests += (report.response as { capture_requests?: number } | undefined)?.capture_requests ?? 0;
          tally.add(report);
        },
        summarize: (summary): CaptureWriteSummary => ({ ...tally.toJSON(rest.command as WriteSummary['command'], kind, summary), via: 'capture', capture_requests: requests }),
      };
    },
    format(summary) {
      const { capture_requests: requests = 0 } = summary as CaptureWriteSummary;
      const queuedLine = `Queued ${plural(summary.queued, noun.replace(/s$/, ''), noun)} in PostHog's ingestion in ${plural(requests, 'capture request')}; PostHog applies them within minutes.`;
      return formatWriteSummary(summary).map((line) => (line.startsWith('PostHog applies property changes asynchronously') ? queuedLine : line));
    },
  };

  async function sample(plan: RunPlan): Promise<string[]> {
    if (write.kind === 'unset') {
      if (plan.first.length === 0) return [];
      return [`First identifiers: ${plan.first.map(displayValue).join(', ')}${plan.toSend > plan.first.length ? ', …' : ''}`];
    }
    const rows: InputRow[] = [];
    for await (const row of input.rows) {
      if (plan.done.has(row.id)) continue;
      rows.push(row);
      if (rows.length >= 3) break;
    }
    return rows.map((row) => `  ${displayValue(row.id)}: ${displayValue(stringifyExact(row.properties ?? {}))}`);
  }
}

/** The requests a run of `toSend` rows in batches of `batchSize` makes: lookups exactly, capture requests at least. */
export function requestCounts(toSend: number, batchSize: number): { lookups: number; captures: number } {
  const full = Math.floor(toSend / batchSize);
  const rest = toSend % batchSize;
  return {
    lookups: full * Math.ceil(batchSize / LOOKUP_BATCH) + Math.ceil(rest / LOOKUP_BATCH),
    captures: full * Math.ceil(batchSize / CAPTURE_MAX_EVENTS) + Math.ceil(rest / CAPTURE_MAX_EVENTS),
  };
}

/** Every row's event measured before anything is sent: one too large for capture stops the run (exit 2). */
async function refuseOversizeEvents(rows: InputResult['rows'], eventOf: (row: InputRow) => CaptureEvent): Promise<void> {
  for await (const row of rows) {
    const bytes = jsonBytes(stringifyExact(eventOf(row)));
    if (bytes > CAPTURE_MAX_EVENT_BYTES) {
      throw new UsageError(
        `line ${row.line} (${displayValue(row.id)}): its $set event would be ${bytes.toLocaleString('en-US')} bytes, over capture's 1 MB limit for one event`,
        'Make the values of that row smaller: PostHog cannot store an event that large, whichever way it is sent. Nothing was sent.',
      );
    }
  }
}

/** The capture client: the project's token read with the personal key, then a client for the capture host. */
async function openCapture(factory: Factory, api: PersonsApi, host: string): Promise<CaptureApi> {
  const token = await getProjectToken(api.http, api.project);
  const globals = factory.globals();
  const backoff = Number(factory.env.POSTHOG_PERSONS_BACKOFF_MS);
  const http = new HttpClient({
    host,
    apiKey: token,
    authorization: false,
    userAgent: `posthog-persons/${factory.version}`,
    timeoutMs: globals.timeout !== undefined ? globals.timeout * 1000 : undefined,
    retries: globals.retries,
    // Capture has no per-key limit: its requests never wait for the persons API's budget.
    limiter: new RateLimiter({ perMinute: { read: 0, delete: 0 }, now: () => factory.clock.now(), sleep: (ms) => factory.clock.sleep(ms) }),
    debug: factory.debugEnabled() ? (line) => factory.io.err(line) : undefined,
    notice: (line) => factory.io.err(line),
    backoffBaseMs: Number.isFinite(backoff) && backoff >= 0 && factory.env.POSTHOG_PERSONS_BACKOFF_MS !== '' ? backoff : undefined,
    sleep: (ms) => factory.clock.sleep(ms),
  });
  factory.onClose(() => http.close());
  return new CaptureApi(http, token);
}

interface Ready {
  id: string;
  position: number;
  uuid: string;
  row: InputRow;
  event: CaptureEvent;
  bytes: number;
}

/** One batch: the lookup, then the found persons' events in as few capture requests as the limits allow. */
async function sendBatch(
  api: PersonsApi,
  capture: CaptureApi,
  batch: Batch,
  context: BatchContext,
  by: IdKind,
  eventOf: (distinctId: string, row: InputRow) => CaptureEvent,
  onQueued: (position: number, uuid: string, row: InputRow) => void,
): Promise<BatchReport[]> {
  // An email run's batches hold the person UUIDs its emails resolved to.
  const persons = await api.lookupPersons(batch.ids, by === 'email' ? 'uuid' : by);
  const found: Record<string, string> = {};
  const missing: string[] = [];
  const reports: BatchReport[] = [];
  const ready: Ready[] = [];
  const failRow = (id: string, error: string) => reports.push({ ids: [id], status: 'failed', error, found: pick(found, [id]) });
  for (const [position, row] of batch.rows.entries()) {
    const person = persons.get(by === 'uuid' ? row.id.toLowerCase() : row.id);
    if (person === undefined) {
      missing.push(row.id);
      continue;
    }
    found[row.id] = person.uuid;
    const distinctId = by === 'uuid' ? person.distinct_ids?.[0] : row.id;
    if (distinctId === undefined) {
      failRow(row.id, 'the person has no distinct_id to send the write under');
      continue;
    }
    const event = eventOf(distinctId, row);
    const bytes = jsonBytes(stringifyExact(event));
    if (bytes > CAPTURE_MAX_EVENT_BYTES) {
      failRow(row.id, `its event is ${bytes.toLocaleString('en-US')} bytes, over capture's 1 MB limit for one event`);
      continue;
    }
    ready.push({ id: row.id, position, uuid: person.uuid, row, event, bytes });
  }

  const queued: string[] = [];
  let requests = 0;
  for (const group of requestGroups(ready)) {
    if (context.stopping()) break; // the rest is not journaled, so --resume sends it
    const ids = group.map((r) => r.id);
    try {
      await capture.send(group.map((r) => r.event));
      requests++;
      queued.push(...ids);
      for (const r of group) onQueued(r.position, r.uuid, r.row);
    } catch (error) {
      if (isFatal(error)) {
        context.abort(error);
        break;
      }
      reports.push({ ids, status: 'failed', ...describeError(error), cause: error, found: pick(found, ids) });
    }
  }
  return [
    { ids: queued, status: 'done', response: { outcome: 'queued', capture_requests: requests }, found: pick(found, queued) },
    { ids: missing, status: 'done', response: { outcome: 'not_found' }, found: {} },
    ...reports,
  ];
}

/** Events cut into requests of at most 1,000 and under 20 MB with the envelope. */
export function* requestGroups<T extends { bytes: number }>(items: readonly T[]): Generator<T[]> {
  const envelope = 200; // {"api_key":"phc_…","batch":[]}
  let group: T[] = [];
  let size = envelope;
  for (const item of items) {
    if (group.length > 0 && (group.length >= CAPTURE_MAX_EVENTS || size + item.bytes + 1 > CAPTURE_MAX_BODY_BYTES)) {
      yield group;
      group = [];
      size = envelope;
    }
    group.push(item);
    size += item.bytes + 1;
  }
  if (group.length > 0) yield group;
}

function pick(found: Record<string, string>, ids: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const id of ids) if (found[id] !== undefined) out[id] = found[id]!;
  return out;
}
