// Renders docs/reliability.md from the data the reliability tests run on: the fault matrix, the
// bad-input catalogue and the kill plan. reliability-doc.test.ts fails when the file differs;
// `node scripts/reliability-doc.mjs` writes it again.
import { BAD_INPUTS, type BadInput } from './bad-input.js';
import { FAULT_MATRIX, FIXTURE, type FaultRow } from './fault-matrix.js';
import { BATCH, CONCURRENCY, describeKills, IDS, KILL_SEED, KILL_TRIALS, KILLS_PER_TRIAL, LATENCY_MS, plan } from './kill-plan.js';
import { INTEGRITY_ROWS } from './integrity.js';

export const REGENERATE = 'node scripts/reliability-doc.mjs';

/** A shell word, quoted only when it has to be. */
function shellWord(word: string): string {
  if (word === '') return "''";
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Inline code in a table cell: pipes escaped, line breaks shown, backticks fenced. */
function code(text: string): string {
  const flat = text.replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\|/g, '\\|');
  const fence = flat.includes('`') ? '``' : '`';
  return `${fence}${fence.length > 1 ? ' ' : ''}${flat}${fence.length > 1 ? ' ' : ''}${fence}`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const command = (args: string[]) => code(['posthog-persons', ...args].map(shellWord).join(' '));

function serverSaw(row: FaultRow): string {
  // Runs of the same answer are shown once with a count: "list 500 ×3".
  const parts: string[] = [];
  for (const entry of row.expect.log) {
    const last = parts.at(-1);
    const match = last && /^(.*?)(?: ×(\d+))?$/.exec(last);
    if (match && match[1] === entry) parts[parts.length - 1] = `${entry} ×${Number(match[2] ?? 1) + 1}`;
    else parts.push(entry);
  }
  return parts.join(', ');
}

function faultMatrix(): string[] {
  const lines = [
    '## Fault matrix',
    '',
    'Each row is one test in `test/reliability/fault-matrix.test.ts`: the CLI runs in-process (the same',
    'argv → exit code path as the binary) against its own sandbox with the fault scripted (`src/sandbox`',
    'fault injection), and the test asserts the exit code,',
    'the exact stdout and stderr, and the requests the server saw, in order (`route status` from the',
    "sandbox's request log; a closed port logs nothing, so there the attempts are counted in the",
    '`--debug` log). The rows live in `test/reliability/fault-matrix.ts`; the outcomes below are the',
    'ones the tests assert, so with the suite green they are what the CLI does.',
    '',
    `Every sandbox holds one person, \`${FIXTURE.distinctIds[0]}\` (${FIXTURE.uuid}); retries back off from a`,
    '20 ms base in the tests (`POSTHOG_PERSONS_BACKOFF_MS=20`) unless a row says otherwise. In the',
    'messages, `{url}` is the sandbox, `{target}` a second server on another origin, `{closed}` a port',
    'nobody listens on, and `{dir}` the working folder.',
    '',
    '| # | fault | expected (quality bar) | command | server saw | retries | exit |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  FAULT_MATRIX.forEach((row, i) => {
    lines.push(
      `| ${i + 1} | ${cell(row.fault)} | ${cell(row.bar)} | ${command(row.args)} | ${serverSaw(row)} | ${row.expect.retries} | ${row.expect.code} |`,
    );
  });
  lines.push('', '### What the user sees', '');
  FAULT_MATRIX.forEach((row, i) => {
    const extra: string[] = [];
    if (row.key === 'wrong') extra.push('a key PostHog does not know');
    if (row.key === 'read') extra.push('a read-only key');
    if (row.env) extra.push(Object.entries(row.env).map(([k, v]) => `${k}=${v}`).join(' '));
    if (row.expect.minMs) extra.push(`takes at least ${row.expect.minMs / 1000} s`);
    lines.push(`**${i + 1}. ${row.id}**: exit ${row.expect.code}${extra.length ? ` (${extra.join('; ')})` : ''}${specialNote(row)}`);
    lines.push('', '```text');
    const shown = (row.expect.stdout ? `[stdout] ${row.expect.stdout}` : '') + (row.expect.stderr || '(nothing on stderr)\n');
    lines.push(...shown.replace(/\n$/, '').split('\n'));
    lines.push('```', '');
  });
  return lines;
}

function specialNote(row: FaultRow): string {
  switch (row.special) {
    case 'backoff-gaps':
      return '. The gaps between the requests are checked: 200-400 ms, then 400-800 ms (equal jitter, doubling).';
    case 'all-workers-pause':
      return '. No request reaches the server between the 429 and the end of its Retry-After except those already in flight; each identifier is in exactly one accepted request and every person is gone.';
    case 'redirect-target':
      return '. The other origin is a real server: it received no request at all, so no Authorization header.';
    default:
      return '';
  }
}

