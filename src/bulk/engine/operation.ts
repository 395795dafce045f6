// What a bulk operation is: what it journals, how it sends a batch, how it tallies the answers and
// how it describes itself in the dry run, the plan before the confirmation and the summary. The
// skeleton that runs any of them (dry run → confirm → run → summary) is src/bulk/engine/run.ts;
// delete, set-prop and unset-prop are its implementations in src/bulk/ops/. A new operation is a
// new file there, not a new skeleton.
import type { ConfirmRequest } from '../../io/confirm.js';
import type { IdLookup } from '../input/id-set.js';
import type { IdKind, InputResult } from '../input/read-input.js';
import type { Batch, BatchContext, BatchReport } from './runner.js';
import type { BulkSummary, Tally } from './summary.js';

/** What a run is about to do, once its input and journal are read: the same for every operation. */
export interface RunPlan {
  /** what the identifiers are */
  by: IdKind;
  /** unique identifiers of the input */
  requested: number;
  /** identifiers this run sends (requested minus those the journal records done) */
  toSend: number;
  /** identifiers the journal records done */
  skipped: number;
  /** the journal's identifiers done, which this run skips */
  done: IdLookup;
  /** the first identifiers to send (the dry run and the prompt name them) */
  first: string[];
  /** what the input's notes say (src/bulk/input/notes.ts); empty without an input file */
  notes: string[];
  /** the journal, when the run keeps one */
  journal?: string;
  /** the input file, for a --from-file run */
  input?: { path: string; source: string; read: InputResult };
}

/** The lines of the plan before the confirmation: `say` is silenced by -q with --yes, `tell` is not. */
export interface PlanVoices {
  say(line: string): void;
  tell(line: string): void;
}

export interface BulkOperation<S extends BulkSummary> {
  /** the command the journal records; a --resume must be of the same one */
  readonly command: S['command'];
  /** what the progress bar counts ("ids", "persons") */
  readonly progressUnit: string;
  /** the shortest time the rate limits allow for the requests `items` more items need (the bar's ETA) */
  limitEtaMs?(items: number): number;
  /** the journal header's flags, and those of them a --resume must repeat */
  journalFlags(by: IdKind): { flags: Record<string, unknown>; sameOnResume: string[] };
  /** checks made once the journal's path is known, before the input is counted (a --backup file) */
  checkFiles?(journal: string | undefined): Promise<void>;
  /** the dry run's output: nothing is sent */
  dryRun(plan: RunPlan): Promise<void>;
  /** the plan said before the confirmation (only when something is to be sent) */
  announce(plan: RunPlan, voices: PlanVoices): void;
  /** the question the confirmation asks */
  confirmation(plan: RunPlan): ConfirmRequest;
  /** after the confirmation, before the first request (opens a backup); returns a file to name in the summary */
  start?(): Promise<{ backup?: string } | void>;
  /** sends one batch; a throw means the whole batch failed (after the HTTP layer's retries) */
  execute(batch: Batch, context: BatchContext): Promise<BatchReport[]>;
  /** a new tally for one run */
  tally(by: IdKind): Tally<S>;
  /** the summary for people (stderr) */
  format(summary: S): string[];
  /** once the batches are over, before the summary (closes a backup) */
  cleanup?(): Promise<void>;
}
