// The query-selected delete workload: `delete --where plan=startup --expect N --yes` against a
// sandbox of generated persons (seed 1, in its own process), where the query selects about 10,000.
// The CLI lists the selection (page size 1000), journals the snapshot, and deletes it by UUID.
//   - with PostHog Cloud's limits on the server and the client's defaults (reads 240/min; deletes
//     480/min and 4,800/hour): `runs` times, median wall time;
//   - with the limits scaled down so they bind (N requests a minute for reads and for deletes, on
//     both sides), once, to compare the wall time with the time the limits allow;
//   - peak RSS of the same command at two sizes of selection (`--where plan=free`).
// Every run checks that exactly the selected persons are gone.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { expectOk, runNode } from '../lib/child.mjs';
import { clearRequestLog, requestLog, startSandbox } from '../lib/sandbox.mjs';
import { int, median, ratio, seconds } from '../lib/stats.mjs';

const CLOUD = { read: 240, delete: 480, deleteHourly: 4800 };

async function control(sandbox, path, value) {
  const res = await request(`${sandbox.url}${path}`, { method: 'POST', body: JSON.stringify({ value }), headers: { 'content-type': 'application/json' } });
  await res.body.text();
  if (res.statusCode >= 300) throw new Error(`sandbox control ${path}: ${res.statusCode}`);
}

/** How many persons match now, asked with plain requests (not through the CLI measured). */
async function matching(sandbox, properties) {
  const query = new URLSearchParams({ limit: '1', include_total: '1', ...(properties ? { properties } : {}) });
  const res = await request(`${sandbox.url}/api/projects/${sandbox.projectId}/persons/?${query}`, { headers: { authorization: `Bearer ${sandbox.key}` } });
  return JSON.parse(await res.body.text()).count;
}

/** When the last of `n` requests may go, `limit` a sliding 60 s window allowing (0 when they all fit at once). */
export const boundMs = (n, limit) => (limit > 0 && n > 0 ? Math.floor((n - 1) / limit) * 60_000 : 0);

/**
 * The least time the limits allow a run: its reads (the list pages, then a lookup of each batch
 * before it is deleted, 200 UUIDs a request) share the read budget, and the deletes, which start
 * once the snapshot is complete, have their own.
 */
export const runBoundMs = (r, readLimit, deleteLimit) => Math.max(boundMs(r.pages + r.lookups, readLimit), boundMs(r.pages, readLimit) + boundMs(r.bulk, deleteLimit));

/** One run against a fresh sandbox: the request counts, wall time and peak RSS, the deletion checked. */
async function deleteByQuery({ cli, bin, persons, plan, serverLimits, clientLimit }) {
  const sandbox = await startSandbox({ cli, persons, seed: 1 });
  try {
    const filter = JSON.stringify([{ key: 'plan', value: plan, operator: 'exact', type: 'person' }]);
    const selected = await matching(sandbox, filter);
    // Limits on only now, so the counting above costs the run nothing; the log starts empty.
    if (serverLimits) await control(sandbox, '/_sandbox/options', { rateLimit: serverLimits });
    await clearRequestLog(sandbox);
    const dir = mkdtempSync(join(tmpdir(), 'pp-bench-query-'));
    const env = { ...sandbox.env, POSTHOG_PERSONS_CONFIG_DIR: join(dir, 'config') };
    const globals = clientLimit === undefined ? [] : ['--rate-limit', String(clientLimit)];
    const args = [bin, ...globals, 'delete', '--where', `plan=${plan}`, '--expect', String(selected), '--yes', '--journal', join(dir, 'query.journal.jsonl')];
    const run = expectOk(await runNode(args, { env, stats: true }), 'delete --where');
    const log = await requestLog(sandbox);
    if (serverLimits) await control(sandbox, '/_sandbox/options', { rateLimit: 0 });
    const left = await matching(sandbox, filter);
    const total = await matching(sandbox);
    if (left !== 0 || total !== persons - selected) throw new Error(`query delete: ${left} selected persons left, ${total} persons in all`);
    return {
      selected,
      // Answered requests; a throttled one (429) is counted apart.
      pages: log.filter((e) => e.route === 'list' && e.status === 200).length,
      pageSizes: [...new Set(log.filter((e) => e.route === 'list').map((e) => e.query.limit))],
      bulk: log.filter((e) => e.route === 'bulk_delete' && e.status === 202).length,
      lookups: log.filter((e) => e.route === 'batch_by_uuids' && e.status === 200).length,
      throttled: log.filter((e) => e.status === 429).length,
      wallMs: run.wallMs,
      peakRssKiB: run.peakRssKiB,
    };
  } finally {
    await sandbox.stop();
  }
}

