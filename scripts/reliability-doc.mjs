// Writes docs/reliability.md from the reliability tests' data (test/reliability/reliability-doc.ts),
// or with --check exits 1 when the file is out of date. The data is TypeScript, so it is bundled
// with esbuild first.
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = join(root, 'docs/reliability.md');
const dir = mkdtempSync(join(tmpdir(), 'pp-reliability-doc-'));
try {
  const outfile = join(dir, 'doc.mjs');
  await build({
    entryPoints: [join(root, 'test/reliability/reliability-doc.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    logLevel: 'error',
  });
  const { renderReliabilityDoc } = await import(pathToFileURL(outfile).href);
  const text = renderReliabilityDoc();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // a missing file is out of date too
    }
    if (current !== text) {
      process.stderr.write('docs/reliability.md is out of date: run `node scripts/reliability-doc.mjs`.\n');
      process.exitCode = 1;
    }
  } else {
    writeFileSync(target, text);
    process.stderr.write(`Wrote ${target}\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
