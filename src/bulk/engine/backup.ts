// --backup PATH: every person's full record, as JSON Lines, written and synced to disk before the
// bulk_delete that removes them is sent. Records are fetched with the batch endpoints, 200 a
// request, never one request a person: except for persons with 10 or more distinct_ids, which the
// batch endpoints cut at 10 (docs/posthog-api-notes.md, "Batch lookups") and which are fetched
// whole, one by one.
import { mkdir, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CliError, ExitCode } from '../../errors.js';
import type { LookupKind, PersonsApi, RetrievedPerson } from '../../api/persons.js';
import { openRunFile } from '../journal/run-files.js';
import { stringifyExact } from '../../json/exact.js';

/** The batch endpoints return at most this many distinct_ids a person. */
const BATCH_DISTINCT_ID_CAP = 10;

export class Backup {
  private queue: Promise<void> = Promise.resolve();
  private readonly written = new Set<string>();
  saved = 0;

  private constructor(
    readonly path: string,
    private handle: FileHandle | undefined,
  ) {}

  /**
   * Creates the file (exclusively, mode 0600, private like the journal) or opens a backup of this
   * tool to append to (a resumed run adds to it). Any other file is refused (src/bulk/journal/run-files.ts).
   */
  static async open(path: string): Promise<Backup> {
    try {
      await mkdir(dirname(path), { recursive: true });
      const { handle } = await openRunFile(path, 'backup');
      return new Backup(path, handle);
    } catch (error) {
      throw backupError(path, error);
    }
  }

  /** Fetches and durably writes the records of the persons behind `ids`; returns how many were found. */
  async save(api: PersonsApi, ids: readonly string[], by: LookupKind): Promise<number> {
    return this.saveFound(api, await api.lookupPersons(ids, by));
  }

  /** The same, from a lookup already made (a delete looks each batch up anyway). */
  async saveFound(api: PersonsApi, found: ReadonlyMap<string, RetrievedPerson>): Promise<number> {
    const persons = new Map<string, RetrievedPerson>();
    for (const person of found.values()) persons.set(person.uuid, person);
    for (const [uuid, person] of persons) {
      if ((person.distinct_ids?.length ?? 0) >= BATCH_DISTINCT_ID_CAP) persons.set(uuid, await api.retrieve(uuid));
    }
    const fresh = [...persons.values()].filter((p) => !this.written.has(p.uuid));
    // Records as PostHog sent them, integers past 2^53 included.
    if (fresh.length > 0) await this.write(fresh.map((p) => `${stringifyExact(p)}\n`).join(''));
    for (const person of fresh) this.written.add(person.uuid);
    this.saved += fresh.length;
    return persons.size;
  }

  async close(): Promise<void> {
    await this.queue;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private write(text: string): Promise<void> {
    const bytes = Buffer.from(text, 'utf8');
    const write = this.queue.then(async () => {
      const handle = this.handle;
      if (!handle) throw new Error(`the backup ${this.path} is closed`);
      try {
        for (let offset = 0; offset < bytes.length; ) {
          const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, null);
          offset += bytesWritten;
        }
        await handle.datasync();
      } catch (error) {
        throw backupError(this.path, error);
      }
    });
    this.queue = write.catch(() => undefined);
    return write;
  }
}

/** A backup that cannot be written stops the run: no person may be deleted without its record. */
class BackupError extends CliError {
  readonly fatal = true;
}

function backupError(path: string, error: unknown): CliError {
  if (error instanceof CliError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new BackupError(`cannot write the backup ${path}: ${detail}`, ExitCode.failure);
}
