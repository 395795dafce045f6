// `delete [<person>...]` and `delete --from-file PATH`: persons erased through bulk_delete, in
// batches of up to 1000, with a confirmation nobody can give by accident, a journal that makes
// any interruption resumable, and a summary of exactly what PostHog answered.
import { Command, Option } from 'commander';
import type { Factory } from '../factory.js';
import { UsageError } from '../errors.js';
import { isUuid, parseByFlag, validatePersonRef, type PersonRefKind } from '../api/resolve-person.js';
import { requireConsentPossible } from '../io/confirm.js';
import type { IdKind } from '../bulk/input/read-input.js';
import type { DeletePlan } from '../bulk/ops/delete.js';
import { parseMaxNotFound } from '../bulk/engine/max-not-found.js';
import { OUTPUT_FORMATS } from '../output/formats.js';
import { byOption, examples, intInRange, outputFormat, type OutputFormat } from './shared.js';
import { hasPersonQuery, queryRecord } from '../filters/person-query.js';
import { addQueryOptions, checkQuerySource, type QueryFlags } from './query-options.js';
import { addProjectsOptions, checkProjectsFlag, resolveRunProjects, type ProjectsFlags } from './projects-option.js';

export interface DeleteOptions extends QueryFlags, ProjectsFlags {
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
  maxNotFound?: string;
  resetDistinctIds?: boolean;
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
    .option('--column <name>', 'CSV column / JSON key holding the identifiers (default distinct_id, else uuid, else person_uuid, else the only one; an email column needs --by email when there are others)')
    .option('--delete-events', "also queue the persons' events for deletion")
    .option('--delete-recordings', "also delete the persons' session recordings")
    .option('--keep-person', 'with --delete-events/--delete-recordings: remove only that data, keep the persons')
    .option('--dry-run', 'show what would be deleted; send no write')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .option('--batch-size <n>', `identifiers per bulk_delete request, 1-${MAX_BATCH_SIZE} (default ${MAX_BATCH_SIZE})`, intInRange('--batch-size', 1, MAX_BATCH_SIZE))
    .option('--concurrency <n>', `requests in flight, 1-${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY})`, intInRange('--concurrency', 1, MAX_CONCURRENCY))
    .option('--journal <path>', 'where to keep the run journal: a new file, or a journal of this tool (default: beside the input file, or in the current folder); one run at a time per journal')
    .option('--resume', 'continue the run recorded in the journal: identifiers recorded done are skipped')
    .option('--reset-distinct-ids', "after each batch is deleted, reset the distinct_ids the input named (reset_person_distinct_id, one request each), so they start new persons if they come back")
    .option('--max-not-found <n>', 'with --from-file: look every identifier up first and stop (exit 3, nothing deleted) when more than N, or P% (e.g. 5%), match no person')
    .option('--backup <path>', "save each person's full record (JSON Lines) before deleting it: a new file, or a backup of this tool to append to")
    .option('--report <path>', 'write one row per input identifier with its outcome (CSV, or JSON Lines for .jsonl), covering every run of the journal')
    .option('--no-lookup', 'with --from-file: skip the lookup before each batch (fewer requests; no per-identifier outcomes, so no --report)')
    .addOption(new Option('-o, --output <format>', 'json/jsonl: the summary (or a file dry run\'s plan) as JSON on stdout; a dry run of named persons lists them in this format').choices(OUTPUT_FORMATS));
  addQueryOptions(command, 'to delete');
  addProjectsOptions(command, 'delete');
  examples(command, [
    ['one person, asking first', 'posthog-persons delete user_472'],
    ['a GDPR erasure list in every project and environment the key reaches, events too, rehearsed first', 'posthog-persons delete --from-file erasures.csv --projects all --delete-events --dry-run'],
    ['erase the persons of an email list (an "email" column; every person holding an email goes)', 'posthog-persons delete --from-file emails.csv --dry-run'],
    ['finish a run that was interrupted (the report and the summary then cover both runs)', 'posthog-persons delete --from-file erasures.csv --delete-events --resume --report erased.report.csv --yes'],
    ['in CI: every person a query selects, only if it selects exactly the count reviewed in its dry run', `posthog-persons delete --where plan=free --where 'email~@old-domain.com' --expect "$REVIEWED_COUNT" --yes`],
  ]);
  return command.action(async (persons: string[], options: DeleteOptions) => runDelete(factory, persons, options));
}

