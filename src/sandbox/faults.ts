// Fault injection: scripted faults (consumed in order by matching requests) and the random
// failures of `failRate`. This file decides *what* goes wrong; server.ts does it on the socket.

import { defaultErrorBody, json, SERVER_ERROR, type Reply } from './http.js';
import type { Rng } from './random.js';
import type { FaultKind, ScriptedFault } from './types.js';

const KINDS = new Set<FaultKind>([
  'status', 'reset', 'reset-mid-body', 'slow-headers', 'truncated-json', 'html', 'non-json', 'redirect', 'latency',
  'drip', 'endless',
]);

/** Faults answered by a "proxy" in front of PostHog: the request never reaches the API. */
export const UNPROCESSED_KINDS = new Set<FaultKind>(['status', 'reset', 'html', 'non-json', 'redirect']);

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function matches(fault: ScriptedFault, method: string, path: string): boolean {
  if (fault.method && fault.method.toUpperCase() !== method) return false;
  if (fault.path === undefined) return true;
  if (typeof fault.path === 'string') return trimSlash(fault.path) === trimSlash(path);
  fault.path.lastIndex = 0;
  return fault.path.test(path);
}

export class FaultQueue {
  private readonly queue: { fault: ScriptedFault; remaining: number }[] = [];

  add(...faults: ScriptedFault[]): void {
    for (const fault of faults) {
      if (!KINDS.has(fault.kind)) throw new Error(`Unknown fault kind: ${String(fault.kind)}`);
      this.queue.push({ fault, remaining: fault.times ?? 1 });
    }
  }

  /** The first queued fault matching this request, consumed once. */
  take(method: string, path: string): ScriptedFault | null {
    const index = this.queue.findIndex((slot) => matches(slot.fault, method, path));
    if (index < 0) return null;
    const slot = this.queue[index]!;
    if (--slot.remaining <= 0) this.queue.splice(index, 1);
    return slot.fault;
  }

  pending(): number {
    return this.queue.length;
  }
}

/** Validates faults posted to the control endpoint (JSON: `path` is a plain string). */
export function faultsFromJson(value: unknown): ScriptedFault[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((item) => {
    if (item === null || typeof item !== 'object' || !KINDS.has((item as ScriptedFault).kind)) {
      throw new Error('Each fault needs a known "kind".');
    }
    return item as ScriptedFault;
  });
}

const STATUS_TEXT: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' };

function htmlPage(status: number): string {
  const title = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

/** The reply of a fault that does not reach the API (status, html, non-json, redirect). */
export function proxyReply(fault: ScriptedFault, requestUrl: string, port: number): Reply {
  const headers: Record<string, string> = { ...fault.headers };
  const origin = `http://127.0.0.1:${port}`;
  switch (fault.kind) {
    case 'html': {
      const status = fault.status ?? 502;
      return { status, body: htmlPage(status), contentType: 'text/html', headers };
    }
    case 'non-json':
      return { status: fault.status ?? 200, body: 'OK', contentType: 'text/plain', headers };
    case 'redirect': {
      const status = fault.status === 302 ? 302 : 307;
      return { status, headers: { ...headers, Location: fault.location ?? `http://127.0.0.2:${port}${requestUrl}` } };
    }
    default: {
      const status = fault.status ?? 500;
      const header = (name: string) => Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
      if (status === 401 && header('www-authenticate') === undefined) {
        headers['WWW-Authenticate'] = `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource"`;
      }
      return json(status, fault.body ?? defaultErrorBody(status, header('retry-after')), headers);
    }
  }
}

const RANDOM_STATUSES = [500, 502, 503, 504];

/** A failRate failure: one of 500/502/503/504 with PostHog's JSON error body. */
export function randomFailure(rng: Rng): Reply {
  const status = RANDOM_STATUSES[Math.floor(rng() * RANDOM_STATUSES.length)]!;
  return json(status, status === 500 ? SERVER_ERROR : defaultErrorBody(status));
}

/** A JSON text to cut in half: the real body, or a stand-in when the real reply is empty. */
export function bodyToDamage(reply: Reply): string {
  return reply.body && reply.body.length > 1 ? reply.body : '{"results":[{"detail":"the response was cut here"}]}';
}
