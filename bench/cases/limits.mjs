// Work against PostHog's rate limits, measured against the sandbox with Cloud's limits switched on
// and both windows shrunk by SCALE (POSTHOG_PERSONS_RATE_WINDOW_SCALE, read by the CLI's limiter and
// the sandbox's throttle alike), so a run an hourly budget bounds takes a minute, not an hour:
//
// - list --all of N persons at the default page size (1,000) and at 100: requests, wall time, peak
//   RSS, and the limit-bound time of the same requests (src/api/rate-model.ts, at 240 a minute);
// - plan accuracy: the time a dry run of a bulk delete states against the measured run.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNode } from '../lib/child.mjs';
import { clearRequestLog, requestLog, startSandbox } from '../lib/sandbox.mjs';
import { int, mib, ratio, seconds, verdict } from '../lib/stats.mjs';

const CLOUD_READ = '240/min';
const CLOUD_DELETE = '480/min,4800/hour';

/** "1 min 2 s", "45 s", "1 h 2 min" → ms (the plan line's own format, src/api/rate-model.ts). */
export function parseDuration(text) {
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+) (h|min|s)\b/g)) ms += Number(n) * { h: 3_600_000, min: 60_000, s: 1000 }[unit];
  return ms;
}

export async function listAllCase({ bin, cli, persons, scale, log }) {
  const env = { POSTHOG_PERSONS_RATE_WINDOW_SCALE: String(scale) };
  log(`list --all: ${int(persons)} persons, sandbox at ${CLOUD_READ} with windows / ${scale}`);
  const sandbox = await startSandbox({ cli, persons, rateLimit: CLOUD_READ, env });
  const rows = [];
  try {
    const childEnv = { ...sandbox.env, ...env, POSTHOG_PERSONS_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'pp-bench-limits-')) };
    // The first pass over the sandbox builds its cached JSON of each person; nobody should pay for it.
    // (At 1,000 a page it is 101 requests, under the 240 of one window: nothing is throttled.)
    await runNode([bin, 'list', '--all', '-o', 'jsonl'], { env: childEnv });
    // The warm-up went through the throttle too: let its (scaled) minute window empty.
    await new Promise((resolve) => setTimeout(resolve, 60_000 / scale + 100));
    for (const pageSize of [undefined, 100]) {
      await clearRequestLog(sandbox);
      const args = [bin, 'list', '--all', '-o', 'jsonl', ...(pageSize ? ['--page-size', String(pageSize)] : [])];
      const result = await runNode(args, { env: childEnv, stats: true });
      const entries = (await requestLog(sandbox)).filter((e) => e.route === 'list');
      const requests = entries.length;
      const boundMs = boundAt240(requests, scale);
      rows.push({
        pageSize: pageSize ?? 'default (1,000)',
        code: result.code,
        lines: result.lines,
        requests,
        throttled: entries.filter((e) => e.status === 429).length,
        wallMs: result.wallMs,
        boundMs,
        peakRssKiB: result.peakRssKiB,
        stderr: result.stderr.trim(),
      });
      log(`  page size ${pageSize ?? 'default'}: ${requests} requests, ${seconds(result.wallMs)} (limit-bound ${seconds(boundMs)} scaled), ${mib(result.peakRssKiB)}`);
    }
  } finally {
    await sandbox.stop();
  }
  return { persons, scale, rows };
}

/**
 * The sliding-window bound at 240 a minute (scaled), reads having no hourly budget: the last
 * request starts after floor((n-1)/240) windows (what src/api/rate-model.ts computes for one window).
 */
function boundAt240(requests, scale) {
  return requests <= 0 ? 0 : Math.floor((requests - 1) / 240) * (60_000 / scale);
}

