// `auth login|status|logout`: store a personal API key in a profile (checked against the API
// first), show where each setting comes from, and forget a key.
import { Command } from 'commander';
import type { Factory } from '../factory.js';
import { CliError, maskKey, UsageError } from '../errors.js';
import type { Resolved } from '../settings/resolve.js';
import { addOutputOptions, examples, type OutputFlags } from './shared.js';
import { escapeForTerminal } from '../output/escape.js';

export function createAuthCommand(factory: Factory): Command {
  const auth = new Command('auth').description('Log in with a personal API key, check it, or log out');

  const login = new Command('login')
    .description('Save a personal API key in a profile, after checking it against PostHog')
    .option('--with-token', 'read the key from stdin instead of prompting (for scripts and CI)')
    .action(async (options: { withToken?: boolean }) => runLogin(factory, options));
  examples(login, [
    ['interactive: choose US/EU/self-hosted, then type the key (hidden)', 'posthog-persons auth login'],
    ['EU Cloud, key from a secret store, as profile "eu"', 'pass show posthog/key | posthog-persons auth login --with-token --host eu --project 12345 -p eu'],
    ['a self-hosted instance', 'posthog-persons auth login --host https://posthog.example.com --project 1'],
  ]);

  const status = new Command('status')
    .description('Show the profile, host, project and masked key in use, where each came from, and whether the key works')
    .option('--offline', 'do not check the key against PostHog')
    .action(async (options: StatusOptions) => runStatus(factory, options));
  addOutputOptions(status, { fields: false });
  examples(status, [
    ['what will the next command use?', 'posthog-persons auth status'],
    ['without a network call', 'posthog-persons auth status --offline'],
    ['as JSON, e.g. in CI', 'posthog-persons auth status -o json'],
  ]);

  const logout = new Command('logout')
    .description('Remove the stored key of a profile (its host and project stay)')
    .action(async () => runLogout(factory));
  examples(logout, [
    ['forget the key of the current profile', 'posthog-persons auth logout'],
    ['forget the key of profile "eu"', 'posthog-persons auth logout -p eu'],
    ['replace a key: log out, then log in again', 'posthog-persons auth logout && posthog-persons auth login'],
  ]);

  return auth.addCommand(login).addCommand(status).addCommand(logout);
}

