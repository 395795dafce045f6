// Turns one run's results into docs/benchmarks.md. Every ratio in it compares figures taken in
// the same run, side by side, so that the load of a shared machine cancels out.
import { int, mib, ms, msRange, percent, ratio, seconds, verdict } from './lib/stats.mjs';
import { notesFor } from './notes.mjs';
import { propsSection } from './report-props.mjs';
import { queryDeleteSection } from './cases/query-delete.mjs';
import { limitsSection } from './cases/limits.mjs';
import { verifySection } from './cases/verify.mjs';

const MIB = 1024;

export function renderReport({ config, machine, date, results, version }) {
  const bars = [];
  const sections = [];
  if (results.startup) sections.push(startupSection(results.startup, bars));
  if (results.get) sections.push(getSection(results.get, bars));
  if (results.export) sections.push(exportSection(results.export, bars));
  if (results.delete) sections.push(deleteSection(results.delete, bars));
  if (results.deleteMemory) sections.push(deleteMemorySection(results.deleteMemory, bars));
  if (results.rate) sections.push(rateSection(results.rate, bars));
  if (results.props) sections.push(propsSection(results.props, bars));
  if (results.queryDelete) sections.push(queryDeleteSection(results.queryDelete));
  if (results.limits) sections.push(limitsSection(results.limits));
  if (results.verify) sections.push(verifySection(results.verify));
  const failing = bars.filter((b) => !b.holds).map((b) => b.id);

  return `# Benchmarks

Written by \`npm run bench\` (bench/run.mjs) from its run of ${date.toISOString().slice(0, 16).replace('T', ' ')} UTC on
posthog-persons ${version}${config.quick ? ' (**a quick run: smaller sizes, not the figures of record**)' : ''}; do not edit it by hand, run the
benchmark again. \`npm run bench -- --quick\` is a short run that prints its report instead of
writing this file; \`npm run bench -- --help\` lists the flags that set the sizes.

## Machine

| CPU | cores | memory | Node | OS |
| --- | --- | --- | --- | --- |
| ${machine.cpu} | ${machine.cores} | ${machine.memoryGiB.toFixed(1)} GiB | ${machine.node} | ${machine.os} |

Load average (1, 5, 15 min) ${machine.loadBefore.map((l) => l.toFixed(2)).join(', ')} at the start and
${machine.loadAfter.map((l) => l.toFixed(2)).join(', ')} at the end; the run took ${machine.minutes.toFixed(1)} minutes. On a shared
machine absolute times drift, which is why every figure below is compared only with its baseline
from the same run, measured alternately with it.

## The bars

| bar | measured in this run | verdict |
| --- | --- | --- |
${bars.map((b) => `| ${b.bar} | ${b.measured} | ${verdict(b.holds)} |`).join('\n')}
${failing.length > 0 ? `\n${notesFor(failing, results)}\n` : ''}
${sections.join('\n')}
## What keeps it fast

- One bundled entry (dist/cli.js) that answers a bare \`--version\` by itself and otherwise loads
  the command tree; everything a command needs beyond its flags (undici, conf, tables, CSV,
  spinners, prompts, the sandbox) is a chunk loaded when the command runs. test/unit/bundle.test.ts
  keeps it that way, from the metafile and from what a real run loads.
- Dependencies' start-up work this CLI never uses is not done: commander's child_process and
  undici's HTTP/2 client are loaded on first use (scripts/build.mjs), and only undici's Agent is
  loaded, not its index with fetch, WebSocket and caches (src/api/undici-agent.ts). undici's
  WebAssembly HTTP parser stays on V8's baseline compiler instead of being recompiled by TurboFan
  on background threads, which cost peak memory and a wait at exit.
- \`list --all\` requests the next page while it writes the current one, and lets the event loop
  turn every 200 persons so that response is read meanwhile; output is encoded straight into
  64 KiB UTF-8 blocks written with backpressure; CSV rows are stringified in batches.
- A throttled request (429) gives its place in the client's rate window back, as the server does.
- Bulk input is read twice (to check it whole, then to send it) and never held. Duplicates are
  found with an exact index outside the JavaScript heap (src/bulk/input/id-set.ts: UTF-8 bytes in one
  buffer and a typed-array hash table), which the checking pass hands on as a list of duplicate
  lines, so the sending pass keeps no set; rows reach the runner in groups rather than one awaited
  row at a time, and the sending pass reads 16 KiB chunks so that rows waiting for the network do
  not make V8 grow its young generation. Identifiers piped on stdin, which cannot be read twice,
  are served from that index rather than kept as objects. Peak RSS of a 100,000-id delete went
  from 111 MiB to the figure above, and the reader allocates about a third of what it did.
- Integers past 2^53 are kept exact without slowing the common path (src/json/exact.ts): every
  answer goes through \`JSON.parse\`; only text holding a run of 16 or more digits, found by
  probing every 16th character (a run that long must cover one of them), is then scanned once,
  skipping strings whole, for the numbers a double cannot hold, and those are put back as exact
  values. CPU per 1,000-person page (about 520 KB), median of 30 samples of 5 parses each, 2026-12-05, on this
  machine under a load average of 7 to 11: \`JSON.parse\` 1.56 ms; with the exact parser 1.76 ms
  (+13%); a page with one 19-digit distinct_id string 2.39 ms and one with a 20-digit property
  2.45 ms (about 1.5x). The version before (a regular expression to find the runs, then the
  lossless-json parser) took 2.76 ms on a plain page and 14 to 15 ms on the other two (10x): an
  export of persons with Discord or Twitter ids (19-digit strings) would have paid that on every
  page; and the export run made with it peaked at 95 MiB at 10,000 persons, against 80 MiB
  before and 81 MiB with the current parser (likely its objects for the first page, which holds
  the sandbox's big integers). Whole
  exports, the CLI before these output changes against after, alternately against one 100,000-person
  sandbox, 7 runs each (\`node bench/ab-export.mjs before=… after=…\`): \`-o jsonl\` 2,306 against
  2,327 ms of CPU (+1%), \`-o csv\` 2,007 against 2,070 ms (+3%), peak RSS 104 against 107 MiB and
  101 against 101 MiB; the spread between runs (about ±15%) is larger than these differences.
  The full export runs of that morning (\`npm run bench -- --only export\`, load average 5 before,
  11 after) moved with the machine's load, not with the change: jsonl 75% of the raw loop before
  and 80% after, csv 66% and 74%.

## How it is measured

- **Processes.** The sandbox runs in its own process (\`posthog-persons sandbox --port 0 --write-lag 0\`,
  seed 1), started by the benchmark, so its CPU is not the measured command's. Each measured command
  is a fresh \`node bin/posthog-persons.js …\` (the installed entry), stdin from /dev/null, stdout a
  pipe the benchmark drains and counts (exports are checked for the exact number of lines), and a
  fresh empty config folder. Wall time runs from spawn to exit, start-up included.
- **Alternation.** Short commands run ${config.runs} times each, rotating the order every round after one
  unmeasured warm-up each; the table shows median (min–max). Exports run ${config.exportRuns} times per variant
  the same way, after one unmeasured pass that also fills the sandbox's per-person JSON cache.
- **Peak RSS.** Each export child is started as \`node -r bench/child-stats.cjs …\`. On the process's
  \`exit\` event, after all the work, that preload reads \`VmHWM\` from /proc/self/status, the
  kernel's high-water mark of the resident set, which never decreases, and writes it (with the
  process's CPU time) to fd 3.
  Reading it from inside at exit cannot miss the peak or race the process's end as polling
  /proc/<pid>/status from outside can. The raw loop gets the same preload.
- **Export ceiling.** The raw loop (bench/baselines/raw-export.mjs) is plain undici fetching
  pages of 1000 one after the other and writing the bytes as received; it parses nothing but the
  \`next\` link. It is the most a client of this stack can get out of this sandbox, so the
  sandbox's own speed is already in the baseline: the CLI is compared with what the same server
  can deliver, not with an absolute.
- **Bulk delete.** Every run gets a fresh sandbox with the same seed. The identifiers are one
  distinct_id of each of the first persons listed; the loop (bench/baselines/delete-loop.mjs) is
  given their UUIDs for free and keeps 4 requests in flight, like \`delete\`'s default. Requests are
  counted in the sandbox's request log (GET /_sandbox/requests), and the number of persons the
  sandbox holds afterwards proves each side deleted all of them.
`;
}

