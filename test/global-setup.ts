// The end-to-end tests run the built CLI. Each test run builds its own copy in a temporary folder,
// so runs in parallel (or a rebuild of dist/ meanwhile) never pull files from under each other.
// A failed build does not stop unit tests; every end-to-end test then fails on the missing entry.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export default function setup(): () => void {
  const outdir = mkdtempSync(join(tmpdir(), 'pp-dist-'));
  process.env.POSTHOG_PERSONS_TEST_ENTRY = join(outdir, 'cli.js');
  process.env.POSTHOG_PERSONS_TEST_DIST = outdir;
  try {
    execFileSync(process.execPath, [resolve(__dirname, '../scripts/build.mjs'), '--outdir', outdir], { stdio: 'inherit' });
  } catch {
    process.stderr.write('\nThe build failed: end-to-end tests will fail. Run `npm run build` to see why.\n\n');
  }
  return () => rmSync(outdir, { recursive: true, force: true });
}
