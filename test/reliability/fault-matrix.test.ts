// Runs every row of the fault matrix (fault-matrix.ts) end to end: the CLI in-process (runCli, the
// binary's argv → exit code path, test/helpers/in-process.ts) against its own sandbox, with the
// fault scripted, checking the exit code, the exact stdout and stderr, and what the server saw
// (the request log), retries included. Rows run concurrently, one sandbox and one folder each (the
// one that times the spacing of requests runs alone afterwards); no
// row needs a real process (the environment, POSTHOG_PERSONS_BACKOFF_MS included, reaches the CLI
// through the factory's env).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startSandbox, SANDBOX_KEYS, type Sandbox, type ScriptedFault } from '../../src/sandbox/index.js';
import type { RunResult } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { FAULT_MATRIX, FIXTURE, type FaultRow } from './fault-matrix.js';

const BULK_PERSONS = 400;
/** Slow answers, so workers that ignored the 429 would send while it is still being waited out. */
const PAUSE_ROW_LATENCY_MS = 300;
const bulkId = (i: number) => `w-${String(i).padStart(3, '0')}`;

interface Observed {
  result: RunResult;
  /** By the CLI's clock: real time plus the waits a recording clock skipped. */
  elapsedMs: number;
  /** The CLI's waits, for rows run on a recording clock (backoff-gaps). */
  sleeps: number[];
  log: string[];
  sandbox: Sandbox;
  /** requests the other-origin server received */
  targetSeen: IncomingHttpHeaders[];
  fill: (text: string) => string;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/**
 * An address nobody listens on, for the "connection refused" rows: a port held by a listener of
 * ours on 127.0.0.1 (so no other server of a concurrent test can take it), asked for on 127.0.0.2,
 * where nothing listens. Released after all rows.
 */
const heldPorts: Server[] = [];
async function closedUrl(): Promise<string> {
  const server = createServer();
  heldPorts.push(server);
  return `http://127.0.0.2:${await listen(server)}`;
}
afterAll(async () => {
  await Promise.all(heldPorts.map((server) => new Promise((resolve) => server.close(resolve))));
});

async function runRow(row: FaultRow): Promise<Observed> {
  const sandbox = await startSandbox({ persons: 0, writeLagMs: 0, latencyMs: row.special === 'all-workers-pause' ? PAUSE_ROW_LATENCY_MS : 0 });
  sandbox.store.addPerson({ ...FIXTURE, distinctIds: [...FIXTURE.distinctIds], properties: { ...FIXTURE.properties } });
  const targetSeen: IncomingHttpHeaders[] = [];
  const target = createServer((req, res) => {
    targetSeen.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"results":[]}');
  });
  const targetUrl = `http://127.0.0.1:${await listen(target)}`;
  const closed = row.target === 'closed-port' ? await closedUrl() : '';
  const dir = mkdtempSync(join(tmpdir(), 'pp-matrix-'));
  const fill = (text: string) =>
    text.replaceAll('{url}', sandbox.url).replaceAll('{target}', targetUrl).replaceAll('{closed}', closed).replaceAll('{dir}', dir);

  if (row.special === 'all-workers-pause') {
    for (let i = 0; i < BULK_PERSONS; i++) sandbox.store.addPerson({ distinctIds: [bulkId(i)] });
    writeFileSync(join(dir, 'ids.txt'), Array.from({ length: BULK_PERSONS }, (_, i) => bulkId(i)).join('\n') + '\n');
  }
  const faults = (row.faults ?? []).map(
    (f): ScriptedFault => ({
      ...f,
      ...(f.location ? { location: fill(f.location) } : {}),
      ...(f.body !== undefined ? { body: JSON.parse(fill(JSON.stringify(f.body))) as unknown } : {}),
    }),
  );
  sandbox.script(...faults);
  sandbox.clearRequests();

  const key = row.key === 'read' ? SANDBOX_KEYS.read.key : row.key === 'wrong' ? 'phx_notAKeyPostHogKnowsAbout0000000000000' : undefined;
  const env = { ...row.env, ...(closed ? { POSTHOG_HOST: closed } : {}) };
  // backoff-gaps: the CLI's waits go through a clock that records them and skips them, so the
  // test checks the waits themselves instead of the wall-clock gaps between requests.
  const sleeps: number[] = [];
  let skipped = 0;
  const clock =
    row.special === 'backoff-gaps'
      ? {
          now: () => Date.now() + skipped,
          sleep: async (ms: number) => {
            sleeps.push(ms);
            skipped += ms;
          },
        }
      : undefined;
  const started = clock?.now() ?? Date.now();
  const result = await runInProcess(row.args, { sandbox, key, env, cwd: dir, clock });
  const elapsedMs = (clock?.now() ?? Date.now()) - started;