function startupSection(startup, bars) {
  const base = startup['node -e 0'];
  const rows = Object.entries(startup).map(([name, s]) => `| \`${name}\` | ${msRange(s)} | ${ratio(s.median / base.median)} |`);
  for (const [name, label] of [
    ['posthog-persons --version', '`--version`'],
    ['posthog-persons --help', '`--help`'],
  ]) {
    const r = startup[name].median / base.median;
    bars.push({
      id: name,
      bar: `start-up ${label} ≤ 1.3x \`node -e 0\``,
      measured: `${ms(startup[name].median)} vs ${ms(base.median)}: ${ratio(r)}`,
      holds: r <= 1.3,
    });
  }
  return `## Start-up

| command | wall time, median (min–max) | vs \`node -e 0\` |
| --- | --- | --- |
${rows.join('\n')}
`;
}

function getSection(get, bars) {
  const base = get.times['node -e 0'];
  const cmd = get.times['posthog-persons get <uuid>'];
  const r = cmd.median / base.median;
  bars.push({
    id: 'get',
    bar: 'one request: `get <uuid>` ≤ 2x `node -e 0`',
    measured: `${ms(cmd.median)} vs ${ms(base.median)}: ${ratio(r)}`,
    holds: r <= 2,
  });
  return `## One request

\`get <uuid>\` against the sandbox on loopback (${get.requestsPerGet.toFixed(0)} request per run, from the sandbox's log).

| command | wall time, median (min–max) | vs \`node -e 0\` |
| --- | --- | --- |
| \`node -e 0\` | ${msRange(base)} | 1.00x |
| \`get <uuid>\` | ${msRange(cmd)} | ${ratio(r)} |
`;
}

