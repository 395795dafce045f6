// `profile list|use|remove`: the named connection profiles saved by `auth login`.
import { Command } from 'commander';
import type { Factory } from '../factory.js';
import { maskKey, UsageError } from '../errors.js';
import type { RecordSchema } from '../output/columns.js';
import { addOutputOptions, examples, openRenderer, outputFormat, type OutputFlags } from './shared.js';

interface ProfileRow {
  name: string;
  current: boolean;
  host: string;
  project: string;
  api_key: string;
}

const profileSchema: RecordSchema<ProfileRow> = {
  columns: [
    { name: 'name', get: (r) => r.name },
    { name: 'current', get: (r) => r.current },
    { name: 'host', get: (r) => r.host },
    { name: 'project', get: (r) => r.project },
    { name: 'api_key', header: 'key', get: (r) => r.api_key },
  ],
  defaultFields: ['name', 'current', 'host', 'project', 'api_key'],
};

export function createProfileCommand(factory: Factory): Command {
  const profile = new Command('profile').description('List, choose and remove saved profiles');

  const list = new Command('list').description('List saved profiles (keys masked)').action(async (options: OutputFlags) => runProfileList(factory, options));
  addOutputOptions(list);
  examples(list, [
    ['which profiles exist, and which is current', 'posthog-persons profile list'],
    ['profile names only, for a script', 'posthog-persons profile list --fields name'],
    ['as JSON', 'posthog-persons profile list -o json'],
  ]);

  const use = new Command('use')
    .description('Make a profile the current one')
    .argument('<name>', 'profile name')
    .action(async (name: string) => runProfileUse(factory, name));
  examples(use, [
    ['switch to the EU profile', 'posthog-persons profile use eu'],
    ['check what is now in use', 'posthog-persons profile use eu && posthog-persons auth status --offline'],
    ['use another profile for one command only, without switching', 'posthog-persons -p staging list'],
  ]);

  const remove = new Command('remove')
    .description('Delete a saved profile and its key')
    .argument('<name>', 'profile name')
    .action(async (name: string) => runProfileRemove(factory, name));
  examples(remove, [
    ['forget the staging profile', 'posthog-persons profile remove staging'],
    ['see what is left', 'posthog-persons profile list'],
    ['keep the profile but drop its key instead', 'posthog-persons auth logout -p staging'],
  ]);

  return profile.addCommand(list).addCommand(use).addCommand(remove);
}

async function runProfileList(factory: Factory, options: OutputFlags): Promise<void> {
  const format = outputFormat(factory, options.output);
  const renderer = await openRenderer<ProfileRow>(factory, { output: format, schema: profileSchema, fields: options.fields });
  const store = await factory.store();
  const current = store.currentProfile() ?? 'default';
  for (const [name, p] of store.list()) {
    await renderer.write({
      name,
      current: name === current,
      host: p.host ?? '',
      project: p.project ?? '',
      api_key: p.apiKey ? maskKey(p.apiKey) : '',
    });
  }
  const { count } = await renderer.end();
  if (count === 0 && format === 'table') factory.io.err('No profiles saved. Create one with `posthog-persons auth login`.');
}

async function requireProfile(factory: Factory, name: string) {
  const store = await factory.store();
  if (!store.get(name)) {
    const names = store.list().map(([n]) => n);
    throw new UsageError(
      `no profile named "${name}"`,
      names.length ? `Saved profiles: ${names.join(', ')}.` : 'No profiles are saved yet; create one with `posthog-persons auth login`.',
    );
  }
  return store;
}

async function runProfileUse(factory: Factory, name: string): Promise<void> {
  const store = await requireProfile(factory, name);
  await store.setCurrentProfile(name);
  factory.io.err(`Now using profile "${name}".`);
}

async function runProfileRemove(factory: Factory, name: string): Promise<void> {
  const store = await requireProfile(factory, name);
  await store.remove(name);
  factory.io.err(`Removed profile "${name}".`);
}
