// `node bench/query-delete.mjs [--quick]`: the query-selected delete case of `npm run bench` alone
// (bench/cases/query-delete.mjs), printing its section of docs/benchmarks.md. Needs dist/ built
// (`npm run build`). --quick: one run with Cloud limits, no scaled run, one memory size.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { queryDeleteCase, queryDeleteSection } from './cases/query-delete.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: flags } = parseArgs({ options: { quick: { type: 'boolean' } } });
const cli = join(root, 'dist/cli.js');
if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first');
const quick = flags.quick === true;
const result = await queryDeleteCase({
  cli,
  bin: join(root, 'bin/posthog-persons.js'),
  runs: quick ? 1 : 3,
  scaled: !quick,
  memorySizes: quick ? [40_000] : [40_000, 200_000],
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(queryDeleteSection(result));
