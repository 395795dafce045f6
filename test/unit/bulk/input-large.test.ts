import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { readInput } from '../../../src/bulk/input.js';
import { tempDir } from './helpers.js';

test('100,000 plain identifiers are validated and streamed back in reasonable time', async () => {
  const count = 100_000;
  const lines = Array.from({ length: count }, (_, i) => `user-${i}@example.com`);
  lines.push('user-5@example.com', '', 'user-99999@example.com'); // two duplicates and a blank
  const path = join(await tempDir(), 'people.txt');
  await writeFile(path, lines.join('\n') + '\n');

  const started = performance.now();
  const result = await readInput({ path, by: 'distinct_id' });
  expect(result.stats).toEqual({ rows: count + 3, blank: 1, duplicates: 2, unique: count });
  let seen = 0;
  let last = '';
  for await (const row of result.rows) {
    seen++;
    last = row.id;
  }
  const elapsed = performance.now() - started;
  expect(seen).toBe(count);
  expect(last).toBe(`user-${count - 1}@example.com`);
  // Both passes take well under a second on a laptop; the bound leaves room for slow CI machines.
  expect(elapsed).toBeLessThan(5000);
});

test('100,000 CSV rows too', async () => {
  const count = 100_000;
  const rows = Array.from({ length: count }, (_, i) => `d${i},"user ${i}, esq."`);
  const path = join(await tempDir(), 'people.csv');
  await writeFile(path, `distinct_id,name\r\n${rows.join('\r\n')}\r\n`);
  const started = performance.now();
  const result = await readInput({ path, by: 'distinct_id' });
  let seen = 0;
  for await (const _ of result.rows) seen++;
  expect(seen).toBe(count);
  expect(performance.now() - started).toBeLessThan(10_000);
});
