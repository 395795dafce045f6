// Connection settings, each resolved on its own: flag, then environment, then the selected
// profile, then the default (README, "Profiles and environment variables").
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { AuthError, maskKey, UsageError } from '../errors.js';
import type { Profile } from './profiles.js';
import { DEFAULT_PROFILE } from './profiles.js';

export type SourceKind = 'flag' | 'env' | 'profile' | 'default' | 'sandbox';
export interface SettingSource {
  kind: SourceKind;
  /** the flag, variable or profile it came from */
  name: string;
}
export interface Resolved<T> {
  value: T;
  source: SettingSource;
}

export interface SettingsFlags {
  apiKeyFile?: string;
  host?: string;
  project?: string;
  profile?: string;
}

export interface ConnectionSettings {
  profile: Resolved<string>;
  /** whether the selected profile is saved in the store */
  profileExists: boolean;
  host: Resolved<string>;
  project?: Resolved<string>;
  apiKey?: Resolved<string>;
}

export const DEFAULT_HOST = 'https://us.posthog.com';
export const HOST_SHORTCUTS: Record<string, string> = {
  us: 'https://us.posthog.com',
  eu: 'https://eu.posthog.com',
};

export const KEY_ENV = ['POSTHOG_PERSONAL_API_KEY', 'POSTHOG_CLI_API_KEY', 'POSTHOG_CLI_TOKEN'] as const;
export const HOST_ENV = ['POSTHOG_HOST', 'POSTHOG_CLI_HOST'] as const;
export const PROJECT_ENV = ['POSTHOG_PROJECT_ID', 'POSTHOG_CLI_PROJECT_ID', 'POSTHOG_CLI_ENV_ID'] as const;
export const PROFILE_ENV = 'POSTHOG_PERSONS_PROFILE';

export interface ResolveInput {
  flags: SettingsFlags;
  env: NodeJS.ProcessEnv;
  /** the name chosen by `profile use` */
  currentProfile?: string;
  /** looks a profile up by name */
  getProfile(name: string): Profile | undefined;
  /** reads all of stdin, for `--api-key-file -` */
  readStdin(): Promise<string>;
  /** the folder a relative `--api-key-file` path is read from (the factory's cwd) */
  cwd: string;
}

/** The first of `names` set (non-blank) in the environment, with the variable it came from. */
export function fromEnv(env: NodeJS.ProcessEnv, names: readonly string[]): Resolved<string> | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { value, source: { kind: 'env', name } };
  }
  return undefined;
}

export async function resolveSettings(input: ResolveInput): Promise<ConnectionSettings> {
  const { flags, env } = input;

  const profile: Resolved<string> = flags.profile
    ? { value: flags.profile, source: { kind: 'flag', name: '--profile' } }
    : env[PROFILE_ENV]?.trim()
      ? { value: env[PROFILE_ENV]!.trim(), source: { kind: 'env', name: PROFILE_ENV } }
      : input.currentProfile
        ? { value: input.currentProfile, source: { kind: 'profile', name: 'profile use' } }
        : { value: DEFAULT_PROFILE, source: { kind: 'default', name: 'default' } };
  const stored = input.getProfile(profile.value) ?? {};
  const fromProfile = (value: string | undefined): Resolved<string> | undefined =>
    value ? { value, source: { kind: 'profile', name: profile.value } } : undefined;

  const rawHost: Resolved<string> = (flags.host !== undefined
    ? { value: flags.host, source: { kind: 'flag', name: '--host' } }
    : undefined) ??
    fromEnv(env, HOST_ENV) ??
    fromProfile(stored.host) ?? { value: DEFAULT_HOST, source: { kind: 'default', name: 'default' } };
  const host = { ...rawHost, value: normalizeHost(rawHost.value, rawHost.source) };

  const rawProject: Resolved<string> | undefined =
    (flags.project !== undefined ? { value: flags.project, source: { kind: 'flag', name: '--project' } } : undefined) ??
    fromEnv(env, PROJECT_ENV) ??
    fromProfile(stored.project);
  const project = rawProject && { ...rawProject, value: validateProject(rawProject.value, rawProject.source) };

  let apiKey: Resolved<string> | undefined;
  if (flags.apiKeyFile !== undefined) {
    const text = flags.apiKeyFile === '-' ? await input.readStdin() : readKeyFile(flags.apiKeyFile, input.cwd);
    apiKey = { value: keyFromText(text, `--api-key-file ${flags.apiKeyFile}`), source: { kind: 'flag', name: '--api-key-file' } };
    if (!apiKey.value) throw new UsageError(`--api-key-file ${flags.apiKeyFile}: the file is empty`);
  } else {
    apiKey = fromEnv(env, KEY_ENV) ?? fromProfile(stored.apiKey);
  }
  if (apiKey) validateKey(apiKey.value, apiKey.source);

  return { profile, profileExists: input.getProfile(profile.value) !== undefined, host, project, apiKey };
}

