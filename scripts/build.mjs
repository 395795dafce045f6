// Bundles the CLI into dist/ so it starts fast: one entry file plus chunks that are only
// loaded by the commands that need them (esbuild code splitting on dynamic imports).
import { build } from 'esbuild';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

const result = await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
  define: { __VERSION__: JSON.stringify(pkg.version) },
  // Bundled CommonJS dependencies (cli-table3, cli-progress) call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
});
writeFileSync(new URL('../dist/meta.json', import.meta.url), JSON.stringify(result.metafile));
