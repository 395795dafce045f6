// Property: any list of identifiers, written in any supported format with blank lines and
// duplicates mixed in, reads back as the unique identifiers in first-seen order, counted exactly.

import { Readable } from 'node:stream';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { readInput, type InputFormat, type InputRow, type InputStats } from '../../../src/bulk/input/read-input.js';
import { collect, tempDir } from './helpers.js';

type Layout = ({ kind: 'id'; pick: number } | { kind: 'blank'; text: string })[];

interface Written {
  content: string;
  expected: { rows: InputRow[]; stats: InputStats };
}

const tricky = fc.constantFrom(',', '"', '""', '\n', '\r', '\r\n', ' ', '\t', '{', '}', '\\', '\ufeff', '\u2028', 'é', '😀');
const anyChar = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });

/** Identifiers as readInput returns them: already trimmed and not empty. */
function identifiers(unit: fc.Arbitrary<string>): fc.Arbitrary<string[]> {
  const one = fc
    .string({ unit, minLength: 1, maxLength: 10 })
    .map((text) => text.trim())
    .filter((text) => text !== '');
  return fc.array(one, { minLength: 1, maxLength: 25 });
}

const layout: fc.Arbitrary<Layout> = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('id' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('blank' as const), text: fc.constantFrom('', ' ', '\t', '  \t ') }) },
  ),
  { maxLength: 60 },
);
const eol = fc.constantFrom('\n', '\r\n');

/**
 * Writes the rows of `plan` with `render` (one record's text, which may span lines), tracking the
 * line where each record starts, and works out what reading it back must give.
 */
function write(ids: string[], plan: Layout, lineEnd: string, bom: boolean, header: string | undefined, render: (id: string) => string): Written {
  let content = (bom ? '\ufeff' : '') + (header === undefined ? '' : header + lineEnd);
  let line = header === undefined ? 1 : 2;
  const stats: InputStats = { rows: 0, blank: 0, duplicates: 0, unique: 0 };
  const rows: InputRow[] = [];
  const seen = new Set<string>();
  for (const step of plan) {
    const text = step.kind === 'blank' ? step.text : render(ids[step.pick % ids.length]);
    stats.rows++;
    if (step.kind === 'blank') stats.blank++;
    else {
      const id = ids[step.pick % ids.length];
      if (seen.has(id)) stats.duplicates++;
      else {
        seen.add(id);
        stats.unique++;
        rows.push({ id, line });
      }
    }
    content += text + lineEnd;
    line += (text + lineEnd).split('\n').length - 1;
  }
  return { content, expected: { rows, stats } };
}

function csvCell(value: string, quoteAnyway: boolean): string {
  const needed = /[",\r\n]/.test(value) || value !== value.trim();
  return needed || quoteAnyway ? `"${value.replaceAll('"', '""')}"` : value;
}

async function check(name: string, written: Written, format?: InputFormat, viaStdin = false): Promise<void> {
  const options = { by: 'distinct_id' as const, format };
  const read = viaStdin
    ? readInput({ ...options, path: '-', stdin: Readable.from([Buffer.from(written.content)]) })
    : (async () => {
        const path = join(await tempDir(), name);
        await writeFile(path, written.content);
        return readInput({ ...options, path });
      })();
  if (written.expected.stats.unique === 0) {
    await expect(read).rejects.toBeInstanceOf(UsageError);
    return;
  }
  const result = await read;
  expect(result.stats).toEqual(written.expected.stats);
  expect(await collect(result.rows)).toEqual(written.expected.rows);
}

const runs = { numRuns: 60 };

describe('round trip', () => {
  test('plain: non-blank identifiers without line breaks', async () => {
    const unit = fc.oneof(tricky.filter((s) => !/[\r\n]/.test(s)), anyChar.filter((s) => !/[\r\n]/.test(s)));
    await fc.assert(
      fc.asyncProperty(identifiers(unit), layout, eol, fc.boolean(), fc.boolean(), async (ids, plan, lineEnd, bom, viaStdin) => {
        const written = write(ids, plan, lineEnd, bom, undefined, (id) => id);
        await check('people.txt', written, viaStdin ? 'plain' : undefined, viaStdin);
      }),
      runs,
    );
  });

  test('CSV: identifiers with commas, quotes and line breaks, with or without a second column', async () => {
    await fc.assert(
      fc.asyncProperty(
        identifiers(fc.oneof(tricky, anyChar)),
        layout,
        eol,
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        async (ids, plan, lineEnd, bom, twoColumns, quoteAll, viaStdin) => {
          const header = twoColumns ? 'email,distinct_id' : 'distinct_id';
          const render = (id: string): string => (twoColumns ? `x@example.com,${csvCell(id, quoteAll)}` : csvCell(id, quoteAll));
          const written = write(ids, plan, lineEnd, bom, header, render);
          await check('people.csv', written, undefined, viaStdin);
        },
      ),
      runs,
    );
  });

  test('JSON Lines: any identifiers', async () => {
    await fc.assert(
      fc.asyncProperty(identifiers(fc.oneof(tricky, anyChar)), layout, eol, fc.boolean(), fc.boolean(), async (ids, plan, lineEnd, bom, viaStdin) => {
        const written = write(ids, plan, lineEnd, bom, undefined, (id) => JSON.stringify({ n: 1, distinct_id: id }));
        await check('people.jsonl', written, undefined, viaStdin);
      }),
      runs,
    );
  });

  test('uuids in any case are one identifier, lower-cased', async () => {
    const uuid = fc.uuid().chain((value) => fc.constantFrom(value, value.toUpperCase()));
    await fc.assert(
      fc.asyncProperty(fc.array(uuid, { minLength: 1, maxLength: 10 }), layout, async (values, plan) => {
        const written = write(values, plan, '\n', false, undefined, (id) => id);
        const path = join(await tempDir(), 'people.txt');
        await writeFile(path, written.content);
        const read = readInput({ path, by: 'uuid' });
        const lowered = [...new Set(plan.flatMap((step) => (step.kind === 'id' ? [values[step.pick % values.length].toLowerCase()] : [])))];
        if (lowered.length === 0) return void (await expect(read).rejects.toBeInstanceOf(UsageError));
        const result = await read;
        expect((await collect(result.rows)).map((row) => row.id)).toEqual(lowered);
        expect(result.stats.unique + result.stats.duplicates + result.stats.blank).toBe(plan.length);
      }),
      runs,
    );
  });
});
