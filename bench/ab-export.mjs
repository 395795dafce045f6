// An A/B of `list --all --page-size 1000` between two builds of the CLI (e.g. before and after a
// change), run alternately against one sandbox: the CPU time and peak RSS of each export. CPU
// time is what a change to parsing or rendering moves; wall time on a shared machine mostly
// measures the neighbours. Usage:
//   node bench/ab-export.mjs A=/path/to/dist-a/cli.js B=/path/to/dist-b/cli.js [--persons N] [--runs N] [--format jsonl|csv]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { expectOk, runNode } from './lib/child.mjs';
import { startSandbox } from './lib/sandbox.mjs';
import { summary } from './lib/stats.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { persons: { type: 'string' }, runs: { type: 'string' }, format: { type: 'string' } },
});
const builds = positionals.map((arg) => {
  const at = arg.indexOf('=');
  return { name: arg.slice(0, at), cli: arg.slice(at + 1) };
});
if (builds.length < 2) throw new Error('give two builds: NAME=path/to/cli.js NAME=path/to/cli.js');
const persons = Number(values.persons ?? 100000);
const runs = Number(values.runs ?? 7);
const formats = values.format ? [values.format] : ['jsonl', 'csv'];

const sandbox = await startSandbox({ cli: builds[builds.length - 1].cli, persons });
try {
  const env = { ...sandbox.env, POSTHOG_PERSONS_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'pp-ab-')) };
  for (const format of formats) {
    const samples = Object.fromEntries(builds.map((b) => [b.name, []]));
    for (let round = -1; round < runs; round++) {
      for (let i = 0; i < builds.length; i++) {
        const build = builds[(round + 1 + i) % builds.length];
        const args = [build.cli, 'list', '--all', '-o', format, '--page-size', '1000'];
        const result = expectOk(await runNode(args, { env, stats: true }), `${build.name} ${format}`);
        if (round >= 0) samples[build.name].push(result); // round -1 warms the sandbox's caches
      }
    }
    for (const build of builds) {
      const list = samples[build.name];
      const cpu = summary(list.map((s) => s.cpuMs));
      const rss = summary(list.map((s) => s.peakRssKiB / 1024));
      const wall = summary(list.map((s) => s.wallMs));
      console.log(
        `${format} ${build.name}: CPU ${cpu.median.toFixed(0)} ms (${cpu.min.toFixed(0)}–${cpu.max.toFixed(0)}), ` +
          `peak RSS ${rss.median.toFixed(1)} MiB, wall ${wall.median.toFixed(0)} ms, ${list[0].bytes} bytes`,
      );
    }
  }
} finally {
  await sandbox.stop();
}
