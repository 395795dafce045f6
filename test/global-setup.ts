// The end-to-end tests run the built binary: build it once before any test runs.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export default function setup(): void {
  execFileSync(process.execPath, [resolve(__dirname, '../scripts/build.mjs')], { stdio: 'inherit', cwd: resolve(__dirname, '..') });
}
