import { describe, expect, it } from 'vitest';
import { AuthError, UsageError } from '../../../src/errors.js';
import {
  normalizeHost,
  requireKey,
  requireProject,
  resolveSettings,
  validateKey,
  validateProject,
  type ResolveInput,
} from '../../../src/settings/resolve.js';
import type { Profile } from '../../../src/settings/profiles.js';

function input(over: Partial<ResolveInput> & { profiles?: Record<string, Profile> } = {}): ResolveInput {
  const profiles = over.profiles ?? {};
  return {
    flags: over.flags ?? {},
    env: over.env ?? {},
    currentProfile: over.currentProfile,
    getProfile: (name) => profiles[name],
    readStdin: over.readStdin ?? (async () => ''),
    cwd: over.cwd ?? process.cwd(),
  };
}

describe('resolveSettings: flag > environment > profile > default', () => {
  const profiles = { default: { host: 'https://eu.posthog.com', project: '7', apiKey: 'phx_profilekey_1234567890' } };

  it('takes everything from the profile when nothing else is set', async () => {
    const s = await resolveSettings(input({ profiles }));
    expect(s.profile).toEqual({ value: 'default', source: { kind: 'default', name: 'default' } });
    expect(s.host).toEqual({ value: 'https://eu.posthog.com', source: { kind: 'profile', name: 'default' } });
    expect(s.project).toEqual({ value: '7', source: { kind: 'profile', name: 'default' } });
    expect(s.apiKey?.source).toEqual({ kind: 'profile', name: 'default' });
  });

  it('prefers the environment over the profile, in the documented order of names', async () => {
    const env = {
      POSTHOG_HOST: 'us',
      POSTHOG_CLI_HOST: 'https://ignored.example.com',
      POSTHOG_CLI_PROJECT_ID: '42',
      POSTHOG_CLI_ENV_ID: '43',
      POSTHOG_CLI_TOKEN: 'phx_token_alias_123456789',
    };
    const s = await resolveSettings(input({ profiles, env }));
    expect(s.host).toEqual({ value: 'https://us.posthog.com', source: { kind: 'env', name: 'POSTHOG_HOST' } });
    expect(s.project).toEqual({ value: '42', source: { kind: 'env', name: 'POSTHOG_CLI_PROJECT_ID' } });
    expect(s.apiKey).toEqual({ value: 'phx_token_alias_123456789', source: { kind: 'env', name: 'POSTHOG_CLI_TOKEN' } });
  });

  it('POSTHOG_PERSONAL_API_KEY wins over POSTHOG_CLI_API_KEY, and the project env names in order', async () => {
    const s = await resolveSettings(
      input({
        env: {
          POSTHOG_CLI_API_KEY: 'phx_second_1234567890',
          POSTHOG_PERSONAL_API_KEY: 'phx_first_1234567890',
          POSTHOG_PROJECT_ID: '1',
          POSTHOG_CLI_PROJECT_ID: '2',
        },
      }),
    );
    expect(s.apiKey?.value).toBe('phx_first_1234567890');
    expect(s.project?.value).toBe('1');
  });

  it('prefers flags over everything', async () => {
    const s = await resolveSettings(
      input({
        profiles,
        env: { POSTHOG_HOST: 'us', POSTHOG_PROJECT_ID: '42', POSTHOG_PERSONAL_API_KEY: 'phx_env_12345678901' },
        flags: { host: 'http://127.0.0.1:8010/', project: '@current', apiKeyFile: '-' },
        readStdin: async () => 'phx_from_stdin_123456\n',
      }),
    );
    expect(s.host).toEqual({ value: 'http://127.0.0.1:8010', source: { kind: 'flag', name: '--host' } });
    expect(s.project).toEqual({ value: '@current', source: { kind: 'flag', name: '--project' } });
    expect(s.apiKey).toEqual({ value: 'phx_from_stdin_123456', source: { kind: 'flag', name: '--api-key-file' } });
  });

  it('selects the profile by flag, then POSTHOG_PERSONS_PROFILE, then `profile use`', async () => {
    const many = { default: {}, eu: { host: 'eu' }, ci: { host: 'us' } } as Record<string, Profile>;
    expect((await resolveSettings(input({ profiles: many, currentProfile: 'eu' }))).profile.value).toBe('eu');
    expect(
      (await resolveSettings(input({ profiles: many, currentProfile: 'eu', env: { POSTHOG_PERSONS_PROFILE: 'ci' } }))).profile
        .value,
    ).toBe('ci');
    const flagged = await resolveSettings(
      input({ profiles: many, currentProfile: 'eu', env: { POSTHOG_PERSONS_PROFILE: 'ci' }, flags: { profile: 'default' } }),
    );
    expect(flagged.profile).toEqual({ value: 'default', source: { kind: 'flag', name: '--profile' } });
  });

  it('defaults the host to US Cloud and leaves key and project unset', async () => {
    const s = await resolveSettings(input());
    expect(s.host).toEqual({ value: 'https://us.posthog.com', source: { kind: 'default', name: 'default' } });
    expect(s.project).toBeUndefined();
    expect(s.apiKey).toBeUndefined();
    expect(() => requireKey(s)).toThrow(AuthError);
    expect(() => requireKey(s)).toThrow('no API key for profile "default" (no such profile is saved)');
    expect(() => requireProject(s)).toThrow(UsageError);
  });

  it('refuses a project key from the environment, naming where it came from', async () => {
    await expect(resolveSettings(input({ env: { POSTHOG_PERSONAL_API_KEY: 'phc_projectkey' } }))).rejects.toThrow(
      'the key (from environment POSTHOG_PERSONAL_API_KEY) is a project API key (phc_…), which can only send events',
    );
  });

  it('names an unreadable --api-key-file', async () => {
    await expect(resolveSettings(input({ flags: { apiKeyFile: '/nonexistent/key' } }))).rejects.toThrow(
      '--api-key-file /nonexistent/key: cannot read the file (ENOENT)',
    );
  });
});