function readKeyFile(path: string, cwd: string): string {
  try {
    return readFileSync(resolvePath(cwd, path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && /^ph[xac]_/.test(path.trim())) {
      // The key itself was passed where its file belongs: say so, without echoing it.
      throw new UsageError(
        `--api-key-file takes the path of a file holding the key, and the value given (${maskKey(path.trim())}) looks like the key itself`,
        'Save the key in a file only you can read and pass its path, or pipe it in with --api-key-file -.',
      );
    }
    throw new UsageError(`--api-key-file ${path}: cannot read the file (${code ?? String(error)})`);
  }
}

export function describeSource(source: SettingSource): string {
  switch (source.kind) {
    case 'flag':
      return `flag ${source.name}`;
    case 'env':
      return `environment ${source.name}`;
    case 'profile':
      return source.name === 'profile use' ? 'profile use' : `profile "${source.name}"`;
    case 'sandbox':
      return 'built-in sandbox';
    default:
      return 'default';
  }
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** `us`/`eu` shortcuts, URL checks, the ingestion host and plain http refused with a hint. */
export function normalizeHost(input: string, source?: SettingSource): string {
  const where = source ? ` (from ${describeSource(source)})` : '';
  const trimmed = input.trim();
  // Messages below quote the host as given, minus any user and password in it.
  const raw = withoutUserinfo(input);
  const shortcut = HOST_SHORTCUTS[trimmed.toLowerCase()];
  if (shortcut) return shortcut;
  if (!trimmed) throw new UsageError(`the host is empty${where}`, 'Use us, eu or a URL such as https://posthog.example.com.');
  // "@" marks a user or password (which may itself hold "@" or "/", and then does not even parse):
  // refused whole, and never echoed.
  if (trimmed.includes('@')) {
    throw new UsageError(
      `invalid host "${raw}"${where}: credentials in the URL are not allowed`,
      'The API key is the only credential sent; give the host without a user or password.',
    );
  }
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  } catch {
    throw new UsageError(`invalid host "${raw}"${where}: not a URL`, 'Use us, eu or a URL such as https://posthog.example.com.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`invalid host "${raw}"${where}: only https:// URLs are supported`);
  }
  if (url.username || url.password) {
    throw new UsageError(
      `invalid host "${raw}"${where}: credentials in the URL are not allowed`,
      'The API key is the only credential sent; give the host without a user or password.',
    );
  }
  if (url.search || url.hash) {
    throw new UsageError(`invalid host "${raw}"${where}: a host URL cannot have a query or fragment`);
  }
  const ingestion = /^([a-z0-9-]+)\.i\.posthog\.com$/i.exec(url.hostname);
  if (ingestion) {
    throw new UsageError(
      `"${url.hostname}" is PostHog's ingestion host${where}; the persons API is served by the app host`,
      `Use --host https://${ingestion[1]}.posthog.com (or the shortcut ${ingestion[1]}).`,
    );
  }
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname)) {
    throw new UsageError(
      `refusing plain http:// to ${url.hostname}${where}: the API key would cross the network unencrypted`,
      'Use https://, or http:// only for a server on this machine (localhost, 127.0.0.1, [::1]).',
    );
  }
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

export function validateProject(raw: string, source?: SettingSource): string {
  const value = raw.trim();
  if (value === '@current' || /^[1-9]\d{0,17}$/.test(value)) return value;
  const where = source ? ` (from ${describeSource(source)})` : '';
  throw new UsageError(
    `invalid project "${raw}"${where}: a project is a numeric id or @current`,
    "Find the id in PostHog under Settings > Project (it is in the URL: /project/12345).",
  );
}

/** Refuses keys that cannot work before anything is sent. */
export function validateKey(key: string, source?: SettingSource): void {
  const where = source ? ` (from ${describeSource(source)})` : '';
  if (key.startsWith('phc_')) {
    throw new UsageError(
      `the key${where} is a project API key (phc_…), which can only send events`,
      'Create a personal API key (phx_…) with the person:read and person:write scopes in PostHog under Settings > Personal API keys.',
    );
  }
  if (/\s/.test(key)) {
    throw new UsageError(`the key${where} contains white space; check that only the key was pasted`);
  }
  // Only visible ASCII can go into the Authorization header; undici would refuse anything else
  // after the settings were accepted, or a server would see a mangled key.
  const bad = /[^\x21-\x7e]/u.exec(key);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new UsageError(
      `the key${where} contains a character that cannot be sent in an HTTP header (U+${code} at position ${bad.index + 1})`,
      'A personal API key is letters, digits, "_" and "-" only: check that only the key was pasted.',
    );
  }
}