function exportSection(exports, bars) {
  const tables = exports.map(({ size, variants }) => {
    const raw = variants['raw undici loop'];
    const rows = Object.entries(variants).map(([name, v]) => {
      const share = v.personsPerSecond.median / raw.personsPerSecond.median;
      const cells = [
        name,
        `${int(v.personsPerSecond.median)} (${int(v.personsPerSecond.min)}–${int(v.personsPerSecond.max)})`,
        percent(share),
        seconds(v.wall.median),
        seconds(v.cpuMs.median),
        `${mib(v.peakRssKiB.median)} (${mib(v.peakRssKiB.min)}–${mib(v.peakRssKiB.max)})`,
        `${(v.bytes / 1024 ** 2).toFixed(0)} MiB`,
        percent(v.sandboxCpuShare),
      ];
      return `| ${cells.join(' | ')} |`;
    });
    return `### ${int(size)} persons

| variant | persons/s, median (min–max) | of the raw loop | wall | CPU | peak RSS, median (min–max) | output | sandbox CPU |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
  });
  const small = exports[0];
  const large = exports[1] ?? exports[0];
  for (const format of ['jsonl', 'csv']) {
    const name = `list -o ${format}`;
    const share = large.variants[name].personsPerSecond.median / large.variants['raw undici loop'].personsPerSecond.median;
    const cli = large.variants[name].personsPerSecond.median;
    const raw = large.variants['raw undici loop'].personsPerSecond.median;
    bars.push({
      id: `export-${format}`,
      bar: `export \`-o ${format}\` of ${int(large.size)} ≥ 80% of the raw loop`,
      measured: `${int(cli)} vs ${int(raw)} persons/s: ${percent(share)}`,
      holds: share >= 0.8,
    });
  }
  for (const format of ['jsonl', 'csv']) {
    const name = `list -o ${format}`;
    const big = large.variants[name].peakRssKiB.median;
    const little = small.variants[name].peakRssKiB.median;
    const r = big / little;
    bars.push({
      id: `memory-${format}`,
      bar: `peak RSS \`-o ${format}\`: ${int(large.size)} ≤ 1.25x ${int(small.size)}, and < 150 MiB`,
      measured: `${mib(big)} vs ${mib(little)}: ${ratio(r)}`,
      holds: r <= 1.25 && big < 150 * MIB,
    });
  }
  const rawShare = large.variants['raw undici loop'].sandboxCpuShare;
  const plateau = exports.slice(2).map(({ size, variants }) => {
    const each = ['jsonl', 'csv'].map((format) => {
      const here = variants[`list -o ${format}`].peakRssKiB.median;
      const before = large.variants[`list -o ${format}`].peakRssKiB.median;
      return `\`-o ${format}\` ${mib(here)} (${ratio(here / before)} its peak at ${int(large.size)})`;
    });
    return `At ${int(size)} persons the peak RSS is ${each.join(', ')}: past ${int(large.size)} it no longer grows with the number of persons.`;
  });
  return `## Export

\`list --all --page-size 1000\`, against the raw page-fetch loop on the same sandbox. Persons per
second count the whole process, start-up included; CPU is the child's CPU time, all threads.
"Sandbox CPU" is the CPU time the sandbox process used during the run divided by the run's wall
time: well below 100%, the sandbox was idle part of every run, so it is not what limits the raw
loop; the raw loop's figure is the ceiling of this client stack against this server (at
${int(large.size)} persons the sandbox used ${percent(rawShare)} of one core during the raw loop).
${plateau.length > 0 ? `\n${plateau.join('\n')}\n` : ''}
${tables.join('\n')}`;
}

