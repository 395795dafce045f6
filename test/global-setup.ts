// The end-to-end tests run the built binary: build it once before any test runs. A failed build
// does not stop unit tests; every end-to-end test then fails on the missing or stale binary.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export default function setup(): void {
  try {
    execFileSync(process.execPath, [resolve(__dirname, '../scripts/build.mjs')], { stdio: 'inherit', cwd: resolve(__dirname, '..') });
  } catch {
    process.stderr.write('\nThe build failed: end-to-end tests will fail. Run `npm run build` to see why.\n\n');
    process.env.POSTHOG_PERSONS_BUILD_FAILED = '1';
  }
}
