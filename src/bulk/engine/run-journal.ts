// How a bulk run uses its journal: where it lives, what --resume may skip, and refusing the two
// mistakes that would corrupt the record (resuming with different flags, or starting a second,
// unrelated run in a journal that already holds one).
import { randomUUID } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import type { Factory } from '../../factory.js';
import { IdSet, type IdLookup } from '../input/id-set.js';
import { checkChain } from '../journal/chain.js';
import { lockJournal } from '../journal/lock.js';
import { checkRunFile } from '../journal/run-files.js';
import { defaultJournalPath, Journal, type JournalHeader } from '../journal/journal.js';
import { readJournal } from '../journal/read.js';
import type { ProjectsRun } from '../journal/entries.js';
import type { InputDigest, InputStats } from '../input/read-input.js';

export interface JournalPlanOptions {
  command: string;
  host: string;
  project: string;
  /** --journal */
  path?: string;
  resume?: boolean;
  /** the --from-file path ('-' for stdin and other streams), for the default journal beside it */
  inputPath?: string;
  /** what the input held: on --resume, a regular file must hold the same as when the journal began */
  inputDigest?: InputDigest;
  /** the flags of this run, recorded in the header */
  flags: Record<string, unknown>;
  /** flags that must be the same on --resume (what is being done to each identifier) */
  sameOnResume: string[];
  /** a dry run writes nothing, so it takes no lock (and works beside a read-only input) */
  dryRun?: boolean;
  /**
   * A section of a run over several projects: the shared id and list go in the header; on
   * --resume a project the journal has no section of yet starts afresh in the same file.
   */
  projectsRun?: ProjectsRun;
  /** the caller already holds the journal's lock (the later sections of a run over several projects) */
  lockHeld?: boolean;
}

export interface JournalPlan {
  path: string;
  resume: boolean;
  /** identifiers a previous run recorded done */
  done: IdLookup;
  /** identifiers whose batch failed last time: sent again */
  retry: number;
  previousRuns: number;
  /** the projects_run id of the journal's last run of this operation, when it was part of one */
  projectsRunId?: string;
}

/** Decided before any request; reads an existing journal only on --resume. */
export async function planJournal(factory: Factory, o: JournalPlanOptions): Promise<JournalPlan> {
  try {
    return await choosePlan(factory, o);
  } finally {
    // The input's duplicate index left its buffers for the journal's set of identifiers done
    // (--resume); once that set is made, or when there is none, nothing else wants them.
    IdSet.dropSpare();
  }
}

async function choosePlan(factory: Factory, o: JournalPlanOptions): Promise<JournalPlan> {
  const fromFile = o.inputPath !== undefined && o.inputPath !== '-';
  if (o.resume && o.path === undefined && !fromFile) {
    throw new UsageError('--resume needs --journal PATH: the journal of the run to resume', 'Runs without an input file keep their journal in a file named with the start time; pass that file.');
  }
  const path = o.path !== undefined ? resolve(factory.cwd, o.path) : defaultJournalPath({ inputPath: o.inputPath, command: o.command, now: factory.now(), cwd: factory.cwd, pid: process.pid });
  // A new file, or a journal of this tool; never another file (which --resume would have cut short).
  const { note } = await checkRunFile(path, 'journal', { input: fromFile ? resolve(factory.cwd, o.inputPath!) : undefined });
  if (note) factory.io.err(note);
  // One run per journal, from before the journal is read to the end of the run.
  if (!o.dryRun && !o.lockHeld) {
    const lock = await lockJournal(path, { command: o.command, now: factory.now(), note: (line) => factory.io.err(line) });
    factory.onClose(() => lock.release());
  }
  if (!o.resume) {
    const size = await stat(path).then((s) => s.size, () => 0);
    if (size > 0) {
      throw new UsageError(
        `the journal ${path} already records an earlier run`,
        'Pass --resume to continue that run (identifiers recorded done are skipped), or --journal PATH to keep this run in a new file.',
      );
    }
    return { path, resume: false, done: new Set(), retry: 0, previousRuns: 0 };
  }
  // A run killed while it was writing its header left no complete line: it sent nothing (the
  // header comes before any request), so there is nothing to skip and the run starts afresh.
  if (await holdsNoCompleteLine(path)) {
    if (!o.lockHeld) factory.io.err(`Note: the journal ${path} holds no complete entry (its run stopped before sending anything); starting afresh.`);
    return { path, resume: true, done: new Set(), retry: 0, previousRuns: 0 };
  }
  const state = await readJournal(path, { command: o.command, host: o.host, project: o.project });
  // A project of a run over several projects that the interrupted run never reached.
  if (state.runs === 0 && o.projectsRun !== undefined) return { path, resume: false, done: new Set(), retry: 0, previousRuns: 0 };
  if (state.runs === 0 || state.lastHeader === undefined) {
    throw new UsageError(`the journal ${path} records no ${o.command} run against ${o.host}, project ${o.project}`, 'Check --journal, --host and --project.');
  }
  checkSameFlags(state.lastHeader, o);
  checkSameInput(factory, state.lastHeader, o);
  // (a later section of a run over several projects reads the same file: said once, by the first)
  if (state.corruptTail && !o.lockHeld) factory.io.err(`Note: the journal's last line was cut short by the previous run's end; its identifiers are sent again.`);
  // The erasure must still be finishable, so a changed journal is resumed, but never silently.
  const chain = await checkChain(path);
  if (!chain.ok && !o.lockHeld) factory.io.err(`Warning: the journal's hash chain is broken: ${chain.message}. This run adds to it, but the record before it cannot serve as proof.`);
  return { path, resume: true, done: state.done, retry: state.failed.size, previousRuns: state.runs, projectsRunId: state.lastHeader.projects_run?.id };
}

