// `list`: persons matching filters, one page or every page (--all, streamed in constant memory).
import { Command } from 'commander';
import type { Factory } from '../factory.js';
import { ApiError, UsageError } from '../errors.js';
import { personListQuery } from '../filters/person-query.js';
import type { ListPerson, ListQuery } from '../api/persons.js';
import { writePages } from './page-loop.js';
import { addOutputOptions, collect, examples, exclusive, intInRange, openRenderer, outputFormat, type OutputFlags } from './shared.js';

export interface ListOptions extends OutputFlags {
  email?: string;
  distinctId?: string;
  search?: string;
  where?: string[];
  properties?: string;
  limit?: number;
  all?: boolean;
  pageSize?: number;
  offset?: number;
  count?: boolean;
}

export const DEFAULT_LIMIT = 100;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
/** --all without --page-size: the largest page, so an export costs a tenth of the requests (and of the rate limit). */
export const DEFAULT_ALL_PAGE_SIZE = MAX_PAGE_SIZE;
/** Persons written between two turns of the event loop during --all (see runList). */
const YIELD_EVERY = 200;
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function createListCommand(factory: Factory): Command {
  const command = new Command('list')
    .description('List persons, newest first')
    .option('--email <email>', 'only the person whose email property is exactly this')
    .option('--distinct-id <id>', 'only the person with this distinct_id')
    .option('--search <text>', 'case-insensitive match on email, name, UUID and distinct_ids')
    .option('--where <expr>', 'property condition, repeatable; all must hold: KEY=V KEY!=V KEY~V KEY!~V KEY>N KEY>=N KEY<N KEY<=N KEY=* KEY!=*', collect)
    .option('--properties <json>', 'raw PostHog property filter array, e.g. \'[{"key":"plan","value":"scale"}]\'')
    .option('--limit <n>', `rows to print (default ${DEFAULT_LIMIT})`, intInRange('--limit', 1))
    .option('--all', 'every matching person, streamed page by page (1,000 a request unless --page-size; a person met on two pages is printed once)')
    .option('--page-size <n>', `persons per request, 1-${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}; ${DEFAULT_ALL_PAGE_SIZE} with --all)`, intInRange('--page-size', 1, MAX_PAGE_SIZE))
    .option('--offset <n>', 'skip this many persons first', intInRange('--offset', 0))
    .option('--count', 'print only the number of matching persons');
  addOutputOptions(command);
  examples(command, [
    ['the 100 newest persons', 'posthog-persons list'],
    ['persons on the scale plan older than 30, as CSV', "posthog-persons list --where plan=scale --where 'age>30' -o csv"],
    ['export every person as JSON Lines (1,000 a request)', 'posthog-persons list --all -o jsonl > persons.jsonl'],
    ['how many persons have no email', "posthog-persons list --where 'email!=*' --count"],
    ['emails of persons matching a search, for a shell loop', 'posthog-persons list --search acme --fields properties.email'],
  ]);
  return command.action(async (options: ListOptions) => runList(factory, options));
}

export async function runList(factory: Factory, options: ListOptions): Promise<void> {
  // Everything that can be wrong with the flags fails here, before any request.
  exclusive(options, [
    ['count', '--count'],
    ['all', '--all'],
  ]);
  exclusive(options, [
    ['all', '--all'],
    ['limit', '--limit'],
  ]);
  if (options.count && (options.fields || options.output)) {
    throw new UsageError('--count prints a single number; it cannot be combined with --fields or --output');
  }
  const query: ListQuery = personListQuery(options);
  const format = outputFormat(factory, options.output);
  const { personSchema } = await import('../output/person-schema.js');
  const renderer = options.count ? undefined : await openRenderer<ListPerson>(factory, { output: format, schema: personSchema, fields: options.fields });

  const api = await factory.api();
  if (options.count) {
    const page = await api.list({ ...query, limit: 1, offset: options.offset, include_total: true });
    if (typeof page.count !== 'number') {
      throw new ApiError('this PostHog server does not report totals (its answer has no "count" with include_total)', {
        hint: 'Count with `posthog-persons list --all --fields uuid | wc -l` instead.',
      });
    }
    factory.io.stdout.write(`${page.count}\n`);
    return;
  }

  const limit = options.all ? Infinity : (options.limit ?? DEFAULT_LIMIT);
  const pageSize = options.pageSize ?? (options.all ? DEFAULT_ALL_PAGE_SIZE : Math.min(DEFAULT_PAGE_SIZE, limit));
  const progress = options.all && factory.io.stderrIsTTY ? await startProgress() : undefined;
  // --all pages by offset while the project may change: see src/commands/listing-watch.ts.
  const watch = options.all ? new (await import('./listing-watch.js')).ListingWatch() : undefined;
  try {
    const first = () => api.list({ ...query, limit: pageSize, offset: options.offset, include_total: watch !== undefined || undefined });
    await writePages(api, first, (person) => renderer!.write(person), {
      limit,
      onPage: watch && ((page) => watch.page(page)),
      skip: watch && ((person) => !watch.firstSight(person)),
      // The next page is already requested (pages() fetches ahead), but its response is only
      // read when the event loop runs, and writing a page awaits nothing that lets it run.
      // Turning it now and then lets the response in while we write, instead of leaving the
      // server stalled on a full socket: measured 10-15% faster exports.
      afterRecord: (printed) => (printed % YIELD_EVERY === 0 ? yieldToEventLoop() : undefined),
      afterPage: (printed) => progress?.update(printed),
    });
  } finally {
    progress?.stop();
  }
  const { count } = await renderer!.end();
  for (const note of watch?.notes() ?? []) factory.io.err(note);
  if (count === 0 && format === 'table') factory.io.err('No persons found.');

  async function startProgress() {
    const { default: ora } = await import('ora');
    const spinner = ora({ text: 'Fetching persons…', stream: factory.io.stderr as NodeJS.WriteStream, discardStdin: false }).start();
    return {
      update: (n: number) => {
        spinner.text = `Fetched ${n.toLocaleString('en-US')} ${n === 1 ? 'person' : 'persons'}…`;
      },
      stop: () => spinner.stop(),
    };
  }
}
