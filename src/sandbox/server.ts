// The HTTP server: reads each request, logs it, applies faults (scripted first, then failRate,
// then latency), runs the API, and writes the reply, possibly damaged on purpose.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { handleCapture, isCapturePath } from './capture.js';
import { handleControl } from './control.js';
import { handleApi } from './dispatch.js';
import { bodyToDamage, FaultQueue, proxyReply, randomFailure, UNPROCESSED_KINDS } from './faults.js';
import { json, JSON_TYPE, SERVER_ERROR, type Reply } from './http.js';
import { SANDBOX_PROJECT_ID } from './keys.js';
import { patchOptions, resolveOptions } from './options.js';
import { handleProjectDetail, projectDetailSegment } from './project-detail.js';
import { mixSeed, mulberry32 } from './random.js';
import { SandboxThrottle } from './rate-limit.js';
import { logEntry, parseBody, readBody, redactQuery } from './request-log.js';
import { faultPath } from './routes.js';
import { generateSeed } from './seed.js';
import { SandboxStore } from './store.js';
import type { Sandbox } from './handle.js';
import type { MutableSandboxOptions, RequestLogEntry, SandboxOptions } from './types.js';

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.headersSent) return;
  const headers: Record<string, string | number> = { ...reply.headers };
  if (reply.body !== undefined) {
    headers['Content-Type'] = reply.contentType ?? JSON_TYPE;
    headers['Content-Length'] = Buffer.byteLength(reply.body);
  } else if (reply.status !== 204 && reply.status !== 304) {
    headers['Content-Length'] = 0;
  }
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

/** Headers and the first half of the body, then a dead connection. */
function resetMidBody(res: ServerResponse, reply: Reply): void {
  const body = Buffer.from(bodyToDamage(reply));
  res.writeHead(reply.status, { 'Content-Type': JSON_TYPE, 'Content-Length': body.length });
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
}

/** A 200 whose JSON body stops half-way, then the connection closes. */
function truncatedJson(res: ServerResponse, reply: Reply): void {
  const body = bodyToDamage(reply);
  res.writeHead(200, { 'Content-Type': JSON_TYPE, Connection: 'close' });
  res.end(body.slice(0, Math.floor(body.length / 2)));
}

/** The answer's body one byte at a time: a server (or proxy) that never times out for inactivity. */
function drip(res: ServerResponse, reply: Reply, delayMs: number, sleep: (ms: number) => Promise<void>): void {
  const body = Buffer.from(reply.body ?? '');
  res.writeHead(reply.status, { 'Content-Type': reply.contentType ?? JSON_TYPE, 'Content-Length': body.length, ...reply.headers });
  void (async () => {
    for (let i = 0; i < body.length && !res.destroyed; i++) {
      res.write(body.subarray(i, i + 1));
      await sleep(delayMs);
    }
    if (!res.destroyed) res.end();
  })();
}