describe('host checks', () => {
  it.each([
    ['us', 'https://us.posthog.com'],
    ['EU', 'https://eu.posthog.com'],
    ['posthog.example.com', 'https://posthog.example.com'],
    ['https://posthog.example.com/', 'https://posthog.example.com'],
    ['https://example.com/posthog/', 'https://example.com/posthog'],
    ['http://localhost:8000', 'http://localhost:8000'],
    ['http://127.0.0.1:8010', 'http://127.0.0.1:8010'],
    ['http://[::1]:8010', 'http://[::1]:8010'],
  ])('%s → %s', (raw, expected) => {
    expect(normalizeHost(raw)).toBe(expected);
  });

  it.each([
    ['https://us.i.posthog.com', '"us.i.posthog.com" is PostHog\'s ingestion host; the persons API is served by the app host'],
    ['http://posthog.example.com', 'refusing plain http:// to posthog.example.com: the API key would cross the network unencrypted'],
    ['ftp://example.com', 'invalid host "ftp://example.com": only https:// URLs are supported'],
    ['https://user:pw@example.com', 'credentials in the URL are not allowed'],
    ['', 'the host is empty'],
    ['https://exa mple.com', 'invalid host "https://exa mple.com": not a URL'],
  ])('refuses %s', (raw, message) => {
    expect(() => normalizeHost(raw)).toThrow(UsageError);
    expect(() => normalizeHost(raw)).toThrow(message);
  });

  it('hints the right host for the ingestion host', () => {
    try {
      normalizeHost('eu.i.posthog.com');
      expect.unreachable();
    } catch (error) {
      expect((error as UsageError).hint).toBe('Use --host https://eu.posthog.com (or the shortcut eu).');
    }
  });
});

describe('project and key checks', () => {
  it.each(['1', '12345', '@current'])('accepts project %s', (p) => expect(validateProject(p)).toBe(p));
  it.each(['0', '-1', 'abc', '12a', '1.5', '@me', ''])('refuses project %j', (p) => {
    expect(() => validateProject(p)).toThrow(`invalid project "${p}": a project is a numeric id or @current`);
  });
  it('refuses keys with white space', () => {
    expect(() => validateKey('phx_abc def')).toThrow('contains white space');
  });
});
