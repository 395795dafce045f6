// Export: `list --all --page-size 1000` as JSON Lines and as CSV, against the raw page-fetch loop
// (the ceiling for this stack), at each size, alternating; persons per second, CPU and peak RSS.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectOk, runNode } from '../lib/child.mjs';
import { cpuSeconds, startSandbox } from '../lib/sandbox.mjs';
import { median, summary } from '../lib/stats.mjs';

const RAW_LOOP = fileURLToPath(new URL('../baselines/raw-export.mjs', import.meta.url));
const PAGE_SIZE = 1000;

export async function exportCase({ bin, cli, sizes, runs, log }) {
  const results = [];
  for (const size of sizes) {
    log(`export: ${size.toLocaleString('en-US')} persons, raw loop vs jsonl vs csv; ${runs} runs each`);
    const sandbox = await startSandbox({ cli, persons: size });
    try {
      const env = { ...sandbox.env, POSTHOG_PERSONS_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'pp-bench-config-')) };
      const variants = [
        {
          name: 'raw undici loop',
          args: [RAW_LOOP, sandbox.url, sandbox.projectId, String(PAGE_SIZE)],
          // One line per page; a last full page still carries `next`, so one empty page may follow.
          expectLines: [Math.ceil(size / PAGE_SIZE), Math.ceil(size / PAGE_SIZE) + 1],
        },
        { name: 'list -o jsonl', args: [bin, 'list', '--all', '-o', 'jsonl', '--page-size', String(PAGE_SIZE)], expectLines: size },
        { name: 'list -o csv', args: [bin, 'list', '--all', '-o', 'csv', '--page-size', String(PAGE_SIZE)], expectLines: size + 1 },
      ];
      // The first pass over the sandbox builds its cached JSON of each person; nobody should pay for it.
      for (const variant of variants) await measure(variant, env, sandbox);
      const samples = Object.fromEntries(variants.map((v) => [v.name, []]));
      for (let round = 0; round < runs; round++) {
        for (let i = 0; i < variants.length; i++) {
          const variant = variants[(round + i) % variants.length];
          samples[variant.name].push(await measure(variant, env, sandbox));
        }
      }
      const byName = {};
      for (const [name, list] of Object.entries(samples)) {
        byName[name] = {
          wall: summary(list.map((s) => s.wallMs)),
          personsPerSecond: summary(list.map((s) => size / (s.wallMs / 1000))),
          peakRssKiB: summary(list.map((s) => s.peakRssKiB)),
          cpuMs: summary(list.map((s) => s.cpuMs)),
          sandboxCpuShare: median(list.map((s) => s.sandboxCpuSeconds / (s.wallMs / 1000))),
          bytes: list[0].bytes,
        };
      }
      results.push({ size, variants: byName });
    } finally {
      await sandbox.stop();
    }
  }
  return results;
}

async function measure(variant, env, sandbox) {
  const cpuBefore = cpuSeconds(sandbox.pid);
  const result = expectOk(await runNode(variant.args, { env, stats: true }), variant.name);
  const cpuAfter = cpuSeconds(sandbox.pid);
  const expected = [variant.expectLines].flat();
  if (!expected.includes(result.lines)) {
    throw new Error(`${variant.name} printed ${result.lines} lines, expected ${variant.expectLines}`);
  }
  return { ...result, sandboxCpuSeconds: cpuAfter - cpuBefore };
}
