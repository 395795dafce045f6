// set-prop / unset-prop --from-file --via capture (src/bulk/ops/capture-writes.ts) against a real
// sandbox: what the user sees, and what the sandbox's request log says was sent, REST and capture.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sandboxProjectToken, startSandbox, SANDBOX_KEYS, type Sandbox } from '../../src/sandbox/index.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
const N = 2500;
const did = (i: number) => `cap-${String(i).padStart(5, '0')}`;
const uuidOf = (i: number) => `01940000-0000-7000-8000-${String(i).padStart(12, '0')}`;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
beforeEach(() => {
  for (let i = 0; i < N; i++) {
    sandbox.store.removePerson(uuidOf(i));
    sandbox.store.addPerson({ uuid: uuidOf(i), distinctIds: [did(i), `${did(i)}-second`], properties: { plan: 'free', phone: '+1', keep: 'yes' } });
  }
  for (const extra of sandbox.store.persons()) if (!extra.uuid.startsWith('01940000-')) sandbox.store.removePerson(extra.uuid);
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

const tempDir = () => mkdtempSync(join(tmpdir(), 'pp-capture-'));
const props = (i: number) => ({ ...sandbox.store.person(uuidOf(i))!.properties });
const routes = () => sandbox.requests.map((q) => q.route);
const captures = () => sandbox.requests.filter((q) => q.route === 'capture');
const restWrites = () => sandbox.requests.filter((q) => ['partial_update', 'update', 'update_property', 'delete_property'].includes(q.route));
const count = (route: string) => routes().filter((r) => r === route).length;
const events = () => captures().flatMap((q) => (q.body as { batch: unknown[] }).batch);

describe('set-prop --from-file --via capture', () => {
  it(`${N} persons: 0 REST writes, ceil(N/200) lookups, ceil(N/1000) capture requests with the project's own token; no person created`, async () => {
    const dir = tempDir();
    const lines = ['distinct_id,plan', ...Array.from({ length: N }, (_, i) => `${did(i)},scale`), 'nobody-at-all,scale'];
    writeFileSync(join(dir, 'plans.csv'), `${lines.join('\n')}\n`);
    const before = sandbox.store.count();
    const r = await runInProcess(['set-prop', '--from-file', 'plans.csv', '--via', 'capture', '--yes', '-o', 'json'], { sandbox, cwd: dir });
    expect(r.stderr).toContain(`Queued ${N.toLocaleString('en-US')} property writes in PostHog's ingestion in 3 capture requests; PostHog applies them within minutes.`);
    expect(r.code).toBe(0);
    expect(restWrites()).toEqual([]);
    expect(count('batch_by_distinct_ids')).toBe(Math.ceil((N + 1) / 200));
    expect(count('project_detail')).toBe(1);
    expect(captures().length).toBe(Math.ceil(N / 1000));
    for (const q of captures()) {
      expect(q.hasAuthorization).toBe(false);
      expect((q.body as { api_key: string }).api_key).toBe(sandboxProjectToken(1));
    }
    expect(events().length).toBe(N);
    expect(events().find((e) => (e as { distinct_id: string }).distinct_id === did(0))).toEqual({ event: '$set', distinct_id: did(0), properties: { $set: { plan: 'scale' } } });
    expect(events().some((e) => (e as { distinct_id: string }).distinct_id === 'nobody-at-all')).toBe(false);
    expect(sandbox.store.count()).toBe(before);
    expect(sandbox.store.byDistinctId('nobody-at-all')).toBeUndefined();
    for (const i of [0, 999, 1000, N - 1]) expect(props(i)).toEqual({ plan: 'scale', phone: '+1', keep: 'yes' });
    expect(JSON.parse(r.stdout)).toMatchObject({ command: 'set-prop', via: 'capture', outcome: 'completed', requested: N + 1, found: N, queued: N, not_found: 1, failed: 0, capture_requests: 3 });
    const journal = readFileSync(join(dir, 'plans.csv.set-prop.journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const batches = journal.filter((e) => e.type === 'batch');
    const done = batches.find((b) => b.status === 'done' && b.response?.outcome === 'queued' && b.ids.includes(did(0)));
    expect(done).toMatchObject({ looked_up: true, response: { outcome: 'queued', capture_requests: 1 } });
    expect(done.found[did(0)]).toBe(uuidOf(0));
    const missing = batches.find((b) => b.response?.outcome === 'not_found');
    expect(missing).toMatchObject({ ids: ['nobody-at-all'], looked_up: true, found: {} });
    expect(JSON.stringify(journal)).not.toContain(sandboxProjectToken(1));
  });

  it('a foreign but well-formed token is answered 200 and every event dropped: the trap the tool avoids by reading the token', async () => {
    const res = await fetch(`${sandbox.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: 'phc_NotThisProjectsTokenAtAll12345', batch: [{ event: '$set', distinct_id: did(3), properties: { $set: { plan: 'lost' } } }, { event: '$set', distinct_id: 'brand-new', properties: { $set: { plan: 'lost' } } }] }),
    });
    expect(res.status).toBe(200);
    expect(props(3).plan).toBe('free');
    expect(sandbox.store.byDistinctId('brand-new')).toBeUndefined();
  });

  it('persons given by UUID are looked up by UUID and sent under their first distinct_id', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.jsonl'), [0, 1].map((i) => JSON.stringify({ uuid: uuidOf(i).toUpperCase(), seats: 5 + i })).join('\n'));
    const r = await runInProcess(['set-prop', '--from-file', 'p.jsonl', '--by', 'uuid', '--via', 'capture', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(routes()).toEqual(['project_detail', 'batch_by_uuids', 'capture']);
    expect(events()).toEqual([
      { event: '$set', distinct_id: did(0), properties: { $set: { seats: 5 } } },
      { event: '$set', distinct_id: did(1), properties: { $set: { seats: 6 } } },
    ]);
    expect(props(1).seats).toBe(6);
  });

  it('splits requests by size: every body under 20 MB', async () => {
    const dir = tempDir();
    const big = 'x'.repeat(950_000);
    writeFileSync(join(dir, 'big.jsonl'), Array.from({ length: 25 }, (_, i) => JSON.stringify({ distinct_id: did(i), blob: big })).join('\n'));
    const r = await runInProcess(['set-prop', '--from-file', 'big.jsonl', '--via', 'capture', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(captures().length).toBe(2);
    for (const q of captures()) expect(Buffer.byteLength(q.rawBody ?? JSON.stringify(q.body))).toBeLessThan(20_000_000);
    expect(events().length).toBe(25);
    expect(props(24).blob).toBe(big);
  }, 60_000); // 24 MB through the CLI and the sandbox: slow on a loaded machine, not a bound on speed

  it('an event over 1 MB is refused before anything is sent, naming its row (exit 2)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'huge.jsonl'), [JSON.stringify({ distinct_id: did(0), plan: 'a' }), JSON.stringify({ distinct_id: did(1), blob: 'y'.repeat(1_100_000) })].join('\n'));
    const r = await runInProcess(['set-prop', '--from-file', 'huge.jsonl', '--via', 'capture', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: line 2 (${did(1)}): its $set event would be`);
    expect(r.stderr).toContain("over capture's 1 MB limit for one event");
    expect(sandbox.requests).toEqual([]);
  });

  it("a UUID row whose event only turns out too large once its distinct_id is known fails alone, named in the journal (exit 7)", async () => {
    const dir = tempDir();
    const LONG = '01940000-0000-7000-8000-999999999999';
    sandbox.store.removePerson(LONG);
    sandbox.store.addPerson({ uuid: LONG, distinctIds: ['L'.repeat(1_100_000)] });
    try {
      writeFileSync(join(dir, 'u.txt'), `${uuidOf(0)}\n${LONG}\n`);
      const r = await runInProcess(['unset-prop', '--from-file', 'u.txt', '--by', 'uuid', 'phone', '--via', 'capture', '--yes', '-o', 'json'], { sandbox, cwd: dir });
      expect(r.code).toBe(7);
      expect(JSON.parse(r.stdout)).toMatchObject({ requested: 2, found: 1, queued: 1, failed: 1, capture_requests: 1 });
      expect(events()).toEqual([{ event: '$set', distinct_id: did(0), properties: { $unset: ['phone'] } }]);
      const failed = readFileSync(join(dir, 'u.txt.unset-prop.journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.status === 'failed');
      expect(failed).toMatchObject({ ids: [LONG], looked_up: true, found: { [LONG]: LONG } });
      expect(failed.error).toMatch(/^its event is 1,100,\d{3} bytes, over capture's 1 MB limit for one event$/);
    } finally {
      sandbox.store.removePerson(LONG);
    }
  });

  it('a capture request that keeps failing fails its batch (exit 7); --resume sends only that batch again', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.csv'), `distinct_id,plan\n${Array.from({ length: 30 }, (_, i) => `${did(i)},team`).join('\n')}\n`);
    sandbox.script({ method: 'POST', path: '/batch/', kind: 'status', status: 503, times: 1 });
    const first = await runInProcess(['--retries', '0', 'set-prop', '--from-file', 'p.csv', '--via', 'capture', '--batch-size', '10', '--concurrency', '1', '--yes', '-o', 'json'], { sandbox, cwd: dir });
    expect(first.code).toBe(7);
    expect(JSON.parse(first.stdout)).toMatchObject({ queued: 20, failed: 10, capture_requests: 2 });
    sandbox.clearRequests();
    const resumed = await runInProcess(['set-prop', '--from-file', 'p.csv', '--via', 'capture', '--batch-size', '10', '--yes', '--resume', '-o', 'json'], { sandbox, cwd: dir });
    expect(resumed.code).toBe(0);
    expect(captures().length).toBe(1);
    expect(events().map((e) => (e as { distinct_id: string }).distinct_id)).toEqual(Array.from({ length: 10 }, (_, i) => did(i)));
    expect(JSON.parse(resumed.stdout)).toMatchObject({ requested: 30, queued: 30, skipped: 20, runs: 2 });
    for (let i = 0; i < 30; i++) expect(props(i).plan).toBe('team');
  });

  it('a REST run stopped part-way goes on through capture with --resume: what the journal records done is not sent again', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.csv'), `distinct_id,plan\n${Array.from({ length: 20 }, (_, i) => `${did(i)},mixed`).join('\n')}\n`);
    sandbox.script({ method: 'PATCH', path: new RegExp(uuidOf(15)), kind: 'status', status: 500 });
    const rest = await runInProcess(['--retries', '0', 'set-prop', '--from-file', 'p.csv', '--batch-size', '10', '--concurrency', '1', '--yes'], { sandbox, cwd: dir });
    expect(rest.code).toBe(7);
    sandbox.clearRequests();
    const resumed = await runInProcess(['set-prop', '--from-file', 'p.csv', '--via', 'capture', '--yes', '--resume', '-o', 'json'], { sandbox, cwd: dir });
    expect(resumed.code).toBe(0);
    expect(restWrites()).toEqual([]);
    expect(events()).toEqual([{ event: '$set', distinct_id: did(15), properties: { $set: { plan: 'mixed' } } }]);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ requested: 20, skipped: 19, queued: 20, runs: 2 });
    expect(props(15).plan).toBe('mixed');
  });

  it('--dry-run states the lookups and capture requests and sends nothing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.csv'), `distinct_id,plan\n${Array.from({ length: 1500 }, (_, i) => `${did(i)},x`).join('\n')}\n`);
    const r = await runInProcess(['set-prop', '--from-file', 'p.csv', '--via', 'capture', '--dry-run'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'Dry run: nothing was sent.\n' +
        "Would set properties on the persons of 1,500 distinct_ids from p.csv through PostHog's capture endpoint: 8 lookup requests (200 identifiers each), then about 2 capture requests (up to 1,000 events each); no REST writes.\n" +
        `  ${did(0)}: {"plan":"x"}\n  ${did(1)}: {"plan":"x"}\n  ${did(2)}: {"plan":"x"}\n`,
    );
    const json = await runInProcess(['set-prop', '--from-file', 'p.csv', '--via', 'capture', '--dry-run', '-o', 'json'], { sandbox, cwd: dir });
    expect(JSON.parse(json.stdout)).toMatchObject({ dry_run: true, command: 'set-prop', via: 'capture', capture_host: sandbox.url, to_send: 1500, batches: 2, lookup_requests: 8, capture_requests: 2 });
    expect(sandbox.requests).toEqual([]);
  });

  it("capture requests do not wait for the persons API's rate limit; the lookups and the project read do", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.csv'), `distinct_id,plan\n${did(0)},x\n${did(1)},y\n`);
    const clock = fakeClock();
    const r = await runInProcess(['--rate-limit', '3', 'set-prop', '--from-file', 'p.csv', '--via', 'capture', '--batch-size', '1', '--concurrency', '1', '--yes'], { sandbox, cwd: dir, clock });
    expect(r.code).toBe(0);
    expect(routes()).toEqual(['project_detail', 'batch_by_distinct_ids', 'capture', 'batch_by_distinct_ids', 'capture']);
    expect(clock.sleeps.filter((ms) => ms >= 1000)).toEqual([]);
    sandbox.clearRequests();
    const over = fakeClock();
    writeFileSync(join(dir, 'q.csv'), `distinct_id,plan\n${did(0)},x\n${did(1)},y\n${did(2)},z\n`);
    expect((await runInProcess(['--rate-limit', '3', 'set-prop', '--from-file', 'q.csv', '--via', 'capture', '--batch-size', '1', '--concurrency', '1', '--yes'], { sandbox, cwd: dir, clock: over })).code).toBe(0);
    expect(over.sleeps.filter((ms) => ms >= 1000).length).toBe(1); // the fourth limited request, the third lookup
  });

  it('--debug never shows the project token whole', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.csv'), `distinct_id,plan\n${did(0)},x\n`);
    const r = await runInProcess(['--debug', 'set-prop', '--from-file', 'p.csv', '--via', 'capture', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('/batch/');
    expect(r.stderr).not.toContain(sandboxProjectToken(1));
  });

  it('a key without project:read cannot read the token: exit 4 naming the scope, no lookup or capture sent', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.csv'), `distinct_id,plan\n${did(0)},x\n`);
    const r = await runInProcess(['set-prop', '--from-file', 'p.csv', '--via', 'capture', '--yes'], { sandbox, cwd: dir, key: SANDBOX_KEYS.read.key });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("--via capture reads the project's token, which needs the project:read scope");
    expect(routes()).toEqual(['project_detail']);
  });

  it('bad flags are refused before any request (exit 2)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.csv'), `distinct_id,plan\n${did(0)},x\n`);
    const plain = await runInProcess(['set-prop', '--from-file', 'p.csv', '--via', 'capture', '--capture-host', 'http://ingest.example.com', '--yes'], { sandbox, cwd: dir });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('--capture-host');
    const noFile = await runInProcess(['set-prop', did(0), 'plan', 'x', '--via', 'capture'], { sandbox, cwd: dir });
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('--via only applies with --from-file');
    const alone = await runInProcess(['set-prop', '--from-file', 'p.csv', '--capture-host', 'https://eu.i.posthog.com', '--yes'], { sandbox, cwd: dir });
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--capture-host only applies with --via capture');
    expect(sandbox.requests).toEqual([]);
  });
});