/**
 * The key in a text read from a file or stdin: surrounding white space (and a UTF-8 BOM) removed.
 * UTF-16 text (what Windows PowerShell's `>` and Notepad's "Unicode" save) is refused with a hint
 * rather than sent as a mangled key: read as UTF-8 it holds NULs, and its BOM is not valid UTF-8.
 */
export function keyFromText(text: string, where: string): string {
  if (text.includes('\u0000') || text.startsWith('\uFFFD\uFFFD')) {
    throw new UsageError(
      `${where}: the key is UTF-16 encoded text (as Windows PowerShell's \`>\` and Notepad's "Unicode" write it)`,
      'Save it as UTF-8 or plain ASCII, e.g. `iconv -f UTF-16 -t UTF-8 key.txt > key-utf8.txt`, or in PowerShell `Set-Content -Encoding ascii`.',
    );
  }
  return text.trim(); // trim() also removes a UTF-8 BOM (U+FEFF)
}

/** A URL as typed, with everything up to its last "@" (user, password) replaced by "***". */
export function withoutUserinfo(text: string): string {
  if (!text.includes('@')) return text;
  return text.replace(/^(\s*[a-z][a-z0-9+.-]*:\/\/)?[^]*@/i, (_m, scheme: string | undefined) => `${scheme ?? ''}***@`);
}

export function requireKey(settings: ConnectionSettings): string {
  if (!settings.apiKey) {
    const missing = settings.profileExists ? '' : ' (no such profile is saved)';
    throw new AuthError(
      `no API key for profile "${settings.profile.value}"${missing}`,
      'Run `posthog-persons auth login`, or set POSTHOG_PERSONAL_API_KEY. To try the tool without an account, add --sandbox.',
    );
  }
  return settings.apiKey.value;
}

export function requireProject(settings: ConnectionSettings): string {
  if (!settings.project) {
    throw new UsageError(
      'no project: PostHog needs to know which project the persons are in',
      'Pass --project ID (or @current), set POSTHOG_PROJECT_ID, or save one with `posthog-persons auth login`.',
    );
  }
  return settings.project.value;
}
