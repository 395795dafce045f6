// The profile store: a conf file holding named profiles (host, project, key), mode 0600 because
// it holds personal API keys. Several posthog-persons processes may log in, log out or switch
// profiles at the same moment, so every change is a read-modify-write under a lock file
// (store-lock.ts), and conf replaces the file atomically (a temporary file in the same folder,
// fsync, rename): a reader sees the old file or the new one, never half of one, and no writer
// works from a copy another writer has since changed. Reading needs no conf (nor its schema
// machinery): most commands only read the store once.
import type Conf from 'conf';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { withStoreLock, type LockOptions } from './store-lock.js';

export interface Profile {
  host?: string;
  project?: string;
  apiKey?: string;
}

export interface StoreShape {
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

/** The store file exists but cannot be read or is not a profile store. */
export class ProfileStoreError extends UsageError {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`cannot read the profile store ${path}: ${problem}`, 'Fix or remove the file (`posthog-persons auth login` then saves a new one).');
  }
}

export class ProfileStore {
  private cached?: StoreShape;

  /** Where the file really is: `path` resolved against the factory's cwd. */
  private readonly file: string;

  /**
   * `path` and `configDir` are as the user gave them (messages name them so); `folder` is the
   * config folder resolved against the factory's cwd, where the files are read and written.
   */
  private constructor(
    readonly path: string,
    readonly configDir: string,
    private readonly lockOptions: LockOptions,
    private readonly folder: string,
  ) {
    this.file = join(folder, 'config.json');
  }

  /**
   * Opens the store in POSTHOG_PERSONS_CONFIG_DIR (relative to `cwd`, the factory's folder) or the
   * per-user config folder. Reading never creates anything, so commands run with environment
   * settings only leave nothing behind.
   */
  static async open(configDir?: string, lockOptions: LockOptions = {}, cwd?: string): Promise<ProfileStore> {
    const dir = configDir || (await import('env-paths')).default('posthog-persons', { suffix: '' }).config;
    return new ProfileStore(join(dir, 'config.json'), dir, lockOptions, cwd === undefined ? dir : resolve(cwd, dir));
  }

  /** The whole store as last read (read once, then kept up to date by this process's writes). */
  read(): StoreShape {
    this.cached ??= readStore(this.file, this.path);
    return this.cached;
  }

  currentProfile(): string | undefined {
    return this.read().currentProfile;
  }

  get(name: string): Profile | undefined {
    const { profiles } = this.read();
    return Object.hasOwn(profiles, name) ? profiles[name] : undefined;
  }

  list(): Array<[string, Profile]> {
    return Object.entries(this.read().profiles).sort(([a], [b]) => a.localeCompare(b));
  }

  /**
   * Checks, before anything is sent, that profiles can be saved here: the folder exists (or can
   * be made) and is writable, and the file, if any, is a readable store.
   */
  ensureWritable(): void {
    prepareFolder(this.folder, this.configDir);
    this.cached = readStore(this.file, this.path);
  }

  /**
   * Changes the store: `change` gets the file's current content, read under the lock, and edits
   * it in place; the result is written back atomically before the lock is released.
   */
  async update<T>(change: (store: StoreShape) => T): Promise<T> {
    prepareFolder(this.folder, this.configDir);
    const { default: ConfClass } = await import('conf');
    const shown = { storePath: this.path, lockPath: `${this.path}.lock` };
    return withStoreLock(`${this.file}.lock`, this.file, this.lockOptions, () => {
      const store = readStore(this.file, this.path);
      const result = change(store);
      for (const [name, profile] of Object.entries(store.profiles)) store.profiles[name] = dropUndefined(profile);
      writeStore(ConfClass, this.folder, this.file, store, this.path);
      this.cached = store;
      return result;
    }, shown);
  }

  async setCurrentProfile(name: string): Promise<void> {
    await this.update((store) => {
      store.currentProfile = name;
    });
  }

  /** Saves a profile; it becomes the current one when none is chosen yet. */
  async set(name: string, profile: Profile, options: { currentIfNone?: boolean } = {}): Promise<void> {
    await this.update((store) => {
      store.profiles[name] = profile;
      if (options.currentIfNone && !store.currentProfile) store.currentProfile = name;
    });
  }