function checkSameFlags(header: JournalHeader, o: JournalPlanOptions): void {
  for (const key of o.sameOnResume) {
    const before = JSON.stringify(header.flags[key] ?? null);
    const now = JSON.stringify(o.flags[key] ?? null);
    if (before !== now) {
      throw new UsageError(
        `--resume with different flags: the journal's run had ${key}=${before}, this one has ${key}=${now}`,
        'Resume with the same flags as the original run, or start a new run with another --journal PATH.',
      );
    }
  }
}

/**
 * A file that changed since the journal's run began would make --resume skip and send the wrong
 * identifiers (the journal's "done" belongs to the old content): refuse it. Stdin and other streams
 * are not compared (each run reads what it is given). Journals written before the input was hashed
 * resume with a note.
 */
function checkSameInput(factory: Factory, header: JournalHeader, o: JournalPlanOptions): void {
  const fromFile = o.inputPath !== undefined && o.inputPath !== '-';
  if (!fromFile || o.inputDigest === undefined || header.input === undefined || header.input.path === '-') return;
  const before = header.input;
  if (before.sha256 === undefined || before.size === undefined) {
    factory.io.err(`Note: the journal does not record a hash of its input (it predates that check), so it cannot tell whether ${o.inputPath} changed since its run.`);
    return;
  }
  if (before.sha256 === o.inputDigest.sha256 && before.size === o.inputDigest.size) return;
  throw new UsageError(
    `--resume with a changed input: ${o.inputPath} holds ${o.inputDigest.size.toLocaleString('en-US')} bytes (SHA-256 ${o.inputDigest.sha256.slice(0, 12)}…) but the journal's run read ${before.size.toLocaleString('en-US')} bytes (SHA-256 ${before.sha256.slice(0, 12)}…)`,
    'Resume with the file as it was, or start a new run for the new content with another --journal PATH.',
  );
}

export interface OpenedJournal {
  journal: Journal;
  runId: string;
}

/** Creates (or appends to) the journal and writes this run's header. Never given the key. */
export async function openRunJournal(
  factory: Factory,
  plan: JournalPlan,
  o: JournalPlanOptions & { input?: { path: string; format: string; column?: string; stats: InputStats; digest?: InputDigest } },
): Promise<OpenedJournal> {
  const journal = await Journal.open(plan.path);
  if (journal.unchainedLines > 0) {
    const n = journal.unchainedLines;
    factory.io.err(`Note: this journal was started by an earlier version: lines 1–${n} are not hash-chained; the chain starts at this run's header (line ${n + 1}).`);
  }
  const runId = randomUUID();
  const input = o.input
    ? {
        path: o.input.path === '-' ? '-' : resolve(factory.cwd, o.input.path),
        format: o.input.format,
        ...(o.input.column ? { column: o.input.column } : {}),
        ...o.input.stats,
        ...(o.input.digest ? { size: o.input.digest.size, sha256: o.input.digest.sha256 } : {}),
      }
    : undefined;
  try {
    await journal.writeHeader({
      run_id: runId,
      started_at: factory.now().toISOString(),
      command: o.command,
      host: o.host,
      project: o.project,
      flags: { ...o.flags, resume: plan.resume },
      ...(o.projectsRun ? { projects_run: o.projectsRun } : {}),
      ...(input ? { input } : {}),
    });
  } catch (error) {
    await journal.close().catch(() => undefined);
    throw error;
  }
  return { journal, runId };
}

/** True when the file exists and has no line ending in its first 64 KiB (a header is far shorter). */
async function holdsNoCompleteLine(path: string): Promise<boolean> {
  const file = await open(path, 'r').catch(() => undefined);
  if (!file) return false;
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    return !buffer.subarray(0, bytesRead).includes(0x0a);
  } finally {
    await file.close();
  }
}