function deleteSection(del, bars) {
  const cliRun = del.cli.runs[0];
  const loopRun = del.loop.runs[0];
  const bulk = cliRun.byRoute.bulk_delete ?? 0;
  const allSame = del.cli.runs.every((r) => r.requests === cliRun.requests && (r.byRoute.bulk_delete ?? 0) === bulk);
  const expected = Math.ceil(del.persons / 1000);
  const lookups = cliRun.byRoute.batch_by_distinct_ids ?? 0;
  const expectedLookups = Math.ceil(del.persons / 200);
  bars.push({
    id: 'delete',
    bar: `bulk delete: ${int(del.persons)} distinct_ids in exactly ${expected} \`bulk_delete\` requests`,
    // Each batch is looked up first (200 distinct_ids a request) so the journal and --report name
    // what became of every identifier; --no-lookup leaves those reads out. Nothing else is sent.
    measured: `${bulk} bulk_delete and ${lookups} batch lookups (ceil(N/200) = ${expectedLookups}), ${cliRun.requests} requests in all (the DELETE loop: ${int(loopRun.requests)})`,
    holds: allSame && bulk === expected && lookups === expectedLookups && cliRun.requests === expected + expectedLookups,
  });
  const routes = (run) => Object.entries(run.byRoute).map(([route, n]) => `${int(n)} ${route}`).join(', ');
  const statuses = (run) => Object.entries(run.byStatus).map(([status, n]) => `${int(n)}× ${status}`).join(', ');
  return `## Bulk delete

${int(del.persons)} persons, one distinct_id each, deleted from a fresh sandbox per run.

| approach | requests (from the sandbox's log) | statuses | wall time, median (min–max) | requests a person |
| --- | --- | --- | --- | --- |
| \`delete --from-file ids.txt --yes --rate-limit 0\` | ${routes(cliRun)} | ${statuses(cliRun)} | ${msRange(del.cli.wall)} | ${(cliRun.requests / del.persons).toFixed(3)} |
| DELETE loop, 4 in flight | ${routes(loopRun)} | ${statuses(loopRun)} | ${msRange(del.loop.wall)} | ${(loopRun.requests / del.persons).toFixed(3)} |

The loop took ${ratio(del.loop.wall.median / del.cli.wall.median)} the CLI's time (medians of ${del.cli.runs.length} runs each) and sent ${int(loopRun.requests / Math.max(1, cliRun.requests))} times as many
requests; against a server that limits requests a minute, as PostHog does, the request count is
what sets the time.
`;
}

