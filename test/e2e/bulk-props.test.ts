// set-prop / unset-prop --from-file (src/bulk/ops/set-prop.ts, unset-prop.ts) against a real sandbox. The flags
// are wired into the commands separately, so these runs go through an in-process test factory
// (test/helpers/factory.ts) with piped (non-terminal) streams: the same code path the commands call.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Factory, GlobalOptions } from '../../src/factory.js';
import type { PropertyFileOptions } from '../../src/bulk/ops/property-writes.js';
import { runSetPropFromFile } from '../../src/bulk/ops/set-prop.js';
import { runUnsetPropFromFile } from '../../src/bulk/ops/unset-prop.js';
import { startSandbox, SANDBOX_KEYS, type Sandbox } from '../../src/sandbox/index.js';
import { testFactory } from '../helpers/factory.js';

let sandbox: Sandbox;
const N = 250;
const did = (i: number) => `prop-${String(i).padStart(4, '0')}`;
const uuidOf = (i: number) => `01930000-0000-7000-8000-${String(i).padStart(12, '0')}`;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
beforeEach(() => {
  for (let i = 0; i < N; i++) {
    sandbox.store.removePerson(uuidOf(i));
    sandbox.store.addPerson({ uuid: uuidOf(i), distinctIds: [did(i)], properties: { plan: 'free', phone: '+1', keep: 'yes' } });
  }
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

const tempDir = () => mkdtempSync(join(tmpdir(), 'pp-bulk-props-'));
const props = (i: number) => ({ ...sandbox.store.person(uuidOf(i))!.properties });
const routes = () => sandbox.requests.map((q) => q.route);

async function runInProcess(cwd: string, globals: GlobalOptions, body: (factory: Factory) => Promise<void>) {
  const { factory, io } = testFactory({
    cwd,
    env: { POSTHOG_HOST: sandbox.url, POSTHOG_PROJECT_ID: '1', POSTHOG_PERSONAL_API_KEY: SANDBOX_KEYS.all.key, POSTHOG_PERSONS_BACKOFF_MS: '5' },
  });
  factory.setGlobals({ rateLimit: 0, ...globals }); // the sandbox has no limit; PostHog's 240/min would slow the test
  let error: unknown;
  try {
    await body(factory);
  } catch (caught) {
    error = caught;
  } finally {
    await factory.close();
  }
  return { error: error as { exitCode?: number; message?: string } | undefined, stdout: io.stdoutText(), stderr: io.stderrText().replace(/\n$/, '') };
}

const setProp = (cwd: string, options: PropertyFileOptions, globals: GlobalOptions = {}) => runInProcess(cwd, globals, (f) => runSetPropFromFile(f, options));
const unsetProp = (cwd: string, options: PropertyFileOptions, keys: string[], globals: GlobalOptions = {}) =>
  runInProcess(cwd, globals, (f) => runUnsetPropFromFile(f, options, keys));

describe('set-prop --from-file', () => {
  it('CSV: one PATCH a person with every property of its row; distinct_ids resolved 200 at a time', async () => {
    const dir = tempDir();
    const lines = ['distinct_id,plan,seats', ...Array.from({ length: N }, (_, i) => `${did(i)},scale,${i}`), 'nobody,scale,1'];
    writeFileSync(join(dir, 'plans.csv'), `${lines.join('\n')}\n`);
    const r = await setProp(dir, { fromFile: join(dir, 'plans.csv'), yes: true, batchSize: 200, concurrency: 2, output: 'json' });
    expect(r.error).toBeUndefined();
    expect(routes().filter((x) => x === 'batch_by_distinct_ids').length).toBe(2);
    const patches = sandbox.requests.filter((q) => q.route === 'partial_update');
    expect(patches.length).toBe(N);
    expect(patches.find((q) => q.path.includes(uuidOf(7)))!.body).toEqual({ properties: { plan: 'scale', seats: '7' } });
    expect(props(7)).toEqual({ plan: 'scale', seats: '7', phone: '+1', keep: 'yes' });
    expect(JSON.parse(r.stdout)).toMatchObject({ command: 'set-prop', outcome: 'completed', requested: N + 1, found: N, queued: N, not_found: 1, failed: 0, skipped: 0, not_sent: 0 });
    expect(r.stderr).toContain('PostHog applies property changes asynchronously');
  });

  it('--json types CSV cells; JSON Lines keep their types; --by uuid is looked up too', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'typed.csv'), `distinct_id,seats,beta\n${did(0)},25,true\n`);
    expect((await setProp(dir, { fromFile: join(dir, 'typed.csv'), yes: true, json: true })).error).toBeUndefined();
    expect(props(0)).toMatchObject({ seats: 25, beta: true });
    sandbox.clearRequests();
    writeFileSync(join(dir, 'typed.jsonl'), `${JSON.stringify({ uuid: uuidOf(1), address: { city: 'Berlin' }, score: 1.5 })}\n`);
    expect((await setProp(dir, { fromFile: join(dir, 'typed.jsonl'), by: 'uuid', yes: true })).error).toBeUndefined();
    expect(routes()).toEqual(['batch_by_uuids', 'partial_update']);
    expect(props(1)).toMatchObject({ address: { city: 'Berlin' }, score: 1.5 });
  });

  it('without a terminal --yes is required: exit 2, nothing sent', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.csv'), `distinct_id,plan\n${did(0)},x\n`);
    const r = await setProp(dir, { fromFile: join(dir, 'p.csv') });
    expect(r.error?.exitCode).toBe(2);
    expect(sandbox.requests).toEqual([]);
  });

  it('--dry-run sends nothing and shows the first rows', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.csv'), `distinct_id,plan\n${did(0)},x\n${did(1)},y\n`);
    const r = await setProp(dir, { fromFile: join(dir, 'p.csv'), dryRun: true });
    expect(r.error).toBeUndefined();
    expect(r.stderr).toBe(
      `Dry run: nothing was sent.\nWould set properties on the persons of 2 distinct_ids from ${join(dir, 'p.csv')}: 2 requests, one a person.\n  ${did(0)}: {"plan":"x"}\n  ${did(1)}: {"plan":"y"}`,
    );
    expect(sandbox.requests).toEqual([]);
  });

  it('a row that keeps failing is journaled failed (exit 7); --resume sends only it again', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.csv'), `distinct_id,plan\n${Array.from({ length: 20 }, (_, i) => `${did(i)},team`).join('\n')}\n`);
    sandbox.script({ method: 'PATCH', path: `/persons/${uuidOf(5)}/`, kind: 'status', status: 500 });
    const first = await setProp(dir, { fromFile: join(dir, 'p.csv'), yes: true, batchSize: 10, concurrency: 1 }, { retries: 0 });
    expect(first.error?.exitCode).toBe(7);
    const journal = join(dir, 'p.csv.set-prop.journal.jsonl');
    const batches = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'batch');
    expect(batches.map((b) => [b.batch, b.status, b.ids.length])).toEqual([
      [1, 'done', 9],
      [1, 'failed', 1],
      [2, 'done', 10],
    ]);
    expect(batches[1]).toMatchObject({ ids: [did(5)], http_status: 500 });

    sandbox.clearRequests();
    const resumed = await setProp(dir, { fromFile: join(dir, 'p.csv'), yes: true, batchSize: 10, resume: true, output: 'json' }, { retries: 0 });
    expect(resumed.error).toBeUndefined();
    expect(routes()).toEqual(['batch_by_distinct_ids', 'partial_update']);
    expect(sandbox.requests[1]!.path).toBe(`/api/projects/1/persons/${uuidOf(5)}/`);
    // The summary of a resumed run covers both runs: 19 queued by the first, 1 by this one.
    expect(JSON.parse(resumed.stdout)).toMatchObject({ requested: 20, queued: 20, failed: 0, skipped: 19, runs: 2 });
    for (let i = 0; i < 20; i++) expect(props(i).plan).toBe('team');
  });
});

