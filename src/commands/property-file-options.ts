// The --from-file flags of set-prop and unset-prop (README, "set-prop, unset-prop"): the same input,
// journal, resume, dry run and confirmation as `delete --from-file`. The run itself lives in
// src/bulk/ops/set-prop.ts and unset-prop.ts, loaded only when a file is given.
import { Option, type Command } from 'commander';
import type { Factory } from '../factory.js';
import { UsageError } from '../errors.js';
import type { PropertyFileOptions } from '../bulk/ops/property-writes.js';
import { intInRange } from './shared.js';
import { waitMs, type WaitFlag } from './wait-option.js';

/** The --from-file run's options as commander hands them over, plus the flags it must refuse. */
export interface PropertyFileFlags extends Partial<PropertyFileOptions> {
  fields?: string;
  wait?: WaitFlag;
}

export function addPropertyFileOptions(command: Command, what: string): Command {
  return command
    .option('--from-file <path>', `${what} for every person in a file: CSV with a header, JSON Lines (- = stdin)`)
    .option('--column <name>', 'with --from-file: the column / JSON key holding the person (default distinct_id, else uuid, else person_uuid)')
    .option('--dry-run', 'with --from-file: read and check the file, show what would be sent; send no write')
    .option('-y, --yes', 'with --from-file: do not ask for confirmation (required without a terminal)')
    .option('--journal <path>', 'with --from-file: where to keep the run journal, a new file or a journal of this tool (default: beside the input file)')
    .option('--resume', 'with --from-file: continue the run recorded in the journal, skipping persons recorded done')
    .option('--batch-size <n>', 'with --from-file: persons per journal line, 1-200 (default 100); with --via capture 1-1000 (default 1000)', intInRange('--batch-size', 1))
    .option('--concurrency <n>', 'with --from-file: requests in flight, 1-16 (default 4)', intInRange('--concurrency', 1, 16))
    .addOption(new Option('--via <how>', "with --from-file: api (one REST write a person) or capture ($set events through PostHog's capture endpoint, up to 1,000 persons a request)").choices(['api', 'capture']))
    .option('--wait-all', 'with --via capture --wait: read back every person, not a sample of 100')
    .option('--capture-host <url>', 'with --via capture: the capture host (default: us.i.posthog.com / eu.i.posthog.com for Cloud, else the API host)')
    .option('--max-not-found <n>', 'with --from-file: look every person up first and stop (exit 3, nothing written) when more than N, or P% (e.g. 5%), match no person');
}

const FILE_ONLY: Array<[keyof PropertyFileFlags, string]> = [
  ['column', '--column'],
  ['dryRun', '--dry-run'],
  ['yes', '--yes'],
  ['journal', '--journal'],
  ['resume', '--resume'],
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
