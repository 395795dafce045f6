// The journal's promise: a bulk run killed with SIGKILL at any moment loses nothing that was
// confirmed, and the journal can be read and appended to afterwards.

import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, expect, test } from 'vitest';
import { Journal } from '../../../src/bulk/journal/journal.js';
import { readJournal } from '../../../src/bulk/journal/read.js';
import { tempDir } from './helpers.js';

let writer: string;

beforeAll(async () => {
  const dir = await tempDir();
  const entry = join(dir, 'writer.ts');
  // Writes batches as fast as it can, printing the number of each one whose write resolved.
  await writeFile(
    entry,
    `import { Journal } from ${JSON.stringify(resolve('src/bulk/journal/journal.ts'))};
const journal = await Journal.open(process.argv[2]);
await journal.writeHeader({ run_id: 'r1', started_at: new Date().toISOString(), command: 'delete', host: 'h', project: '1', flags: {} });
for (let n = 1; ; n++) {
  const ids = Array.from({ length: 200 }, (_, i) => 'b' + n + '-' + i + '-' + 'é'.repeat(20));
  await journal.writeBatch({ run_id: 'r1', time: new Date().toISOString(), batch: n, ids, by: 'distinct_id', status: 'done' });
  process.stdout.write(n + '\\n');
}
`,
  );
  writer = join(dir, 'writer.mjs');
  await build({ entryPoints: [entry], outfile: writer, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'error' });
});

/** Starts the writer, lets it confirm a first batch, kills it `afterMs` later; returns the last confirmed batch. */
async function killedRun(path: string, afterMs: number): Promise<number> {
  const child = spawn(process.execPath, [writer, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const started = new Promise<void>((done) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) done();
    });
  });
  const exited = new Promise((done) => child.on('exit', done));
  await started;
  await new Promise((done) => setTimeout(done, afterMs));
  child.kill('SIGKILL');
  await exited;
  const confirmed = out.split('\n').filter((line) => /^\d+$/.test(line));
  return Number(confirmed.at(-1));
}

test('SIGKILL at random moments: every confirmed batch is done, and the journal stays usable', async () => {
  for (const afterMs of [0, 5, 20, 50, 120]) {
    const path = join(await tempDir(), 'killed.journal.jsonl');
    const confirmed = await killedRun(path, afterMs);
    expect(confirmed).toBeGreaterThan(0);
    const state = await readJournal(path);
    for (let n = 1; n <= confirmed; n++) expect(state.done.has(`b${n}-199-${'é'.repeat(20)}`)).toBe(true);

    const journal = await Journal.open(path); // as a resumed run does
    await journal.writeHeader({ run_id: 'r2', started_at: 'x', command: 'delete', host: 'h', project: '1', flags: {} });
    await journal.writeBatch({ run_id: 'r2', time: 'x', batch: 1, ids: ['after'], by: 'distinct_id', status: 'done' });
    await journal.close();
    const resumed = await readJournal(path);
    expect(resumed.corruptTail).toBe(false);
    expect(resumed.done.has('after')).toBe(true);
    expect(resumed.done.size).toBeGreaterThanOrEqual(state.done.size + 1);
  }
});
