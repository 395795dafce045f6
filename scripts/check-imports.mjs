#!/usr/bin/env node
// Checks the direction of imports under src/: no import cycles, and no file under src/bulk/,
// src/api/ or src/output/ importing from src/commands/ (the commands call those layers, never the
// reverse). Type-only and lazy (`import()`) imports count like any other.
//
//   node scripts/check-imports.mjs [root]     exit 0 when clean, 1 with the problems listed
//
// test/unit/imports.test.ts runs it as part of the test suite.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Layers that must not import from src/commands/. */
export const LIBRARY_LAYERS = ['bulk', 'api', 'output'];

// `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')`; group 1 is the clause.
const STATEMENT = /\b(?:import|export)\s*(?:(type\s+[^'";]*?|[^'";()]*?)\s*from\s*|\(\s*)?(['"])(\.{1,2}\/[^'"]+)\2/g;

function sourceFiles(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Relative imports of a file (type-only ones too), resolved to the .ts files they name. */
function importsOf(file, known) {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const targets = new Set();
  for (const match of text.matchAll(STATEMENT)) {
    const base = resolve(dirname(file), match[3]);
    const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`, join(base, 'index.ts')];
    const target = candidates.find((c) => known.has(c));
    if (target) targets.add(target);
  }
  return targets;
}

/** Strongly connected components of more than one file (or a file importing itself): the cycles. */
function cyclesOf(graph) {
  let index = 0;
  const stack = [];
  const onStack = new Set();
  const indexOf = new Map();
  const low = new Map();
  const cycles = [];
  const visit = (node) => {
    indexOf.set(node, index);
    low.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indexOf.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), indexOf.get(next)));
    }
    if (low.get(node) === indexOf.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indexOf.has(node)) visit(node);
  return cycles;
}

/** The problems of the tree under `root` (the repository): `cycles` and `forbidden` must be empty. */
export function checkImports(root) {
  const src = join(root, 'src');
  const files = sourceFiles(src);
  const known = new Set(files);
  const edges = new Map(files.map((file) => [file, importsOf(file, known)]));
  const graph = new Map([...edges].map(([file, targets]) => [file, [...targets]]));
  const rel = (file) => relative(root, file).split(sep).join('/');
  const cycles = cyclesOf(graph).map((c) => c.map(rel));
  const layerOf = (file) => relative(src, file).split(sep)[0];
  const forbidden = [];
  for (const [file, targets] of graph) {
    if (!LIBRARY_LAYERS.includes(layerOf(file))) continue;
    for (const target of targets) if (layerOf(target) === 'commands') forbidden.push(`${rel(file)} imports ${rel(target)}`);
  }
  return { files: files.length, cycles, forbidden: forbidden.sort() };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const { files, cycles, forbidden } = checkImports(root);
  for (const cycle of cycles) console.error(`import cycle: ${cycle.join(' -> ')}`);
  for (const line of forbidden) console.error(`wrong direction (${LIBRARY_LAYERS.map((l) => `src/${l}`).join(', ')} must not import src/commands): ${line}`);
  if (cycles.length > 0 || forbidden.length > 0) process.exit(1);
  console.log(`${files} files under src/: no import cycles, and no import from src/commands in ${LIBRARY_LAYERS.map((l) => `src/${l}/`).join(', ')}.`);
}