/** A 200 JSON body that goes on for ever, as fast as the client reads it. */
function endless(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': JSON_TYPE });
  const chunk = Buffer.from(`{"uuid":"${'e'.repeat(65_000)}"},`);
  res.write('{"results":[');
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  res.on('error', () => undefined);
  pump();
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const runtime = resolveOptions(options);
  const clock = options.clock ?? { now: () => Date.now() };
  const store = new SandboxStore(generateSeed(runtime), runtime, () => clock.now());
  const limiter = new SandboxThrottle(runtime.rateLimit);
  const faults = new FaultQueue();
  const failRng = mulberry32(mixSeed(runtime.seed, 0xfa11));
  const requests: RequestLogEntry[] = [];
  const answerListeners = new Set<(entry: RequestLogEntry) => void>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let url = '';
  let port = 0;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const setOptions = (patch: MutableSandboxOptions): void => {
    patchOptions(runtime, patch);
    if ('rateLimit' in patch) limiter.configure(runtime.rateLimit);
  };

  async function serveApi(req: IncomingMessage, res: ServerResponse, path: string, rawQuery: string, raw: Buffer): Promise<void> {
    const started = Date.now();
    const method = req.method ?? 'GET';
    const body = parseBody(raw, req.headers['content-type']);
    const entry = logEntry(req, path, rawQuery, body);
    // Capture and the project detail live outside the persons router.
    const capture = isCapturePath(method, path);
    const projectSegment = projectDetailSegment(method, path);
    if (capture) entry.route = 'capture';
    else if (projectSegment !== null) entry.route = 'project_detail';
    requests.push(entry);

    const fault = faults.take(method, faultPath(path));
    const randomlyFails = !fault && runtime.failRate > 0 && failRng() < runtime.failRate;
    if (fault) entry.fault = fault.kind;
    else if (randomlyFails) entry.fault = 'fail-rate';
    if (runtime.latencyMs > 0) await sleep(runtime.latencyMs);
    if (fault?.kind === 'latency') await sleep(fault.delayMs ?? 1000);

    let reply: Reply;
    if (fault?.kind === 'reset') {
      req.socket.destroy();
    } else if (fault && UNPROCESSED_KINDS.has(fault.kind)) {
      reply = proxyReply(fault, req.url ?? path, port);
      entry.status = reply.status;
      send(res, reply);
    } else if (randomlyFails) {
      reply = randomFailure(failRng);
      entry.status = reply.status;
      send(res, reply);
    } else {
      const now = clock.now();
      store.tick(now);
      const absoluteUrl = `http://${req.headers.host ?? `127.0.0.1:${port}`}${req.url ?? path}`;
      try {
        if (capture) reply = handleCapture(body.state, raw.length, { store, options: runtime, now });
        else if (projectSegment !== null) reply = handleProjectDetail(projectSegment, req.headers, new URLSearchParams(rawQuery), { store, limiter, sandboxUrl: url, now });
        else {
          const outcome = handleApi(
            { method, path, query: new URLSearchParams(rawQuery), headers: req.headers, body: body.state, absoluteUrl },
            { store, options: runtime, limiter, sandboxUrl: url, now },
          );
          reply = outcome.reply;
          entry.route = outcome.route;
        }
      } catch (error) {
        // A sandbox bug: answer like PostHog would, but say what happened in the access log.
        runtime.log?.(`sandbox error on ${method} ${path}: ${(error as Error).stack ?? String(error)}`);
        reply = json(500, SERVER_ERROR);
      }
      entry.status = reply.status;
      for (const listener of answerListeners) listener(entry);
      if (fault?.kind === 'slow-headers') await sleep(fault.delayMs ?? 1000);
      if (fault?.kind === 'reset-mid-body') resetMidBody(res, reply);
      else if (fault?.kind === 'drip') drip(res, reply, fault.delayMs ?? 1000, sleep);
      else if (fault?.kind === 'endless') {
        entry.status = 200;
        endless(res);
      }
      else if (fault?.kind === 'truncated-json') {
        entry.status = 200;
        truncatedJson(res, reply);
      } else send(res, reply);
    }
    const query = rawQuery ? `?${redactQuery(rawQuery)}` : '';
    runtime.log?.(`${entry.time} ${method} ${path}${query} ${entry.status} ${Date.now() - started}ms${entry.fault ? ` fault=${entry.fault}` : ''}`);
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : rawUrl.slice(queryAt + 1);
    const raw = await readBody(req);
    if (path.startsWith('/_sandbox/')) {
      send(res, handleControl(req.method ?? 'GET', path, raw, { requests, faults, store, setOptions }));
      return;
    }
    await serveApi(req, res, path, rawQuery, raw);
  }

  const server = createServer((req, res) => {
    // Only reading the request can fail here (the client went away): nobody is left to answer.
    serve(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(runtime.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    projectId: SANDBOX_PROJECT_ID,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    writes: () => requests.filter((e) => e.method !== 'GET' && e.method !== 'HEAD'),
    script: (...scripted) => faults.add(...scripted),
    setOptions,
    afterAnswer: (listener) => {
      answerListeners.add(listener);
      return () => answerListeners.delete(listener);
    },
    store,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