export async function runLogin(factory: Factory, options: { withToken?: boolean }): Promise<void> {
  const { io } = factory;
  const globals = factory.globals();
  if (globals.sandbox) throw new UsageError('auth login saves a real key; the sandbox needs none');
  if (globals.apiKeyFile !== undefined) {
    throw new UsageError('auth login reads the key from stdin (--with-token) or a hidden prompt, not --api-key-file');
  }
  if (!options.withToken && !io.canPrompt) {
    throw new UsageError(
      'auth login needs a terminal to prompt for the key',
      'In scripts, pipe the key in: `echo "$KEY" | posthog-persons auth login --with-token --project ID`.',
    );
  }
  const { normalizeHost, validateProject, validateKey, DEFAULT_HOST } = await import('../settings/resolve.js');
  const { validateProfileName } = await import('../settings/profiles.js');
  const store = await factory.store();
  const profileName = globals.profile ?? factory.env.POSTHOG_PERSONS_PROFILE ?? store.currentProfile() ?? 'default';
  try {
    validateProfileName(profileName);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const existing = store.get(profileName) ?? {};
  let host = globals.host !== undefined ? normalizeHost(globals.host) : undefined;
  let project = globals.project !== undefined ? validateProject(globals.project) : undefined;
  let key: string;

  if (options.withToken) {
    const text = await factory.readStdin();
    key = text.trim();
    if (!key) throw new UsageError('--with-token: stdin was empty; pipe the key in');
    host ??= existing.host ?? DEFAULT_HOST;
    project ??= existing.project;
  } else {
    const prompter = await factory.prompter();
    if (host === undefined) {
      const choice = await prompter.select('PostHog host', [
        { name: 'US Cloud (us.posthog.com)', value: 'us' },
        { name: 'EU Cloud (eu.posthog.com)', value: 'eu' },
        { name: 'Self-hosted or another URL', value: 'custom' },
      ]);
      host =
        choice === 'custom'
          ? normalizeHost(await prompter.input('Host URL', { validate: (v) => checkWith(() => normalizeHost(v)) }))
          : normalizeHost(choice);
    }
    if (project === undefined) {
      const answer = await prompter.input('Project id (a number, or @current)', {
        default: existing.project,
        validate: (v) => checkWith(() => validateProject(v)),
      });
      project = validateProject(answer);
    }
    key = (await prompter.password('Personal API key (phx_…)', (v) => checkWith(() => validateKey(v.trim())))).trim();
  }
  validateKey(key);

  const api = await factory.createApi({ host, apiKey: key, project: project ?? '@current' });
  await api.list({ limit: 1 });
  await store.set(profileName, { host, project, apiKey: key });
  if (!store.currentProfile()) await store.setCurrentProfile(profileName);
  io.err(
    `Logged in to ${host}${project ? `, project ${project}` : ''} as profile "${profileName}" (key ${maskKey(key)}).`,
  );
  if (!project) io.err('No project saved: pass --project or set POSTHOG_PROJECT_ID when you run commands.');
}

interface StatusOptions extends OutputFlags {
  offline?: boolean;
}

export async function runStatus(factory: Factory, options: StatusOptions): Promise<void> {
  const { describeSource } = await import('../settings/resolve.js');
  const settings = await factory.settings();
  const store = factory.globals().sandbox ? undefined : await factory.store();
  let check: { ok: boolean; message: string } | undefined;
  let failure: CliError | undefined;
  if (!options.offline && settings.apiKey && settings.project) {
    try {
      const api = await factory.api();
      await api.list({ limit: 1 });
      check = { ok: true, message: `the key can read persons in project ${settings.project.value}` };
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      failure = error;
      check = { ok: false, message: error.message };
    }
  }
  const item = (r: Resolved<string> | undefined, show = (v: string) => v) =>
    r ? { value: show(r.value), source: describeSource(r.source) } : null;
  const report = {
    profile: item(settings.profile),
    host: item(settings.host),
    project: item(settings.project),
    api_key: item(settings.apiKey, maskKey),
    config_file: store?.path ?? null,
    check: check ?? null,
  };
  if (options.output === 'json' || options.output === 'jsonl') {
    factory.io.stdout.write(`${JSON.stringify(report, null, options.output === 'json' ? 2 : undefined)}\n`);
  } else {
    factory.io.stdout.write(formatStatus(report));
  }
  if (!settings.apiKey) {
    const { requireKey } = await import('../settings/resolve.js');
    requireKey(settings);
  }
  if (failure) throw failure;
  if (!check && !options.offline && !settings.project) {
    factory.io.err('Key not checked: no project is set (pass --project or set POSTHOG_PROJECT_ID).');
  }
}

function formatStatus(report: Record<string, unknown>): string {
  type Item = { value: string; source: string } | null;
  const rows: Array<[string, Item]> = [
    ['Profile', report.profile as Item],
    ['Host', report.host as Item],
    ['Project', report.project as Item],
    ['API key', report.api_key as Item],
  ];
  const lines = rows.map(([label, item]) =>
    item ? `${label.padEnd(10)}${item.value}  (${item.source})` : `${label.padEnd(10)}(not set)`,
  );
  if (report.config_file) lines.push(`${'Config'.padEnd(10)}${report.config_file as string}`);
  const check = report.check as { ok: boolean; message: string } | null;
  if (check) lines.push(`${'Check'.padEnd(10)}${check.ok ? 'ok' : 'failed'}: ${escapeForTerminal(check.message)}`);
  return `${lines.join('\n')}\n`;
}

export async function runLogout(factory: Factory): Promise<void> {
  if (factory.globals().sandbox) throw new UsageError('the sandbox has no stored key to remove');
  const store = await factory.store();
  const name = factory.globals().profile ?? factory.env.POSTHOG_PERSONS_PROFILE ?? store.currentProfile() ?? 'default';
  const profile = store.get(name);
  if (!profile) throw new UsageError(`no profile named "${name}"`, 'List the profiles with `posthog-persons profile list`.');
  if (!profile.apiKey) {
    factory.io.err(`Profile "${name}" has no stored key; nothing to do.`);
    return;
  }
  const { apiKey: _removed, ...rest } = profile;
  await store.set(name, rest);
  factory.io.err(`Removed the key of profile "${name}".`);
  if (hasKeyInEnv(factory.env)) {
    factory.io.err('Note: a key is still set in the environment (POSTHOG_PERSONAL_API_KEY or POSTHOG_CLI_API_KEY).');
  }
}

function hasKeyInEnv(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.POSTHOG_PERSONAL_API_KEY || env.POSTHOG_CLI_API_KEY || env.POSTHOG_CLI_TOKEN);
}

function checkWith(fn: () => unknown): string | true {
  try {
    fn();
    return true;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
