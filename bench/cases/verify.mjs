// The verify workload: `verify --from-file` of 10,000 distinct_ids against a sandbox with PostHog
// Cloud's read limit (240 a minute) on the server and the client's defaults. Half the identifiers
// belong to persons of the sandbox, half to nobody, so the run ends with exit 8 and the persons
// still present on stdout. What matters is the request count (ceil(N/200) batch lookups, no
// write) and the wall time against the time the read limit allows for those lookups.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { runNode } from '../lib/child.mjs';
import { clearRequestLog, listPersons, requestLog, startSandbox } from '../lib/sandbox.mjs';
import { int, median, ratio, seconds } from '../lib/stats.mjs';

const CLOUD = { read: 240, delete: 480, deleteHourly: 4800 };

async function control(sandbox, path, value) {
  const res = await request(`${sandbox.url}${path}`, { method: 'POST', body: JSON.stringify({ value }), headers: { 'content-type': 'application/json' } });
  await res.body.text();
  if (res.statusCode >= 300) throw new Error(`sandbox control ${path}: ${res.statusCode}`);
}

/** When the last of `n` requests may go, at `limit` a sliding minute (0 when they all fit at once). */
const boundMs = (n, limit) => (n > 0 ? Math.floor((n - 1) / limit) * 60_000 : 0);

export async function verifyCase({ cli, bin, ids = 10_000, runs = 3, log }) {
  const present = Math.floor(ids / 2);
  log(`verify: ${int(ids)} distinct_ids (${int(present)} present), Cloud's read limit, ${runs} runs`);
  const loadBefore = os.loadavg()[0];
  const sandbox = await startSandbox({ cli, persons: present, seed: 1 });
  try {
    // (a seeded person without any distinct_id cannot be named by one)
    const persons = (await listPersons(sandbox)).filter((p) => typeof p.distinctId === 'string');
    const lines = [...persons.map((p) => p.distinctId), ...Array.from({ length: ids - persons.length }, (_, i) => `verify-gone-${i}`)];
    const dir = mkdtempSync(join(os.tmpdir(), 'pp-bench-verify-'));
    // JSON Lines: a few sandbox distinct_ids hold line breaks, which a plain list would split.
    const file = join(dir, 'ids.jsonl');
    writeFileSync(file, lines.map((id) => `${JSON.stringify({ distinct_id: id })}\n`).join(''));
    await control(sandbox, '/_sandbox/options', { rateLimit: CLOUD });
    const env = { ...sandbox.env, POSTHOG_PERSONS_CONFIG_DIR: join(dir, 'config') };
    const results = [];
    for (let i = 0; i < runs; i++) {
      await clearRequestLog(sandbox);
      const run = await runNode([bin, 'verify', '--from-file', file, '-o', 'tsv'], { env, stats: true });
      if (run.code !== 8) throw new Error(`verify exited ${run.code}, expected 8 (some present):\n${run.stderr}`);
      const stillPresent = run.lines;
      if (stillPresent !== persons.length) throw new Error(`verify printed ${stillPresent} present, expected ${persons.length}`);
      const log_ = await requestLog(sandbox);
      const lookups = log_.filter((e) => e.route === 'batch_by_distinct_ids' && e.status === 200).length;
      const writes = log_.filter((e) => e.method !== 'GET' && !String(e.route).startsWith('batch_by')).length;
      results.push({ lookups, writes, throttled: log_.filter((e) => e.status === 429).length, wallMs: run.wallMs, present: stillPresent });
      log(`  ${lookups} lookups, ${writes} writes, ${seconds(run.wallMs)}`);
    }
    return { ids, present: persons.length, results, load: [loadBefore, os.loadavg()[0]] };
  } finally {
    await sandbox.stop();
  }
}

/** The "Verify" section of docs/benchmarks.md. */
export function verifySection(result) {
  const { ids, present, results, load } = result;
  const first = results[0];
  const walls = results.map((r) => r.wallMs);
  const bound = boundMs(first.lookups, CLOUD.read);
  return [
    '## Verify',
    '',
    `\`verify --from-file\` of ${int(ids)} distinct_ids, ${int(present)} of them persons of the sandbox and the rest nobody's, against`,
    "the sandbox (its own process) with PostHog Cloud's read limit of 240 a minute on the server and the",
    'client\'s defaults. Every run exits 8 and prints exactly the present ones.',
    '',
    '| identifiers | batch lookups | ceil(N/200) | writes | 429 answers | wall time | time the read limit allows |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${int(ids)} | ${first.lookups} | ${Math.ceil(ids / 200)} | ${first.writes} | ${first.throttled} | ${seconds(median(walls))} (median of ${results.length}: ${walls.map(seconds).join(', ')}) | ${seconds(bound)}${bound > 0 ? ` (${ratio(median(walls) / bound)})` : ': the lookups fit in one minute\'s budget'} |`,
    '',
    `1-minute load average ${load[0].toFixed(1)} before the case and ${load[1].toFixed(1)} after it, on ${os.cpus().length} cores.`,
    '',
  ].join('\n');
}
