// Preloaded into every measured export (`node -r bench/child-stats.cjs ...`): on exit, writes the
// process's peak resident set size and the CPU time it used to fd 3, which the benchmark opened
// as a pipe. One line: "<peak RSS in KiB> <CPU ms>".
//
// Why this way for peak RSS: VmHWM in /proc/self/status is the kernel's high-water mark of the
// resident set, so reading it in the 'exit' handler, after all the work and just before the
// process ends, gives the peak over the whole run. Polling /proc/<pid>/status from outside can
// miss the end of a short run, and the last poll may land after the process is gone. The same
// preload runs in the baselines, so its few kilobytes cancel out in the comparison.
'use strict';
const fs = require('node:fs');

const fd = Number(process.env.BENCH_STATS_FD);
if (Number.isInteger(fd) && fd > 2) {
  // Keep the child from inheriting the variable into grandchildren that would write to it too.
  delete process.env.BENCH_STATS_FD;
  process.on('exit', () => {
    let kib;
    try {
      kib = Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);
    } catch {
      // Not Linux: getrusage's ru_maxrss is the same high-water mark (in KiB on Linux and BSDs).
      kib = process.resourceUsage().maxRSS;
    }
    const cpu = process.cpuUsage(); // all threads: the main one, GC helpers, compilers
    try {
      fs.writeSync(fd, `${kib} ${((cpu.user + cpu.system) / 1000).toFixed(1)}\n`);
    } catch {
      // fd 3 closed: nothing to report to.
    }
  });
}
