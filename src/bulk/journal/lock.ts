// One run per journal. Two runs on one journal (or a --resume started while the first run still
// goes) would each send every identifier, and interleave their lines in the record. So a run
// holds `<journal>.lock` for its whole life: created exclusively (O_EXCL), holding the pid, host
// and start time of its owner, removed at the end (normal end, error, signal; on a second signal
// by the exit hook). A lock whose owner is gone (same host, pid not alive) is taken over with a
// note; any other is refused with exit 2, naming who holds it.
import { constants, readFileSync, unlinkSync } from 'node:fs';
import { lstat, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { UsageError } from '../../errors.js';

export interface LockOwner {
  pid: number;
  host: string;
  started_at: string;
  command: string;
  /** tells this lock from a later one at the same path, so a run only ever removes its own */
  token?: string;
}

export interface JournalLock {
  readonly path: string;
  /** Removes the lock if it is still this run's. Safe to call twice. */
  release(): Promise<void>;
}

/** A lock file that is empty or unreadable this long after it was written is a crash's leftover. */
const UNREADABLE_STALE_MS = 10_000;

export async function lockJournal(journal: string, o: { command: string; now: Date; note: (line: string) => void }): Promise<JournalLock> {
  const path = `${journal}.lock`;
  const owner: LockOwner = { pid: process.pid, host: hostname(), started_at: o.now.toISOString(), command: o.command, token: randomUUID() };
  await mkdir(dirname(path), { recursive: true }).catch((error: Error) => {
    throw new UsageError(`cannot create the lock ${path}: ${error.message}`, "The journal's folder must be writable.");
  });
  let tookOver = false;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await create(path, owner)) return held(path, owner);
    const holder = await readHolder(path);
    if (holder.kind === 'gone') continue; // its run just ended: try again
    const stale = holder.kind === 'owner' ? isGone(holder.owner) : holder.ageMs > UNREADABLE_STALE_MS;
    if (!stale || tookOver) throw inUse(journal, path, holder.kind === 'owner' ? holder.owner : undefined);
    tookOver = true;
    const who = holder.kind === 'owner' ? ` (pid ${holder.owner.pid}, started ${holder.owner.started_at})` : '';
    o.note(`Note: took over the lock ${path} of an earlier run that is gone${who}.`);
    await unlink(path).catch(() => undefined);
  }
  throw inUse(journal, path, undefined);
}

async function create(path: string, owner: LockOwner): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new UsageError(`cannot create the lock ${path}: ${(error as Error).message}`, 'The journal\'s folder must be writable.');
  }
  try {
    await handle.writeFile(`${JSON.stringify(owner)}\n`);
  } finally {
    await handle.close();
  }
  return true;
}

type Holder = { kind: 'owner'; owner: LockOwner } | { kind: 'unreadable'; ageMs: number } | { kind: 'gone' };

async function readHolder(path: string): Promise<Holder> {
  const stats = await lstat(path).catch(() => undefined);
  if (stats === undefined) return { kind: 'gone' };
  if (!stats.isFile()) throw new UsageError(`${path} is not a lock file of posthog-persons`, 'Move it out of the way, then try again.');
  const owner = parseOwner(await readFile(path, 'utf8').catch(() => ''));
  return owner ? { kind: 'owner', owner } : { kind: 'unreadable', ageMs: Date.now() - stats.mtimeMs };
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.started_at === 'string') return value as LockOwner;
  } catch {
    // unreadable
  }
  return undefined;
}

/** Only a lock of this host can be judged: its pid no longer runs. Another host's lock is never stale. */
function isGone(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function inUse(journal: string, path: string, owner: LockOwner | undefined): UsageError {
  const who = owner ? ` (pid ${owner.pid} on ${owner.host}, started ${owner.started_at})` : '';
  return new UsageError(
    `the journal ${journal} is in use by another run${who}`,
    `Wait for that run to end: two runs on one journal would send every identifier twice. If no such run is going, remove ${path} and try again.`,
  );
}

function held(path: string, owner: LockOwner): JournalLock {
  const ours = (text: string) => parseOwner(text)?.token === owner.token;
  // A second Ctrl-C or signal ends the process at once: the lock goes with it.
  const onExit = () => {
    try {
      if (ours(readFileSync(path, 'utf8'))) unlinkSync(path);
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      process.off('exit', onExit);
      const text = await readFile(path, 'utf8').catch(() => '');
      if (ours(text)) await unlink(path).catch(() => undefined);
    },
  };
}