describe('--via capture --wait', () => {
  it('reads back a sample of 100 persons spread across the run through batch lookups, and says they show the new values', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.csv'), `distinct_id,plan\n${Array.from({ length: 1000 }, (_, i) => `${did(i)},gold`).join('\n')}\n`);
    const r = await runInProcess(['set-prop', '--from-file', 'p.csv', '--via', 'capture', '--yes', '--wait=30'], { sandbox, cwd: dir, clock: fakeClock() });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Reading back 100 of 1,000 persons (spread across the run) until PostHog shows the new values, up to 30 s.\n');
    expect(r.stderr).toContain('All 100 persons read back show the new values (after 0.0 s).\n');
    const readBack = sandbox.requests.filter((q) => q.route === 'batch_by_uuids');
    expect(readBack.length).toBe(1);
    const uuids = (readBack[0]!.body as { uuids: string[] }).uuids;
    expect(uuids.length).toBe(100);
    expect(uuids[0]).toBe(uuidOf(0));
    expect(uuids[99]).toBe(uuidOf(990));
  });

  it('--wait-all reads back every person; those not applied in time are named (exit 1)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.csv'), `distinct_id,plan\n${Array.from({ length: 3 }, (_, i) => `${did(i)},late`).join('\n')}\n`);
    sandbox.setOptions({ writeLagMs: 3_600_000 });
    try {
      const r = await runInProcess(['set-prop', '--from-file', 'p.csv', '--via', 'capture', '--yes', '--wait=5', '--wait-all'], { sandbox, cwd: dir, clock: fakeClock() });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Reading back all 3 persons until PostHog shows the new values, up to 5 s.\n');
      expect(r.stderr).toContain(`error: 3 of 3 persons read back do not show the new values after 5 s: ${uuidOf(0)}, ${uuidOf(1)}, ${uuidOf(2)}\n`);
      expect(r.stderr).toContain('PostHog may still apply them');
    } finally {
      sandbox.setOptions({ writeLagMs: 0 });
    }
  });

  it('--wait with a REST run, or --wait-all without --wait, is refused before any request (exit 2)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.csv'), `distinct_id,plan\n${did(0)},x\n`);
    const rest = await runInProcess(['set-prop', '--from-file', 'p.csv', '--yes', '--wait'], { sandbox, cwd: dir });
    expect(rest.code).toBe(2);
    expect(rest.stderr).toContain('--wait with --from-file reads the persons back after a --via capture run');
    const all = await runInProcess(['set-prop', '--from-file', 'p.csv', '--via', 'capture', '--yes', '--wait-all'], { sandbox, cwd: dir });
    expect(all.code).toBe(2);
    expect(all.stderr).toContain('--wait-all only applies with --wait');
    expect(sandbox.requests).toEqual([]);
  });
});

describe('unset-prop --from-file --via capture', () => {
  it('one $set event a person carrying $unset with every key; no delete_property', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ids.txt'), Array.from({ length: 30 }, (_, i) => did(i)).join('\n'));
    const r = await runInProcess(['unset-prop', '--from-file', 'ids.txt', 'plan', 'phone', '--via', 'capture', '--yes'], { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(restWrites()).toEqual([]);
    expect(captures().length).toBe(1);
    expect(events()[0]).toEqual({ event: '$set', distinct_id: did(0), properties: { $unset: ['plan', 'phone'] } });
    expect(props(3)).toEqual({ keep: 'yes' });
    expect(r.stderr).toContain("Queued 30 property removals in PostHog's ingestion in 1 capture request; PostHog applies them within minutes.");
  });
});
