// `reset-distinct-id <distinct_id>...` and `reset-distinct-id --from-file PATH`: PostHog's
// reset_person_distinct_id, so a distinct_id of a deleted person that appears again in new events
// starts a new person instead of reviving the deleted one. The run lives in
// src/bulk/ops/reset-distinct-id.ts.
import { Command, Option } from 'commander';
import type { Factory } from '../factory.js';
import { requireConsentPossible } from '../io/confirm.js';
import { OUTPUT_FORMATS } from '../output/formats.js';
import { examples, intInRange, type OutputFormat } from './shared.js';
import { addProjectsOptions, checkProjectsFlag, resolveRunProjects, type ProjectsFlags } from './projects-option.js';
import type { BulkRunOptions } from '../bulk/engine/run.js';

export interface ResetDistinctIdOptions extends ProjectsFlags, BulkRunOptions {
  concurrency?: number;
  output?: OutputFormat;
}

export function createResetDistinctIdCommand(factory: Factory): Command {
  const command = new Command('reset-distinct-id')
    .description("Let distinct_ids of deleted persons start new persons when they come back in new events (PostHog's reset_person_distinct_id)")
    .argument('[distinct_id...]', 'distinct_ids to reset (no confirmation needed)')
    .option('--from-file <path>', 'distinct_ids to reset: CSV with a header, JSON Lines, or one a line (- = stdin); needs --yes without a terminal')
    .option('--column <name>', 'CSV column / JSON key holding the distinct_ids (default distinct_id, else the only one)')
    .option('--dry-run', 'show what would be reset; send nothing')
    .option('-y, --yes', 'with --from-file: do not ask for confirmation (required without a terminal)')
    .option('--journal <path>', 'where to keep the run journal (default: beside the input file, or in the current folder)')
    .option('--resume', 'continue the run recorded in the journal: distinct_ids recorded done are skipped')
    .option('--report <path>', 'write one row per distinct_id (outcome queued or failed): CSV, or JSON Lines when the path ends in .jsonl')
    .option('--concurrency <n>', 'requests in flight, 1-16 (default 1)', intInRange('--concurrency', 1, 16))
    .addOption(new Option('-o, --output <format>', 'json/jsonl: the summary (or a dry run\'s plan) as JSON on stdout').choices(OUTPUT_FORMATS));
  addProjectsOptions(command, 'reset');
  examples(command, [
    ['a distinct_id of an erased person', 'posthog-persons reset-distinct-id user_472'],
    ['an erasure list in every project and environment the key reaches', 'posthog-persons reset-distinct-id --from-file erasures.csv --projects all --yes'],
    ['every distinct_id of an erasure list, rehearsed first', 'posthog-persons reset-distinct-id --from-file erasures.csv --dry-run'],
    ['the same in CI, with a report to keep', 'posthog-persons reset-distinct-id --from-file erasures.csv --yes --report reset-report.csv'],
    ['erase and reset in one run', 'posthog-persons delete --from-file erasures.csv --reset-distinct-ids --yes'],
  ]);
  return command.action(async (ids: string[], options: ResetDistinctIdOptions) => runResetDistinctId(factory, ids, options));
}

export async function runResetDistinctId(factory: Factory, ids: string[], options: ResetDistinctIdOptions): Promise<void> {
  const run = await import('../bulk/ops/reset-distinct-id.js');
  run.checkResetArgs(ids, options);
  const projects = checkProjectsFlag(factory, options);
  if (options.fromFile !== undefined) requireConsentPossible(factory, options, 'reset distinct_ids from a file');
  const flags = { ...options, json: options.output === 'json' || options.output === 'jsonl' };
  if (projects !== undefined) {
    const resolve = () => resolveRunProjects(factory, projects, { keepRefused: true });
    await (await import('../bulk/ops/reset-projects.js')).resetInProjects(factory, resolve, ids, flags);
    return;
  }
  const api = await factory.api();
  if (options.fromFile !== undefined) await run.resetFromFile(factory, api, { ...flags, fromFile: options.fromFile });
  else await run.resetNamed(factory, api, ids, flags);
}