  // "route status", plus the fault when it is not a plain status (a reset, a slow answer, HTML…)
  let log = sandbox.requests.map((q) => [q.route, q.status, q.fault === 'status' ? '' : q.fault].filter((p) => p !== '' && p !== undefined).join(' '));
  if (row.target === 'closed-port') {
    // Nothing listens, so nothing is logged there: count the attempts in the --debug log.
    const debug = await runInProcess(['--debug', ...row.args], { sandbox, key, env, cwd: dir });
    log = debug.stderr.split('\n').filter((line) => line.startsWith('[debug] → ')).map(() => 'connect refused');
  }
  await new Promise((resolve) => target.close(resolve));
  await sandbox.close();
  return { result, elapsedMs, sleeps, log, sandbox, targetSeen, fill };
}

// The row that checks the spacing of requests in real time runs alone after the others: in-process,
// every row shares this file's event loop, and concurrent rows would blur which requests belong
// to its first round.
const TIMED = new Set<FaultRow['special']>(['all-workers-pause']);

describe.concurrent('fault matrix (docs/reliability.md)', () => {
  for (const row of FAULT_MATRIX.filter((r) => !TIMED.has(r.special))) checkRow(row);
});

describe('fault matrix (docs/reliability.md), timed on its own', () => {
  for (const row of FAULT_MATRIX.filter((r) => TIMED.has(r.special))) checkRow(row);
});

function checkRow(row: FaultRow): void {
  it(`${row.id}: ${row.fault} → exit ${row.expect.code}`, async () => {
    const observed = await runRow(row);
    const { result, fill } = observed;
    expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({
      code: row.expect.code,
      stdout: fill(row.expect.stdout ?? ''),
      stderr: fill(row.expect.stderr),
    });
    expect(observed.log).toEqual(row.expect.log);
    expect(result.stderr).not.toMatch(/^\s+at /m); // no stack trace without --debug
    if (row.expect.minMs !== undefined) expect(observed.elapsedMs).toBeGreaterThanOrEqual(row.expect.minMs);
    checkSpecial(row, observed);
  }, 20_000);
}

function checkSpecial(row: FaultRow, observed: Observed): void {
  const times = observed.sandbox.requests.map((q) => Date.parse(q.time));
  switch (row.special) {
    case 'backoff-gaps': {
      // Equal jitter on a 400 ms base: the first wait is 200-400 ms, the second 400-800 ms (the
      // waits the CLI asked its clock for, one before each retry).
      expect(observed.sleeps).toHaveLength(2);
      const [first, second] = observed.sleeps as [number, number];
      expect(first).toBeGreaterThanOrEqual(200);
      expect(first).toBeLessThanOrEqual(400);
      expect(second).toBeGreaterThanOrEqual(400);
      expect(second).toBeLessThanOrEqual(800);
      break;
    }
    case 'all-workers-pause': {
      // The 429 pauses every worker. The first round is four requests, one of them answered 429;
      // its answer comes 300 ms after it arrived, and from then on nobody may send for 1 s.
      // Workers that ignored it would send their next batch as their own answers came, about
      // 300 ms after the 429 arrived. Only lower bounds (a wait that must really happen): the
      // order of the request log says which requests made up the first round.
      const requests = observed.sandbox.requests;
      const at = requests.findIndex((q) => q.status === 429);
      expect(at).toBeGreaterThanOrEqual(0);
      expect(at).toBeLessThan(4);
      const t429 = times[at]!;
      const later = times.slice(4);
      expect(later).toHaveLength(5); // the four other batches and the retried one
      for (const t of later) expect(t).toBeGreaterThanOrEqual(t429 + PAUSE_ROW_LATENCY_MS + 900);
      // Nothing lost: each identifier was in exactly one accepted request, and every person is gone.
      const accepted = requests.filter((q) => q.status === 202).flatMap((q) => (q.body as { distinct_ids: string[] }).distinct_ids);
      expect(accepted.sort()).toEqual(Array.from({ length: BULK_PERSONS }, (_, i) => bulkId(i)));
      expect(observed.sandbox.store.count()).toBe(1); // only the fixture is left
      break;
    }
    case 'redirect-target':
      // The other origin never heard from us: no request, so no Authorization header either.
      expect(observed.targetSeen).toEqual([]);
      break;
  }
}
