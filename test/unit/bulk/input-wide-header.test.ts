// A CSV header with 100,000 columns: the duplicate check looks each name up once (it used to
// compare every name with every other, which took about 20 s at this width).
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { readInput } from '../../../src/bulk/input/read-input.js';
import { ids, inputFile } from './helpers.js';

const WIDTH = 100_000;

function header(names: string[]): string {
  return `${names.join(',')}\n`;
}

describe('a header with 100,000 columns', () => {
  it('reads the identifier column of a wide file', async () => {
    const names = ['distinct_id', ...Array.from({ length: WIDTH - 1 }, (_, i) => `c${i}`)];
    const row = ['user-1', ...Array.from({ length: WIDTH - 1 }, () => '')].join(',');
    const path = await inputFile('wide.csv', `${header(names)}${row}\n`);
    const input = await readInput({ path, by: 'distinct_id' });
    expect(input.column).toBe('distinct_id');
    expect(await ids(input.rows)).toEqual(['user-1']);
  });

  it('names the repeated column, even when it repeats at the far end', async () => {
    const names = ['distinct_id', ...Array.from({ length: WIDTH - 2 }, (_, i) => `c${i}`), 'c5'];
    const path = await inputFile('wide.csv', `${header(names)}user-1${','.repeat(WIDTH - 1)}\n`);
    const error = await readInput({ path, by: 'distinct_id' }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(`${path} line 1: column "c5" appears twice in the header`);
  });
});
