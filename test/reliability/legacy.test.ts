// Older, self-hosted PostHog servers (docs/posthog-versions.md): DELETE answers 204, bulk_delete
// answers an empty 202, a list in $unset is accepted and removes nothing, lists page with a
// cursor. The sandbox's older generation plays the first three; a small node:http server plays the
// cursor pages. The CLI must degrade without failing: accepted-but-uncounted deletes exit 0, and
// unset sends one request a key, which every generation applies.
import { createServer, type IncomingMessage } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/api/http.js';
import { RateLimiter } from '../../src/api/limiter.js';
import { startSandbox, SANDBOX_KEYS, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
const FILE_IDS = Array.from({ length: 120 }, (_, i) => `old-${String(i).padStart(3, '0')}`);
const PROPS = { uuid: '01900000-0000-7000-8000-00000000d001', distinctIds: ['old-props'] };

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0, generation: 'older' });
});
beforeEach(() => {
  for (const id of FILE_IDS) if (!sandbox.store.byDistinctId(id)) sandbox.store.addPerson({ distinctIds: [id] });
  if (!sandbox.store.person(PROPS.uuid)) sandbox.store.addPerson({ ...PROPS, properties: { plan: 'free', age: 40, city: 'Oslo' } });
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

describe('bulk_delete answering an empty 202', () => {
  it('delete --from-file: every batch accepted, the counts reported unknown (not zero), exit 0, the journal done', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-legacy-'));
    writeFileSync(join(dir, 'ids.txt'), FILE_IDS.join('\n') + '\n');
    const args = ['delete', '--from-file', 'ids.txt', '--yes', '--batch-size', '50'];
    const r = await runInProcess(args, { sandbox, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      'Done (by distinct_id):\n' +
        '  requested                120\n' +
        '  found                unknown\n' +
        '  deleted              unknown\n' +
        '  queued for deletion  unknown\n' +
        '  not found            unknown\n' +
        '  failed                     0\n' +
        '  skipped                    0\n',
    );
    expect(r.stderr).toContain('This PostHog server answered without a summary: it accepted 120 identifiers');
    // (each batch is looked up first: the journal names the identifiers that resolved, whatever the answer says)
    expect(sandbox.requests.filter((q) => q.route === 'bulk_delete').map((q) => `${q.route} ${q.status}`)).toEqual(['bulk_delete 202', 'bulk_delete 202', 'bulk_delete 202']);
    expect(FILE_IDS.filter((id) => sandbox.store.byDistinctId(id))).toEqual([]);
    const lines = readFileSync(join(dir, 'ids.txt.delete.journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'batch').map((l) => [l.status, l.http_status])).toEqual([['done', 202], ['done', 202], ['done', 202]]);

    // The journal counts the accepted batches as done: resuming sends nothing.
    sandbox.clearRequests();
    const again = await runInProcess([...args, '--resume'], { sandbox, cwd: dir });
    expect(again.code).toBe(0);
    expect(sandbox.requests).toEqual([]);
  });

  it('a summary without persons_queued_for_deletion: that count is unknown, not zero', async () => {
    sandbox.setOptions({ generation: 'newest' });
    try {
      sandbox.script({ path: '/persons/bulk_delete/', kind: 'status', status: 202, body: { persons_found: 1, persons_deleted: 1 } });
      const r = await runInProcess(['delete', PROPS.uuid, '--by', 'uuid', '--yes', '-o', 'json'], { sandbox });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe(`Deleted: person ${PROPS.uuid} (old-props).\n`);
      expect(JSON.parse(r.stdout)).toMatchObject({ found: 1, deleted: 1, queued_for_deletion: null });
    } finally {
      sandbox.setOptions({ generation: 'older' });
    }
  });
});

describe('$unset: a list is accepted and ignored by this generation, so one key a request', () => {
  it('unset-prop a b: two requests, each with one key; both are gone; exit 0', async () => {
    const r = await runInProcess(['unset-prop', 'old-props', 'plan', 'age'], { sandbox });
    expect(r.code).toBe(0);
    const unsets = sandbox.requests.filter((q) => q.route === 'delete_property').map((q) => [q.status, q.body]);
    expect(unsets).toEqual([
      [201, { $unset: 'plan' }],
      [201, { $unset: 'age' }],
    ]);
    sandbox.store.tick();
    expect(sandbox.store.person(PROPS.uuid)!.properties).toEqual({ city: 'Oslo' });
  });
});

describe('DELETE answering 204', () => {
  it('the HTTP layer takes an empty 204 as success (no command sends DELETE today; bulk_delete does the work)', async () => {
    const http = new HttpClient({
      host: sandbox.url,
      apiKey: SANDBOX_KEYS.all.key,
      userAgent: 'posthog-persons/test',
      limiter: new RateLimiter({ perMinute: { read: 0, delete: 0 } }),
    });
    try {
      const res = await http.request({ method: 'DELETE', path: `/api/projects/1/persons/${PROPS.uuid}/`, retry: 'never', bucket: 'delete' });
      expect(res.status).toBe(204);
      expect(res.data).toBeUndefined();
    } finally {
      await http.close();
    }
    expect(sandbox.requests.map((q) => `${q.route} ${q.status}`)).toEqual(['destroy 204']);
  });
});

describe('cursor pagination (PostHog of about 2021)', () => {
  it('list --all follows the cursor `next` links on its own host, and never to another', async () => {
    const seen: string[] = [];
    const person = (n: number) => ({ id: n, uuid: `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`, name: `p${n}`, distinct_ids: [`p${n}`], properties: {}, created_at: '2021-06-01T00:00:00Z' });
    const server = createServer((req: IncomingMessage, res) => {
      seen.push(req.url ?? '');
      const cursor = new URL(req.url ?? '/', 'http://x').searchParams.get('cursor');
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const page =
        cursor === null
          ? { next: `${origin}/api/projects/1/persons/?cursor=cD0y`, results: [person(1), person(2)] }
          : cursor === 'cD0y'
            ? // an absolute next on another origin: only its path and query may be used
              { next: 'http://127.0.0.2:9/api/projects/1/persons/?cursor=cD00', results: [person(3), person(4)] }
            : { next: null, results: [person(5)] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const r = await runInProcess(['list', '--all', '--fields', 'name'], { env: { POSTHOG_HOST: url, POSTHOG_PROJECT_ID: '1', POSTHOG_PERSONAL_API_KEY: SANDBOX_KEYS.all.key } });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('p1\np2\np3\np4\np5\n');
      expect(seen).toEqual(['/api/projects/1/persons/?limit=1000&include_total=', '/api/projects/1/persons/?cursor=cD0y', '/api/projects/1/persons/?cursor=cD00']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
