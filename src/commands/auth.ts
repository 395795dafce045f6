// `auth login|status|logout`: store a personal API key in a profile (checked against the API
// first), show where each setting comes from, and forget a key.
import { Command } from 'commander';
import type { Factory } from '../factory.js';
import { CliError, maskKey, UsageError } from '../errors.js';
import type { Resolved } from '../settings/resolve.js';
import type { RecordSchema } from '../output/columns.js';
import { addOutputOptions, examples, openRenderer, type OutputFlags } from './shared.js';
import { escapeForTerminal } from '../output/escape.js';

export function createAuthCommand(factory: Factory): Command {
  const auth = new Command('auth').description('Log in with a personal API key, check it, or log out');

  const login = new Command('login')
    .description('Save a personal API key in a profile, after checking it against PostHog')
    .option('--with-token', 'read the key from stdin instead of prompting (for scripts and CI); host and project come from the flags, else POSTHOG_HOST / POSTHOG_PROJECT_ID')
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
  const { normalizeHost, validateProject, validateKey, keyFromText, fromEnv, HOST_ENV, PROJECT_ENV, DEFAULT_HOST } = await import(
    '../settings/resolve.js'
  );
  const { validateProfileName } = await import('../settings/profiles.js');
  const store = await factory.store();
  const profileName = globals.profile ?? factory.env.POSTHOG_PERSONS_PROFILE ?? store.currentProfile() ?? 'default';
  try {
    validateProfileName(profileName);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const existing = store.get(profileName) ?? {};
  // Before the key is sent anywhere: a login that could not be saved should not be checked.
  store.ensureWritable();
  let host = globals.host !== undefined ? normalizeHost(globals.host) : undefined;
  let project = globals.project !== undefined ? validateProject(globals.project) : undefined;
  let key: string;

  if (options.withToken) {
    key = keyFromText(await factory.readStdin(), '--with-token');
    if (!key) throw new UsageError('--with-token: stdin was empty; pipe the key in');
    // Without flags, the environment decides as it does for every other command (flag, then
    // environment, then the profile): the key goes where the next command would send it.
    const envHost = fromEnv(factory.env, HOST_ENV);
    const envProject = fromEnv(factory.env, PROJECT_ENV);
    host ??= envHost ? normalizeHost(envHost.value, envHost.source) : existing.host ?? DEFAULT_HOST;
    project ??= envProject ? validateProject(envProject.value, envProject.source) : existing.project;
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
  await store.set(profileName, { host, project, apiKey: key }, { currentIfNone: true });
  io.err(
    `Logged in to ${host}${project ? `, project ${project}` : ''} as profile "${profileName}" (key ${maskKey(key)}).`,
  );
  if (!project) io.err('No project saved: pass --project or set POSTHOG_PROJECT_ID when you run commands.');
  const overrides = await environmentOverrides(factory.env, { profile: profileName, host, project, apiKey: key });
  if (overrides.length > 0) {
    io.err(
      `warning: these environment variables override what was just saved, so commands run with them will not use profile "${profileName}":`,
    );
    for (const { line } of overrides) io.err(`  ${line}`);
    io.err(`Unset them to use the profile: unset ${overrides.map((o) => o.name).join(' ')}`);
  }
}

/**
 * Every variable set in the environment that would win over a just-saved setting with another
 * value (a sandbox rehearsal's POSTHOG_HOST left in the shell, say). The key is never shown.
 */
async function environmentOverrides(
  env: NodeJS.ProcessEnv,
  saved: { profile: string; host: string; project?: string; apiKey: string },
): Promise<Array<{ name: string; line: string }>> {
  const { normalizeHost, validateProject, HOST_ENV, PROJECT_ENV, KEY_ENV, PROFILE_ENV } = await import('../settings/resolve.js');
  const found: Array<{ name: string; line: string }> = [];
  const selected = env[PROFILE_ENV]?.trim();
  if (selected && selected !== saved.profile) {
    found.push({ name: PROFILE_ENV, line: `${PROFILE_ENV} selects another profile (saved to "${saved.profile}")` });
  }
  const valid = (check: () => string): string | undefined => {
    try {
      return check();
    } catch {
      return undefined;
    }
  };
  for (const name of HOST_ENV) {
    const value = env[name]?.trim();
    if (!value) continue;
    const host = valid(() => normalizeHost(value));
    if (host !== saved.host) found.push({ name, line: `${name}=${host ?? '(not a valid host)'} (saved: ${saved.host})` });
  }
  for (const name of PROJECT_ENV) {
    const value = env[name]?.trim();
    if (!value || saved.project === undefined) continue;
    const project = valid(() => validateProject(value));
    if (project !== saved.project) found.push({ name, line: `${name}=${project ?? '(not a valid project)'} (saved: ${saved.project})` });
  }
  for (const name of KEY_ENV) {
    const value = env[name]?.trim();
    if (value && value !== saved.apiKey) found.push({ name, line: `${name} holds a different key` });
  }
  return found;
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
  } else if (options.output === 'tsv' || options.output === 'csv') {
    // One record, each setting and its source side by side, in the format's own quoting.
    const renderer = await openRenderer(factory, { schema: STATUS_SCHEMA, output: options.output, kind: 'single' });
    await renderer.write(report as unknown as StatusReport);
    await renderer.end();
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

type StatusItem = { value: string; source: string } | null;
interface StatusReport {
  profile: StatusItem;
  host: StatusItem;
  project: StatusItem;
  api_key: StatusItem;
  config_file: string | null;
  check: { ok: boolean; message: string } | null;
}

/** `auth status -o tsv|csv`: the fields of the JSON report, flattened into one record. */
const STATUS_FIELDS: Array<[name: string, get: (r: StatusReport) => unknown]> = [
  ...(['profile', 'host', 'project', 'api_key'] as const).flatMap((key): Array<[string, (r: StatusReport) => unknown]> => [
    [key, (r) => r[key]?.value ?? null],
    [`${key}_source`, (r) => r[key]?.source ?? null],
  ]),
  ['config_file', (r) => r.config_file],
  ['check', (r) => (r.check ? (r.check.ok ? 'ok' : 'failed') : null)],
  ['check_message', (r) => r.check?.message ?? null],
];
const STATUS_SCHEMA: RecordSchema<StatusReport> = {
  columns: STATUS_FIELDS.map(([name, get]) => ({ name, get })),
  defaultFields: STATUS_FIELDS.map(([name]) => name),
};

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
  const outcome = await store.removeKey(name);
  if (outcome === 'no-profile') {
    throw new UsageError(`no profile named "${name}"`, 'List the profiles with `posthog-persons profile list`.');
  }
  if (outcome === 'no-key') {
    factory.io.err(`Profile "${name}" has no stored key; nothing to do.`);
    return;
  }
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