function killTests(): string[] {
  const lines = [
    '## Killed bulk runs',
    '',
    `\`test/reliability/kill.test.ts\`: ${KILL_TRIALS} trials of \`delete --from-file\` with ${IDS.toLocaleString('en-US')} distinct_ids,`,
    `\`--batch-size ${BATCH} --concurrency ${CONCURRENCY}\`, against a sandbox answering after ${LATENCY_MS} ms. Each trial SIGKILLs the run`,
    `${KILLS_PER_TRIAL} times (each restart uses \`--resume\` once a journal exists), then runs it to the end. The moments`,
    `come from seed \`0x${KILL_SEED.toString(16)}\` (kills aimed at "after N batches" count the journal's batch lines, then`,
    'wait a few more ms, so some land between an answer and its journal line):',
    '',
  ];
  plan().forEach((kills, i) => lines.push(`- trial ${i + 1}: killed ${describeKills(kills)}`));
  lines.push(
    '',
    'Each trial asserts, from the sandbox request log and the journal: no identifier the journal recorded',
    'done at a kill is sent again after it; every identifier reached the server in an accepted request;',
    'every person is gone; identifiers sent twice are at most the batches a kill caught in flight; the',
    'final run exits 0. A last check makes sure most kills really landed mid-run.',
    '`test/e2e/delete-kill.test.ts` has the fixed cases (a kill after the second batch, and Ctrl-C).',
    '',
  );
  return lines;
}

function describeInput(input: BadInput): string {
  const parts: string[] = [];
  for (const [name, content] of Object.entries(input.files ?? {})) {
    parts.push(`${name}: ${typeof content === 'string' ? code(content) : `bytes ${content.hex}`}`);
  }
  if (input.stdin !== undefined) parts.push(`stdin: ${code(input.stdin)}`);
  for (const [name, value] of Object.entries(input.env ?? {})) parts.push(value === undefined ? `no ${name}` : `${name}=${code(value)}`);
  return parts.join('; ');
}

function badInputs(): string[] {
  const lines = [
    '## Bad input',
    '',
    `${BAD_INPUTS.length} cases in \`test/reliability/bad-input.ts\`, run by \`test/reliability/bad-input.test.ts\`. Each must exit 2,`,
    "print nothing on stdout, start stderr with `error: `, contain the message below (which names the",
    "problem), show no stack trace, and send no request at all: the sandbox it points at has an empty",
    'request log afterwards. Without a terminal (as in these tests) every destructive command needs `--yes`.',
    '',
    '| # | kind | command | with | message names the problem |',
    '| --- | --- | --- | --- | --- |',
  ];
  BAD_INPUTS.forEach((input, i) => {
    lines.push(`| ${i + 1} | ${input.category} | ${command(input.args)} | ${describeInput(input)} | ${code(input.message)} |`);
  });
  lines.push('');
  return lines;
}

function integrity(): string[] {
  const lines = [
    '## Files, concurrency, signals and pipes',
    '',
    'Each row is asserted by the end-to-end test it names (the CLI against the sandbox, in-process or,',
    'for signals, kills, pipes and races between processes, as a real process; the rows live in',
    '`test/reliability/integrity.ts`, and `integrity.test.ts` checks that every',
    'named test exists). File rows also check the request log is empty and the file keeps its bytes and mode.',
    '',
    '| # | area | condition | expected | exit | test |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  INTEGRITY_ROWS.forEach((row, i) => {
    lines.push(`| ${i + 1} | ${row.area} | ${cell(row.condition)} | ${cell(row.expected)} | ${row.exit} | \`${row.file.replace('test/e2e/', '')}\` |`);
  });
  lines.push('');
  return lines;
}

