// The journal of a bulk run: append-only JSON Lines that make an interrupted run resumable and
// stay behind as the record of what was done (privacy teams keep it as proof of an erasure).
//
// Safe against a kill at any moment: every entry is one write of a whole line ending in "\n",
// synced to disk before its promise resolves, so a line is either complete or a torn tail that
// readers ignore. Secrets cannot get in: every entry passes through serializeEntry on the way out.
// Tamper-evident: append gives every line `prev`, the SHA-256 of the line before it (chain.ts).

import { mkdir, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError, ExitCode } from '../../errors.js';
import { lineHash } from './chain.js';
import { parseEntry, type JournalBatch, type JournalEntry, type JournalFooter, type JournalHeader, type JournalResolve, type JournalSelection } from './entries.js';
import { openRunFile } from './run-files.js';
import { serializeEntry } from './redact.js';

export type { JournalBatch, JournalEntry, JournalFooter, JournalHeader, JournalResolve, JournalSelection } from './entries.js';

export class Journal {
  readonly path: string;
  private handle: FileHandle | undefined;
  /** Writes run one after another, so concurrent workers never interleave their lines. */
  private queue: Promise<void> = Promise.resolve();
  /** After a failed write the file may end in a partial line: nothing more may be appended. */
  private failure: unknown;
  /** The hash of the last line written (or found on opening): the next line's `prev`. */
  private lastHash: string | null;
  /**
   * Lines of an earlier version at the start of the file, without `prev` (0 when the file is new
   * or chained): the chain of this run starts after them, and the run says so.
   */
  readonly unchainedLines: number;

  private constructor(path: string, handle: FileHandle, tail: Tail) {
    this.path = path;
    this.handle = handle;
    this.lastHash = tail.lastHash;
    this.unchainedLines = tail.unchainedLines;
  }

  /**
   * Creates the journal (exclusively, mode 0600, and its folder) or opens a journal of this tool
   * to append a resumed run. Any other file is refused (src/bulk/journal/run-files.ts), and an existing
   * journal keeps the mode its owner gave it.
   */
  static async open(path: string): Promise<Journal> {
    let handle: FileHandle;
    try {
      await mkdir(dirname(path), { recursive: true });
      ({ handle } = await openRunFile(path, 'journal'));
    } catch (err) {
      throw writeError(path, err);
    }
    let tail: Tail;
    try {
      tail = await readTail(handle, await settleTornTail(handle));
    } catch (err) {
      await handle.close();
      throw writeError(path, err);
    }
    return new Journal(path, handle, tail);
  }

  async writeHeader(header: Omit<JournalHeader, 'type' | 'version'>): Promise<void> {
    await this.append({ type: 'run', version: 1, ...header });
  }

  async writeBatch(batch: Omit<JournalBatch, 'type'>): Promise<void> {
    await this.append({ type: 'batch', ...batch });
  }

  async writeResolve(resolve: Omit<JournalResolve, 'type'>): Promise<void> {
    await this.append({ type: 'resolve', ...resolve });
  }

  async writeFooter(footer: Omit<JournalFooter, 'type'>): Promise<void> {
    await this.append({ type: 'end', ...footer });
  }

  async writeSelection(selection: Omit<JournalSelection, 'type'>): Promise<void> {
    await this.append({ type: 'selection', ...selection });
  }

  /** Waits for pending writes, then closes the file. Safe to call twice. */
  async close(): Promise<void> {
    await this.queue;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private append(entry: JournalEntry): Promise<void> {
    // Lines are written in the order append is called (the queue), so the chain is made here.
    const line = Buffer.from(serializeEntry({ ...entry, prev: this.lastHash }), 'utf8');
    this.lastHash = lineHash(line);
    const bytes = Buffer.concat([line, NEWLINE]);
    const write = this.queue.then(async () => {
      if (this.failure !== undefined) throw this.failure;
      const handle = this.handle;
      if (handle === undefined) throw new Error(`the journal ${this.path} is closed`);
      try {
        await writeWhole(handle, bytes);
        await handle.datasync();
      } catch (err) {
        this.failure = writeError(this.path, err);
        throw this.failure;
      }
    });
    this.queue = write.catch(() => undefined);
    return write;
  }
}

const NEWLINE = Buffer.from('\n');

interface Tail {
  lastHash: string | null;
  unchainedLines: number;
}

/**
 * What the next line chains to: the hash of the file's last complete line, and, when that line
 * has no `prev` (a journal of an earlier version), how many lines come before the chain.
 */
async function readTail(handle: FileHandle, last: Buffer | undefined): Promise<Tail> {
  if (last === undefined) return { lastHash: null, unchainedLines: 0 };
  let chained = false;
  try {
    const value: unknown = JSON.parse(last.toString('utf8'));
    chained = typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, 'prev');
  } catch {
    // A damaged last line: readers say so; the chain still covers it.
  }
  return { lastHash: lineHash(last), unchainedLines: chained ? 0 : await countLines(handle) };
}

