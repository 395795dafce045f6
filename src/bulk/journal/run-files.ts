// The files a bulk run writes (its journal and --backup) are either new files it creates itself,
// exclusively and private (O_EXCL, mode 0600), or journals/backups it wrote earlier, recognised by
// their first line, which it appends to. Anything else is refused with exit 2 before any request:
// another file (even an empty-looking one without a line end), the input file, a folder, a device
// such as /dev/null, a symbolic link, or the journal given as the backup. The tool never truncates,
// overwrites or changes the mode of a file it did not create.
import { constants, type Stats } from 'node:fs';
import { lstat, open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';

export type RunFileKind = 'journal' | 'backup';

/** How far into an existing file its first line is looked for (a journal header is far shorter). */
const FIRST_LINE_BYTES = 64 * 1024;
/** How every journal starts: the run header, as src/bulk/journal/journal.ts writes it. */
const JOURNAL_START = '{"type":"run","version":';

export interface RunFileCheck {
  /** the input file (--from-file), which neither file may be */
  input?: string;
  /** the journal, which the backup may not be */
  journal?: string;
}

/**
 * Checks a journal or backup path before anything is sent. Returns whether the file exists (then
 * it is one of the tool's own); throws a UsageError (exit 2) naming the problem otherwise.
 */
export async function checkRunFile(path: string, kind: RunFileKind, others: RunFileCheck = {}): Promise<{ exists: boolean; note?: string }> {
  if (kind === 'backup' && others.journal !== undefined && (await sameFile(path, others.journal))) {
    throw refuse(kind, path, 'is also the journal', 'Give --backup and --journal two different files.');
  }
  if (others.input !== undefined && (await sameFile(path, others.input))) {
    throw refuse(kind, path, 'is the input file', `Give --${kind} a path of its own: the tool never writes to its input.`);
  }
  const stats = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw refuse(kind, path, `cannot be checked: ${error.message}`);
  });
  if (stats === undefined) return { exists: false };
  checkType(kind, path, stats);
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch((error: NodeJS.ErrnoException) => {
    throw refuse(kind, path, `cannot be read: ${error.message}`);
  });
  try {
    await checkOwn(kind, path, handle);
  } finally {
    await handle.close();
  }
  // The tool never changes the mode of a file it did not create, but it says when others can read it.
  const mode = stats.mode & 0o777;
  const note = mode & 0o077 ? `Note: the ${kind} ${path} can be read by other users (mode ${mode.toString(8)}); it names people: consider chmod 600.` : undefined;
  return { exists: true, note };
}

/**
 * Opens a journal or backup to append to: a new file is created exclusively with mode 0600; an
 * existing one must be a regular file of the tool's own (checked again on the open handle, so a
 * file swapped in after checkRunFile is refused too). Its mode is left as it is.
 */
export async function openRunFile(path: string, kind: RunFileKind): Promise<{ handle: FileHandle; created: boolean }> {
  const flags = constants.O_RDWR | constants.O_APPEND | constants.O_NOFOLLOW;
  try {
    return { handle: await open(path, flags | constants.O_CREAT | constants.O_EXCL, 0o600), created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw openError(kind, path, error);
  }
  let handle: FileHandle;
  try {
    handle = await open(path, flags);
  } catch (error) {
    throw openError(kind, path, error);
  }
  try {
    checkType(kind, path, await handle.stat());
    await checkOwn(kind, path, handle);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return { handle, created: false };
}

function checkType(kind: RunFileKind, path: string, stats: Stats): void {
  if (stats.isSymbolicLink()) {
    throw refuse(kind, path, 'is a symbolic link', `Give --${kind} the path of the file itself: the tool does not write through links.`);
  }
  if (stats.isDirectory()) {
    throw refuse(kind, path, 'is a folder', `Give --${kind} the path of a file, e.g. ${join(path, kind === 'journal' ? 'run.journal.jsonl' : 'backup.jsonl')}.`);
  }
  if (!stats.isFile()) {
    throw refuse(kind, path, 'is not a regular file', `Give --${kind} the path of a new file (the tool creates it) or of a ${kind} it wrote.`);
  }
}

/** An existing file is the tool's own when its first line is a journal header or a person record. */
async function checkOwn(kind: RunFileKind, path: string, handle: FileHandle): Promise<void> {
  const buffer = Buffer.alloc(FIRST_LINE_BYTES);
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
  if (bytesRead === 0) return; // empty: nothing to lose (a run killed before its first line)
  const head = buffer.subarray(0, bytesRead);
  const end = head.indexOf(0x0a);
  const first = head.subarray(0, end === -1 ? head.length : end).toString('utf8');
  const own = kind === 'journal' ? isJournalStart(first, end !== -1) : isBackupStart(first, end !== -1);
  if (!own) {
    throw refuse(
      kind,
      path,
      `is not a posthog-persons ${kind}`,
      `The tool writes only to a new file or to a ${kind} of its own, and never overwrites another file: give --${kind} a new path.`,
    );
  }
}

function isJournalStart(line: string, complete: boolean): boolean {
  // A run killed while writing its header leaves part of it, and nothing else.
  if (!complete) return line.startsWith(JOURNAL_START) || JOURNAL_START.startsWith(line);
  const value = parseObject(line);
  return value !== undefined && value.type === 'run' && typeof value.run_id === 'string' && typeof value.command === 'string';
}

function isBackupStart(line: string, complete: boolean): boolean {
  if (!complete) return false;
  const value = parseObject(line);
  return value !== undefined && typeof value.uuid === 'string' && Array.isArray(value.distinct_ids);
}

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The same file: the same inode when both exist, else the same path. */
async function sameFile(a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  const [sa, sb] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
  return sa !== undefined && sb !== undefined && sa.dev === sb.dev && sa.ino === sb.ino;
}

function refuse(kind: RunFileKind, path: string, problem: string, hint?: string): UsageError {
  return new UsageError(`the ${kind} ${path} ${problem}`, hint);
}

/** A link or a folder is the user's mistake (exit 2); anything else (permissions, a full disk) goes to the caller as it is. */
function openError(kind: RunFileKind, path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return refuse(kind, path, 'is a symbolic link', `Give --${kind} the path of the file itself: the tool does not write through links.`);
  if (code === 'EISDIR') return refuse(kind, path, 'is a folder');
  return error;
}
