import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { readInput } from '../../../src/bulk/input/read-input.js';
import { tempDir } from './helpers.js';

// How fast a large input is read belongs to the benchmarks, not to a wall-clock bound here:
// `npm run bench` deletes from files of 10,000 and 100,000 distinct_ids (docs/benchmarks.md, bulk
// delete memory), though it reports the whole run, not the reading alone.
test('100,000 plain identifiers are validated and streamed back', async () => {
  const count = 100_000;
  const lines = Array.from({ length: count }, (_, i) => `user-${i}@example.com`);
  lines.push('user-5@example.com', '', 'user-99999@example.com'); // two duplicates and a blank
  const path = join(await tempDir(), 'people.txt');
  await writeFile(path, lines.join('\n') + '\n');

  const result = await readInput({ path, by: 'distinct_id' });
  expect(result.stats).toEqual({ rows: count + 3, blank: 1, duplicates: 2, unique: count });
  let seen = 0;
  let last = '';
  for await (const row of result.rows) {
    seen++;
    last = row.id;
  }
  expect(seen).toBe(count);
  expect(last).toBe(`user-${count - 1}@example.com`);
});

test('100,000 CSV rows too', async () => {
  const count = 100_000;
  const rows = Array.from({ length: count }, (_, i) => `d${i},"user ${i}, esq."`);
  const path = join(await tempDir(), 'people.csv');
  await writeFile(path, `distinct_id,name\r\n${rows.join('\r\n')}\r\n`);
  const result = await readInput({ path, by: 'distinct_id' });
  let seen = 0;
  for await (const _ of result.rows) seen++;
  expect(seen).toBe(count);
});

// The checking pass and the sending pass read the file in different chunk sizes, and the sending
// pass skips duplicates by the line numbers the checking pass recorded: both passes must number
// every row the same way wherever a chunk happens to end.
test.each(['csv', 'jsonl', 'plain'] as const)('%s: duplicates are skipped by line in a file larger than both passes\' chunks', async (format) => {
  const expected: { id: string; line: number }[] = [];
  const seen = new Set<string>();
  const out: string[] = format === 'csv' ? ['distinct_id,note'] : [];
  let line = out.length + 1;
  for (let i = 0; i < 6000; i++) {
    const id = `user-${(i * 7919) % 4500}-é`; // about 1,500 repeats, non-ASCII so chunks end inside characters
    const blank = i % 97 === 0;
    if (blank) {
      out.push('');
      line++;
    }
    const start = line;
    if (format === 'csv') {
      // every fifth record has a line break inside a quoted cell, CRLF or LF
      const note = i % 5 === 0 ? `"first${i % 2 ? '\r\n' : '\n'}second"` : `n${i}`;
      out.push(`${id},${note}`);
      line += i % 5 === 0 ? 2 : 1;
    } else {
      out.push(format === 'jsonl' ? JSON.stringify({ distinct_id: id, n: i }) : id);
      line++;
    }
    if (!seen.has(id)) {
      seen.add(id);
      expected.push({ id, line: start });
    }
  }
  const path = join(await tempDir(), `people.${format === 'plain' ? 'txt' : format}`);
  await writeFile(path, `${out.join(format === 'csv' ? '\r\n' : '\n')}\n`);
  const result = await readInput({ path, by: 'distinct_id' });
  expect(result.stats).toMatchObject({ unique: expected.length, duplicates: 6000 - expected.length });
  const rows: { id: string; line: number }[] = [];
  for await (const row of result.rows) rows.push({ id: row.id, line: row.line });
  expect(rows).toEqual(expected);
});
