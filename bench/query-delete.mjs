// `node bench/query-delete.mjs`: the query-selected delete workload. A sandbox of 46,500 generated
// persons (seed 1), of which `--where plan=startup` selects about 10,000; the CLI lists
// the selection (page size 1000), journals the snapshot, and deletes it through bulk_delete by UUID,
// guarded by --expect. Measured twice, each against a fresh sandbox in its own process:
//   - with PostHog Cloud's limits on the server and the client's defaults (reads 240/min; deletes
//     480/min and 4,800/hour);
//   - with the limits scaled down so they bind (6 requests a minute for reads and for deletes, on
//     both sides), to compare the wall time with the time the limits allow.
// Prints a Markdown section for docs/benchmarks.md ("Query-selected delete"). Needs dist/ built
// (`npm run build`, or any `npm run bench`).
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { expectOk, runNode } from './lib/child.mjs';
import { clearRequestLog, requestLog, startSandbox } from './lib/sandbox.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: flags } = parseArgs({
  options: {
    persons: { type: 'string' },
    plan: { type: 'string' },
    'scaled-limit': { type: 'string' },
    'skip-scaled': { type: 'boolean' },
  },
});
const PERSONS = Number(flags.persons ?? 46_500);
const PLAN = flags.plan ?? 'startup';
const SCALED = Number(flags['scaled-limit'] ?? 6);
const cli = join(root, 'dist/cli.js');
const bin = join(root, 'bin/posthog-persons.js');
if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first');
const log = (line) => process.stderr.write(`${line}\n`);
const int = (n) => n.toLocaleString('en-US');

async function control(sandbox, path, value) {
  const res = await request(`${sandbox.url}${path}`, { method: 'POST', body: JSON.stringify({ value }), headers: { 'content-type': 'application/json' } });
  await res.body.text();
  if (res.statusCode >= 300) throw new Error(`sandbox control ${path}: ${res.statusCode}`);
}

/** How many persons match the query now, asked with plain requests (not through the CLI measured). */
async function matching(sandbox, properties) {
  const query = new URLSearchParams({ limit: '1', include_total: '1', ...(properties ? { properties } : {}) });
  const res = await request(`${sandbox.url}/api/projects/${sandbox.projectId}/persons/?${query}`, { headers: { authorization: `Bearer ${sandbox.key}` } });
  const page = JSON.parse(await res.body.text());
  return page.count;
}

/** When the last of `n` requests may go, with `limit` a sliding 60 s window allows (0 when they all fit at once). */
const boundMs = (n, limit) => (limit > 0 && n > 0 ? Math.floor((n - 1) / limit) * 60_000 : 0);

async function workload(name, { serverLimits, clientLimit, limitsNote, bound }) {
  const sandbox = await startSandbox({ cli, persons: PERSONS, seed: 1 });
  try {
    await control(sandbox, '/_sandbox/options', { rateLimit: serverLimits });
    const filter = JSON.stringify([{ key: 'plan', value: PLAN, operator: 'exact', type: 'person' }]);
    const selected = await matching(sandbox, filter);
    await control(sandbox, '/_sandbox/options', { rateLimit: serverLimits }); // forget the counting request
    await clearRequestLog(sandbox);
    const dir = mkdtempSync(join(tmpdir(), 'pp-bench-query-'));
    const env = { ...sandbox.env, POSTHOG_PERSONS_CONFIG_DIR: join(dir, 'config') };
    const globals = clientLimit === undefined ? [] : ['--rate-limit', String(clientLimit)];
    log(`query delete (${name}): ${int(selected)} of ${int(PERSONS)} persons match --where plan=${PLAN}`);
    const run = expectOk(
      await runNode([bin, ...globals, 'delete', '--where', `plan=${PLAN}`, '--expect', String(selected), '--yes', '--journal', join(dir, 'query.journal.jsonl')], { env }),
      'delete --where',
    );
    const requests = await requestLog(sandbox);
    // Answered requests; a throttled one (429) is counted apart.
    const pages = requests.filter((e) => e.route === 'list' && e.status === 200);
    const bulk = requests.filter((e) => e.route === 'bulk_delete' && e.status === 202);
    const throttled = requests.filter((e) => e.status === 429).length;
    const left = await matching(sandbox, filter);
    const total = await matching(sandbox);
    if (left !== 0 || total !== PERSONS - selected) throw new Error(`query delete: ${left} selected persons left, ${total} persons in all`);
    const boundTotal = bound(pages.length, bulk.length);
    const row = {
      name,
      limitsNote,
      selected,
      pages: pages.length,
      pageSizes: [...new Set(pages.map((e) => e.query.limit))],
      bulk: bulk.length,
      throttled,
      wallMs: run.wallMs,
      boundMs: boundTotal,
    };
    log(`  ${row.pages} list requests (limit ${row.pageSizes.join(',')}), ${row.bulk} bulk_delete, ${throttled} answered 429; ${(row.wallMs / 1000).toFixed(1)} s; limits allow ${(boundTotal / 1000).toFixed(0)} s`);
    return row;
  } finally {
    await sandbox.stop();
  }
}

const rows = [];
rows.push(
  await workload('PostHog Cloud limits', {
    serverLimits: { read: 240, delete: 480, deleteHourly: 4800 },
    clientLimit: undefined,
    limitsNote: 'server: reads 240/min, deletes 480/min and 4,800/hour; client: its defaults (240 reads, 480 deletes a minute)',
    bound: (reads, deletes) => boundMs(reads, 240) + Math.max(boundMs(deletes, 480), deletes > 4800 ? 3_600_000 : 0),
  }),
);
if (!flags['skip-scaled']) {
  rows.push(
    await workload(`limits scaled to ${SCALED}/min`, {
      serverLimits: { read: SCALED, delete: SCALED },
      clientLimit: SCALED,
      limitsNote: `server and client: ${SCALED} reads and ${SCALED} deletes a minute (Cloud's reads / ${240 / SCALED}, deletes / ${480 / SCALED})`,
      // The deletes start once the listing is over: their own window starts then.
      bound: (reads, deletes) => boundMs(reads, SCALED) + boundMs(deletes, SCALED),
    }),
  );
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const lines = [
  '## Query-selected delete',
  '',
  `\`delete --where plan=${PLAN} --expect N --yes\` against a sandbox of ${int(PERSONS)} generated persons (seed 1), in its own process;`,
  'the CLI lists the selection 1,000 a page, journals the snapshot of UUIDs, then deletes it by UUID.',
  '`node bench/query-delete.mjs` (after `npm run build`) prints this section.',
  '',
  '| limits | selected | list requests (page size) | ceil(selected/1000) | bulk_delete requests | 429 answers | wall time | time the limits allow | ratio |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.limitsNote} | ${int(r.selected)} | ${r.pages} (${r.pageSizes.join(', ')}) | ${Math.ceil(r.selected / 1000)} | ${r.bulk} | ${r.throttled} | ${seconds(r.wallMs)} | ${seconds(r.boundMs)} | ${r.boundMs > 0 ? `${(r.wallMs / r.boundMs).toFixed(2)}x` : 'n/a (the limits do not bind)'} |`,
  ),
  '',
];
process.stdout.write(`${lines.join('\n')}\n`);
