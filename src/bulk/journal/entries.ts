// The entries of a journal, one JSON object a line: the run header, a batch, the run's end; and
// how a line read back becomes an entry (or says what is wrong with it).

/**
 * On every line: the SHA-256 (lowercase hex) of the previous line's bytes, null on the first line
 * of the file; absent on lines written before the journal was chained. Only Journal.append sets it
 * (src/bulk/journal/journal.ts); src/bulk/journal/chain.ts checks it.
 */
export interface ChainLink {
  prev?: string | null;
}

/** What every section's header of a run over several projects says of the whole run. */
export interface ProjectsRun {
  id: string;
  /** the project ids, in the order the run goes through them */
  projects: string[];
  /** the projects' names as PostHog gave them when the run began (absent when not known) */
  names?: Record<string, string>;
}

export interface JournalHeader extends ChainLink {
  type: 'run';
  version: 1;
  run_id: string;
  started_at: string;
  command: string;
  host: string;
  project: string;
  flags: Record<string, unknown>;
  /**
   * A run over several projects (--projects): each project's section is a run of its own, and
   * every one of their headers carries the same id and the whole list of projects, in order.
   */
  projects_run?: ProjectsRun;
  input?: {
    path: string;
    format: string;
    column?: string;
    rows: number;
    unique: number;
    blank: number;
    duplicates: number;
    /** The input's bytes as read, and their SHA-256 (hex): --resume refuses a file that changed. */
    size?: number;
    sha256?: string;
  };
}

export interface JournalBatch extends ChainLink {
  type: 'batch';
  run_id: string;
  time: string;
  batch: number;
  ids: string[];
  by: string;
  status: 'done' | 'failed';
  http_status?: number;
  response?: unknown;
  error?: string;
  attempts?: number;
  /**
   * The lookup made just before the batch: each identifier of the batch that resolved, with its
   * person's UUID (an identifier absent from it matched no person). Batches of older journals
   * have neither field: their outcome per identifier is unknown.
   */
  found?: Record<string, string>;
  looked_up?: boolean;
}

export interface JournalFooter extends ChainLink {
  type: 'end';
  run_id: string;
  finished_at: string;
  outcome: 'completed' | 'partial' | 'interrupted' | 'failed';
  /** the run's summary, as printed with -o json (src/bulk/engine/summary.ts) */
  summary: object;
}

/**
 * What the emails of an email run resolved to, written before its first write (in chunks, for a
 * long list): each email with the UUIDs of the persons holding it (none: not found). The run then
 * works by person UUID, and --resume re-uses these instead of looking the emails up again.
 */
export interface JournalResolve {
  type: 'resolve';
  run_id: string;
  time: string;
  by: 'email';
  matches: Record<string, string[]>;
}

/**
 * A query-selected run's snapshot: the UUIDs the query matched, listed before any write (deleting
 * while paging by offset would skip persons), in chunks of at most 10,000; --resume works on these
 * instead of running the query again.
 */
export interface JournalSelection {
  type: 'selection';
  run_id: string;
  time: string;
  /** the query flags as given (--where, --email, --search, --properties) */
  query: Record<string, unknown>;
  /** persons in the whole snapshot (the sum of every chunk's uuids) */
  total: number;
  uuids: string[];
}

export type JournalEntry = JournalHeader | JournalBatch | JournalFooter | JournalResolve | JournalSelection;

/** A journal line as an entry, or what is wrong with it. */
export function parseEntry(text: string): JournalEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a journal entry';
  const entry = value as Record<string, unknown>;
  if (typeof entry.run_id !== 'string') return 'not a journal entry (no run_id)';
  switch (entry.type) {
    case 'run':
      if (entry.version !== 1) return `journal version ${JSON.stringify(entry.version)} is not supported by this version of posthog-persons`;
      if (typeof entry.command !== 'string' || typeof entry.host !== 'string') return 'a run header without its command or host';
      return entry as unknown as JournalHeader;
    case 'batch':
      if (!Array.isArray(entry.ids) || !entry.ids.every((id) => typeof id === 'string')) return 'a batch without its list of identifiers';
      if (entry.status !== 'done' && entry.status !== 'failed') return `a batch with the unknown status ${JSON.stringify(entry.status)}`;
      return entry as unknown as JournalBatch;
    case 'end':
      return entry as unknown as JournalEntry;
    case 'resolve':
      if (entry.matches === null || typeof entry.matches !== 'object' || Array.isArray(entry.matches)) return 'a resolve entry without its matches';
      return entry as unknown as JournalResolve;
    case 'selection':
      if (!Array.isArray(entry.uuids) || !entry.uuids.every((id) => typeof id === 'string') || typeof entry.total !== 'number') return 'a selection without its total or list of UUIDs';
      return entry as unknown as JournalSelection;
    default:
      return `an entry of the unknown type ${JSON.stringify(entry.type)}`;
  }
}
