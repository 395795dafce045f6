// Every `--help` example names persons that exist in the sandbox's default data, so a new user
// can paste any example after `posthog-persons sandbox` (or with --sandbox) and see it work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { run } from '../helpers/cli.js';

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
    const help = await run([command, '--help']);
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
