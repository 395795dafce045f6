// The query flags of the bulk commands (`delete`, `set-prop`, `unset-prop`): --where, --email,
// --search and --properties select persons as `list` does (src/filters/person-query.ts), a third
// source of persons beside arguments and --from-file; --expect N guards the selection's size.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { hasPersonQuery, personListQuery, queryRecord, type PersonQueryFlags } from '../filters/person-query.js';
import { collect, intInRange } from './shared.js';

export interface QueryFlags extends PersonQueryFlags {
  expect?: number;
}

const QUERY_FLAGS = '--where, --email, --search, --properties';

/** Declares the query flags; `what` ends the --where help: "to delete". */
export function addQueryOptions(command: Command, what: string): Command {
  return command
    .option('--where <expr>', `select persons ${what} by a property condition, as in list (repeatable; all must hold): KEY=V KEY!=V KEY~V KEY!~V KEY>N KEY>=N KEY<N KEY<=N KEY=* KEY!=*`, collect)
    .option('--email <email>', `select the persons ${what} whose email property is exactly this`)
    .option('--search <text>', `select persons ${what} by a case-insensitive match on email, name, UUID and distinct_ids`)
    .option('--properties <json>', `select persons ${what} by a raw PostHog property filter array, as in list`)
    .option('--expect <n>', 'with a query: stop before any write (exit 3) unless it selects exactly N persons', intInRange('--expect', 0));
}

/**
 * Checks the source of the persons before any request: at most one of arguments, --from-file and a
 * query; --expect only with a query; the query itself well formed. Returns the query, if any.
 */
export function checkQuerySource(flags: QueryFlags, given: { args: boolean; file: boolean }): PersonQueryFlags | undefined {
  const query = hasPersonQuery(flags);
  const sources = [given.args ? 'arguments' : '', given.file ? '--from-file' : '', query ? 'a query' : ''].filter(Boolean);
  if (sources.length > 1) {
    throw new UsageError(`give persons as arguments, --from-file or a query (${QUERY_FLAGS}), only one of them: got ${sources.join(' and ')}`);
  }
  if (flags.expect !== undefined && !query) throw new UsageError(`--expect applies to a query selection (${QUERY_FLAGS})`);
  if (!query) return undefined;
  personListQuery(flags); // a malformed --where or --properties fails here, with nothing sent
  return queryRecord(flags);
}
