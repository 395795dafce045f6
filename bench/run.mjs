// `npm run bench`: builds the CLI, then measures start-up, one request, export, bulk delete and a
// rate-limited run, each side by side with its baseline in the same run, and writes
// docs/benchmarks.md. `npm run bench -- --help` lists the flags (e.g. --quick for a short run).
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getCase, startupCase } from './cases/startup.mjs';
import { exportCase } from './cases/export.mjs';
import { bulkDeleteCase, deleteMemoryCase, rateLimitCase } from './cases/delete.mjs';
import { propertyWriteCase } from './cases/property-write.mjs';
import { queryDeleteCase } from './cases/query-delete.mjs';
import { listAllCase, planAccuracyCase } from './cases/limits.mjs';
import { verifyCase } from './cases/verify.mjs';
import { renderReport } from './report.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const CASES = ['startup', 'get', 'export', 'delete', 'delete-memory', 'rate', 'props', 'query-delete', 'list-limits', 'plan-accuracy', 'verify'];

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    only: { type: 'string' },
    runs: { type: 'string' },
    'export-sizes': { type: 'string' },
    'export-runs': { type: 'string' },
    'delete-persons': { type: 'string' },
    'delete-runs': { type: 'string' },
    'rate-persons': { type: 'string' },
    'rate-batch': { type: 'string' },
    'rate-limit': { type: 'string' },
    'props-sizes': { type: 'string' },
    'props-rest-sizes': { type: 'string' },
    'props-scale': { type: 'string' },
    'window-scale': { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (flags.help) {
  process.stdout.write(`usage: npm run bench -- [flags]

  --quick               a short run (10 runs, exports of 2,000 and 20,000, 2,000 deletes, no
                        rate-limited case); prints the report instead of writing docs/benchmarks.md
  --only LIST           some of: ${CASES.join(',')}
  --runs N              runs of each short command (default 30)
  --export-sizes A,B,…  persons in the exports (default 10000,100000,200000; the bars compare
                        the first two, a third shows whether peak RSS keeps growing)
  --export-runs N       runs of each export variant (default 5)
  --delete-persons N    distinct_ids for the bulk delete (default 10000)
  --delete-runs N       runs of each delete side (default 3)
  --rate-persons N      ids for the rate-limited run (default 30000)
  --rate-batch N        its --batch-size (default 25)
  --rate-limit N        the sandbox's and the client's limit, requests a minute (default 600)
  --props-sizes A,B     persons in the bulk property writes through capture, at PostHog Cloud's
                        240 reads a minute (default 10000,50000)
  --props-rest-sizes A  the same through the REST API, at a scaled limit (default 10000; larger
                        sizes are given their computed request count and bound instead)
  --props-scale N       the REST runs' limit is N x 240 a minute (default 10)
  --window-scale N      list-limits and plan-accuracy: both rate windows divided by N (default 60)
  --out FILE            where to write the report (default docs/benchmarks.md; - for stdout)
`);
  process.exit(0);
}

const quick = flags.quick === true;
const num = (value, fallback) => (value === undefined ? fallback : Number(value));
const config = {
  quick,
  cases: flags.only ? flags.only.split(',') : quick ? CASES.filter((c) => c !== 'rate' && c !== 'props') : CASES,
  runs: num(flags.runs, quick ? 10 : 30),
  // The bars compare the first two sizes; a third shows whether peak RSS keeps growing.
  exportSizes: flags['export-sizes'] ? flags['export-sizes'].split(',').map(Number) : quick ? [2000, 20000] : [10000, 100000, 200000],
  exportRuns: num(flags['export-runs'], quick ? 2 : 5),
  deletePersons: num(flags['delete-persons'], quick ? 2000 : 10000),
  deleteRuns: num(flags['delete-runs'], quick ? 1 : 3),
  deleteMemorySizes: quick ? [2000, 20000] : [10000, 100000],
  deleteMemoryRuns: quick ? 1 : 5,
  deleteMemoryLarge: quick ? 200000 : 1000000,
  ratePersons: num(flags['rate-persons'], 30000),
  rateBatch: num(flags['rate-batch'], 25),
  rateLimit: num(flags['rate-limit'], 600),
  propsSizes: flags['props-sizes'] ? flags['props-sizes'].split(',').map(Number) : [10000, 50000],
  propsRestSizes: flags['props-rest-sizes'] ? flags['props-rest-sizes'].split(',').map(Number) : [10000],
  propsScale: num(flags['props-scale'], 10),
  windowScale: num(flags['window-scale'], 60),
  listAllPersons: quick ? 20000 : 100000,
  planRequests: quick ? 600 : 6000,
};
for (const name of config.cases) if (!CASES.includes(name)) throw new Error(`unknown case "${name}"; cases: ${CASES.join(', ')}`);
const out = flags.out ?? (quick ? '-' : `${root}docs/benchmarks.md`);

const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const context = {
  bin: `${root}bin/posthog-persons.js`,
  cli: `${root}dist/cli.js`,
  version: pkg.version,
  log: (line) => process.stderr.write(`${line}\n`),
};

function machine() {
  const cpus = os.cpus();
  let distro = '';
  try {
    distro = /^PRETTY_NAME="?([^"\n]*)/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
  } catch {
    // not Linux, or no os-release
  }
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    os: `${distro ? `${distro}, ` : ''}${os.type()} ${os.release()} ${os.arch()}`,
    loadBefore: os.loadavg(),
  };
}

