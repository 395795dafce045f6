// Spaces are data (RFC 4180): `  padded-id  ` in a file is that identifier, spaces and all, in CSV
// (quoted or not), JSON Lines and plain lines alike. Trimming it would name another person. Rows of
// only spaces are blank rows, counted apart so the dry run can say so.
import { describe, expect, it } from 'vitest';
import { readInput } from '../../../src/bulk/input/read-input.js';
import { collect, ids, inputFile } from './helpers.js';

describe('spaces around identifiers', () => {
  it('CSV: unquoted and quoted cells are kept exactly as written (what Python\'s csv module writes)', async () => {
    const path = await inputFile('people.csv', 'distinct_id\n  plain-id  \n"  padded-id  "\n"   "\nplain-id\n');
    const input = await readInput({ path, by: 'distinct_id' });
    expect(await ids(input.rows)).toEqual(['  plain-id  ', '  padded-id  ', 'plain-id']);
    expect(input.stats).toEqual({ rows: 4, blank: 1, duplicates: 0, unique: 3 });
    expect(input.checks).toEqual({ spacesOnly: 1, spaced: 2, uuidShaped: 0, emailShaped: 0 });
  });

  it('CSV with properties: the identifier and the values keep their spaces', async () => {
    const path = await inputFile('props.csv', 'distinct_id,plan\n a , scale \n');
    const input = await readInput({ path, by: 'distinct_id', withProperties: true });
    expect(await collect(input.rows)).toEqual([{ id: ' a ', line: 2, properties: { plan: ' scale ' } }]);
  });

  it('JSON Lines: strings are kept exactly; one of only spaces is a blank row', async () => {
    const path = await inputFile('people.jsonl', '{"distinct_id":"  padded-id  "}\n{"distinct_id":"x"}\n{"distinct_id":"  "}\n');
    const input = await readInput({ path, by: 'distinct_id' });
    expect(await ids(input.rows)).toEqual(['  padded-id  ', 'x']);
    expect(input.stats.blank).toBe(1);
    expect(input.checks).toEqual({ spacesOnly: 1, spaced: 1, uuidShaped: 0, emailShaped: 0 });
  });

  it('plain text: a line is the identifier as written, but for its line break (CRLF too)', async () => {
    const path = await inputFile('people.txt', '  a  \r\nb\r\n\t\r\na\r\n');
    const input = await readInput({ path, by: 'distinct_id' });
    expect(await ids(input.rows)).toEqual(['  a  ', 'b', 'a']);
    expect(input.checks).toEqual({ spacesOnly: 1, spaced: 1, uuidShaped: 0, emailShaped: 0 });
  });
});
