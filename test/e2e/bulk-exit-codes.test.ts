// The exit code of a bulk run that failed: 7 only when some of it succeeded; a run where nothing
// succeeded exits with the code of its failure (1 network, 4 auth, 6 rate limited) and its
// summary says that nothing was done. Spawned processes, so the exit code is the real one.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_KEYS, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
const N = 30;
const did = (i: number) => `exit-${String(i).padStart(3, '0')}`;
const uuidOf = (i: number) => `01950000-0000-7000-8000-${String(i).padStart(12, '0')}`;

// A sandbox a test: scripted faults left unused by one test must not reach the next.
beforeEach(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
  for (let i = 0; i < N; i++) sandbox.store.addPerson({ uuid: uuidOf(i), distinctIds: [did(i)], properties: { plan: 'free' } });
});
afterEach(() => sandbox.close());

const tempDir = () => mkdtempSync(join(tmpdir(), 'pp-exit-'));
function idsFile(dir: string, n = N): string {
  writeFileSync(join(dir, 'ids.txt'), Array.from({ length: n }, (_, i) => did(i)).join('\n') + '\n');
  return 'ids.txt';
}
const journalOf = (dir: string, command: string) =>
  readFileSync(join(dir, `ids.txt.${command}.journal.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

/** A port nothing listens on: every connection is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a bulk run where nothing succeeded exits with its failure, not 7', () => {
  it('delete --from-file, connection refused every time: exit 1, "nothing was deleted"', async () => {
    const dir = tempDir();
    const port = await closedPort();
    const r = await runInProcess(['--retries', '0', 'delete', '--from-file', idsFile(dir), '--yes', '--batch-size', '10', '--concurrency', '1'], {
      cwd: dir,
      env: { POSTHOG_HOST: `http://127.0.0.1:${port}`, POSTHOG_PROJECT_ID: '1', POSTHOG_PERSONAL_API_KEY: SANDBOX_KEYS.all.key },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Failed, nothing was deleted (by distinct_id):\n');
    expect(r.stderr).not.toContain('Done, with failures');
    expect(r.stderr).toMatch(/\n {2}failed +30\n/);
    expect(r.stderr).toMatch(/\nerror: nothing succeeded: .*127\.0\.0\.1.*\n/);
    expect(r.stderr).toContain(`rerun the same command with --resume (journal: ${join(dir, 'ids.txt.delete.journal.jsonl')})`);
    const footer = journalOf(dir, 'delete').at(-1);
    expect(footer).toMatchObject({ type: 'end', outcome: 'failed' });
  });

  it('delete --from-file, 429 on every attempt: exit 6', async () => {
    const dir = tempDir();
    sandbox.script({ method: 'POST', path: '/persons/bulk_delete/', kind: 'status', status: 429, headers: { 'Retry-After': '0' }, times: 100 });
    const r = await runInProcess(['--retries', '1', 'delete', '--from-file', idsFile(dir), '--yes', '--batch-size', '10', '--concurrency', '1'], { sandbox, cwd: dir });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('Failed, nothing was deleted (by distinct_id):\n');
    expect(sandbox.requests.filter((q) => q.route === 'bulk_delete').every((q) => q.status === 429)).toBe(true);
    for (let i = 0; i < N; i++) expect(sandbox.store.person(uuidOf(i))).toBeDefined();
  });

  it('set-prop --from-file, 500 on every write: exit 1, "nothing was changed"', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.csv'), `distinct_id,plan\n${Array.from({ length: 5 }, (_, i) => `${did(i)},team`).join('\n')}\n`);
    sandbox.script({ method: 'PATCH', path: /\/persons\/[^/]+\/$/, kind: 'status', status: 500, times: 100 });
    const r = await runInProcess(['--retries', '0', 'set-prop', '--from-file', 'p.csv', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Failed, nothing was changed (set-prop, by distinct_id):\n');
    expect(r.stderr).toMatch(/\nerror: nothing succeeded: .*500.*\n/);
  });

  it('unset-prop --from-file, 500 on every write: exit 1', async () => {
    const dir = tempDir();
    sandbox.script({ method: 'POST', path: /delete_property/, kind: 'status', status: 500, times: 100 });
    const r = await runInProcess(['--retries', '0', 'unset-prop', '--from-file', idsFile(dir, 3), 'plan', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Failed, nothing was changed (unset-prop, by distinct_id):\n');
  });

  it('some batches succeeded and some failed: still exit 7, "Done, with failures"', async () => {
    const dir = tempDir();
    sandbox.script({ method: 'POST', path: '/persons/bulk_delete/', kind: 'status', status: 500 });
    const r = await runInProcess(['--retries', '0', 'delete', '--from-file', idsFile(dir), '--yes', '--batch-size', '10', '--concurrency', '1'], { sandbox, cwd: dir });
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('Done, with failures (by distinct_id):\n');
    expect(r.stderr).toContain('error: 1 of 3 batches failed;');
  });
});
