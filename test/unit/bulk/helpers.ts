// Shared by the bulk tests: temporary folders, input files and reading rows back.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { InputRow } from '../../../src/bulk/input/read-input.js';

const made: string[] = [];

/** A fresh temporary folder, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'posthog-persons-bulk-'));
  made.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Writes `content` to `name` in a fresh temporary folder and returns its path. */
export async function inputFile(name: string, content: string | Buffer): Promise<string> {
  const path = join(await tempDir(), name);
  await writeFile(path, content);
  return path;
}

export async function collect(rows: AsyncIterable<InputRow> | InputRow[]): Promise<InputRow[]> {
  const out: InputRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

export async function ids(rows: AsyncIterable<InputRow> | InputRow[]): Promise<string[]> {
  return (await collect(rows)).map((row) => row.id);
}
