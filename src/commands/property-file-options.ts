// The --from-file flags of set-prop and unset-prop (README, "set-prop, unset-prop"): the same input,
// journal, resume, dry run and confirmation as `delete --from-file`. The run itself lives in
// src/bulk/ops/set-prop.ts and unset-prop.ts, loaded only when a file is given.
import type { Command } from 'commander';
import type { Factory } from '../factory.js';
import { UsageError } from '../errors.js';
import type { PropertyFileOptions } from '../bulk/ops/property-writes.js';
import { intInRange } from './shared.js';

/** The --from-file run's options as commander hands them over, plus the flags it must refuse. */
export interface PropertyFileFlags extends Partial<PropertyFileOptions> {
  fields?: string;
  wait?: unknown;
}

export function addPropertyFileOptions(command: Command, what: string): Command {
  return command
    .option('--from-file <path>', `${what} for every person in a file: CSV with a header, JSON Lines (- = stdin)`)
    .option('--column <name>', 'with --from-file: the column / JSON key holding the person (default distinct_id, else uuid, else person_uuid)')
    .option('--dry-run', 'with --from-file: read and check the file, show what would be sent; send no write')
    .option('-y, --yes', 'with --from-file: do not ask for confirmation (required without a terminal)')
    .option('--journal <path>', 'with --from-file: where to keep the run journal, a new file or a journal of this tool (default: beside the input file)')
    .option('--resume', 'with --from-file: continue the run recorded in the journal, skipping persons recorded done')
    .option('--report <path>', 'with --from-file: one row per input identifier with its outcome (CSV, or JSON Lines for .jsonl), covering every run of the journal')
    .option('--batch-size <n>', 'with --from-file: persons per lookup request and journal line, 1-200 (default 100)', intInRange('--batch-size', 1, 200))
    .option('--concurrency <n>', 'with --from-file: requests in flight, 1-16 (default 4)', intInRange('--concurrency', 1, 16));
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
];

/** Without --from-file, the file-only flags are mistakes; say so rather than ignore them. */
export function rejectFileOnlyFlags(options: PropertyFileFlags): void {
  const given = FILE_ONLY.find(([key]) => options[key] !== undefined);
  if (given) throw new UsageError(`${given[1]} only applies with --from-file`);
}

export async function runPropertyFile(factory: Factory, options: PropertyFileFlags, keys?: string[]): Promise<void> {
  if (options.wait !== undefined) throw new UsageError('--wait is for one person; a --from-file run reports what PostHog accepted');
  if (options.fields !== undefined) throw new UsageError('--fields does not apply to a --from-file run (its output is the summary)');
  const { fields: _fields, wait: _wait, ...rest } = options;
  const fileOptions: PropertyFileOptions = { ...rest, fromFile: options.fromFile! };
  if (keys) await (await import('../bulk/ops/unset-prop.js')).runUnsetPropFromFile(factory, fileOptions, keys);
  else await (await import('../bulk/ops/set-prop.js')).runSetPropFromFile(factory, fileOptions);
}
