// A lock file for short read-modify-write sections of the profile store. Created with O_EXCL
// (`wx`), so exactly one process holds it; it names its holder (pid, host, time) so a refusal can
// say who, and so a lock left by a process that died can be recognised and taken over.
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { CliError, ExitCode } from '../errors.js';

export interface LockOptions {
  /** how long to wait for another holder before giving up (default 5 s) */
  waitMs?: number;
  /** a lock older than this is stale whoever holds it (default 30 s; a write takes milliseconds) */
  staleMs?: number;
  /**
   * Where the wait for another holder reads the time and sleeps (the factory's clock; the wall
   * clock by default). A lock file's age is always judged by the wall clock, like its mtime.
   */
  clock?: { now(): number; sleep(ms: number): Promise<void> };
}

const wallClock = { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };

interface Holder {
  pid: number;
  host: string;
  created: string;
  token?: string;
}

const DEFAULT_WAIT_MS = 5_000;
const DEFAULT_STALE_MS = 30_000;

/** Another process holds the store's lock for longer than we wait. Exit 1. */
export class StoreLockedError extends CliError {
  constructor(storePath: string, lockPath: string, holder: Holder | undefined) {
    const who = holder ? `process ${holder.pid} on ${holder.host}` : 'another process';
    super(
      `the profile store ${storePath} is locked by ${who}`,
      ExitCode.failure,
      `Another posthog-persons is saving a profile; try again. If none is running, remove ${lockPath}.`,
    );
  }
}

/** `shown`: how messages name the store and its lock (the paths as the user gave them). */
export async function withStoreLock<T>(lockPath: string, storePath: string, options: LockOptions, work: () => T, shown = { storePath, lockPath }): Promise<T> {
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const clock = options.clock ?? wallClock;
  const token = randomBytes(8).toString('hex');
  const deadline = clock.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(lockPath, token)) break;
    const holder = readHolder(lockPath);
    if (isStale(lockPath, holder, staleMs)) {
      // Take the stale lock over: remove it only if it is still the one judged stale.
      if (readHolder(lockPath)?.token === holder?.token) rmSync(lockPath, { force: true });
      continue;
    }
    if (clock.now() >= deadline) throw new StoreLockedError(shown.storePath, shown.lockPath, holder);
    // Short waits with jitter, so ten processes starting together do not retry in step.
    await clock.sleep(Math.min(10 + attempt * 5, 50) + Math.random() * 20);
  }
  try {
    return work();
  } finally {
    if (readHolder(lockPath)?.token === token) rmSync(lockPath, { force: true });
  }
}

function tryCreate(lockPath: string, token: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    const holder: Holder = { pid: process.pid, host: hostname(), created: new Date().toISOString(), token };
    writeSync(fd, JSON.stringify(holder));
  } finally {
    closeSync(fd);
  }
  return true;
}

function readHolder(lockPath: string): Holder | undefined {
  try {
    const data = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<Holder>;
    return typeof data.pid === 'number' && typeof data.host === 'string' ? (data as Holder) : undefined;
  } catch {
    // missing, or created but not yet written
    return undefined;
  }
}

function isStale(lockPath: string, holder: Holder | undefined, staleMs: number): boolean {
  let ageMs: number;
  try {
    ageMs = Date.now() - statSync(lockPath).mtimeMs;
  } catch {
    return false; // gone already: the next attempt creates it
  }
  if (ageMs > staleMs) return true;
  if (holder && holder.host === hostname() && !isAlive(holder.pid)) return true;
  return false;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
