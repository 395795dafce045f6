// `set-prop --where … KEY VALUE` and `unset-prop --where … KEY...` (and --email, --search,
// --properties): the same write for every person a query selects, from a snapshot of their UUIDs
// taken before the first write (src/bulk/engine/run-selection.ts). Each batch is still looked up
// before it is written (a person deleted since the listing is counted not found, not written), as
// in every property-write run (src/bulk/ops/property-writes.ts).
import type { Factory } from '../../factory.js';
import { UsageError } from '../../errors.js';
import type { PersonQueryFlags } from '../../filters/person-query.js';
import { requireConsentPossible } from '../../io/confirm.js';
import { displayValue, plural, shortJson } from '../../output/message-text.js';
import { runFromSelection, type SelectionWords } from '../engine/run-selection.js';
import type { BulkOperation } from '../engine/operation.js';
import type { WriteSummary } from '../engine/summary.js';
import { DEFAULT_PROPERTY_CONCURRENCY, writePath, type PropertyRun, type PropertyRunOptions } from './property-writes.js';
import { setPropOperation } from './set-prop.js';
import { unsetPropOperation } from './unset-prop.js';

export interface PropertyQueryOptions extends PropertyRunOptions {
  expect?: number;
}

/** Every selected person gets `key` = `value` (one PATCH each). */
export async function setPropSelected(factory: Factory, options: PropertyQueryOptions, query: PersonQueryFlags, key: string, value: unknown): Promise<void> {
  const what = `set ${displayValue(key)} = ${shortJson(value)} on`;
  await runSelected(factory, options, query, 'set properties of the persons a query selects', (run) => setPropOperation(run), { kind: 'set' }, {
    action: (whom) => `${what} ${whom}`,
    requests: (toSend, batch) => `${plural(toSend, 'request')}, one a person, after ${plural(Math.ceil(toSend / batch), 'lookup')}`,
    single: (uuid) => `${what.charAt(0).toUpperCase()}${what.slice(1)} person ${uuid}?`,
  }, { [key]: value });
}

/** `keys` are removed from every selected person (one delete_property request a key). */
export async function unsetPropSelected(factory: Factory, options: PropertyQueryOptions, query: PersonQueryFlags, rawKeys: string[]): Promise<void> {
  const keys = [...new Set(rawKeys)];
  if (keys.length === 0 || keys.some((k) => k.trim() === '')) throw new UsageError('give the property keys to remove, none of them empty');
  if (options.json) throw new UsageError('--json only applies to set-prop');
  const what = `remove ${displayValue(keys.join(', '))} from`;
  await runSelected(factory, options, query, 'remove properties of the persons a query selects', (run) => unsetPropOperation(run, keys), { kind: 'unset', keys }, {
    action: (whom) => `${what} ${whom}`,
    requests: (toSend, batch) => `${plural(toSend * keys.length, 'delete_property request')}, one a key and person, after ${plural(Math.ceil(toSend / batch), 'lookup')}`,
    single: (uuid) => `Remove ${displayValue(keys.join(', '))} from person ${uuid}?`,
  });
}

async function runSelected(
  factory: Factory,
  options: PropertyQueryOptions,
  query: PersonQueryFlags,
  consent: string,
  operation: (run: PropertyRun) => BulkOperation<WriteSummary>,
  write: { kind: 'set' } | { kind: 'unset'; keys: string[] },
  words: { action: SelectionWords['action']; requests(toSend: number, batch: number): string; single: SelectionWords['single'] },
  properties?: Record<string, unknown>,
): Promise<void> {
  if (options.column !== undefined) throw new UsageError('--column only applies to --from-file');
  if (options.by !== undefined) throw new UsageError('--by does not apply to a query: the persons it selects are written by UUID');
  // --via capture: the selected persons' $set / $unset events go through PostHog's capture
  // endpoint, 1,000 a request, each batch looked up first as in a file run (src/bulk/ops/capture-writes.ts).
  const { capture, batchSize } = await writePath(options);
  const concurrency = options.concurrency ?? DEFAULT_PROPERTY_CONCURRENCY;
  requireConsentPossible(factory, options, consent);

  const api = await factory.api();
  if (capture) capture.checkCaptureHost(api.http.host, options.captureHost);
  // The rows come from the snapshot (runFromSelection); the operation only needs to know they are UUIDs.
  const run: PropertyRun = { factory, api, options, input: { kind: 'uuid', rows: [] }, batchSize, concurrency };
  const rest = operation(run);
  const core = capture ? capture.captureOperation(run, rest, write) : rest;
  const requests = capture
    ? (toSend: number) => {
        const counts = capture.requestCounts(toSend, batchSize);
        return `${plural(counts.lookups, 'lookup')} and ${plural(counts.captures, 'capture request')} ($set/$unset events, no REST write)`;
      }
    : (toSend: number) => words.requests(toSend, batchSize);
  const json = options.output === 'json' || options.output === 'jsonl';
  await runFromSelection(
    factory,
    api,
    core,
    { action: words.action, requests, done: 'changed', single: words.single, nothingDone: 'Nothing was changed.' },
    query,
    options,
    { batchSize, concurrency, json },
    properties,
  );
}
