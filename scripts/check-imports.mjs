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

/**
 * Where a cycle made only of type imports (erased when compiled) is tolerated for now: the
 * sandbox's public handle type (src/sandbox/types.ts) names its store, whose options name those
 * types. A cycle there with a value import in it still fails.
 */
export const TYPE_CYCLES_TOLERATED_UNDER = ['src/sandbox/'];

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

/** Whether an import clause brings in types only (`import type {…}`, `{ type A, type B }`). */
function typeOnly(clause) {
  if (clause === undefined) return false;
  const text = clause.trim();
  if (/^type\s/.test(text)) return true;
  const braces = /^\{([^}]*)\}$/.exec(text);
  if (!braces) return false;
  const names = braces[1].split(',').map((n) => n.trim()).filter(Boolean);
  return names.length > 0 && names.every((n) => /^type\s/.test(n));
}

/** Relative imports of a file, resolved to the .ts files they name: Map<target, type-only?>. */
function importsOf(file, known) {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const targets = new Map();
  for (const match of text.matchAll(STATEMENT)) {
    const base = resolve(dirname(file), match[3]);
    const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`, join(base, 'index.ts')];
    const target = candidates.find((c) => known.has(c));
    if (target) targets.set(target, (targets.get(target) ?? true) && typeOnly(match[1]));
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

/**
 * The problems of the tree under `root` (the repository): `cycles` and `forbidden` must be empty;
 * `tolerated` lists the type-only cycles under TYPE_CYCLES_TOLERATED_UNDER.
 */
export function checkImports(root) {
  const src = join(root, 'src');
  const files = sourceFiles(src);
  const known = new Set(files);
  const edges = new Map(files.map((file) => [file, importsOf(file, known)]));
  const graph = new Map([...edges].map(([file, targets]) => [file, [...targets.keys()]]));
  const valueGraph = new Map([...edges].map(([file, targets]) => [file, [...targets].filter(([, types]) => !types).map(([t]) => t)]));
  const rel = (file) => relative(root, file).split(sep).join('/');
  const tolerated = (cycle) => cycle.every((file) => TYPE_CYCLES_TOLERATED_UNDER.some((prefix) => file.startsWith(prefix)));
  // Every cycle through value imports; a cycle of type imports only, unless it lies where tolerated.
  const valueCycles = cyclesOf(valueGraph).map((c) => c.map(rel));
  const typeCycles = cyclesOf(graph)
    .map((c) => c.map(rel))
    .filter((c) => !tolerated(c) && !valueCycles.some((v) => v.join(' ') === c.join(' ')));
  const reported = [...valueCycles, ...typeCycles];
  const toleratedCycles = cyclesOf(graph).map((c) => c.map(rel)).filter((c) => tolerated(c) && !valueCycles.some((v) => v.join(' ') === c.join(' ')));
  const layerOf = (file) => relative(src, file).split(sep)[0];
  const forbidden = [];
  for (const [file, targets] of graph) {
    if (!LIBRARY_LAYERS.includes(layerOf(file))) continue;
    for (const target of targets) if (layerOf(target) === 'commands') forbidden.push(`${rel(file)} imports ${rel(target)}`);
  }
  return { files: files.length, cycles: reported, tolerated: toleratedCycles, forbidden: forbidden.sort() };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const { files, cycles, tolerated, forbidden } = checkImports(root);
  for (const cycle of tolerated) console.log(`tolerated for now, type imports only: ${cycle.join(' -> ')}`);
  for (const cycle of cycles) console.error(`import cycle: ${cycle.join(' -> ')}`);
  for (const line of forbidden) console.error(`wrong direction (${LIBRARY_LAYERS.map((l) => `src/${l}`).join(', ')} must not import src/commands): ${line}`);
  if (cycles.length > 0 || forbidden.length > 0) process.exit(1);
  console.log(`${files} files under src/: no import cycles${tolerated.length > 0 ? " but the tolerated ones above" : ""}, and no import from src/commands in ${LIBRARY_LAYERS.map((l) => `src/${l}/`).join(', ')}.`);
}
