// Every `--help` example names persons that exist in the sandbox's default data, so a new user
// can paste any example after `posthog-persons sandbox` (or with --sandbox) and see it work; the
// examples that need no file and no prompt are run, in bash, against --sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { spawnSync } from 'node:child_process';
import { runInProcess } from '../helpers/in-process.js';

const PERSON_COMMANDS = ['get', 'set-prop', 'unset-prop', 'split', 'delete', 'timeline', 'activity', 'deletion-status'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 }); // the defaults the `sandbox` command serves
});
afterAll(() => sandbox.close());

/** The persons an example names: the command's positional argument and the values of --keep and --only. */
function namedPersons(example: string): Array<{ ref: string; by: 'any' | 'distinct_id' }> {
  const words = example.split(/\s+/);
  const at = words.findIndex((w) => PERSON_COMMANDS.includes(w));
  if (at === -1) return [];
  const out: Array<{ ref: string; by: 'any' | 'distinct_id' }> = [];
  const byDistinctId = words.includes('distinct-id');
  const first = words[at + 1];
  if (first !== undefined && !first.startsWith('-') && !first.startsWith('$(')) out.push({ ref: first, by: byDistinctId ? 'distinct_id' : 'any' });
  words.forEach((w, i) => {
    if (w === '--keep' || w === '--only') for (const id of (words[i + 1] ?? '').split(',')) out.push({ ref: id, by: 'distinct_id' });
  });
  return out;
}

describe('--help examples', () => {
  it.each(PERSON_COMMANDS)('%s: every person named exists in the default sandbox', async (command) => {
    const help = await runInProcess([command, '--help']);
    const examples = help.stdout.split('\n').filter((l) => l.startsWith('  $ ')).map((l) => l.slice(4));
    expect(examples.length).toBeGreaterThan(0);
    const missing: string[] = [];
    for (const example of examples) {
      for (const { ref, by } of namedPersons(example)) {
        const found = by === 'distinct_id' ? sandbox.store.byDistinctId(ref) : (UUID.test(ref) && sandbox.store.person(ref.toLowerCase())) || sandbox.store.byDistinctId(ref);
        if (!found) missing.push(`${ref} (in: ${example})`);
      }
    }
    expect(missing).toEqual([]);
  });
});

/** Examples that run as they are against the in-process sandbox: no files, pipes or prompts. */
function runnable(example: string): boolean {
  if (/[|>&$]|\.csv|\.jsonl|\.txt/.test(example)) return false;
  const words = example.split(/\s+/).slice(1); // without "posthog-persons"
  if (!PERSON_COMMANDS.includes(words[0]!) && words[0] !== 'list') return false;
  const asks = words[0] === 'delete' || words[0] === 'split';
  return !asks || words.includes('--yes') || words.includes('-y') || words.includes('--dry-run');
}

describe('--help examples run', () => {
  it.each([...PERSON_COMMANDS, 'list'])('%s: every example without files, pipes or prompts exits 0 against --sandbox', async (command) => {
    const help = await runInProcess([command, '--help']);
    const examples = help.stdout.split('\n').filter((l) => l.startsWith('  $ ')).map((l) => l.slice(4));
    const failures: string[] = [];
    for (const example of examples.filter(runnable)) {
      // The example's words as a shell reads them (quotes and all), then run in-process against
      // --sandbox.
      const script = `posthog-persons() { printf '%s\\0' "$@"; }\n${example}`;
      const words = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 30_000 }).stdout.split('\0').slice(0, -1);
      const r = await runInProcess(['--sandbox', ...words]);
      if (r.code !== 0) failures.push(`${example}: exit ${r.code}: ${r.stderr.trim()}`);
    }
    expect(failures).toEqual([]);
  }, 90_000);
});
