// The --report file of a bulk run or a verify: one row per input identifier, CSV (RFC 4180, with
// the same quoting as `-o csv`, so a bare LF never splits a record) or JSON Lines when the path ends
// in `.jsonl`. The report is rebuilt whole at the end of every run (it covers every run of the
// journal), so it is written to a private temporary file beside its path and renamed over it: a
// reader never sees half a report, and a kill leaves the previous one intact.
//
// Like the journal and the backup, the tool only ever replaces a file it wrote itself: an existing
// path must be a report of posthog-persons (recognised by its first line), else exit 2 before any
// request (checkReportPath).
import { constants } from 'node:fs';
import { lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../../errors.js';
import { stringifyExact } from '../../json/exact-number.js';
import { csvText } from '../../output/values.js';

/**
 * What became of one input identifier. verify uses `present` and `gone`; `not_sent` is an
 * identifier a stopped run never sent (a --resume sends it).
 */
export type ReportOutcome = 'deleted' | 'queued' | 'not_found' | 'failed' | 'duplicate' | 'done_earlier' | 'not_sent' | 'present' | 'gone';

/** The columns every report has, in this order; a run may add more after them (see ReportOptions.extra). */
export const REPORT_COLUMNS = ['identifier', 'kind', 'person_uuid', 'outcome', 'batch', 'time', 'http_status'] as const;

export type ReportRow = {
  identifier: string;
  kind: string;
  /** the person the identifier resolved to; several (an email matching several persons) are joined with spaces in csv */
  person_uuid: string | string[] | null;
  outcome: ReportOutcome | string;
  batch: number | null;
  time: string | null;
  http_status: number | null;
} & Record<string, unknown>;

export interface ReportOptions {
  /** columns after the standard ones (e.g. `project`, `note`), in this order */
  extra?: string[];
}

export type ReportFormat = 'csv' | 'jsonl';

export function reportFormatOf(path: string): ReportFormat {
  return path.toLowerCase().endsWith('.jsonl') ? 'jsonl' : 'csv';
}

/**
 * Checks --report before any request: a new path in an existing folder, or a report this tool
 * wrote. Throws a UsageError (exit 2) naming the problem.
 */
export async function checkReportPath(path: string, others: { input?: string; journal?: string; backup?: string } = {}): Promise<void> {
  for (const [name, other] of Object.entries(others)) {
    if (other !== undefined && other === path) throw new UsageError(`the report ${path} is also the ${name}`, 'Give --report a path of its own.');
  }
  const dir = await lstat(dirname(path)).catch(() => undefined);
  if (dir === undefined || !dir.isDirectory()) throw new UsageError(`the report ${path} cannot be written: its folder ${dirname(path)} does not exist`);
  const stats = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new UsageError(`the report ${path} cannot be checked: ${error.message}`);
  });
  if (stats === undefined) return;
  if (stats.isSymbolicLink()) throw new UsageError(`the report ${path} is a symbolic link`, 'Give --report the path of the file itself.');
  if (!stats.isFile()) throw new UsageError(`the report ${path} is not a regular file`, 'Give --report the path of a new file.');
  if (stats.size === 0) return;
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const first = buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
    if (!isReportStart(first)) {
      throw new UsageError(
        `the report ${path} is not a posthog-persons report`,
        'The tool replaces only a report of its own and never overwrites another file: give --report a new path.',
      );
    }
  } finally {
    await handle.close();
  }
}

function isReportStart(line: string): boolean {
  if (line.startsWith(REPORT_COLUMNS.join(','))) return true;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && 'identifier' in value && 'outcome' in value;
  } catch {
    return false;
  }
}

/** A report being written: rows in, then commit() puts it in place (or abort() leaves no trace). */
export interface ReportWriter {
  readonly path: string;
  readonly format: ReportFormat;
  write(row: ReportRow): Promise<void>;
  /** renames the finished file over `path`; returns the rows written */
  commit(): Promise<number>;
  abort(): Promise<void>;
}

type Stringify = (typeof import('csv-stringify/sync'))['stringify'];

/** Quoting as `-o csv` does it (src/output/render.ts): a CR or LF anywhere is quoted, empty strings are `""`. */
const CSV_OPTIONS: Parameters<Stringify>[1] = {
  record_delimiter: '\r\n',
  quoted_match: /[\r\n]/,
  cast: { string: (value) => (value === '' ? { value, quoted_empty: true } : value) },
};

export async function openReport(path: string, options: ReportOptions = {}): Promise<ReportWriter> {
  const format = reportFormatOf(path);
  const columns = [...REPORT_COLUMNS, ...(options.extra ?? [])];
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const handle: FileHandle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  const stringify: Stringify | undefined = format === 'csv' ? (await import('csv-stringify/sync')).stringify : undefined;
  let pending: string[] = [];
  let size = 0;
  let rows = 0;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    size = 0;
    await handle.write(text);
  };
  const push = async (text: string): Promise<void> => {
    pending.push(text);
    size += text.length;
    if (size >= 64 * 1024) await flush();
  };
  if (stringify) await push(stringify([columns], CSV_OPTIONS));
  let closed = false;
  return {
    path,
    format,
    async write(row) {
      rows += 1;
      if (stringify) {
        const cells = columns.map((column) => {
          const value = row[column];
          if (column === 'person_uuid' && Array.isArray(value)) return value.join(' ');
          return csvText(value);
        });
        await push(stringify([cells], CSV_OPTIONS));
      } else {
        const record: Record<string, unknown> = {};
        for (const column of columns) record[column] = row[column] ?? null;
        await push(`${stringifyExact(record)}\n`);
      }
    },
    async commit() {
      await flush();
      await handle.sync();
      await handle.close();
      closed = true;
      await rename(temp, path);
      return rows;
    },
    async abort() {
      if (!closed) await handle.close().catch(() => undefined);
      closed = true;
      await unlink(temp).catch(() => undefined);
    },
  };
}
