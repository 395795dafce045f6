// `unset-prop <person> <key>...`: remove properties through delete_property (docs/posthog-api-notes.md),
// one request a key: the only form every PostHog generation applies (PersonsApi.deleteProperties).
// The person is looked up first, so a missing one is exit 5 with no delete_property sent.
import { Command } from 'commander';
import type { Factory } from '../factory.js';
import { UsageError } from '../errors.js';
import { parseByFlag, resolvePerson, validatePersonRef } from '../api/resolve-person.js';
import type { PersonsApi, RetrievedPerson } from '../api/persons.js';
import type { RecordSchema } from '../output/columns.js';
import { byOption, examples, type OutputFlags } from './shared.js';
import { validatePropertyKey, writeAndWait } from './property-write.js';
import { addPropertyFileOptions, addPropertyQueryOptions, rejectFileOnlyFlags, runPropertyFile, runPropertyQuery, type PropertyFileFlags } from './property-file-options.js';
import { checkQuerySource } from './query-options.js';
import { addWaitOption, waitMs, waitTimedOut, type WaitFlag, type WaitOutcome } from './wait-option.js';
import { addResultOutputOptions, printResult, resultRenderer, type WriteStatus } from './write-result.js';
import { personLabel, displayValue } from '../output/message-text.js';

export interface UnsetPropOptions extends OutputFlags, PropertyFileFlags {
  by?: string;
  wait?: WaitFlag;
}

export interface UnsetPropResult {
  person: string;
  keys: string[];
  status: WriteStatus;
}

export const unsetPropResultSchema: RecordSchema<UnsetPropResult> = {
  columns: [
    { name: 'person', fixedWidth: true, get: (r) => r.person },
    { name: 'keys', get: (r) => r.keys },
    { name: 'status', get: (r) => r.status },
  ],
  defaultFields: ['person', 'keys', 'status'],
};

export function createUnsetPropCommand(factory: Factory): Command {
  const command = new Command('unset-prop')
    .description('Remove one or more properties of a person (queued by PostHog; --wait to see it applied)')
    .argument('[person]', 'a person UUID or a distinct_id (with --from-file or a query: the first key)')
    .argument('[key...]', 'the property keys to remove')
    .addOption(byOption('person-or-file'));
  addWaitOption(command, 'until the properties are gone');
  addPropertyFileOptions(command, 'remove the KEYs');
  addPropertyQueryOptions(command, 'to remove the KEYs from (then every argument is a KEY)');
  addResultOutputOptions(command, unsetPropResultSchema);
  examples(command, [
    ['remove one property', 'posthog-persons unset-prop user_472 trial_ends'],
    ['remove several (one delete_property request a key, which every PostHog version applies)', 'posthog-persons unset-prop user_472 utm_source utm_medium utm_campaign'],
    ['from every person in a file (a distinct_id column)', 'posthog-persons unset-prop --from-file churned.csv phone address --yes'],
    ["the same through PostHog's capture endpoint: one request per 1,000 persons", 'posthog-persons unset-prop --from-file churned.csv phone address --via capture --yes'],
    ['from every person a query selects (every argument is then a key)', "posthog-persons unset-prop --where 'plan=churned' phone address --yes"],
  ]);
  return command.action(async (person: string | undefined, keys: string[], options: UnsetPropOptions) => {
    const query = checkQuerySource(options, { args: false, file: options.fromFile !== undefined });
    if (query !== undefined) {
      // The persons come from the query, so every argument is a key.
      const all = person === undefined ? keys : [person, ...keys];
      all.forEach(validatePropertyKey);
      return runPropertyQuery(factory, options, query, { unset: all });
    }
    if (options.fromFile !== undefined) {
      // The persons come from the file, so every argument is a key.
      return runPropertyFile(factory, options, person === undefined ? keys : [person, ...keys]);
    }
    rejectFileOnlyFlags(options);
    if (person === undefined) {
      throw new UsageError("missing required argument 'person'", 'Usage: posthog-persons unset-prop <person> <key...>, or unset-prop --from-file PATH <key...>');
    }
    if (keys.length === 0) throw new UsageError("missing required argument 'key'");
    return runUnsetProp(factory, person, keys, options);
  });
}

export async function runUnsetProp(factory: Factory, ref: string, rawKeys: string[], options: UnsetPropOptions): Promise<void> {
  const by = parseByFlag(options.by);
  validatePersonRef(ref, by);
  rawKeys.forEach(validatePropertyKey);
  const keys = [...new Set(rawKeys)];
  const timeoutMs = waitMs(options.wait);
  const renderer = await resultRenderer(factory, options, unsetPropResultSchema);

  const api = await factory.api();
  const { person } = await resolvePerson(api, ref, by);
  const outcome = await unsetProperties(factory, api, person, ref, keys, timeoutMs);
  await printResult(renderer, { person: person.uuid, keys, status: outcome === 'visible' ? 'visible' : 'queued' });
  if (outcome === 'timed-out') {
    throw waitTimedOut(timeoutMs!, `posthog-persons get ${person.uuid} -o json`);
  }
}

/**
 * Sends the delete_property request(s) (one a key: see PersonsApi.deleteProperties) and, with a
 * timeout, polls the person until every key is gone.
 */
function unsetProperties(
  factory: Factory,
  api: PersonsApi,
  person: RetrievedPerson,
  ref: string,
  keys: string[],
  timeoutMs: number | undefined,
): Promise<WaitOutcome> {
  return writeAndWait(
    factory,
    {
      send: () => api.deleteProperties(person.uuid, keys),
      what: `unset ${displayValue(keys.join(', '))} on ${personLabel(person, ref)}`,
      isVisible: async () => {
        const fresh = await api.retrieve(person.uuid);
        return keys.every((key) => !Object.hasOwn(fresh.properties ?? {}, key));
      },
      done: (elapsed) => `${displayValue(keys.join(', '))} ${keys.length === 1 ? 'is' : 'are'} gone from person ${person.uuid} (after ${elapsed})`,
    },
    timeoutMs,
  );
}
