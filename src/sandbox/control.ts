// The /_sandbox/ control surface, for a sandbox running in another process: read or clear the
// request log, queue faults, change options, check health. No auth, and not logged.

import type { FaultQueue } from './faults.js';
import { faultsFromJson } from './faults.js';
import { parseExact } from '../json/exact.js';
import { empty, json, type Reply } from './http.js';
import type { SandboxStore } from './store.js';
import type { MutableSandboxOptions, RequestLogEntry } from './types.js';

export interface ControlDeps {
  requests: RequestLogEntry[];
  faults: FaultQueue;
  store: SandboxStore;
  setOptions(patch: MutableSandboxOptions): void;
}

function parseJson(raw: Buffer): { value: unknown } | Reply {
  try {
    return { value: parseExact(raw.toString('utf8') || 'null') };
  } catch {
    return json(400, { error: 'The body must be JSON.' });
  }
}

export function handleControl(method: string, path: string, raw: Buffer, deps: ControlDeps): Reply {
  const route = `${method} ${path.replace(/\/$/, '')}`;
  switch (route) {
    case 'GET /_sandbox/health':
      return json(200, { ok: true, persons: deps.store.count(), pendingWrites: deps.store.pendingWrites().length });
    case 'GET /_sandbox/requests':
      return json(200, deps.requests);
    case 'DELETE /_sandbox/requests':
      deps.requests.length = 0;
      return empty(204);
    case 'POST /_sandbox/faults': {
      const body = parseJson(raw);
      if (!('value' in body)) return body;
      try {
        const faults = faultsFromJson(body.value);
        deps.faults.add(...faults);
        return json(201, { queued: faults.length });
      } catch (error) {
        return json(400, { error: (error as Error).message });
      }
    }
    case 'POST /_sandbox/options': {
      const body = parseJson(raw);
      if (!('value' in body)) return body;
      deps.setOptions((body.value ?? {}) as MutableSandboxOptions);
      return json(200, { ok: true });
    }
    default:
      return json(404, { error: `Unknown sandbox control route: ${route}` });
  }
}