const STATIC_SECTIONS = `## Property-based tests

fast-check properties, each of which can fail: \`test/reliability/properties.test.ts\` runs every
property on the real code and on a plausible mutant, and requires fast-check to find a
counterexample in the mutant.

- \`--where\`: any generated expression parses to exactly the filter it describes, or is a
  UsageError (exit 2) whose message quotes the expression. Mutants caught: a parser that trims
  values, one that does not unescape \`\\*\`. End to end, 30 sampled expressions go through the
  CLI: the valid ones send exactly their filter, the others exit 2 and send nothing.
- CSV and TSV writers: any records of arbitrary strings (commas, quotes, CR, LF, tabs,
  backslashes, BOM) read back identical through csv-parse set to end a record at CRLF, a bare LF
  or a bare CR (as Python's csv, pandas and spreadsheets do), and by splitting TSV on tabs and
  unescaping. Mutants caught: a CSV writer that only quotes commas, one that quotes CRLF but not
  a bare LF or CR, a TSV writer that does not escape backslashes.
- Input readers: identifiers written as plain lines, CSV or JSON Lines, with blank lines,
  duplicates and CRLF, read back as the unique identifiers in order, with rows, blanks and
  duplicates counted exactly. Mutants caught: a reader that miscounts duplicates, one that splits
  CSV on commas.
- The thorough versions live in \`test/unit/filters/where.test.ts\`,
  \`test/unit/output/round-trip.test.ts\` and \`test/unit/bulk/input.property.test.ts\`.

## Secret hygiene

\`test/reliability/secrets.test.ts\` runs every command with \`--debug\` (list, get, set-prop,
unset-prop, split --yes, delete --yes, delete --from-file with --journal and --backup,
deletion-status, timeline, activity, auth status, auth login --with-token, auth logout, profile
list/use/remove, completion), succeeding and failing: a 401 with a wrong key (which must not
leak either), a 403, a 404, a 500, a usage error, and a thrown network error (connection refused,
whose stack trace \`--debug\` prints). The key, and its middle part, appear in no stdout, no
stderr, no journal, no backup and no file of the config folder except the profile file itself
(which must hold it, so the search means something). It also checks that:

- the profile file is mode 0600 after every write: login, profile use, logout, profile remove,
  and a file made readable by others is tightened on the next write;
- \`auth status\` shows the key masked (\`phx_sand…vyNh\`);
- a key typed where it does not belong (\`--api-key=phx_…\`, \`--api-key-file phx_…\`) is not
  echoed back in the error.
- every PostHog secret prefix (\`phx_\` personal keys, \`pha_\`/\`phr_\` OAuth tokens, \`phs_\` secret
  keys) is masked in journal lines and error messages, while identifiers stay exact
  (\`test/unit/bulk/journal-redact.test.ts\`).

## Profile store

\`test/e2e/profile-store.test.ts\` runs the built CLI as separate processes on one config folder:

| case | outcome asserted |
| --- | --- |
| 10 \`auth login --with-token\` at once, each to its own profile | all exit 0; all 10 profiles are in the file afterwards; mode 0600; no lock or temporary file left behind |
| \`auth logout -p a\` at the same time as 9 logins to other profiles (twice) | the removed key stays removed; all 9 logins are kept |
| a lock file left by a process that no longer exists | taken over; the login saves |
| a lock file held by a live process (wait shortened to 300 ms) | after the wait, exit 1 naming the process, its host and the lock file; nothing saved |
| a config file that is not valid JSON, every setting from the environment | the command runs; one warning on stderr names the file |
| the same, with the key expected from the profile | exit 2 naming the file; no request sent |
| \`auth login\` with that file | exit 2 naming the file, before the key is sent; the file is left as it was |
| \`POSTHOG_PERSONS_CONFIG_DIR\` pointing at a file | \`auth login\` exits 2 naming it before the key is sent; \`list\` from the environment still works |
| a config folder that is not writable (skipped when run as root) | exit 2 naming the folder, before the key is sent |

## Older PostHog servers

\`test/reliability/legacy.test.ts\`, against the sandbox's older generation (\`--generation older\`) and a
small cursor-paging server (\`test/e2e/write-generations.test.ts\` runs every write command against all
three generations; [posthog-versions.md](posthog-versions.md) says how they differ):

- \`bulk_delete\` answering an empty 202: \`delete --from-file\` exits 0, reports requested and
  accepted with found/deleted/not found as "unknown" (not 0), journals every batch done, and a
  \`--resume\` afterwards sends nothing.
- A \`bulk_delete\` summary without \`persons_queued_for_deletion\`: "queued for deletion" is
  unknown (null in JSON), not 0.
- \`$unset\`: \`unset-prop P a b\` sends one request a key (\`{"$unset": "a"}\`), since this generation
  answers success to a list and removes nothing; both properties are gone; exit 0.
- \`DELETE /persons/{id}/\` answering 204: the HTTP layer takes it as success (no command sends
  DELETE; deletion goes through \`bulk_delete\`).
- Cursor pagination: \`list --all\` follows \`next\` links with \`?cursor=\`, and uses only the path
  and query of a \`next\` that names another origin.
`;

export function renderReliabilityDoc(): string {
  return [
    '# Reliability and security',
    '',
    '<!-- Generated from test/reliability/*.ts; do not edit by hand. -->',
    `<!-- After changing the data there, run \`${REGENERATE}\`; test/reliability/reliability-doc.test.ts fails while this file is out of date. -->`,
    '',
    'What posthog-persons does under faults, with bad input, when killed mid-run, and with the API',
    'key, as checked by the tests in `test/reliability/` (run them with `npx vitest run test/reliability`).',
    'The bars are in the quality bars document; this page lists every case and its asserted outcome.',
    '',
    ...faultMatrix(),
    ...killTests(),
    ...badInputs(),
    ...integrity(),
    STATIC_SECTIONS,
  ].join('\n');
}
