// Bulk property write: `set-prop --from-file` through the REST API (one PATCH a person) against
// `--via capture` ($set events, 1,000 a request), with PostHog Cloud's read limit of 240 requests
// a minute on in the sandbox and the client. Each run gets a fresh sandbox; afterwards the bench
// reads every person back (with another key, whose throttle is its own) to check that each has the
// new value, and counts the persons, since capture would create one for an unknown distinct_id.
//
// Cloud's limit makes the REST path take hours, so it runs at a scaled limit: `scale` times 240 a
// minute, which divides the limit-bound time by `scale`; the unscaled bound is computed from the
// same request count. The capture path runs at the real 240 a minute.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectOk, runNode } from '../lib/child.mjs';
import { clearRequestLog, listPersons, personCount, requestLog, startSandbox } from '../lib/sandbox.mjs';
import { slidingWindowBoundMs } from './delete.mjs';

const CLOUD_READS_PER_MINUTE = 240;
const PLAIN_ID = /^[\w.@+-]+$/;
const SPARE = 100;
/** The sandbox's full-access demo key (src/sandbox/keys.ts): the bench's own reads use it, so the
 * measured run's key starts with an empty rate window. */
const BENCH_KEY = 'phx_sandboxAllXAjg4rbW9cRXplcNNPEtEMuPikcJGG';
const REST_WRITES = new Set(['partial_update', 'update', 'update_property', 'delete_property']);

async function readPlans(sandbox) {
  const plans = new Map();
  let path = `/api/projects/${sandbox.projectId}/persons/?limit=1000`;
  const { request } = await import('undici');
  while (path) {
    const res = await request(`${sandbox.url}${path}`, { headers: { authorization: `Bearer ${BENCH_KEY}` } });
    const page = JSON.parse(await res.body.text());
    if (res.statusCode !== 200) throw new Error(`reading persons back: ${res.statusCode}`);
    for (const person of page.results) for (const id of person.distinct_ids) plans.set(id, person.properties?.plan);
    path = page.next ? new URL(page.next).pathname + new URL(page.next).search : null;
  }
  return plans;
}

async function oneRun({ bin, cli, persons, via, limit, log }) {
  const sandbox = await startSandbox({ cli, persons: persons + SPARE, rateLimit: limit });
  try {
    const list = (await listPersons({ ...sandbox, key: BENCH_KEY })).filter((p) => PLAIN_ID.test(p.distinctId ?? '')).slice(0, persons);
    if (list.length !== persons) throw new Error(`the sandbox has ${list.length} persons with plain distinct_ids, expected ${persons}`);
    const dir = mkdtempSync(join(tmpdir(), 'pp-bench-props-'));
    const file = join(dir, 'plans.csv');
    writeFileSync(file, `distinct_id,plan\n${list.map((p) => `${p.distinctId},bench-${via}`).join('\n')}\n`);
    const before = await personCount(sandbox);
    await clearRequestLog(sandbox);
    const env = { ...sandbox.env, POSTHOG_PERSONS_CONFIG_DIR: join(dir, 'config') };
    const args = [bin, '--rate-limit', String(limit), 'set-prop', '--from-file', file, '--yes', ...(via === 'capture' ? ['--via', 'capture'] : [])];
    const result = expectOk(await runNode(args, { env }), `set-prop --from-file --via ${via}`);
    const entries = await requestLog(sandbox);
    const created = (await personCount(sandbox)) - before;
    const plans = await readPlans(sandbox);
    const wrong = list.filter((p) => plans.get(p.distinctId) !== `bench-${via}`).length;
    rmSync(dir, { recursive: true, force: true });
    const count = (test) => entries.filter(test).length;
    // A request answered 429 was not let in (the server does not count it) and is sent again, so
    // counts are of requests let in; the 429s are counted apart.
    const admitted = entries.filter((e) => e.status !== 429);
    const lookups = admitted.filter((e) => e.route === 'batch_by_distinct_ids').length;
    const restWrites = admitted.filter((e) => REST_WRITES.has(e.route)).length;
    const limited = admitted.filter((e) => e.route !== 'capture').length;
    const run = {
      via,
      persons,
      limit,
      wallMs: result.wallMs,
      requests: entries.length,
      lookups,
      captures: admitted.filter((e) => e.route === 'capture').length,
      restWrites,
      projectDetail: count((e) => e.route === 'project_detail'),
      throttled: count((e) => e.status === 429),
      limited,
      boundMs: slidingWindowBoundMs(limited, limit),
      cloudBoundMs: slidingWindowBoundMs(limited, CLOUD_READS_PER_MINUTE),
      created,
      wrong,
    };
    log(`  --via ${via}, ${persons.toLocaleString('en-US')} persons at ${limit}/min: ${(run.wallMs / 1000).toFixed(1)} s, ${run.requests} requests (${lookups} lookups, ${run.captures} capture, ${restWrites} REST writes); bound ${run.boundMs / 1000} s; ${created} created, ${wrong} without the value`);
    return run;
  } finally {
    await sandbox.stop();
  }
}

/**
 * @param {{ bin: string, cli: string, sizes: number[], restSizes: number[], scale: number, log: (line: string) => void }} options
 */
export async function propertyWriteCase({ bin, cli, sizes, restSizes, scale, log }) {
  log(`bulk property write: --via capture of ${sizes.join(', ')} at ${CLOUD_READS_PER_MINUTE}/min; REST of ${restSizes.join(', ')} at ${scale}x that`);
  const runs = [];
  for (const persons of sizes) runs.push(await oneRun({ bin, cli, persons, via: 'capture', limit: CLOUD_READS_PER_MINUTE, log }));
  for (const persons of restSizes) runs.push(await oneRun({ bin, cli, persons, via: 'api', limit: CLOUD_READS_PER_MINUTE * scale, log }));
  // The REST path's requests for sizes not run: one lookup a batch of 100 (the default) and one PATCH a person.
  const computed = sizes
    .filter((n) => !restSizes.includes(n))
    .map((persons) => {
      const requests = persons + Math.ceil(persons / 100);
      return { persons, requests, cloudBoundMs: slidingWindowBoundMs(requests, CLOUD_READS_PER_MINUTE) };
    });
  return { scale, runs, computed, cloudLimit: CLOUD_READS_PER_MINUTE };
}
