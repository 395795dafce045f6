import { defineConfig } from 'vitest/config';

// Three projects: `unit` (modules on their own), `e2e` (the CLI against the sandbox, mostly
// in-process, a few spawned) and `reliability` (fault matrix, kills, bad input, secrets).
// `npm test` runs all three; `npm run test:unit` and the others run one.
// Most e2e and reliability time is spent waiting (on the sandbox, on spawned processes, on real
// socket timeouts), so three test files at a time on a 2-core machine, not vitest's default of
// one fewer worker than cores.
const MAX_WORKERS = 3;
const shared = {
  testTimeout: 30_000,
  hookTimeout: 30_000,
  pool: 'forks' as const,
  maxWorkers: MAX_WORKERS,
};

export default defineConfig({
  test: {
    // Builds the binary the spawned tests run (test/global-setup.ts), once for every project.
    globalSetup: ['test/global-setup.ts'],
    maxWorkers: MAX_WORKERS,
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { ...shared, name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
      { test: { ...shared, name: 'reliability', include: ['test/reliability/**/*.test.ts'] } },
    ],
  },
});
