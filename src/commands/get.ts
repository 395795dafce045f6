// `get <person>`: one person's identity, distinct_ids and properties.
import { Command } from 'commander';
import type { Factory } from '../factory.js';
import { parseByFlag, resolvePerson, validatePersonRef } from '../api/resolve-person.js';
import type { RetrievedPerson } from '../api/persons.js';
import { byOption, addOutputOptions, examples, openRenderer, outputFormat, type OutputFlags } from './shared.js';
import { escapeForTerminal } from '../output/escape.js';
import { isExactNumber, stringifyExact } from '../json/exact-number.js';

export interface GetOptions extends OutputFlags {
  by?: string;
}

export function createGetCommand(factory: Factory): Command {
  const command = new Command('get')
    .description('Show one person: identity, distinct_ids and properties')
    .argument('<person>', 'a person UUID or a distinct_id')
    .addOption(byOption());
  addOutputOptions(command);
  examples(command, [
    ['by distinct_id', 'posthog-persons get user_472'],
    ['by person UUID, as JSON', 'posthog-persons get 019704b5-dfbb-70bf-9a46-bbd4c825e918 -o json'],
    ['an anonymous distinct_id (a UUID) without trying it as a person UUID', 'posthog-persons get 16a3eca5-385d-42b9-ab4b-131a4339da33 --by distinct-id'],
    ['just the email, for a script', 'posthog-persons get user_472 --fields properties.email'],
  ]);
  return command.action(async (person: string, options: GetOptions) => runGet(factory, person, options));
}

export async function runGet(factory: Factory, ref: string, options: GetOptions): Promise<void> {
  const by = parseByFlag(options.by);
  validatePersonRef(ref, by);
  const format = outputFormat(factory, options.output);
  const { personSchema } = await import('../output/person-schema.js');
  const card = format === 'table' && !options.fields;
  const renderer = card
    ? undefined
    : await openRenderer<RetrievedPerson>(factory, { output: format, schema: personSchema, fields: options.fields, kind: 'single' });
  const api = await factory.api();
  const { person } = await resolvePerson(api, ref, by);
  if (renderer) {
    await renderer.write(person);
    await renderer.end();
    return;
  }
  factory.io.stdout.write(formatPersonCard(person));
}

/**
 * The terminal view of one person: identity first, then every distinct_id and property. Every
 * value from the server is one line with control characters shown escaped (escapeForTerminal):
 * a property holding `\x1b[2J` must not clear the screen it is shown on.
 */
export function formatPersonCard(person: RetrievedPerson): string {
  const rows: Array<[string, string]> = [
    ['Name', person.name === null || person.name === undefined ? '' : cardText(person.name)],
    ['UUID', person.uuid],
    ['ID', String(person.id)],
    ['Created', person.created_at ?? ''],
    ['Last seen', person.last_seen_at ?? '—'],
  ];
  const lines = rows.map(([label, value]) => `${label.padEnd(14)}${escapeForTerminal(value)}`);
  const ids = person.distinct_ids ?? [];
  lines.push('', `Distinct IDs (${ids.length})`);
  for (const id of ids) lines.push(`  ${cardText(id)}`);
  const props = Object.entries(person.properties ?? {})
    .map(([key, value]) => [cardText(key), cardText(value)] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  lines.push('', `Properties (${props.length})`);
  const width = Math.min(32, Math.max(0, ...props.map(([k]) => k.length)));
  for (const [key, text] of props) lines.push(`  ${key.padEnd(width)}  ${text}`);
  return `${lines.join('\n')}\n`;
}

/** A value of the card: strings as they are, integers past 2^53 as their digits, the rest as JSON; escaped. */
function cardText(value: unknown): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : isExactNumber(value) ? value.text : stringifyExact(value);
  return escapeForTerminal(text);
}
