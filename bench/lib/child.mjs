// Runs one measured child process: wall time from spawn to exit, what it printed (counted, not
// kept, so a 50 MB export costs the benchmark nothing but a pipe read), and, on request, its peak
// RSS and CPU time (bench/child-stats.cjs).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD_STATS = fileURLToPath(new URL('../child-stats.cjs', import.meta.url));
const NEWLINE = 0x0a;

/**
 * @param {string[]} args arguments to `node`
 * @param {{ env?: NodeJS.ProcessEnv, stats?: boolean, keepStdout?: boolean, stdin?: string }} options
 */
export function runNode(args, options = {}) {
  const stats = options.stats === true;
  const env = { ...process.env, ...options.env };
  if (stats) env.BENCH_STATS_FD = '3';
  const argv = stats ? ['-r', CHILD_STATS, ...args] : args;
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, argv, {
      env,
      // stdin is /dev/null, as in a CI step, unless the case feeds it.
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe', ...(stats ? ['pipe'] : [])],
    });
    let bytes = 0;
    let lines = 0;
    const kept = [];
    let stderr = '';
    let statsLine = '';
    child.stdout.on('data', (chunk) => {
      bytes += chunk.length;
      for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) lines++;
      if (options.keepStdout) kept.push(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => {
      if (stderr.length < 100_000) stderr += text;
    });
    if (stats) {
      child.stdio[3].setEncoding('utf8');
      child.stdio[3].on('data', (text) => (statsLine += text));
    }
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const [peakRssKiB, cpuMs] = statsLine.trim() === '' ? [] : statsLine.trim().split(' ').map(Number);
      resolve({
        code,
        signal,
        wallMs,
        bytes,
        lines,
        stdout: options.keepStdout ? Buffer.concat(kept).toString('utf8') : undefined,
        stderr,
        peakRssKiB,
        cpuMs,
      });
    });
    if (options.stdin !== undefined) child.stdin.end(options.stdin);
  });
}

/** Fails the benchmark loudly: a figure from a run that did not do its job means nothing. */
export function expectOk(result, what) {
  if (result.code !== 0) {
    throw new Error(`${what} exited ${result.code ?? result.signal}:\n${result.stderr.slice(0, 2000)}`);
  }
  return result;
}
