// `delete [<person>...]` and `delete --from-file PATH`: persons erased through bulk_delete, in
// batches of up to 1000, with a confirmation nobody can give by accident, a journal that makes
// any interruption resumable, and a summary of exactly what PostHog answered.
import { Command, Option } from 'commander';
import type { Factory } from '../factory.js';
import { UsageError } from '../errors.js';
import { parseByFlag, validatePersonRef, type PersonRefKind } from '../api/resolve-person.js';
import { requireConsentPossible } from '../io/confirm.js';
import type { IdKind } from '../bulk/input/read-input.js';
import type { DeletePlan } from '../bulk/ops/delete.js';
import { OUTPUT_FORMATS } from '../output/formats.js';
import { byOption, examples, intInRange, outputFormat, type OutputFormat } from './shared.js';

export interface DeleteOptions {
  by?: string;
  fromFile?: string;
  column?: string;
  deleteEvents?: boolean;
  deleteRecordings?: boolean;
  keepPerson?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  batchSize?: number;
  concurrency?: number;
  journal?: string;
  resume?: boolean;
  backup?: string;
  /** --no-lookup: false */
  lookup?: boolean;
  report?: string;
  output?: OutputFormat;
}

export const MAX_BATCH_SIZE = 1000;
export const DEFAULT_CONCURRENCY = 4;
export const MAX_CONCURRENCY = 16;

export function createDeleteCommand(factory: Factory): Command {
  const command = new Command('delete')
    .description('Delete persons (and optionally their events and recordings) through bulk_delete')
    .argument('[person...]', 'person UUIDs or distinct_ids (each is looked up first)')
    .addOption(byOption('delete'))
    .option('--from-file <path>', 'identifiers to delete: CSV with a header, JSON Lines, or one a line (- = stdin)')
    .option('--column <name>', 'CSV column / JSON key holding the identifiers (default distinct_id, else uuid, else person_uuid, else the only one)')
    .option('--delete-events', "also queue the persons' events for deletion")
    .option('--delete-recordings', "also delete the persons' session recordings")
    .option('--keep-person', 'with --delete-events/--delete-recordings: remove only that data, keep the persons')
    .option('--dry-run', 'show what would be deleted; send no write')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .option('--batch-size <n>', `identifiers per bulk_delete request, 1-${MAX_BATCH_SIZE} (default ${MAX_BATCH_SIZE})`, intInRange('--batch-size', 1, MAX_BATCH_SIZE))
    .option('--concurrency <n>', `requests in flight, 1-${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY})`, intInRange('--concurrency', 1, MAX_CONCURRENCY))
    .option('--journal <path>', 'where to keep the run journal: a new file, or a journal of this tool (default: beside the input file, or in the current folder); one run at a time per journal')
    .option('--resume', 'continue the run recorded in the journal: identifiers recorded done are skipped')
    .option('--backup <path>', "save each person's full record (JSON Lines) before deleting it: a new file, or a backup of this tool to append to")
    .option('--report <path>', 'write one row per input identifier with its outcome (CSV, or JSON Lines for .jsonl), covering every run of the journal')
    .option('--no-lookup', 'with --from-file: skip the lookup before each batch (fewer requests; no per-identifier outcomes, so no --report)')
    .addOption(new Option('-o, --output <format>', 'json/jsonl: the summary (or a file dry run\'s plan) as JSON on stdout; a dry run of named persons lists them in this format').choices(OUTPUT_FORMATS));
  examples(command, [
    ['one person, asking first', 'posthog-persons delete user_472'],
    ['a GDPR erasure list, events too, rehearsed first', 'posthog-persons delete --from-file erasures.csv --delete-events --dry-run'],
    ['the same list in CI, with a backup of every record and a row per identifier saying what became of it', 'posthog-persons delete --from-file erasures.csv --delete-events --backup erased.jsonl --report erased.report.csv --yes'],
    ['finish a run that was interrupted (the report and the summary then cover both runs)', 'posthog-persons delete --from-file erasures.csv --delete-events --resume --report erased.report.csv --yes'],
    ["remove a person's events but keep the person", 'posthog-persons delete 019704b5-dfbb-70bf-9a46-bbd4c825e918 --delete-events --keep-person'],
  ]);
  return command.action(async (persons: string[], options: DeleteOptions) => runDelete(factory, persons, options));
}

export function checkDeleteOptions(refs: string[], options: DeleteOptions): DeletePlan {
  if (refs.length > 0 && options.fromFile !== undefined) throw new UsageError('give persons as arguments or --from-file, not both');
  if (refs.length === 0 && options.fromFile === undefined) {
    throw new UsageError('nothing to delete: give one or more persons, or --from-file PATH');
  }
  if (options.column !== undefined && options.fromFile === undefined) throw new UsageError('--column only applies to --from-file');
  if (options.keepPerson && !options.deleteEvents && !options.deleteRecordings) {
    throw new UsageError('--keep-person keeps the persons: use it with --delete-events or --delete-recordings (alone it would delete nothing)');
  }
  const refBy = parseByFlag(options.by);
  let fileBy: IdKind | undefined;
  if (options.fromFile !== undefined) {
    if (refBy === 'id') throw new UsageError('--from-file reads distinct_ids or person UUIDs: use --by distinct-id or --by uuid');
    if (refBy === 'uuid') fileBy = 'uuid';
    if (refBy === 'distinct-id') fileBy = 'distinct_id';
  }
  if (options.lookup === false && options.report !== undefined) {
    throw new UsageError('--report needs the lookup before each batch (it names what became of each identifier): drop --no-lookup');
  }
  for (const ref of refs) validatePersonRef(ref, refBy);
  return {
    mode: options.fromFile !== undefined ? 'file' : 'named',
    refs: [...new Set(refs)],
    refBy,
    fileBy,
    batchSize: options.batchSize ?? MAX_BATCH_SIZE,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    flags: { deleteEvents: Boolean(options.deleteEvents), deleteRecordings: Boolean(options.deleteRecordings), keepPerson: Boolean(options.keepPerson) },
    json: options.output === 'json' || options.output === 'jsonl',
    lookup: options.lookup !== false,
  };
}

export async function runDelete(factory: Factory, refs: string[], options: DeleteOptions): Promise<void> {
  const plan = checkDeleteOptions(refs, options);
  requireConsentPossible(factory, options, 'delete persons');
  const api = await factory.api();
  const run = await import('../bulk/ops/delete.js');
  if (plan.mode === 'file') await run.deleteFromFile(factory, api, plan, options);
  else await run.deleteNamed(factory, api, plan, { ...options, output: outputFormat(factory, options.output) });
}