async function countLines(handle: FileHandle): Promise<number> {
  const { size } = await handle.stat();
  const chunk = Buffer.alloc(64 * 1024);
  let lines = 0;
  for (let position = 0; position < size; ) {
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) break;
    for (let at = chunk.indexOf(0x0a); at !== -1 && at < bytesRead; at = chunk.indexOf(0x0a, at + 1)) lines++;
    position += bytesRead;
  }
  return lines;
}

async function writeWhole(handle: FileHandle, bytes: Buffer): Promise<void> {
  // The file is opened for appending, so every write lands at its end whatever the position.
  for (let offset = 0; offset < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, null);
    offset += bytesWritten;
  }
}

/**
 * Before appending to a journal whose last run was killed mid-write, deal with its unterminated
 * last line: a complete entry gets its missing "\n"; a torn fragment is cut off (its request was
 * never confirmed, so its identifiers are simply sent again). Appending after the fragment instead
 * would glue two lines together and damage the next entry. Returns the last complete line's bytes
 * (without its "\n"), which the next line chains to.
 */
async function settleTornTail(handle: FileHandle): Promise<Buffer | undefined> {
  let { size } = await handle.stat();
  if (size === 0) return undefined;
  const lastLineStart = await startOfLastLine(handle, size);
  if (lastLineStart !== size) {
    const tail = Buffer.alloc(size - lastLineStart);
    await handle.read(tail, 0, tail.length, lastLineStart);
    if (typeof parseEntry(tail.toString('utf8')) === 'object') {
      await writeWhole(handle, NEWLINE);
      await handle.datasync();
      return tail;
    }
    await handle.truncate(lastLineStart);
    await handle.datasync();
    size = lastLineStart;
    if (size === 0) return undefined;
  }
  // The file ends with "\n" at size - 1: its last line starts after the "\n" before that.
  const start = await startOfLastLine(handle, size - 1);
  const last = Buffer.alloc(size - 1 - start);
  await handle.read(last, 0, last.length, start);
  return last;
}

/** The offset just after the last "\n" (0 if there is none; `size` if the file ends with one). */
async function startOfLastLine(handle: FileHandle, size: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024);
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await handle.read(chunk, 0, end - start, start);
    const at = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (at !== -1) return start + at + 1;
    end = start;
  }
  return 0;
}

function writeError(path: string, err: unknown): unknown {
  if (err instanceof CliError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new CliError(`cannot write the journal ${path}: ${detail}`, ExitCode.failure);
}

/**
 * Where a run keeps its journal unless --journal says otherwise: beside the input file
 * (`people.csv.delete.journal.jsonl`), else in the current folder, named with the start time in
 * UTC to the millisecond and the process id, so two runs started at once never share a journal
 * (`posthog-persons-delete-20250102-030405-678-4321.journal.jsonl`).
 */
export function defaultJournalPath(opts: { inputPath?: string; command: string; now: Date; cwd: string; pid: number }): string {
  const command = opts.command.trim().replace(/[^A-Za-z0-9_-]+/g, '-');
  if (opts.inputPath !== undefined && opts.inputPath !== '' && opts.inputPath !== '-') {
    const input = resolve(opts.cwd, opts.inputPath);
    return join(dirname(input), `${basename(input)}.${command}.journal.jsonl`);
  }
  return join(resolve(opts.cwd), `posthog-persons-${command}-${timestamp(opts.now)}-${opts.pid}.journal.jsonl`);
}

function timestamp(now: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const date = `${now.getUTCFullYear()}${two(now.getUTCMonth() + 1)}${two(now.getUTCDate())}`;
  return `${date}-${two(now.getUTCHours())}${two(now.getUTCMinutes())}${two(now.getUTCSeconds())}-${String(now.getUTCMilliseconds()).padStart(3, '0')}`;
}
