// `set-prop <person> <key> <value>`: set one property through update_property (docs/posthog-api-notes.md;
// an older PostHog refuses a null value there, and the endpoint function then sends a PATCH).
// PostHog queues the write through its ingestion pipeline, so the command says "queued" unless
// --wait saw the value on a fresh read. The bulk form (--from-file) lives with the bulk runs
// (src/bulk/ops/set-prop.ts).
import { isDeepStrictEqual } from 'node:util';
import { Command } from 'commander';
import type { Factory } from '../factory.js';
import { UsageError } from '../errors.js';
import { parseByFlag, resolvePerson, validatePersonRef } from '../api/resolve-person.js';
import type { PersonsApi, RetrievedPerson } from '../api/persons.js';
import type { RecordSchema } from '../output/columns.js';
import { byOption, examples, type OutputFlags } from './shared.js';
import { addPropertyFileOptions, addPropertyQueryOptions, rejectFileOnlyFlags, runPropertyFile, runPropertyQuery, type PropertyFileFlags } from './property-file-options.js';
import { checkQuerySource } from './query-options.js';
import { addWaitOption, waitMs, waitTimedOut, type WaitFlag, type WaitOutcome } from './wait-option.js';
import { addResultOutputOptions, printResult, resultRenderer, type WriteStatus } from './write-result.js';
import { validatePropertyKey, writeAndWait } from './property-write.js';
import { personLabel, shellWord, shortJson, displayValue } from '../output/message-text.js';

export interface SetPropOptions extends OutputFlags, PropertyFileFlags {
  json?: boolean;
  by?: string;
  wait?: WaitFlag;
}

export interface SetPropResult {
  person: string;
  key: string;
  value: unknown;
  status: WriteStatus;
}

export const setPropResultSchema: RecordSchema<SetPropResult> = {
  columns: [
    { name: 'person', fixedWidth: true, get: (r) => r.person },
    { name: 'key', get: (r) => r.key },
    { name: 'value', get: (r) => r.value },
    { name: 'status', get: (r) => r.status },
  ],
  defaultFields: ['person', 'key', 'value', 'status'],
};

export function createSetPropCommand(factory: Factory): Command {
  const command = new Command('set-prop')
    .description('Set one property of a person (queued by PostHog; --wait to see it applied)')
    .argument('[person]', 'a person UUID or a distinct_id (not with --from-file; with a query, the key: set-prop --where EXPR KEY VALUE)')
    .argument('[key]', 'the property key (with a query, the value)')
    .argument('[value]', 'the value: a string, or JSON with --json')
    .option('--json', 'parse the value as JSON (numbers, true/false, null, arrays, objects); with --from-file: every CSV cell')
    .addOption(byOption('person-or-file'));
  addWaitOption(command, 'until the new value is visible');
  addPropertyFileOptions(command, 'set the properties of its columns');
  addPropertyQueryOptions(command, 'to set KEY VALUE on (then the arguments are KEY VALUE)');
  addResultOutputOptions(command, setPropResultSchema);
  examples(command, [
    ['set a string property', 'posthog-persons set-prop user_472 plan scale'],
    ['set a number, and wait until PostHog shows it', 'posthog-persons set-prop user_472 seats 25 --json --wait'],
    ['many persons: a CSV with a distinct_id column and one column per property', 'posthog-persons set-prop --from-file plans.csv --yes'],
    ["50,000 persons in about 300 requests through PostHog's capture endpoint, then read 100 back", 'posthog-persons set-prop --from-file plans.csv --via capture --yes --wait=120'],
    ['every person a query selects (the arguments are then KEY VALUE)', "posthog-persons set-prop --where plan=free --where 'email~@old-domain.com' plan legacy --yes"],
  ]);
  return command.action(async (person: string | undefined, key: string | undefined, value: string | undefined, options: SetPropOptions) => {
    const query = checkQuerySource(options, { args: false, file: options.fromFile !== undefined });
    if (query !== undefined) {
      // With a query the persons come from it, so the two arguments are KEY VALUE.
      if (value !== undefined) throw new UsageError('with a query, give KEY VALUE: the persons come from the query', 'Usage: posthog-persons set-prop --where EXPR <key> <value>');
      if (person === undefined || key === undefined) {
        throw new UsageError(`missing required argument '${person === undefined ? 'key' : 'value'}'`, 'Usage: posthog-persons set-prop --where EXPR <key> <value>');
      }
      validatePropertyKey(person);
      return runPropertyQuery(factory, options, query, { set: { key: person, value: await parsePropertyValue(key, options.json) } });
    }
    if (options.fromFile !== undefined) {
      if (person !== undefined) throw new UsageError('with --from-file, the persons and properties come from the file: give no arguments');
      return runPropertyFile(factory, options);
    }
    rejectFileOnlyFlags(options);
    if (person === undefined || key === undefined || value === undefined) {
      const missing = person === undefined ? 'person' : key === undefined ? 'key' : 'value';
      throw new UsageError(`missing required argument '${missing}'`, 'Usage: posthog-persons set-prop <person> <key> <value>, or set-prop --from-file PATH');
    }
    return runSetProp(factory, person, key, value, options);
  });
}

/** The value to send: the string as given, or its JSON reading with --json. */
export async function parsePropertyValue(raw: string, json: boolean | undefined): Promise<unknown> {
  if (!json) return raw;
  // Loaded only here, to keep start-up light.
  const { parseExact } = await import('../json/exact.js');
  try {
    return parseExact(raw); // 12345678901234567890 stays those digits, not a rounded double
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(
      `--json: the value ${shortJson(raw, 60)} is not valid JSON (${reason})`,
      `Strings need JSON quotes with --json (e.g. '"text"'); or leave out --json to set the value as a string.`,
    );
  }
}

export async function runSetProp(factory: Factory, ref: string, key: string, raw: string, options: SetPropOptions): Promise<void> {
  const by = parseByFlag(options.by);
  validatePersonRef(ref, by);
  validatePropertyKey(key);
  const value = await parsePropertyValue(raw, options.json);
  const timeoutMs = waitMs(options.wait);
  const renderer = await resultRenderer(factory, options, setPropResultSchema);

  const api = await factory.api();
  const { person } = await resolvePerson(api, ref, by);
  const outcome = await setProperty(factory, api, person, ref, key, value, timeoutMs);
  await printResult(renderer, { person: person.uuid, key, value, status: outcome === 'visible' ? 'visible' : 'queued' });
  if (outcome === 'timed-out') {
    throw waitTimedOut(timeoutMs!, `posthog-persons get ${person.uuid} --fields ${shellWord(`properties.${key}`)}`);
  }
}

/**
 * Sends one update_property (PATCH for a null value where the server refuses it: see
 * PersonsApi.updateProperty) and, with a timeout, polls the person until the value shows.
 */
function setProperty(
  factory: Factory,
  api: PersonsApi,
  person: RetrievedPerson,
  ref: string,
  key: string,
  value: unknown,
  timeoutMs: number | undefined,
): Promise<WaitOutcome> {
  return writeAndWait(
    factory,
    {
      send: () => api.updateProperty(person.uuid, key, value),
      what: `set ${displayValue(key)} = ${shortJson(value)} on ${personLabel(person, ref)}`,
      isVisible: async () => {
        const fresh = await api.retrieve(person.uuid);
        return Object.hasOwn(fresh.properties ?? {}, key) && isDeepStrictEqual(fresh.properties[key], value);
      },
      done: (elapsed) => `${displayValue(key)} = ${shortJson(value)} is visible on person ${person.uuid} (after ${elapsed})`,
    },
    timeoutMs,
  );
}
