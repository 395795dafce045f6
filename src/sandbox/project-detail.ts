// GET /api/projects/{id}/: the project's detail, whose `api_token`
// is the token its capture endpoint takes. Each project has its own token, derived from its id so
// that it is stable across restarts and needs nothing stored. Authentication and the
// `project:read` scope are checked as PostHog's ProjectViewSet does.

import type { IncomingHttpHeaders } from 'node:http';

import { authenticate, findKey } from './auth.js';
import { json, notFound, permissionDenied, throttled, type Reply } from './http.js';
import { SANDBOX_PROJECT_ID } from './keys.js';
import type { SandboxThrottle } from './rate-limit.js';
import type { SandboxStore } from './store.js';

const PROJECT_DETAIL = /^\/api\/projects\/([^/]+)\/?$/;

export { sandboxProjectToken } from './projects.js';
import { sandboxProjectToken } from './projects.js';

/** The project a token belongs to, or null for a token of no sandbox project. */
export function projectOfToken(token: string, store: SandboxStore): number | null {
  const match = /^phc_sandbox(\d+)x/.exec(token);
  if (!match) return null;
  const id = Number(match[1]);
  return store.hasProject(id) && sandboxProjectToken(id) === token ? id : null;
}

/** The project segment of a project detail path, or null when the path is something else. */
export function projectDetailSegment(method: string, path: string): string | null {
  if (method !== 'GET' && method !== 'HEAD') return null;
  const match = PROJECT_DETAIL.exec(path);
  return match ? decodeURIComponent(match[1]!) : null;
}

export function handleProjectDetail(
  segment: string,
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
  deps: { store: SandboxStore; limiter: SandboxThrottle; sandboxUrl: string; now: number },
): Reply {
  const key = authenticate(findKey(headers, undefined, query), deps.sandboxUrl);
  if ('status' in key) return key;
  const id = segment === '@current' ? SANDBOX_PROJECT_ID : /^\d+$/.test(segment) ? Number(segment) : null;
  if (id === null || !deps.store.hasProject(id)) return notFound();
  if (key.scopedTeams && !key.scopedTeams.includes(id)) {
    return permissionDenied(`API key does not have access to the requested project: ID ${id}.`);
  }
  const scopes = key.scopes;
  if (scopes.length > 0 && !scopes.includes('*') && !scopes.includes('project:read') && !scopes.includes('project:write')) {
    return permissionDenied("API key missing required scope 'project:read'");
  }
  const verdict = deps.limiter.check(key.label, 'read', deps.now, []);
  if (!verdict.allowed) return throttled(verdict.waitSeconds);
  return json(200, {
    id,
    uuid: `01900000-0000-7000-8000-${String(id).padStart(12, '0')}`,
    organization: '01900000-0000-7000-8000-00000000000a',
    api_token: sandboxProjectToken(id),
    name: id === SANDBOX_PROJECT_ID ? 'Sandbox project' : `Sandbox project ${id}`,
    timezone: 'UTC',
  });
}