export async function queryDeleteCase({ cli, bin, persons = 46_500, plan = 'startup', runs = 3, scaledLimit = 6, scaled = true, memorySizes = [40_000, 200_000], log }) {
  log(`query delete: delete --where plan=${plan} of a sandbox of ${int(persons)}, Cloud limits, ${runs} runs`);
  // The machine may be shared: its load is part of what a wall time means.
  const loadBefore = os.loadavg()[0];
  const cloud = [];
  for (let i = 0; i < runs; i++) {
    const r = await deleteByQuery({ cli, bin, persons, plan, serverLimits: CLOUD });
    log(`  ${int(r.selected)} selected: ${r.pages} list, ${r.lookups} lookups, ${r.bulk} bulk_delete, ${r.throttled}× 429, ${seconds(r.wallMs)}`);
    cloud.push(r);
  }
  let bound;
  if (scaled) {
    log(`query delete: limits scaled to ${scaledLimit} reads and ${scaledLimit} deletes a minute (takes minutes)`);
    const r = await deleteByQuery({ cli, bin, persons, plan, serverLimits: { read: scaledLimit, delete: scaledLimit }, clientLimit: scaledLimit });
    // The deletes start once the snapshot is complete: their window starts then.
    bound = { ...r, limit: scaledLimit, boundMs: runBoundMs(r, scaledLimit, scaledLimit) };
    log(`  ${seconds(r.wallMs)}; the limits allow ${seconds(bound.boundMs)}`);
  }
  const memory = [];
  for (const size of memorySizes) {
    const r = await deleteByQuery({ cli, bin, persons: size, plan: 'free' });
    log(`  memory: ${int(r.selected)} selected of ${int(size)}: ${Math.round(r.peakRssKiB / 1024)} MiB`);
    memory.push({ persons: size, selected: r.selected, peakRssKiB: r.peakRssKiB });
  }
  return { persons, plan, cloud, bound, memory, load: [loadBefore, os.loadavg()[0]] };
}

/** The "Query-selected delete" section of docs/benchmarks.md. */
export function queryDeleteSection(result) {
  const { persons, plan, cloud, bound, memory, load } = result;
  const first = cloud[0];
  const cloudBound = runBoundMs(first, CLOUD.read, CLOUD.delete);
  const walls = cloud.map((r) => r.wallMs);
  const row = (limits, r, wall, limitMs) =>
    `| ${limits} | ${int(r.selected)} | ${r.pages} (${r.pageSizes.join(', ')}) | ${Math.ceil(r.selected / 1000)} | ${r.lookups} | ${r.bulk} | ${r.throttled} | ${wall} | ${seconds(limitMs)} | ${limitMs > 0 ? ratio(r.wallMs / limitMs) : 'n/a (the limits do not bind)'} |`;
  const lines = [
    '## Query-selected delete',
    '',
    `\`delete --where plan=${plan} --expect N --yes\` against a sandbox of ${int(persons)} generated persons (seed 1, in its own`,
    `process), of which the query selects ${int(first.selected)}. The CLI lists the selection 1,000 a page, journals the snapshot`,
    'of UUIDs, then deletes exactly those persons by UUID through `bulk_delete`, each batch looked up first (200 UUIDs a',
    '`batch_by_uuids` request, so the journal and `--report` say which persons each batch deleted; every run checks that',
    'none of the selected persons is left and every other person is). `node bench/query-delete.mjs` runs',
    'this case alone.',
    '',
    '| limits | selected | list requests (page size) | ceil(selected/1000) | batch lookups | bulk_delete requests | 429 answers | wall time | time the limits allow | ratio |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    row(
      'PostHog Cloud: reads 240/min; deletes 480/min and 4,800/hour (server), the client\'s defaults',
      first,
      `${seconds(median(walls))} (median of ${cloud.length}: ${walls.map((w) => seconds(w)).join(', ')})`,
      cloudBound,
    ),
    ...(bound ? [row(`scaled: ${bound.limit} reads and ${bound.limit} deletes a minute, server and client`, bound, seconds(bound.wallMs), bound.boundMs)] : []),
    '',
    `- **Requests.** A selection of ${int(first.selected)} persons cost ${first.pages} list requests, all with \`limit=1000\`, then`,
    `  ${first.bulk} \`bulk_delete\` requests. A selection of an exact multiple of 1,000 costs one more list request:`,
    '  PostHog answers a full last page with a `next` link to an empty page, and only `next` says the list',
    '  is over.',
    `- **PostHog Cloud's limits** ${cloudBound === 0 ? 'do not bind a run of this size: every request fits in the first minute\'s budget, so the wall time is the work itself' : 'bind this run'} (from spawning the CLI to its exit, start-up and the sandbox's own deleting included; 1-minute load average ${load[0].toFixed(1)} before the case, ${load[1].toFixed(1)} after it, on ${os.cpus().length} cores).`,
    ...(bound
      ? [
          `- **Limits that bind, scaled.** Both sides set to ${bound.limit} reads and ${bound.limit} deletes a minute (Cloud's reads divided`,
          `  by ${CLOUD.read / bound.limit}, its deletes by ${CLOUD.delete / bound.limit}; at Cloud's own limits nothing binds, and an hour-long window would take too`,
          `  long to measure): the ${bound.pages} list pages and ${bound.lookups} lookups share the read budget, and the ${bound.bulk} deletes`,
          `  (which start once the snapshot is complete) have their own: ${seconds(bound.boundMs)} by the limits; the run took ${seconds(bound.wallMs)} (${ratio(bound.wallMs / bound.boundMs)}), with`,
          `  ${bound.throttled === 0 ? 'no request refused' : `${bound.throttled} requests refused with 429`}.`,
        ]
      : []),
    ...(memory.length > 0
      ? [
          '- **Memory.** The snapshot is held in memory while the run works on it. Peak RSS of',
          `  \`delete --where plan=free\` (no limits): ${memory.map((m) => `${Math.round(m.peakRssKiB / 1024)} MiB for ${int(m.selected)} selected persons (sandbox of ${int(m.persons)})`).join(', ')}.`,
          '  For selections far larger, a file of UUIDs (`list --all --fields uuid -o csv`, then',
          '  `delete --from-file`) keeps the selection out of memory.',
        ]
      : []),
    '',
  ];
  return lines.join('\n');
}