const started = new Date();
const info = machine();
const results = {};
if (config.cases.includes('startup')) results.startup = await startupCase({ ...context, runs: config.runs });
if (config.cases.includes('get')) results.get = await getCase({ ...context, runs: config.runs });
if (config.cases.includes('export')) results.export = await exportCase({ ...context, sizes: config.exportSizes, runs: config.exportRuns });
if (config.cases.includes('delete')) results.delete = await bulkDeleteCase({ ...context, persons: config.deletePersons, runs: config.deleteRuns });
if (config.cases.includes('delete-memory')) results.deleteMemory = await deleteMemoryCase({
    ...context,
    sizes: config.deleteMemorySizes,
    runs: config.deleteMemoryRuns,
    large: config.deleteMemoryLarge,
    present: config.deleteMemorySizes[0],
  });
if (config.cases.includes('rate')) {
  results.rate = await rateLimitCase({ ...context, persons: config.ratePersons, batchSize: config.rateBatch, limit: config.rateLimit });
}
if (config.cases.includes('props')) {
  results.props = await propertyWriteCase({ ...context, sizes: config.propsSizes, restSizes: config.propsRestSizes, scale: config.propsScale });
}
if (config.cases.includes('query-delete')) {
  results.queryDelete = await queryDeleteCase({ ...context, runs: quick ? 1 : 3, scaled: !quick, memorySizes: quick ? [40_000] : [40_000, 200_000] });
}
if (config.cases.includes('list-limits') || config.cases.includes('plan-accuracy')) {
  results.limits = {
    listAll: config.cases.includes('list-limits') ? await listAllCase({ ...context, persons: config.listAllPersons, scale: config.windowScale }) : undefined,
    plan: config.cases.includes('plan-accuracy') ? await planAccuracyCase({ ...context, requests: config.planRequests, scale: config.windowScale }) : undefined,
  };
}
if (config.cases.includes('verify')) {
  results.verify = await verifyCase({ ...context, runs: quick ? 1 : 3 });
}
info.loadAfter = os.loadavg();
info.minutes = (Date.now() - started.getTime()) / 60_000;

const report = renderReport({ config, machine: info, date: started, results, version: pkg.version });
if (out === '-') process.stdout.write(report);
else {
  writeFileSync(out, report);
  context.log(`wrote ${out}`);
}
