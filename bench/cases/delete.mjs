// Bulk delete: `delete --from-file` (bulk_delete, 1000 ids a request) against one DELETE per
// person; and a run whose pace is set by the server's rate limit, against the least time that
// limit allows. Every run gets a fresh sandbox with the same seed, so both sides delete the same
// persons from the same state.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectOk, runNode } from '../lib/child.mjs';
import { listPersons, personCount, requestLog, clearRequestLog, startSandbox } from '../lib/sandbox.mjs';
import { int, summary } from '../lib/stats.mjs';

const DELETE_LOOP = fileURLToPath(new URL('../baselines/delete-loop.mjs', import.meta.url));
const WINDOW_MS = 60_000;

// The seed's few deliberately odd persons (no distinct_id, one padded with spaces, …) test the
// CLI's edge cases elsewhere; here they would only blur the count, so plain identifiers are taken.
const PLAIN_ID = /^[\w.@+-]+$/;
const SPARE = 100;

/** A sandbox holding `persons` persons with plain distinct_ids, and files of those ids and UUIDs. */
async function prepare(cli, persons, rateLimit) {
  const sandbox = await startSandbox({ cli, persons: persons + SPARE, rateLimit });
  const list = (await listPersons(sandbox)).filter((p) => PLAIN_ID.test(p.distinctId ?? '')).slice(0, persons);
  if (list.length !== persons) throw new Error(`the sandbox has ${list.length} persons with plain distinct_ids, expected ${persons}`);
  const dir = mkdtempSync(join(tmpdir(), 'pp-bench-delete-'));
  const idsFile = join(dir, 'ids.txt');
  const uuidsFile = join(dir, 'uuids.txt');
  writeFileSync(idsFile, `${list.map((p) => p.distinctId).join('\n')}\n`);
  writeFileSync(uuidsFile, `${list.map((p) => p.uuid).join('\n')}\n`);
  const before = await personCount(sandbox);
  await clearRequestLog(sandbox);
  return {
    sandbox,
    dir,
    idsFile,
    uuidsFile,
    async finish() {
      const log = await requestLog(sandbox);
      const deleted = before - (await personCount(sandbox));
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
      return { log, deleted };
    },
  };
}

function countBy(entries, key) {
  const counts = {};
  for (const entry of entries) counts[key(entry)] = (counts[key(entry)] ?? 0) + 1;
  return counts;
}

export async function bulkDeleteCase({ bin, cli, persons, runs, log }) {
  log(`bulk delete: ${persons.toLocaleString('en-US')} distinct_ids, delete --from-file vs a DELETE loop; ${runs} runs each`);
  const cliRuns = [];
  const loopRuns = [];
  for (let round = 0; round < runs; round++) {
    for (const side of round % 2 === 0 ? ['cli', 'loop'] : ['loop', 'cli']) {
      const run = await prepare(cli, persons);
      const env = { ...run.sandbox.env, POSTHOG_PERSONS_CONFIG_DIR: join(run.dir, 'config') };
      const result =
        side === 'cli'
          ? expectOk(await runNode([bin, 'delete', '--from-file', run.idsFile, '--yes', '--rate-limit', '0'], { env }), 'delete --from-file')
          : expectOk(await runNode([DELETE_LOOP, run.sandbox.url, run.sandbox.projectId, run.uuidsFile, '4'], { env, keepStdout: true }), 'DELETE loop');
      const { log: requests, deleted } = await run.finish();
      const sample = {
        wallMs: result.wallMs,
        requests: requests.length,
        byRoute: countBy(requests, (e) => e.route),
        byStatus: countBy(requests, (e) => e.status),
        deleted,
      };
      if (deleted !== persons) throw new Error(`${side}: ${deleted} of ${persons} persons were deleted`);
      (side === 'cli' ? cliRuns : loopRuns).push(sample);
    }
    log(`  ${round + 1}/${runs} rounds`);
  }
  return {
    persons,
    cli: { wall: summary(cliRuns.map((r) => r.wallMs)), runs: cliRuns },
    loop: { wall: summary(loopRuns.map((r) => r.wallMs)), runs: loopRuns },
  };
}

/**
 * The least wall time a sliding-window limit of `limit` requests per `windowMs` allows for
 * `requests` requests: request k (from 0) cannot start before request k - limit has left the
 * window, so the earliest start of request k is floor(k / limit) windows, and the last one,
 * k = requests - 1, starts at floor((requests - 1) / limit) windows. (Its own service time and
 * the process's start-up come on top; the bound leaves them out, which makes it stricter.)
 */
export function slidingWindowBoundMs(requests, limit, windowMs = WINDOW_MS) {
  return Math.floor((requests - 1) / limit) * windowMs;
}

export async function rateLimitCase({ bin, cli, persons, batchSize, limit, log }) {
  const requests = Math.ceil(persons / batchSize);
  const boundMs = slidingWindowBoundMs(requests, limit);
  log(`rate limited: ${persons.toLocaleString('en-US')} ids in ${requests} batches of ${batchSize}, sandbox and client at ${limit}/min; bound ${boundMs / 1000} s`);
  const run = await prepare(cli, persons, limit);
  const env = { ...run.sandbox.env, POSTHOG_PERSONS_CONFIG_DIR: join(run.dir, 'config') };
  const result = await runNode(
    // --no-lookup: every request is a bulk_delete, so the run measures the delete budget alone (a
    // default run also looks each batch up first, through the separate read budget).
    [bin, 'delete', '--from-file', run.idsFile, '--yes', '--no-lookup', '--batch-size', String(batchSize), '--rate-limit', String(limit)],
    { env },
  );
  const { log: entries, deleted } = await run.finish();
  const bulk = entries.filter((e) => e.route === 'bulk_delete');
  return {
    persons,
    batchSize,
    limit,
    requests,
    boundMs,
    wallMs: result.wallMs,
    exitCode: result.code,
    // The "Done" block the command prints; the journal's temporary path says nothing here.
    summary: result.stderr
      .slice(Math.max(0, result.stderr.lastIndexOf('Done')))
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('Journal:'))
      .join('\n'),
    bulkRequests: bulk.length,
    byStatus: countBy(bulk, (e) => e.status),
    deleted,
    failed: persons - deleted,
  };
}

