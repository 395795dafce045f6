// The profile store: a conf file holding named profiles (host, project, key), written with mode
// 0600 because it holds personal API keys. conf is imported lazily: most runs read it once at most.
import type Conf from 'conf';
import { chmodSync, existsSync } from 'node:fs';

export interface Profile {
  host?: string;
  project?: string;
  apiKey?: string;
}

interface StoreShape {
  currentProfile?: string;
  profiles: Record<string, Profile>;
}

export const DEFAULT_PROFILE = 'default';
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function validateProfileName(name: string): string {
  if (!PROFILE_NAME.test(name)) {
    throw new Error(
      `invalid profile name "${name}": use letters, digits, "-", "_" or "." (at most 64, starting with a letter or digit)`,
    );
  }
  return name;
}

export class ProfileStore {
  private constructor(private readonly conf: Conf<StoreShape>) {}

  /** Opens (without creating) the store in POSTHOG_PERSONS_CONFIG_DIR or conf's per-user folder. */
  static async open(configDir?: string): Promise<ProfileStore> {
    const { default: ConfClass } = await import('conf');
    const conf = new ConfClass<StoreShape>({
      projectName: 'posthog-persons',
      projectSuffix: '',
      cwd: configDir || undefined,
      configName: 'config',
      configFileMode: 0o600,
      defaults: { profiles: {} },
      clearInvalidConfig: false,
    });
    return new ProfileStore(conf);
  }

  get path(): string {
    return this.conf.path;
  }

  currentProfile(): string | undefined {
    return this.conf.get('currentProfile');
  }

  setCurrentProfile(name: string): void {
    this.conf.set('currentProfile', name);
    this.secure();
  }

  get(name: string): Profile | undefined {
    return this.conf.get('profiles')[name];
  }

  list(): Array<[string, Profile]> {
    return Object.entries(this.conf.get('profiles')).sort(([a], [b]) => a.localeCompare(b));
  }

  set(name: string, profile: Profile): void {
    const profiles = { ...this.conf.get('profiles'), [name]: dropUndefined(profile) };
    this.conf.set('profiles', profiles);
    this.secure();
  }

  remove(name: string): boolean {
    const profiles = { ...this.conf.get('profiles') };
    if (!(name in profiles)) return false;
    delete profiles[name];
    this.conf.set('profiles', profiles);
    if (this.currentProfile() === name) this.conf.delete('currentProfile');
    this.secure();
    return true;
  }

  // conf applies configFileMode when it writes; this also tightens a file created by an older
  // version or copied in by hand.
  private secure(): void {
    if (existsSync(this.conf.path)) chmodSync(this.conf.path, 0o600);
  }
}

function dropUndefined(profile: Profile): Profile {
  return Object.fromEntries(Object.entries(profile).filter(([, v]) => v !== undefined && v !== '')) as Profile;
}