export function checkDeleteOptions(refs: string[], options: DeleteOptions): DeletePlan {
  if (refs.length > 0 && options.fromFile !== undefined) throw new UsageError('give persons as arguments or --from-file, not both');
  const query = checkQuerySource(options, { args: refs.length > 0, file: options.fromFile !== undefined });
  if (refs.length === 0 && options.fromFile === undefined && query === undefined) {
    throw new UsageError('nothing to delete: give one or more persons, or --from-file PATH, or a query (--where, --email, --search, --properties)');
  }
  if (query !== undefined && options.by !== undefined) throw new UsageError('--by does not apply to a query: the persons it selects are deleted by UUID');
  if (options.column !== undefined && options.fromFile === undefined) throw new UsageError('--column only applies to --from-file');
  if (options.resetDistinctIds && options.keepPerson) throw new UsageError('--reset-distinct-ids is for deleted persons; --keep-person keeps them');
  if (options.keepPerson && !options.deleteEvents && !options.deleteRecordings) {
    throw new UsageError('--keep-person keeps the persons: use it with --delete-events or --delete-recordings (alone it would delete nothing)');
  }
  // Emails are read from a file only: each is looked up, and every person holding it is a target.
  if (options.by === 'email' && options.fromFile === undefined) throw new UsageError('--by email reads emails from --from-file PATH; named persons are UUIDs or distinct_ids');
  const refBy = options.by === 'email' ? 'auto' : parseByFlag(options.by);
  let fileBy: IdKind | undefined = options.by === 'email' ? 'email' : undefined;
  if (options.fromFile !== undefined) {
    if (refBy === 'id') throw new UsageError('--from-file reads distinct_ids or person UUIDs (or emails): use --by distinct-id, --by uuid or --by email');
    if (refBy === 'uuid') fileBy = 'uuid';
    if (refBy === 'distinct-id') fileBy = 'distinct_id';
  }
  if (options.lookup === false && options.report !== undefined) {
    throw new UsageError('--report needs the lookup before each batch (it names what became of each identifier): drop --no-lookup');
  }
  for (const ref of refs) validatePersonRef(ref, refBy);
  if (options.maxNotFound !== undefined && options.fromFile === undefined) {
    throw new UsageError('--max-not-found only applies to --from-file (named persons are each looked up, and one that is missing stops the run)');
  }
  const maxNotFound = options.maxNotFound === undefined ? undefined : parseMaxNotFound(options.maxNotFound);
  return {
    mode: options.fromFile !== undefined ? 'file' : 'named',
    refs: [...new Set(refs)],
    refBy,
    fileBy,
    batchSize: options.batchSize ?? MAX_BATCH_SIZE,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    flags: { deleteEvents: Boolean(options.deleteEvents), deleteRecordings: Boolean(options.deleteRecordings), keepPerson: Boolean(options.keepPerson) },
    json: options.output === 'json' || options.output === 'jsonl',
    maxNotFound,
    resetDistinctIds: Boolean(options.resetDistinctIds),
    lookup: options.lookup !== false,
  };
}

export async function runDelete(factory: Factory, refs: string[], options: DeleteOptions): Promise<void> {
  const plan = checkDeleteOptions(refs, options);
  const projects = checkProjectsFlag(factory, options);
  if (projects !== undefined) checkProjectsDelete(plan, options);
  requireConsentPossible(factory, options, 'delete persons');
  if (projects !== undefined) {
    const resolve = () => resolveRunProjects(factory, projects, { keepRefused: true });
    await (await import('../bulk/ops/delete-projects.js')).deleteInProjects(factory, resolve, plan, options, hasPersonQuery(options) ? queryRecord(options) : undefined);
    return;
  }
  const api = await factory.api();
  // A query was checked with the other flags (checkDeleteOptions): the persons are its selection.
  if (hasPersonQuery(options)) {
    await (await import('../bulk/ops/delete-selected.js')).deleteSelected(factory, api, plan, options, queryRecord(options));
    return;
  }
  const run = await import('../bulk/ops/delete.js');
  if (plan.mode === 'file') await run.deleteFromFile(factory, api, plan, options);
  else await run.deleteNamed(factory, api, plan, { ...options, output: outputFormat(factory, options.output) });
}

/** What --projects does not combine with (yet), refused before any request. */
function checkProjectsDelete(plan: DeletePlan, options: DeleteOptions): void {
  if (options.expect !== undefined) throw new UsageError('--expect does not apply to --projects: each project selects its own persons', 'Check the dry run\'s count for each project instead.');
  // A person UUID is one project's: a name without --by is read as a distinct_id in each project.
  const uuidShaped = plan.refs.filter((ref) => isUuid(ref));
  if (plan.mode === 'named' && plan.refBy === 'auto' && uuidShaped.length > 0) {
    throw new UsageError(`${JSON.stringify(uuidShaped[0])} looks like a person UUID, which belongs to one project: with --projects say what the names are`, 'Add --by distinct-id (anonymous distinct_ids look like UUIDs), or --by uuid to delete that person wherever its UUID is found.');
  }
  if (plan.refBy === 'id') throw new UsageError('--projects reads names as distinct_ids or person UUIDs: use --by distinct-id or --by uuid');
  if (plan.maxNotFound !== undefined) throw new UsageError('--max-not-found does not apply to --projects: an identifier is expected to be missing from some projects');
}