/**
 * Peak RSS of `delete --from-file` against the size of the input file. The reader streams the file
 * (one pass to check it, one to send it) and the runner holds a few batches; what grows with the
 * input is the index that finds duplicates. The two sizes of the bar run alternately, `runs` times
 * each, every run against a fresh sandbox. Then, once each: a file of `large` identifiers of which
 * only the first `present` exist (so the sandbox need not hold them all; the CLI does the same work
 * for an identifier PostHog does not find), `--resume` of that finished run, which reads the whole
 * journal and the whole file again and sends nothing, and the same file piped to `--from-file -`.
 */
export async function deleteMemoryCase({ bin, cli, sizes, runs, large, present, log }) {
  log(
    `bulk delete memory: delete --from-file of ${sizes.map(int).join(' and ')} distinct_ids, ${runs === 1 ? 'once' : `${runs} runs`} each, ` +
      `then ${int(large)} (${int(present)} present), its --resume and on stdin; peak RSS`,
  );
  const samples = new Map(sizes.map((n) => [n, []]));
  for (let round = 0; round < runs; round++) {
    for (const persons of round % 2 === 0 ? sizes : [...sizes].reverse()) {
      const run = await prepare(cli, persons);
      const env = { ...run.sandbox.env, POSTHOG_PERSONS_CONFIG_DIR: join(run.dir, 'config') };
      const result = expectOk(
        await runNode([bin, 'delete', '--from-file', run.idsFile, '--yes', '--rate-limit', '0'], { env, stats: true }),
        'delete --from-file',
      );
      const { log: requests, deleted } = await run.finish();
      if (deleted !== persons) throw new Error(`delete memory: ${deleted} of ${persons} persons were deleted`);
      samples.get(persons).push({ peakRssKiB: result.peakRssKiB, wallMs: result.wallMs, requests: requests.length });
    }
  }
  const rows = sizes.map((persons) => {
    const list = samples.get(persons);
    const row = { persons, peakRssKiB: summary(list.map((r) => r.peakRssKiB)), wallMs: summary(list.map((r) => r.wallMs)), requests: list[0].requests };
    log(`  ${int(persons)}: ${Math.round(row.peakRssKiB.median / 1024)} MiB (median of ${list.length})`);
    return row;
  });

  const run = await prepare(cli, present);
  const idsFile = join(run.dir, 'large.txt');
  const lines = readFileSync(run.idsFile, 'utf8').trimEnd().split('\n');
  // Absent identifiers shaped like the present ones: about as long, each one different.
  for (let i = lines.length; i < large; i++) lines.push(`absent-${i}-${((i * 2654435761) >>> 0).toString(36)}@example.com`);
  writeFileSync(idsFile, `${lines.join('\n')}\n`);
  const bytes = statSync(idsFile).size;
  const env = { ...run.sandbox.env, POSTHOG_PERSONS_CONFIG_DIR: join(run.dir, 'config') };
  const args = [bin, 'delete', '--from-file', idsFile, '--yes', '--rate-limit', '0'];
  const first = expectOk(await runNode(args, { env, stats: true }), 'delete --from-file (large)');
  const sentFirst = (await requestLog(run.sandbox)).filter((e) => e.route === 'bulk_delete').length;
  await clearRequestLog(run.sandbox);
  const resumed = expectOk(await runNode([...args, '--resume'], { env, stats: true }), 'delete --from-file --resume (large)');
  const sentOnResume = (await requestLog(run.sandbox)).filter((e) => e.route === 'bulk_delete').length;
  await clearRequestLog(run.sandbox);
  // The same identifiers piped in: stdin cannot be read twice, so they are kept (in the duplicate
  // index). PostHog finds none of them any more, which changes nothing for the CLI's memory.
  const piped = expectOk(
    await runNode([bin, 'delete', '--from-file', '-', '--yes', '--rate-limit', '0', '--journal', join(run.dir, 'stdin.journal.jsonl')], {
      env,
      stats: true,
      stdin: readFileSync(idsFile, 'utf8'),
    }),
    'delete --from-file - (large)',
  );
  const { log: requests, deleted } = await run.finish();
  if (deleted !== present) throw new Error(`delete memory: ${deleted} of ${present} persons were deleted`);
  const sentPiped = requests.filter((e) => e.route === 'bulk_delete').length;
  log(`  ${int(large)}: ${Math.round(first.peakRssKiB / 1024)} MiB; --resume ${Math.round(resumed.peakRssKiB / 1024)} MiB; on stdin ${Math.round(piped.peakRssKiB / 1024)} MiB`);
  return {
    rows,
    runs,
    large: {
      ids: large,
      present,
      bytes,
      first: { peakRssKiB: first.peakRssKiB, wallMs: first.wallMs, bulkRequests: sentFirst },
      resume: { peakRssKiB: resumed.peakRssKiB, wallMs: resumed.wallMs, bulkRequests: sentOnResume },
      stdin: { peakRssKiB: piped.peakRssKiB, wallMs: piped.wallMs, bulkRequests: sentPiped },
    },
  };
}