  async remove(name: string): Promise<boolean> {
    return this.update((store) => {
      if (!Object.hasOwn(store.profiles, name)) return false;
      delete store.profiles[name];
      if (store.currentProfile === name) delete store.currentProfile;
      return true;
    });
  }

  /** Forgets a profile's key, keeping its host and project. */
  async removeKey(name: string): Promise<'removed' | 'no-key' | 'no-profile'> {
    return this.update((store) => {
      if (!Object.hasOwn(store.profiles, name)) return 'no-profile';
      const { apiKey, ...rest } = store.profiles[name]!;
      if (!apiKey) return 'no-key';
      store.profiles[name] = rest;
      return 'removed';
    });
  }
}

/** Reads the store at `file`; messages name it `path`, as the user gave it. */
function readStore(file: string, path: string): StoreShape {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // No file yet, or the folder is missing or is a file: nothing saved.
    if (code === 'ENOENT' || code === 'ENOTDIR') return { profiles: {} };
    if (code === 'EISDIR') throw new ProfileStoreError(path, 'it is a folder, not a file');
    throw new ProfileStoreError(path, `the file cannot be read (${code ?? String(error)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ProfileStoreError(path, 'it is not valid JSON');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ProfileStoreError(path, 'it does not hold a JSON object');
  }
  const shape = data as Partial<StoreShape>;
  const profiles = shape.profiles ?? {};
  if (profiles === null || typeof profiles !== 'object' || Array.isArray(profiles)) {
    throw new ProfileStoreError(path, '"profiles" is not an object');
  }
  for (const [name, profile] of Object.entries(profiles)) {
    const valid =
      profile !== null &&
      typeof profile === 'object' &&
      (['host', 'project', 'apiKey'] as const).every((k) => profile[k] === undefined || typeof profile[k] === 'string');
    if (!valid) throw new ProfileStoreError(path, `profile "${name}" is not an object of strings`);
  }
  if (shape.currentProfile !== undefined && typeof shape.currentProfile !== 'string') {
    throw new ProfileStoreError(path, '"currentProfile" is not a string');
  }
  return { ...shape, profiles: { ...profiles } } as StoreShape;
}

/** The config folder exists (created, private, when missing) and can hold files; messages name it `dir`. */
function prepareFolder(folder: string, dir: string): void {
  const hint = 'Set POSTHOG_PERSONS_CONFIG_DIR to a folder you can write to, or fix its permissions.';
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new UsageError(`cannot save profiles in ${dir}: it is a file, not a folder`, 'Set POSTHOG_PERSONS_CONFIG_DIR to a folder, or move the file away.');
    }
    throw new UsageError(`cannot save profiles in ${dir}: the folder cannot be created (${code ?? String(error)})`, hint);
  }
  // Probe with a real file: access(W_OK) says yes to root on a read-only file system.
  const probe = join(folder, `.write-test-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    closeSync(openSync(probe, 'wx', 0o600));
    rmSync(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? `the folder is not writable (${code})` : `cannot create files there (${code ?? String(error)})`;
    throw new UsageError(`cannot save profiles in ${dir}: ${why}`, hint);
  }
}

/**
 * Writes the whole store through conf, which writes a temporary file beside the target, flushes it
 * to disk and renames it over the old one. The file was read and checked under the same lock just
 * before, so conf finds a valid store (or none) and never resets it.
 */
function writeStore(ConfClass: typeof Conf, dir: string, file: string, store: StoreShape, path: string): void {
  try {
    const conf = new ConfClass<StoreShape>({ cwd: dir, configName: 'config', configFileMode: 0o600, clearInvalidConfig: false });
    conf.store = store;
    chmodSync(file, 0o600); // exactly 0600, whatever the umask or an older copy of the file had
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot save the profile store ${path} (${code ?? String(error)})`, 'Check that the folder is writable and the disk is not full.');
  }
}

function dropUndefined(profile: Profile): Profile {
  return Object.fromEntries(Object.entries(profile).filter(([, v]) => v !== undefined && v !== '')) as Profile;
}

