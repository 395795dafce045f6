// Identifiers with surrounding spaces: accidental ones are dropped, deliberate ones (a quoted CSV
// cell, a JSON string) are kept exactly, so such a person can still be erased from a file.
import { describe, expect, it } from 'vitest';
import { readInput } from '../../../src/bulk/input.js';
import { ids, inputFile } from './helpers.js';

describe('spaces around identifiers', () => {
  it('CSV: unquoted cells are trimmed, quoted cells kept as written', async () => {
    const path = await inputFile('people.csv', 'distinct_id\n  plain-id  \n"  padded-id  "\n"   "\n');
    const input = await readInput({ path, by: 'distinct_id' });
    expect(await ids(input.rows)).toEqual(['plain-id', '  padded-id  ']);
    expect(input.stats).toEqual({ rows: 3, blank: 1, duplicates: 0, unique: 2 });
  });

  it('JSON Lines: strings are kept exactly; a blank one is a blank row', async () => {
    const path = await inputFile('people.jsonl', '{"distinct_id":"  padded-id  "}\n{"distinct_id":"x"}\n{"distinct_id":"  "}\n');
    const input = await readInput({ path, by: 'distinct_id' });
    expect(await ids(input.rows)).toEqual(['  padded-id  ', 'x']);
    expect(input.stats.blank).toBe(1);
  });

  it('plain text: lines are trimmed (use CSV quotes or JSON Lines for ids with spaces)', async () => {
    const path = await inputFile('people.txt', '  a  \nb\n');
    expect(await ids((await readInput({ path, by: 'distinct_id' })).rows)).toEqual(['a', 'b']);
  });
});
