// The profile store: a conf file holding named profiles (host, project, key), written with mode
// 0600 because it holds personal API keys. conf is imported lazily: most runs read it once at most.
import type Conf from 'conf';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';

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
  private conf?: Conf<StoreShape>;

  private constructor(
    readonly path: string,
    private readonly configDir: string,
  ) {}

  /**
   * Opens the store in POSTHOG_PERSONS_CONFIG_DIR or the per-user config folder. Reading never
   * creates the file (conf writes its defaults as soon as it is constructed), so commands run
   * with environment settings only leave nothing behind.
   */
  static async open(configDir?: string): Promise<ProfileStore> {
    const dir = configDir || (await import('env-paths')).default('posthog-persons', { suffix: '' }).config;
    return new ProfileStore(join(dir, 'config.json'), dir);
  }

  private read(): StoreShape {
    if (this.conf) return this.conf.store;
    if (!existsSync(this.path)) return { profiles: {} };
    try {
      const data = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<StoreShape>;
      return { ...data, profiles: data.profiles ?? {} };
    } catch (error) {
      throw new UsageError(`cannot read the profile store ${this.path}: ${(error as Error).message}`, 'Fix or remove the file.');
    }
  }

  private async writable(): Promise<Conf<StoreShape>> {
    if (!this.conf) {
      const { default: ConfClass } = await import('conf');
      this.conf = new ConfClass<StoreShape>({
        cwd: this.configDir,
        configName: 'config',
        configFileMode: 0o600,
        defaults: { profiles: {} },
        clearInvalidConfig: false,
      });
    }
    return this.conf;
  }

  currentProfile(): string | undefined {
    return this.read().currentProfile;
  }

  get(name: string): Profile | undefined {
    return Object.hasOwn(this.read().profiles, name) ? this.read().profiles[name] : undefined;
  }

  list(): Array<[string, Profile]> {
    return Object.entries(this.read().profiles).sort(([a], [b]) => a.localeCompare(b));
  }

  async setCurrentProfile(name: string): Promise<void> {
    (await this.writable()).set('currentProfile', name);
    this.secure();
  }

  async set(name: string, profile: Profile): Promise<void> {
    const conf = await this.writable();
    conf.set('profiles', { ...conf.get('profiles'), [name]: dropUndefined(profile) });
    this.secure();
  }

  async remove(name: string): Promise<boolean> {
    const conf = await this.writable();
    const profiles = { ...conf.get('profiles') };
    if (!Object.hasOwn(profiles, name)) return false;
    delete profiles[name];
    conf.set('profiles', profiles);
    if (conf.get('currentProfile') === name) conf.delete('currentProfile');
    this.secure();
    return true;
  }

  // conf applies configFileMode when it writes; this also tightens a file created by an older
  // version or copied in by hand.
  private secure(): void {
    if (existsSync(this.path)) chmodSync(this.path, 0o600);
  }
}

function dropUndefined(profile: Profile): Profile {
  return Object.fromEntries(Object.entries(profile).filter(([, v]) => v !== undefined && v !== '')) as Profile;
}
