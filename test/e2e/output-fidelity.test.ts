// What leaves the tool is what PostHog holds: a CSV export of the sandbox's tricky persons reads
// back through real consumers one record per person with every cell as the API returned it,
// integers past 2^53 keep every digit in every format, and control characters from the server
// reach a terminal only as visible escapes (the machine formats keep them exact).
import { spawnSync } from 'node:child_process';
import { parse as csvParse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isExactNumber, parseExact, stringifyExact } from '../../src/json/exact.js';
import { SANDBOX_KEYS, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { stripAnsi } from '../helpers/cli.js';
import { ON_A_TERMINAL, runInProcess, screenOf } from '../helpers/in-process.js';

const BIG = '12345678901234567890';
const NEG_BIG = '-9007199254740993';
/** The name of the sandbox's tricky person `control-chars`, raw and as a terminal must show it. */
const EVIL_NAME = 'Control\u001b[2J Chars\u001b]0;pwned\u0007\rDelete nobody?\u009b31m\u007f';
const EVIL_SHOWN = 'Control\\x1b[2J Chars\\x1b]0;pwned\\x07\\rDelete nobody?\\u009b31m\\x7f';
/** Raw pieces that must never reach a terminal. */
const RAW = ['\u001b[2J', '\u001b]0;pwned', '\u0007', '\u009b', '\u007f', '\u001b[31m-red'];

const hasPython = spawnSync('python3', ['-c', 'import csv, json, sys'], { stdio: 'ignore' }).status === 0;

let sandbox: Sandbox;
let evilUuid: string;

interface ApiPerson {
  uuid: string;
  name: unknown;
  distinct_ids: string[];
  created_at: string;
  last_seen_at: string | null;
  is_identified: boolean;
  properties: Record<string, unknown>;
}

/** The list as the API returns it, read without rounding anything. */
async function apiPersons(): Promise<ApiPerson[]> {
  const response = await fetch(`${sandbox.url}/api/projects/1/persons/?limit=1000`, {
    headers: { Authorization: `Bearer ${SANDBOX_KEYS.all.key}` },
  });
  return (parseExact(await response.text()) as { results: ApiPerson[] }).results;
}

/** A value as one CSV cell: text as it is, arrays and objects as JSON, numbers as their digits. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (isExactNumber(value)) return value.text;
  if (typeof value === 'object') return stringifyExact(value);
  return String(value);
}

beforeAll(async () => {
  // 120 persons: the tricky ones (the newest) and generated ones, as in the bug report.
  sandbox = await startSandbox({ persons: 120, writeLagMs: 0 });
  evilUuid = (await apiPersons()).find((p) => p.distinct_ids.includes('control-chars'))!.uuid;
});
beforeEach(() => sandbox.clearRequests());
afterAll(() => sandbox.close());

describe('CSV export of the tricky persons', () => {
  const FIELDS = [
    'uuid', 'name', 'distinct_ids', 'created_at', 'last_seen_at', 'is_identified', 'properties',
    'properties.lf', 'properties.cr', 'properties.crlf', 'properties.notes', 'properties.comma_quote',
    'properties.spaces', 'properties.controls', 'properties.big_integer', 'properties.negative_big',
  ];
  let csv: string;
  let expected: string[][];

  beforeAll(async () => {
    const r = await runInProcess(['list', '--all', '--page-size', '1000', '-o', 'csv', '--fields', FIELDS.join(',')], { sandbox });
    expect(r.code).toBe(0);
    csv = r.stdout;
    const persons = await apiPersons();
    expect(persons).toHaveLength(120);
    expected = [
      FIELDS,
      ...persons.map((p) =>
        FIELDS.map((field) => cell(field.startsWith('properties.') ? p.properties[field.slice('properties.'.length)] : p[field as keyof ApiPerson])),
      ),
    ];
    // The data this test is about is really there.
    const evil = expected.find((row) => row[0] === evilUuid)!;
    expect(evil.slice(7, 9)).toEqual(['bare LF\nhere', 'bare CR\rhere']);
    expect(evil.slice(-2)).toEqual([BIG, NEG_BIG]);
  });

  it('reads back through a parser that ends a record at a bare LF: one record a person, every cell exact', () => {
    const rows = csvParse(csv, { record_delimiter: ['\r\n', '\n', '\r'] }) as string[][];
    expect(rows).toHaveLength(121);
    expect(rows).toEqual(expected);
  });

  it.skipIf(!hasPython)("reads back through Python's csv module: one record a person, every cell exact", () => {
    const script = 'import csv, io, json, sys\nrows = list(csv.reader(io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", newline="")))\nsys.stdout.write(json.dumps(rows))';
    const python = spawnSync('python3', ['-c', script], { input: csv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(python.stderr).toBe('');
    const rows = JSON.parse(python.stdout) as string[][];
    expect(rows).toHaveLength(121);
    expect(rows).toEqual(expected);
  });
});

describe('integers past 2^53 keep every digit', () => {
  it('get -o json and -o jsonl print them as JSON numbers', async () => {
    const json = await runInProcess(['get', 'control-chars', '-o', 'json'], { sandbox });
    expect(json.code).toBe(0);
    expect(json.stdout).toContain(`    "big_integer": ${BIG},\n    "negative_big": ${NEG_BIG},\n`);
    const jsonl = await runInProcess(['get', 'control-chars', '-o', 'jsonl', '--fields', 'properties.big_integer,properties.negative_big'], { sandbox });
    expect(jsonl.stdout).toBe(`{"properties.big_integer":${BIG},"properties.negative_big":${NEG_BIG}}\n`);
  });

  it('list -o jsonl prints the whole object with the digits', async () => {
    const r = await runInProcess(['list', '--search', 'control-chars', '-o', 'jsonl'], { sandbox });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`"big_integer":${BIG},"negative_big":${NEG_BIG},`);
  });

  it('csv, tsv and table print plain digits', async () => {
    const fields = ['--fields', 'properties.big_integer,properties.negative_big'];
    expect((await runInProcess(['get', 'control-chars', '-o', 'csv', ...fields], { sandbox })).stdout).toBe(
      `properties.big_integer,properties.negative_big\r\n${BIG},${NEG_BIG}\r\n`,
    );
    expect((await runInProcess(['get', 'control-chars', '-o', 'tsv', ...fields], { sandbox })).stdout).toBe(`${BIG}\t${NEG_BIG}\n`);
    expect((await runInProcess(['list', '--search', 'control-chars', '-o', 'table', ...fields], { sandbox })).stdout).toBe(
      `properties.big_integer  properties.negative_big\n${BIG}    ${NEG_BIG}\n`,
    );
  });

  it('the get card prints them as digits', async () => {
    const r = await runInProcess(['get', 'control-chars', '-o', 'table'], { sandbox });
    expect(r.stdout).toContain(`  big_integer   ${BIG}\n`);
    expect(r.stdout).toContain(`  negative_big  ${NEG_BIG}\n`);
  });
});

describe('control characters from the server', () => {
  const noRaw = (text: string) => {
    for (const raw of RAW) expect(text).not.toContain(raw);
  };

  it('the get card shows them escaped', async () => {
    const r = await runInProcess(['get', 'control-chars', '-o', 'table'], { sandbox });
    expect(r.code).toBe(0);
    noRaw(r.stdout);
    expect(r.stdout).toContain(`Name          ${EVIL_SHOWN}\n`);
    expect(r.stdout).toContain('Distinct IDs (2)\n  control-chars\n  ctrl-\\x1b[31m-red\n');
    expect(r.stdout).toContain('  controls      soh\\x01 bs\\x08 vt\\x0b ff\\x0c esc\\x1b[0m\n');
    expect(r.stdout).toContain('  cr            bare CR\\rhere\n');
    expect(r.stdout).toContain(`  name          ${EVIL_SHOWN}\n`);
  });

  it('list -o table shows them escaped', async () => {
    // One column at a time: both together are wider than the 80 columns of a pipe.
    const names = await runInProcess(['list', '--search', 'control-chars', '-o', 'table', '--fields', 'name'], { sandbox });
    noRaw(names.stdout);
    expect(names.stdout).toBe(`NAME\n${EVIL_SHOWN}\n`);
    const ids = await runInProcess(['list', '--search', 'control-chars', '-o', 'table', '--fields', 'distinct_ids'], { sandbox });
    noRaw(ids.stdout);
    expect(ids.stdout).toBe('DISTINCT_IDS\ncontrol-chars,ctrl-\\x1b[31m-red\n');
  });

  it('the delete preview of a dry run shows them escaped', async () => {
    const r = await runInProcess(['delete', 'control-chars', '--dry-run', '-o', 'table'], { sandbox });
    expect(r.code).toBe(0);
    noRaw(r.stdout + r.stderr);
    // The preview is uuid, name and distinct_ids, cut to the 80 columns of a pipe.
    expect(r.stdout).toContain(`${evilUuid}  Control\\x1b[2J`);
    expect(sandbox.writes()).toEqual([]);
  });

  it('the confirmation prompt of one person shows them escaped', async () => {
    const t = await runInProcess(['delete', 'control-chars'], { sandbox, ...ON_A_TERMINAL, width: 200, stdin: 'n\r' });
    expect(t.code).toBe(3);
    noRaw(screenOf(t));
    expect(stripAnsi(screenOf(t))).toContain(`Delete person ${EVIL_SHOWN} (${evilUuid})? [y/N]`);
    expect(sandbox.writes()).toEqual([]);
  });

  it('the list of persons above a type-the-count prompt shows them escaped', async () => {
    const t = await runInProcess(['delete', 'control-chars', 'jose.alvarez'], { sandbox, ...ON_A_TERMINAL, width: 200, stdin: '0\r' });
    expect(t.code).toBe(3);
    noRaw(screenOf(t));
    expect(stripAnsi(screenOf(t))).toContain(`  ${EVIL_SHOWN} (${evilUuid}): control-chars, ctrl-\\x1b[31m-red\n`);
    expect(sandbox.writes()).toEqual([]);
  });

  it("an error quoting the server's detail shows them escaped", async () => {
    sandbox.script({ kind: 'status', status: 400, path: /\/persons\/?$/, body: { type: 'validation_error', code: 'invalid', detail: 'bad\u001b[2J\rvalue\u009b', attr: null } });
    const r = await runInProcess(['list'], { sandbox });
    expect(r.code).toBe(1);
    noRaw(r.stderr);
    expect(r.stderr).toBe('error: PostHog answered 400: bad\\x1b[2J\\rvalue\\u009b\n');
  });

  it('json and csv keep them exact', async () => {
    const json = await runInProcess(['get', 'control-chars', '-o', 'json'], { sandbox });
    const person = JSON.parse(json.stdout) as ApiPerson;
    expect(person.name).toBe(EVIL_NAME);
    expect(person.distinct_ids).toEqual(['control-chars', 'ctrl-\u001b[31m-red']);
    const csv = await runInProcess(['get', 'control-chars', '-o', 'csv', '--fields', 'name,properties.controls'], { sandbox });
    expect(csv.stdout).toBe(`name,properties.controls\r\n"${EVIL_NAME}",soh\u0001 bs\u0008 vt\u000b ff\u000c esc\u001b[0m\r\n`);
  });
});
