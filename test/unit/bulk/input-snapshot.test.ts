// The sending pass over a file hands on only bytes identical to those the check read, block by
// block (CHECK_BLOCK_BYTES), and reads the file it opened even when another is renamed over it.
import { appendFile, rename, truncate, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { readInput } from '../../../src/bulk/input/read-input.js';
import { CHECK_BLOCK_BYTES } from '../../../src/bulk/input/snapshot.js';
import { inputFile } from './helpers.js';

// 16-byte lines: a block holds exactly CHECK_BLOCK_BYTES / 16 of them.
const line = (prefix: string, i: number) => `${prefix}-${String(i).padStart(14 - prefix.length, '0')}\n`;
const PER_BLOCK = CHECK_BLOCK_BYTES / 16;
const content = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => line(prefix, i)).join('');

/** Reads the rows, returning those handed on before an error (and the error). */
async function drain(rows: AsyncIterable<{ id: string }> | Iterable<{ id: string }>): Promise<{ ids: string[]; error?: Error }> {
  const ids: string[] = [];
  try {
    for await (const row of rows) ids.push(row.id);
  } catch (error) {
    return { ids, error: error as Error };
  }
  return { ids };
}

describe('the sending pass reads only what was checked', () => {
  it('a file of exactly two blocks reads back whole, as often as asked', async () => {
    const path = await inputFile('ids.txt', content('a', 2 * PER_BLOCK));
    const input = await readInput({ path });
    expect(input.digest.size).toBe(2 * CHECK_BLOCK_BYTES);
    expect((await drain(input.rows)).ids).toHaveLength(2 * PER_BLOCK);
    expect((await drain(input.rows)).ids).toHaveLength(2 * PER_BLOCK);
  });

  it('the second block rewritten in place: the first block is handed on, nothing of the second', async () => {
    const path = await inputFile('ids.txt', content('a', 3 * PER_BLOCK));
    const input = await readInput({ path });
    const changed = content('a', PER_BLOCK) + content('b', 2 * PER_BLOCK);
    await writeFile(path, changed);
    const { ids, error } = await drain(input.rows);
    expect(error?.message).toBe(
      `${path} changed after it was checked (its bytes 65,536 to 131,072 differ); nothing from the changed part was sent`,
    );
    expect(ids.length).toBeLessThanOrEqual(PER_BLOCK);
    expect(ids.every((id) => id.startsWith('a-'))).toBe(true);
  });

  it('a byte appended after a whole last block: refused before that block is handed on', async () => {
    const path = await inputFile('ids.txt', content('a', 2 * PER_BLOCK));
    const input = await readInput({ path });
    await appendFile(path, line('b', 0));
    const { ids, error } = await drain(input.rows);
    expect(error?.message).toBe(`${path} changed after it was checked (it is longer than the 131,072 bytes checked); nothing from the changed part was sent`);
    expect(ids.length).toBeLessThanOrEqual(PER_BLOCK);
  });

  it('cut short: refused', async () => {
    const path = await inputFile('ids.txt', content('a', PER_BLOCK + 10));
    const input = await readInput({ path });
    await truncate(path, CHECK_BLOCK_BYTES + 16);
    const { error } = await drain(input.rows);
    expect(error?.message).toBe(`${path} changed after it was checked (it is shorter than the 65,696 bytes checked); nothing from the changed part was sent`);
  });

  it('another file renamed over it: the open file is read, exactly as checked', async () => {
    const path = await inputFile('ids.txt', content('a', PER_BLOCK + 10));
    const input = await readInput({ path });
    await writeFile(`${path}.new`, content('b', PER_BLOCK + 10));
    await rename(`${path}.new`, path);
    const { ids, error } = await drain(input.rows);
    expect(error).toBeUndefined();
    expect(ids).toEqual(Array.from({ length: PER_BLOCK + 10 }, (_, i) => line('a', i).trimEnd()));
    await input.close();
  });
});
