// The person query of `list` and of query-selected bulk runs (`delete`, `set-prop`, `unset-prop`
// with --where, --email, --search, --properties): the flags as given, checked and turned into the
// list endpoint's parameters in one place, so a query means the same persons in every command.
import type { ListQuery } from '../api/persons.js';
import { escapeForTerminal } from '../output/escape.js';
import { parsePropertiesJson } from './properties.js';
import { parseWhereList, type PropertyFilter } from './where.js';

/** The query flags as the user gave them (also what a bulk run's journal records). */
export interface PersonQueryFlags {
  email?: string;
  search?: string;
  where?: string[];
  properties?: string;
  /** list only: one distinct_id */
  distinctId?: string;
}

/** The list endpoint's filter parameters; a malformed --where or --properties throws a UsageError (exit 2). */
export function personListQuery(flags: PersonQueryFlags): Pick<ListQuery, 'email' | 'distinct_id' | 'search' | 'properties'> {
  const filters: PropertyFilter[] = [
    ...(flags.properties !== undefined ? parsePropertiesJson(flags.properties) : []),
    ...parseWhereList(flags.where ?? []),
  ];
  return {
    email: flags.email,
    distinct_id: flags.distinctId,
    search: flags.search,
    properties: filters.length > 0 ? JSON.stringify(filters) : undefined,
  };
}

/** True when any selecting flag is given (an empty --where list counts as none). */
export function hasPersonQuery(flags: PersonQueryFlags): boolean {
  return flags.email !== undefined || flags.search !== undefined || flags.properties !== undefined || (flags.where?.length ?? 0) > 0;
}

/** Only the flags given, in a fixed order: what the journal records and --resume compares. */
export function queryRecord(flags: PersonQueryFlags): PersonQueryFlags {
  return {
    ...(flags.email !== undefined ? { email: flags.email } : {}),
    ...(flags.search !== undefined ? { search: flags.search } : {}),
    ...(flags.where !== undefined && flags.where.length > 0 ? { where: [...flags.where] } : {}),
    ...(flags.properties !== undefined ? { properties: flags.properties } : {}),
  };
}

/** A flag's value as a shell word: quoted only when it needs to be (`plan=free` stays as it is). */
function shellWord(text: string): string {
  return /^[\w.@:,/=+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The query as the user would type it again, safe for a terminal: `--email ada@example.com --where 'age>30'`. */
export function describeQuery(flags: PersonQueryFlags): string {
  const parts: string[] = [];
  if (flags.email !== undefined) parts.push(`--email ${shellWord(flags.email)}`);
  if (flags.search !== undefined) parts.push(`--search ${shellWord(flags.search)}`);
  for (const expression of flags.where ?? []) parts.push(`--where ${shellWord(expression)}`);
  if (flags.properties !== undefined) parts.push(`--properties ${shellWord(flags.properties)}`);
  return escapeForTerminal(parts.join(' '));
}