describe('unset-prop --from-file', () => {
  it('one delete_property a key and person ($unset a single key, which every PostHog generation applies); resume after all done sends nothing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), Array.from({ length: 30 }, (_, i) => did(i)).join('\n'));
    const r = await unsetProp(dir, { fromFile: join(dir, 'ids.txt'), yes: true }, ['plan', 'phone']);
    expect(r.error).toBeUndefined();
    const unsets = sandbox.requests.filter((q) => q.route === 'delete_property');
    expect(unsets.length).toBe(60);
    expect(unsets.slice(0, 2).map((q) => q.body)).toEqual([{ $unset: 'plan' }, { $unset: 'phone' }]);
    expect(props(3)).toEqual({ keep: 'yes' });
    expect(r.stderr).toContain('Done (unset-prop, by distinct_id):');

    sandbox.clearRequests();
    const again = await unsetProp(dir, { fromFile: join(dir, 'ids.txt'), yes: true, resume: true, output: 'json' }, ['plan', 'phone']);
    expect(again.error).toBeUndefined();
    expect(sandbox.requests).toEqual([]);
    // (the counts cover both runs: the first queued all 30, this one skipped them)
    expect(JSON.parse(again.stdout)).toMatchObject({ requested: 30, skipped: 30, queued: 30, not_sent: 0, runs: 2 });
    const otherKeys = await unsetProp(dir, { fromFile: join(dir, 'ids.txt'), yes: true, resume: true }, ['plan']);
    expect(otherKeys.error?.message).toContain('--resume with different flags');
  });

  it('an answer of {"success": false} counts the person failed (exit 7), never queued', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), `${did(0)}\n${did(1)}\n`);
    sandbox.script({ method: 'POST', path: new RegExp(`${uuidOf(0)}/delete_property`), kind: 'status', status: 201, body: { success: false, detail: 'Unable to delete property' } });
    const r = await unsetProp(dir, { fromFile: join(dir, 'ids.txt'), yes: true, output: 'json' }, ['phone']);
    expect(r.error?.exitCode).toBe(7);
    expect(JSON.parse(r.stdout)).toMatchObject({ requested: 2, found: 1, queued: 1, not_found: 0, failed: 1 });
    expect(props(1)).toEqual({ plan: 'free', keep: 'yes' });
  });

  it('one key is sent as a string', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), `${uuidOf(0)}\n`);
    expect((await unsetProp(dir, { fromFile: join(dir, 'ids.txt'), by: 'uuid', yes: true }, ['phone'])).error).toBeUndefined();
    expect(sandbox.requests.map((q) => [q.route, q.body])).toEqual([
      ['batch_by_uuids', { uuids: [uuidOf(0)] }],
      ['delete_property', { $unset: 'phone' }],
    ]);
  });
});
