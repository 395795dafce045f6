// The integrity rows of docs/reliability.md each name the end-to-end test that asserts them: the
// test must exist, so the document cannot describe a case nobody checks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTEGRITY_ROWS } from './integrity.js';

describe('integrity rows of the reliability document', () => {
  it.each(INTEGRITY_ROWS.map((row, i) => [i + 1, row] as const))('row %i names a test that exists', (_n, row) => {
    const source = readFileSync(join(__dirname, '../..', row.file), 'utf8');
    expect(source).toContain(row.test);
  });
});
