// Runs the bad-input catalogue (bad-input.ts): each case exits 2, prints nothing on stdout, names
// the problem on stderr, and the sandbox it points at receives no request at all. Cases run
// concurrently; each borrows one sandbox of a small pool, so a request is pinned on its case.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../helpers/in-process.js';
import { BAD_INPUTS, CATALOGUE_KEY, type BadInput } from './bad-input.js';

const POOL_SIZE = 6;
const idle: Sandbox[] = [];
const waiting: Array<(sandbox: Sandbox) => void> = [];
const all: Sandbox[] = [];

beforeAll(async () => {
  for (let i = 0; i < POOL_SIZE; i++) all.push(await startSandbox({ persons: 5, writeLagMs: 0 }));
  idle.push(...all);
});
afterAll(async () => {
  await Promise.all(all.map((sandbox) => sandbox.close()));
});

async function borrow(): Promise<Sandbox> {
  const free = idle.pop();
  if (free) return free;
  return new Promise((resolve) => waiting.push(resolve));
}

function giveBack(sandbox: Sandbox): void {
  const next = waiting.shift();
  if (next) next(sandbox);
  else idle.push(sandbox);
}

function workFolder(files: BadInput['files']): string {
  const dir = mkdtempSync(join(tmpdir(), 'pp-bad-input-'));
  for (const [name, content] of Object.entries(files ?? {})) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, typeof content === 'string' ? content : Buffer.from(content.hex, 'hex'));
  }
  return dir;
}

describe('the bad-input catalogue', () => {
  it('has at least 40 cases, each with its own id', () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(BAD_INPUTS.map((c) => c.id)).size).toBe(BAD_INPUTS.length);
  });

  describe.concurrent('exit 2, the problem named, nothing sent', () => {
    for (const input of BAD_INPUTS) {
      it(`${input.category}: ${input.id}`, async () => {
        const sandbox = await borrow();
        try {
          sandbox.clearRequests();
          const result = await runInProcess(input.args, { sandbox, env: input.env, stdin: input.stdin, cwd: workFolder(input.files) });
          expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
          expect(result.stderr).toContain(input.message);
          expect(result.stderr.startsWith('error: ')).toBe(true);
          expect(result.stderr).not.toMatch(/^\s+at /m);
          expect(result.stderr).not.toContain(CATALOGUE_KEY);
          expect(sandbox.requests).toEqual([]);
        } finally {
          giveBack(sandbox);
        }
      });
    }
  });
});
