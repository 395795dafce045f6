// The --from-file flags of set-prop and unset-prop (README, "set-prop, unset-prop"): the same input,
// journal, resume, dry run and confirmation as `delete --from-file`. The run itself lives in
// src/bulk/ops/set-prop.ts and unset-prop.ts, loaded only when a file is given.
import { Option, type Command } from 'commander';
import type { Factory } from '../factory.js';
import { UsageError } from '../errors.js';
import type { PropertyFileOptions } from '../bulk/ops/property-writes.js';
import type { PersonQueryFlags } from '../filters/person-query.js';
import { intInRange } from './shared.js';
import { waitMs, type WaitFlag } from './wait-option.js';
import { addQueryOptions, type QueryFlags } from './query-options.js';

/** The --from-file (or query) run's options as commander hands them over, plus the flags it must refuse. */
export interface PropertyFileFlags extends Partial<PropertyFileOptions>, QueryFlags {
  fields?: string;
  wait?: WaitFlag;
}

export function addPropertyFileOptions(command: Command, what: string): Command {
  return command
    .option('--from-file <path>', `${what} for every person in a file: CSV with a header, JSON Lines (- = stdin)`)
    .option('--column <name>', 'with --from-file: the column / JSON key holding the person (default distinct_id, else uuid, else person_uuid)')
    .option('--dry-run', 'with --from-file or a query: read and check the file (or list the query), show what would be sent; send no write')
    .option('-y, --yes', 'with --from-file or a query: do not ask for confirmation (required without a terminal)')
    .option('--journal <path>', 'with --from-file or a query: where to keep the run journal, a new file or a journal of this tool (default: beside the input file, or in the current folder)')
    .option('--resume', 'with --from-file or a query: continue the run recorded in the journal, skipping persons recorded done (a query is not run again: its snapshot is in the journal)')
    .option('--report <path>', 'with --from-file or a query: one row per input identifier with its outcome (CSV, or JSON Lines for .jsonl), covering every run of the journal')
    .option('--batch-size <n>', 'with --from-file or a query: persons per journal line, 1-200 (default 100); with --via capture 1-1000 (default 1000)', intInRange('--batch-size', 1))
    .option('--concurrency <n>', 'with --from-file or a query: requests in flight, 1-16 (default 4)', intInRange('--concurrency', 1, 16))
    .addOption(new Option('--via <how>', "with --from-file: api (one REST write a person) or capture ($set events through PostHog's capture endpoint, up to 1,000 persons a request)").choices(['api', 'capture']))
    .option('--wait-all', 'with --via capture --wait: read back every person, not a sample of 100')
    .option('--capture-host <url>', 'with --via capture: the capture host (default: us.i.posthog.com / eu.i.posthog.com for Cloud, else the API host)')
    .option('--max-not-found <n>', 'with --from-file: look every person up first and stop (exit 3, nothing written) when more than N, or P% (e.g. 5%), match no person');
}

/** The query flags of set-prop and unset-prop: the persons a query selects instead of a file (the file-run flags apply too). */
export function addPropertyQueryOptions(command: Command, what: string): Command {
  return addQueryOptions(command, what);
}

/** A query run: the same write for every person the query selects (src/bulk/ops/property-selected.ts). */
export async function runPropertyQuery(
  factory: Factory,
  options: PropertyFileFlags,
  query: PersonQueryFlags,
  write: { set: { key: string; value: unknown } } | { unset: string[] },
): Promise<void> {
  if (options.wait !== undefined) throw new UsageError('--wait is for one person; a query run reports what PostHog accepted');
  if (options.fields !== undefined) throw new UsageError('--fields does not apply to a query run (its output is the summary)');
  const { fields: _fields, wait: _wait, fromFile: _fromFile, where: _where, email: _email, search: _search, properties: _properties, ...rest } = options;
  const run = await import('../bulk/ops/property-selected.js');
  if ('set' in write) await run.setPropSelected(factory, rest, query, write.set.key, write.set.value);
  else await run.unsetPropSelected(factory, rest, query, write.unset);
}

const FILE_ONLY: Array<[keyof PropertyFileFlags, string]> = [
  ['column', '--column'],
  ['dryRun', '--dry-run'],
  ['yes', '--yes'],
  ['journal', '--journal'],
  ['resume', '--resume'],
  ['report', '--report'],
  ['batchSize', '--batch-size'],
  ['concurrency', '--concurrency'],
  ['via', '--via'],
  ['captureHost', '--capture-host'],
  ['waitAll', '--wait-all'],
  ['maxNotFound', '--max-not-found'],
];

/** Without --from-file, the file-only flags are mistakes; say so rather than ignore them. */
export function rejectFileOnlyFlags(options: PropertyFileFlags): void {
  const given = FILE_ONLY.find(([key]) => options[key] !== undefined);
  if (given) throw new UsageError(`${given[1]} only applies with --from-file`);
}

export async function runPropertyFile(factory: Factory, options: PropertyFileFlags, keys?: string[]): Promise<void> {
  if (options.wait !== undefined && options.via !== 'capture') {
    throw new UsageError('--wait with --from-file reads the persons back after a --via capture run; a REST run reports what PostHog accepted');
  }
  if (options.waitAll && options.wait === undefined) throw new UsageError('--wait-all only applies with --wait');
  if (options.fields !== undefined) throw new UsageError('--fields does not apply to a --from-file run (its output is the summary)');
  const { fields: _fields, wait, ...rest } = options;
  const fileOptions: PropertyFileOptions = { ...rest, fromFile: options.fromFile!, waitMs: waitMs(wait) };
  if (keys) await (await import('../bulk/ops/unset-prop.js')).runUnsetPropFromFile(factory, fileOptions, keys);
  else await (await import('../bulk/ops/set-prop.js')).runSetPropFromFile(factory, fileOptions);
}
