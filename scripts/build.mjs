// Bundles the CLI into dist/ so it starts fast: one entry file plus chunks that are only
// loaded by the commands that need them (esbuild code splitting on dynamic imports).
import { build } from 'esbuild';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';

import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// `--outdir DIR` builds elsewhere (the tests build a private copy so parallel runs never share one).
const outdirArg = process.argv.indexOf('--outdir');
const outdir = outdirArg > 0 ? process.argv[outdirArg + 1] : join(root, 'dist');
rmSync(outdir, { recursive: true, force: true });

const result = await build({
  entryPoints: { cli: join(root, 'src/cli.ts') },
  outdir,
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
writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
