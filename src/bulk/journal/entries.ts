// The entries of a journal, one JSON object a line: the run header, a batch, the run's end; and
// how a line read back becomes an entry (or says what is wrong with it).

export interface JournalHeader {
  type: 'run';
  version: 1;
  run_id: string;
  started_at: string;
  command: string;
  host: string;
  project: string;
  flags: Record<string, unknown>;
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

export interface JournalBatch {
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

export interface JournalFooter {
  type: 'end';
  run_id: string;
  finished_at: string;
  outcome: 'completed' | 'partial' | 'interrupted' | 'failed';
  /** the run's summary, as printed with -o json (src/bulk/engine/summary.ts) */
  summary: object;
}

export type JournalEntry = JournalHeader | JournalBatch | JournalFooter;

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
    default:
      return `an entry of the unknown type ${JSON.stringify(entry.type)}`;
  }
}
