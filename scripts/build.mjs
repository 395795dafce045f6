// Bundles the CLI into dist/ so it starts fast: one entry file plus chunks that are only
// loaded by the commands that need them (esbuild code splitting on dynamic imports).
// docs/benchmarks.md has the figures; test/unit/bundle.test.ts keeps the entry lazy.
import { build } from 'esbuild';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';

import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// `--outdir DIR` builds elsewhere (the tests build a private copy so parallel runs never share one).
const outdirArg = process.argv.indexOf('--outdir');
const outdir = outdirArg > 0 ? process.argv[outdirArg + 1] : join(root, 'dist');
rmSync(outdir, { recursive: true, force: true });

/**
 * Node built-ins and files that dependencies load as soon as they are imported, although this
 * CLI only reaches them on paths it never takes. Each is replaced by a stand-in that loads the
 * real module on first use:
 * - commander requires child_process (with net, dgram and more) for executable subcommands;
 *   this CLI has none. About 3 ms of every start-up, `--help` included.
 * - undici's client requires its HTTP/2 client, which requires http2 and tls at once; the
 *   dispatcher never negotiates HTTP/2 (allowH2 is off). About 5 ms of every request command.
 */
const LAZY_REQUIRES = [
  { request: 'node:child_process', importer: /node_modules[\\/]commander[\\/]lib[\\/]command\.js$/, shape: 'object' },
  { request: './client-h2.js', importer: /node_modules[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/, shape: 'function' },
];

const lazyRequires = {
  name: 'lazy-requires',
  setup(build) {
    build.onResolve({ filter: /^(node:child_process|\.\/client-h2\.js)$/ }, (args) => {
      if (args.namespace === 'lazy-require') return undefined; // the stand-in's own require: the real module
      const rule = LAZY_REQUIRES.find((r) => r.request === args.path && r.importer.test(args.importer));
      if (!rule) return undefined;
      const importer = relative(root, args.importer).replaceAll('\\', '/');
      return { path: `${importer}:${args.path}`, namespace: 'lazy-require', pluginData: { rule, resolveDir: args.resolveDir } };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-require' }, ({ pluginData: { rule, resolveDir } }) => {
      const load = `require(${JSON.stringify(rule.request)})`;
      const contents =
        rule.shape === 'function'
          ? `module.exports = function (...args) { return ${load}.apply(this, args); };`
          : `let real; module.exports = new Proxy({}, { get: (_, key) => (real ??= ${load})[key] });`;
      return { contents, resolveDir, loader: 'js' };
    });
  },
};

const result = await build({
  entryPoints: { cli: join(root, 'src/entry.ts') },
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
  plugins: [lazyRequires],
  logLevel: 'warning',
});
writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
