// The table renderer: borderless aligned columns, truncation to the terminal width, colour only
// when asked, blocks of TABLE_BLOCK_ROWS rows.

import { describe, expect, it } from 'vitest';
import type { RecordSchema } from '../../../src/output/columns.js';
import { createRenderer } from '../../../src/output/render.js';
import { fitColumnWidths, TABLE_BLOCK_ROWS } from '../../../src/output/table.js';
import { ada, FakeTarget, render, retrieved, tricky } from './helpers.js';

const UUID1 = '01890f2c-6f1e-7000-8000-000000000001';
const UUID3 = '01890f2c-6f1e-7000-8000-000000000003';

describe('table', () => {
  it('aligns columns with two-space gaps under an upper-case header, no grid, no trailing blanks', async () => {
    const { text } = await render('table', [ada, retrieved], { fields: 'id,name,is_identified' });
    expect(text).toBe(
      'ID                                    NAME             IS_IDENTIFIED\n' +
        `${UUID1}  ada@example.com  true\n` +
        '42                                    grace\n',
    );
  });

  it('prints the default person fields, distinct_ids joined with commas', async () => {
    const { text } = await render('table', [ada, retrieved]);
    expect(text.split('\n')).toEqual([
      'UUID                                  NAME             DISTINCT_IDS                                          CREATED_AT',
      `${UUID1}  ada@example.com  ada@example.com,01890f2c-aaaa-7000-8000-00000000000a  2024-03-01T10:00:00Z`,
      `${UUID3}  grace                                                                  2024-03-03T10:00:00Z`,
      '',
    ]);
  });

  it('truncates flexible columns with "…" to fit the width, keeping UUIDs and times whole', async () => {
    const { text } = await render('table', [ada, retrieved], { width: 100 });
    const lines = text.split('\n');
    expect(lines).toEqual([
      'UUID                                  NAME             DISTINCT_IDS             CREATED_AT',
      `${UUID1}  ada@example.com  ada@example.com,01890f…  2024-03-01T10:00:00Z`,
      `${UUID3}  grace                                     2024-03-03T10:00:00Z`,
      '',
    ]);
    expect(Math.max(...lines.map((line) => line.length))).toBe(100);
  });

  it('keeps every value on one line and shows control characters instead of sending them', async () => {
    const hostile = { ...retrieved, name: 'evil\u001b]0;pwned\u0007\u001b[31mred\u009b' };
    const { text } = await render('table', [tricky, hostile], { fields: 'name' });
    expect(text).toBe(
      'NAME\n' + 'O"Brien, Zoë\\t日本\\nline2\\end\n' + 'evil\\x1b]0;pwned\\x07\\x1b[31mred\\u009b\n',
    );
  });

  it('measures wide characters by their display width', async () => {
    const wide = { ...retrieved, name: '日本語' };
    // "日本語" is 6 columns wide; NAME may shrink to 5: "日本" (4) and "…".
    expect((await render('table', [wide], { fields: 'name', width: 6 })).text).toBe('NAME\n日本語\n');
    expect((await render('table', [wide], { fields: 'name', width: 5 })).text).toBe('NAME\n日本…\n');
  });

  it('colours the header only when color is true', async () => {
    const plain = await render('table', [ada], { fields: 'name' });
    expect(plain.text).toBe('NAME\nada@example.com\n');
    const coloured = await render('table', [ada], { fields: 'name', color: true });
    expect(coloured.text).toBe('\u001b[1mNAME\u001b[22m\nada@example.com\n');
  });

  it('keeps the user spelling of dynamic property headers', async () => {
    const { text } = await render('table', [ada], { fields: 'properties.plan,properties.seats' });
    expect(text).toBe('properties.plan  properties.seats\npro              3\n');
  });

  it('prints nothing for an empty result and reports count 0', async () => {
    expect(await render('table', [])).toEqual({ text: '', count: 0 });
  });

  it('flushes each block of rows as it fills, with the header once and widths per block', async () => {
    type Row = { name: string };
    const schema: RecordSchema<Row> = { columns: [{ name: 'name', get: (r) => r.name }, { name: 'n', get: () => 1 }], defaultFields: ['name', 'n'] };
    const out = new FakeTarget();
    const renderer = createRenderer({ format: 'table', schema, out });
    // One wider name in the middle of the first block widens the whole block, not just its neighbours.
    for (let i = 0; i < TABLE_BLOCK_ROWS; i++) await renderer.write({ name: i === 500 ? 'abcdef' : 'a' });
    // The first block is written before end(): memory holds one block, not the whole list.
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.text.split('\n')).toHaveLength(TABLE_BLOCK_ROWS + 2);
    for (let i = 0; i < 5; i++) await renderer.write({ name: 'longer name' });
    expect(await renderer.end()).toEqual({ count: TABLE_BLOCK_ROWS + 5 });
    const lines = out.text.split('\n');
    expect(lines.filter((line) => line.startsWith('NAME'))).toHaveLength(1);
    expect(lines[0]).toBe('NAME    N');
    expect(lines[1]).toBe('a       1');
    expect(lines[TABLE_BLOCK_ROWS]).toBe('a       1');
    expect(lines[TABLE_BLOCK_ROWS + 1]).toBe('longer name  1');
    expect(lines).toHaveLength(TABLE_BLOCK_ROWS + 5 + 2);
  });
});

describe('fitColumnWidths', () => {
  const natural = [36, 15, 52, 20];
  const minimum = [5, 5, 12, 10];
  const fixed = [true, false, false, true];

  it('keeps natural widths when they fit or when there is no width', () => {
    expect(fitColumnWidths(natural, minimum, fixed, undefined)).toEqual(natural);
    expect(fitColumnWidths(natural, minimum, fixed, 123)).toEqual(natural);
  });

  it('caps the widest flexible columns first', () => {
    expect(fitColumnWidths(natural, minimum, fixed, 94)).toEqual([36, 15, 23, 20]);
    expect(fitColumnWidths(natural, minimum, fixed, 80)).toEqual([36, 12, 12, 20]);
  });

  it('cuts fixed columns only when the flexible ones at their minimum do not fit', () => {
    expect(fitColumnWidths(natural, minimum, fixed, 54)).toEqual([13, 13, 13, 13]);
  });

  it('falls back to the minimums when nothing fits', () => {
    expect(fitColumnWidths(natural, minimum, fixed, 10)).toEqual(minimum);
  });
});
