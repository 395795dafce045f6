// The direction of imports under src/ (scripts/check-imports.mjs): no cycles, and src/bulk,
// src/api and src/output never import from src/commands. The checker is also run on a small tree
// that breaks each rule, so a checker that finds nothing cannot pass for a clean tree.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript script without type declarations
import { checkImports } from '../../scripts/check-imports.mjs';

interface Problems {
  files: number;
  cycles: string[][];
  forbidden: string[];
}
const check = checkImports as (root: string) => Problems;

describe('imports under src/', () => {
  it('have no cycles and never go from src/bulk, src/api or src/output to src/commands', () => {
    const { files, cycles, forbidden } = check(resolve(__dirname, '../..'));
    expect(files).toBeGreaterThan(50);
    expect(cycles).toEqual([]);
    expect(forbidden).toEqual([]);
  });
});

describe('the import checker', () => {
  const root = mkdtempSync(join(tmpdir(), 'pp-imports-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('src/commands/delete.ts', "import { plural } from '../output/text.js';\nexport const x = plural;\n");
  write('src/output/text.ts', 'export const plural = 1;\n');
  write('src/bulk/ops/delete.ts', "import type { X } from '../../commands/delete.js';\nexport const y = await import('../../commands/shared.js');\n");
  write('src/commands/shared.ts', 'export const z = 1;\n');
  write('src/bulk/journal/journal.ts', "import { parse } from './read.js';\nexport const j = parse;\n");
  write('src/bulk/journal/read.ts', "import type { J } from './journal.js';\nexport const parse = 1;\n");
  write('src/sandbox/types.ts', "import type { Store } from './store.js';\nexport type T = Store;\n");
  write('src/sandbox/store.ts', "import type { T } from './types.js';\nexport type Store = T;\n");
  write('src/sandbox/a.ts', "import { b } from './b.js';\nexport const a = b;\n");
  write('src/sandbox/b.ts', "import { a } from './a.js';\nexport const b = a;\n");

  it('reports a cycle with a type import in it, one of type imports only, a lazy import the wrong way, and a value cycle', () => {
    const { cycles, forbidden } = check(root);
    expect(forbidden).toEqual(['src/bulk/ops/delete.ts imports src/commands/delete.ts', 'src/bulk/ops/delete.ts imports src/commands/shared.ts']);
    expect(cycles).toEqual(expect.arrayContaining([
      ['src/bulk/journal/journal.ts', 'src/bulk/journal/read.ts'],
      ['src/sandbox/store.ts', 'src/sandbox/types.ts'],
      ['src/sandbox/a.ts', 'src/sandbox/b.ts'],
    ]));
    expect(cycles).toHaveLength(3);
  });
});