function deleteMemorySection({ rows, runs, large }, bars) {
  const [small, big] = rows;
  const r = big.peakRssKiB.median / small.peakRssKiB.median;
  bars.push({
    id: 'delete-memory',
    bar: `bulk delete memory flat in the input: peak RSS at ${int(big.persons)} ids ≤ 1.25x at ${int(small.persons)}`,
    measured: `${mib(big.peakRssKiB.median)} vs ${mib(small.peakRssKiB.median)}: ${ratio(r)}`,
    holds: r <= 1.25,
  });
  const range = (s) => `${mib(s.median)} (${mib(s.min)}–${mib(s.max)})`;
  const perId = (fromKiB, fromIds, toKiB, toIds) => Math.round(((toKiB - fromKiB) * 1024) / (toIds - fromIds));
  const slope = perId(big.peakRssKiB.median, big.persons, large.first.peakRssKiB, large.ids);
  // The index's size by its layout (src/bulk/input/id-set.ts): each identifier's UTF-8 bytes (the file
  // less its line breaks), a hash and a start offset (4 bytes each), and a slot table of 4-byte
  // slots, a power of two at least twice the number of identifiers.
  const slots = 2 ** Math.ceil(Math.log2(2 * large.ids));
  const indexKiB = (large.bytes - large.ids + 8 * large.ids + 4 * slots) / 1024;
  return `## Bulk delete memory

Peak RSS (VmHWM) of \`delete --from-file ids.txt --yes --rate-limit 0\` against the number of
identifiers in the file. The two sizes of the bar ran alternately, ${runs === 1 ? 'once' : `${runs} times`} each, every run
against a fresh sandbox holding the persons; the table shows median (min–max).

| distinct_ids | peak RSS | wall time | requests |
| --- | --- | --- | --- |
${rows.map((row) => `| ${int(row.persons)} | ${range(row.peakRssKiB)} | ${msRange(row.wallMs)} | ${int(row.requests)} |`).join('\n')}

Beyond the bar, once each: a file of ${int(large.ids)} distinct_ids (${mib(large.bytes / 1024)}) of which the first
${int(large.present)} exist, so that the sandbox need not hold ${int(large.ids)} persons (an identifier PostHog does
not find costs the CLI the same reading, batching and journaling); then \`--resume\` of that
finished run, which reads the whole journal and the whole file again and finds nothing left to send;
then the same file piped to \`--from-file -\` (with a new journal), which cannot be read twice, so its
identifiers are kept: in the duplicate index, which has them in input order anyway.

| run | peak RSS | wall time | bulk_delete requests |
| --- | --- | --- | --- |
| ${int(large.ids)} distinct_ids | ${mib(large.first.peakRssKiB)} | ${ms(large.first.wallMs)} | ${int(large.first.bulkRequests)} |
| the same, \`--resume\` | ${mib(large.resume.peakRssKiB)} | ${ms(large.resume.wallMs)} | ${int(large.resume.bulkRequests)} |
| the same on stdin | ${mib(large.stdin.peakRssKiB)} | ${ms(large.stdin.wallMs)} | ${int(large.stdin.bulkRequests)} |

From ${int(big.persons)} to ${int(large.ids)} identifiers peak RSS grows by about ${slope} bytes an identifier. Two
things grow with the input. One is the index that finds duplicates, which must hold every unique
identifier while the file is checked to be exact: its UTF-8 bytes in one buffer plus 16 to 24
bytes of hash table, outside the JavaScript heap; by that layout it takes about ${mib(indexKiB)} for this
file of ${int(large.ids)}. A resumed run's set of identifiers done takes over its buffers rather than adding
its own. The other is V8's young generation, which grows with the length of a run (by how much
data has survived its collections) until it reaches its maximum, and then stays there. The rest
(the two passes over the file, the batches in flight, the journal) streams.
`;
}

function rateSection(rate, bars) {
  const r = rate.boundMs > 0 ? rate.wallMs / rate.boundMs : Infinity;
  const binds = rate.boundMs > 0;
  bars.push({
    id: 'rate',
    bar: 'rate limited: 0 failed ids, within 1.1x the time the limit allows',
    measured: binds ? `${rate.failed} failed; ${seconds(rate.wallMs)} vs ${seconds(rate.boundMs)}: ${ratio(r)}` : `${rate.failed} failed; the limit did not bind`,
    holds: binds && rate.failed === 0 && rate.exitCode === 0 && r <= 1.1,
  });
  const statuses = Object.entries(rate.byStatus).map(([status, n]) => `${int(n)}× ${status}`).join(', ');
  return `## Rate limited

\`delete --from-file\` of ${int(rate.persons)} distinct_ids with \`--no-lookup --batch-size ${rate.batchSize} --rate-limit ${rate.limit}\` = ${int(rate.requests)} \`bulk_delete\`
requests, against a sandbox limited to ${rate.limit} requests a minute per key (\`posthog-persons --rate-limit ${rate.limit} sandbox\`).

**The bound.** The sandbox throttles like PostHog (DRF's SimpleRateThrottle): a sliding log of the
last minute's requests, at most L = ${rate.limit} in any 60 s. Request k (counting from 0) can only be
let in once request k − L has left the window, so it cannot start before ⌊k / L⌋ × 60 s, however
well the client behaves. N = ${int(rate.requests)} requests therefore need at least
⌊(N − 1) / L⌋ × 60 s = ⌊${rate.requests - 1} / ${rate.limit}⌋ × 60 s = **${seconds(rate.boundMs)}** (the first ${rate.limit} go as one burst at
once). Start-up and the requests' own time come on top, so no run can reach the bound exactly. With
300 batches at 600 a minute N ≤ L and all requests fit in the
first window: the limit would not bound that run at all (bound 0 s), which is why this run uses
batches of ${rate.batchSize}.

| figure | value |
| --- | --- |
| wall time (process start to exit) | ${seconds(rate.wallMs)} |
| lower bound from the limit | ${seconds(rate.boundMs)} |
| ratio | ${binds ? ratio(r) : 'n/a'} |
| bulk_delete requests and statuses | ${int(rate.bulkRequests)}: ${statuses} |
| persons deleted / failed ids | ${int(rate.deleted)} / ${int(rate.failed)} |
| exit code | ${rate.exitCode} |

The command's summary (stderr):

\`\`\`
${rate.summary}
\`\`\`
`;
}
