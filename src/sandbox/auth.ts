// Personal API key authentication and scope checks, in PostHog's order: the key is taken from
// the Authorization header, then the JSON body, then the query string; then the project, the
// key's project restriction and its scopes are checked.

import type { IncomingHttpHeaders } from 'node:http';

import { errorReply, permissionDenied, type Reply } from './http.js';
import { findSandboxKey } from './keys.js';
import { requiredScope, type RouteName } from './routes.js';
import type { SandboxKey } from './types.js';

/** PersonalAPIKeyAuthentication's header pattern; `Bearer` is case-sensitive. */
const BEARER = /^Bearer\s+(\S.+)$/;

export interface FoundKey {
  value: string;
  source: 'Authorization header' | 'body' | 'query string';
}

/** Where the request carries a key, if anywhere (the first found wins). */
export function findKey(headers: IncomingHttpHeaders, body: unknown, query: URLSearchParams): FoundKey | null {
  const header = headers.authorization;
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (match) return { value: match[1]!.trim(), source: 'Authorization header' };
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'personal_api_key' in body) {
    return { value: String((body as Record<string, unknown>).personal_api_key), source: 'body' };
  }
  const fromQuery = query.get('personal_api_key');
  if (fromQuery !== null) return { value: fromQuery, source: 'query string' };
  return null;
}

/** Every 401 carries the OAuth protected-resource hint, as the newest PostHog sends it. */
export function unauthorized(sandboxUrl: string, code: string, detail: string): Reply {
  return errorReply(401, 'authentication_error', code, detail, null, {
    'WWW-Authenticate': `Bearer resource_metadata="${sandboxUrl}/.well-known/oauth-protected-resource"`,
  });
}

export function authenticate(found: FoundKey | null, sandboxUrl: string): SandboxKey | Reply {
  if (!found) return unauthorized(sandboxUrl, 'not_authenticated', 'Authentication credentials were not provided.');
  const key = findSandboxKey(found.value);
  if (!key) {
    return unauthorized(sandboxUrl, 'authentication_failed', `Personal API key found in request ${found.source} is invalid.`);
  }
  return key;
}

export function grants(scopes: readonly string[], needed: string): boolean {
  if (scopes.includes('*') || scopes.includes(needed)) return true;
  const [object, access] = needed.split(':');
  return access === 'read' && scopes.includes(`${object}:write`);
}

/** APIScopePermission: project restriction first, then the action's scope. */
export function authorize(key: SandboxKey, route: RouteName, projectId: number): Reply | null {
  if (key.scopedTeams && !key.scopedTeams.includes(projectId)) {
    return permissionDenied(`API key does not have access to the requested project: ID ${projectId}.`);
  }
  if (key.scopes.length === 0) return null;
  const needed = requiredScope(route);
  if (needed === null) return permissionDenied('This action does not support Personal API Key access');
  if (!grants(key.scopes, needed)) return permissionDenied(`API key missing required scope '${needed}'`);
  return null;
}
