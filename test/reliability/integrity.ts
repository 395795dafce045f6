// The integrity rows of the reliability document (reliability-doc.ts): what happens to files the
// user points a run at, to two runs on one journal, to signals and to pipes that close, and which
// exit code a failed bulk run ends with. Each row names the end-to-end test that asserts it (real
// spawned processes against the sandbox); integrity.test.ts checks that each named test exists.

export interface IntegrityRow {
  area: 'files' | 'concurrency' | 'signals' | 'pipes' | 'exit codes';
  condition: string;
  expected: string;
  exit: string;
  /** the test file, and a text of the test's title */
  file: string;
  test: string;
}

const PATHS = 'test/e2e/journal-paths.test.ts';
const LOCK = 'test/e2e/journal-lock.test.ts';
const SIGNALS = 'test/e2e/signals-pipes.test.ts';
const EXIT = 'test/e2e/bulk-exit-codes.test.ts';

export const INTEGRITY_ROWS: IntegrityRow[] = [
  { area: 'files', condition: '`--resume --journal FILE` where FILE is not a journal', expected: 'refused before any request; FILE keeps its bytes and mode (it used to be truncated to 0 bytes)', exit: '2', file: PATHS, test: '--resume --journal on another file' },
  { area: 'files', condition: '`--journal FILE` (no `--resume`) where FILE is not a journal', expected: 'refused before any request; FILE unchanged', exit: '2', file: PATHS, test: '--journal on another file, without --resume' },
  { area: 'files', condition: 'a journal path holding one line without a line end (a key file)', expected: 'refused; not mistaken for a torn journal header and cut', exit: '2', file: PATHS, test: 'another file with no line ending at all' },
  { area: 'files', condition: '`--resume --journal` naming the input file', expected: 'refused; the input unchanged', exit: '2', file: PATHS, test: '--resume --journal on the input file' },
  { area: 'files', condition: 'a journal path that is a symbolic link to another file', expected: 'refused (the tool never writes through links); the target unchanged', exit: '2', file: PATHS, test: 'a symbolic link to another file' },
  { area: 'files', condition: 'a journal path that is a folder', expected: '"the journal … is a folder" and a file path to use instead', exit: '2', file: PATHS, test: 'a folder: a clear error naming it' },
  { area: 'files', condition: '`--journal /dev/null`, `--backup /dev/null` (run as root)', expected: '"is not a regular file"; the mode of /dev/null untouched (it used to become 0600)', exit: '2', file: PATHS, test: '/dev/null as journal or backup' },
  { area: 'files', condition: '`--backup` naming the input file, the journal, or another file', expected: 'refused before any request; the file unchanged', exit: '2', file: PATHS, test: 'nothing sent, nothing changed' },
  { area: 'files', condition: 'a new journal or backup; a later run on the same backup or journal', expected: 'created exclusively with mode 0600; appended to later, its mode left as its owner set it', exit: '0', file: PATHS, test: 'a new journal is created with mode 0600' },
  { area: 'files', condition: 'an existing empty journal or backup that other users can read (mode 644/640)', expected: 'used as it is, its mode unchanged, with a note suggesting chmod 600', exit: '0', file: PATHS, test: 'an existing file readable by others' },
  { area: 'concurrency', condition: 'a second run, and a `--resume`, while a first run holds the journal', expected: 'both refused naming pid, host and start time; the request log shows each identifier sent once; the lock gone at the end', exit: '2', file: LOCK, test: 'a second run and a --resume while the first holds the journal are refused' },
  { area: 'concurrency', condition: 'a lock left by a process that is gone (same host)', expected: 'taken over with a note; the run completes', exit: '0', file: LOCK, test: 'a lock left by a process that is gone' },
  { area: 'concurrency', condition: 'a lock held on another host', expected: 'refused naming the host; the lock left in place', exit: '2', file: LOCK, test: 'a lock held on another host is refused' },
  { area: 'concurrency', condition: 'a dry run while another run holds the journal; a failed run; a run stopped by SIGTERM', expected: 'the dry run takes no lock and works; the others remove their lock', exit: '0 / 1 / 143', file: LOCK, test: 'a dry run takes no lock' },
  { area: 'concurrency', condition: 'three named multi-person deletes started at once without `--journal`', expected: 'three journals (named with milliseconds and pid), all three runs succeed', exit: '0', file: LOCK, test: 'named multi-person deletes started in the same second' },
  { area: 'signals', condition: 'SIGTERM during a bulk delete (a cancelled CI job)', expected: 'requests in flight finish and are journaled, footer "interrupted", the `--resume` hint; `--resume` finishes sending nothing twice', exit: '143', file: SIGNALS, test: 'exits ${code}' },
  { area: 'signals', condition: 'SIGHUP during a bulk delete (the terminal closed)', expected: 'as SIGTERM', exit: '129', file: SIGNALS, test: "['SIGHUP', 129, 'Hung up (SIGHUP)']" },
  { area: 'signals', condition: 'SIGTERM during a command with nothing to save (`list --all`)', expected: '"Terminated (SIGTERM)." and an immediate stop (it used to die by the signal, no exit code)', exit: '143', file: SIGNALS, test: 'SIGTERM during `list --all`' },
  { area: 'pipes', condition: "stderr's reader closes mid-run (a retry notice is written after)", expected: 'messages dropped; the run finishes with its footer', exit: '0', file: SIGNALS, test: "stderr's reader closes mid-run" },
  { area: 'pipes', condition: "stdout's reader closes during a partly failed run with `-o json`", expected: 'the run keeps its exit code (it used to exit 0)', exit: '7', file: SIGNALS, test: "stdout's reader closes during a failed run" },
  { area: 'pipes', condition: '`list --all | head`', expected: 'stops quietly', exit: '0', file: SIGNALS, test: 'stdout closing early is still a success' },
  { area: 'exit codes', condition: 'bulk delete, connection refused on every request', expected: '"Failed, nothing was deleted", footer "failed", the `--resume` hint (it used to say "Done, with failures", exit 7)', exit: '1', file: EXIT, test: 'connection refused every time' },
  { area: 'exit codes', condition: 'bulk delete, 429 on every attempt', expected: 'nothing deleted', exit: '6', file: EXIT, test: '429 on every attempt: exit 6' },
  { area: 'exit codes', condition: '`set-prop` / `unset-prop --from-file`, 500 on every write', expected: '"Failed, nothing was changed"', exit: '1', file: EXIT, test: '500 on every write' },
  { area: 'exit codes', condition: 'bulk delete, one batch of three fails', expected: '"Done, with failures", the journal names the batch', exit: '7', file: EXIT, test: 'some batches succeeded and some failed' },
];