export async function planAccuracyCase({ bin, cli, requests, scale, log }) {
  const env = { POSTHOG_PERSONS_RATE_WINDOW_SCALE: String(scale) };
  log(`plan accuracy: delete of ${int(requests)} ids in batches of 1, sandbox and client at ${CLOUD_DELETE} with windows / ${scale}`);
  // Identifiers PostHog does not know cost the same request as known ones; the sandbox needs no persons.
  const sandbox = await startSandbox({ cli, persons: 0, rateLimit: CLOUD_DELETE, env });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'pp-bench-plan-'));
    const idsFile = join(dir, 'ids.txt');
    writeFileSync(idsFile, `${Array.from({ length: requests }, (_, i) => `plan-accuracy-${i}`).join('\n')}\n`);
    const childEnv = { ...sandbox.env, ...env, POSTHOG_PERSONS_CONFIG_DIR: join(dir, 'config') };
    const base = [bin, 'delete', '--from-file', idsFile, '--batch-size', '1', '--journal', join(dir, 'journal.jsonl')];
    const dry = await runNode([...base, '--dry-run'], { env: childEnv });
    const line = /: at least ([^.;]+) at [^.]*\./.exec(dry.stderr);
    const statedMs = line ? parseDuration(line[1]) : undefined;
    await clearRequestLog(sandbox);
    const run = await runNode([...base, '--yes'], { env: childEnv });
    const entries = (await requestLog(sandbox)).filter((e) => e.route === 'bulk_delete');
    const result = {
      requests,
      scale,
      planLine: line ? line[0].slice(2) : dry.stderr.trim(),
      statedMs,
      wallMs: run.wallMs,
      code: run.code,
      sent: entries.length,
      throttled: entries.filter((e) => e.status === 429).length,
    };
    log(`  stated ${statedMs === undefined ? '?' : seconds(statedMs)}, measured ${seconds(run.wallMs)}; ${result.sent} requests, ${result.throttled} answered 429`);
    return result;
  } finally {
    await sandbox.stop();
  }
}

export function limitsSection({ listAll, plan }) {
  const out = ['## Against PostHog\'s rate limits (scaled windows)', ''];
  out.push(
    'The sandbox throttles like PostHog Cloud (240 a minute for reads; 480 a minute and 4,800 an hour for',
    'deletes, as sliding windows) with both windows divided by the scale, and the CLI\'s limiter uses the same',
    'scaled windows (`POSTHOG_PERSONS_RATE_WINDOW_SCALE`). The limit-bound time is the model of',
    '`src/api/rate-model.ts`: the earliest the last request may start; wall time includes start-up.',
    '',
  );
  if (listAll) {
    out.push(`### \`list --all\` of ${int(listAll.persons)} persons (windows / ${listAll.scale}: a minute is ${seconds(60_000 / listAll.scale)})`, '');
    out.push('| page size | requests | 429s | persons printed | wall | limit-bound (scaled) | limit-bound at real PostHog | peak RSS |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of listAll.rows) {
      out.push(
        `| ${r.pageSize} | ${int(r.requests)} | ${r.throttled} | ${int(r.lines)} | ${seconds(r.wallMs)} | ${seconds(r.boundMs)} | ${seconds(r.boundMs * listAll.scale)} | ${mib(r.peakRssKiB)} |`,
      );
    }
    out.push('');
  }
  if (plan) {
    const ratioValue = plan.statedMs ? plan.wallMs / plan.statedMs : undefined;
    out.push(`### Plan accuracy: \`delete --from-file\` of ${int(plan.requests)} ids, one a request (windows / ${plan.scale})`, '');
    out.push(`The dry run said: "${plan.planLine}" (scaled).`, '');
    out.push('| stated | measured | measured / stated | requests | 429s | exit | bar: within 10% |', '| --- | --- | --- | --- | --- | --- | --- |');
    out.push(
      `| ${plan.statedMs === undefined ? '?' : seconds(plan.statedMs)} | ${seconds(plan.wallMs)} | ${ratioValue ? ratio(ratioValue) : '?'} | ${int(plan.sent)} | ${plan.throttled} | ${plan.code} | ${verdict(ratioValue !== undefined && ratioValue <= 1.1 && ratioValue >= 0.9)} |`,
      '',
    );
  }
  return out.join('\n');
}
