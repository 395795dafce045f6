// The routes that say which organizations, projects and environments a key reaches, answered
// like PostHog's OrganizationViewSet, ProjectViewSet, TeamViewSet and PersonalAPIKeyViewSet:
// LimitOffset pages (100 by default) with absolute links, organization:read / project:read
// scopes, and a key limited to some projects refused on every listing (PostHog can only check
// such a key against a project named in the URL) while its own projects answer. The project
// detail route (GET /api/projects/{id}/) is not served here.

import type { IncomingHttpHeaders } from 'node:http';

import { authenticate, findKey, grants } from './auth.js';
import { isReply, type BodyState } from './context.js';
import { json, methodNotAllowed, notFound, permissionDenied, throttled, type Reply } from './http.js';
import { limitOffsetLinks } from './pagination.js';
import {
  organizationDetail, projectBasicCompat, SANDBOX_ORGANIZATION, SANDBOX_TEAMS, sandboxOrganization, sandboxProjects, sandboxTeam,
  teamBasic, teamDetail, type SandboxOrganizationRecord,
} from './projects.js';
import type { SandboxThrottle } from './rate-limit.js';
import type { SandboxKey } from './types.js';

/** A request as the server hands it over: dispatch.ts's ApiRequest is this type. */
export interface DirectoryRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: BodyState;
  absoluteUrl: string;
}

export interface DirectoryDeps {
  limiter: SandboxThrottle;
  sandboxUrl: string;
  now: number;
}

export interface DirectoryOutcome {
  reply: Reply;
  route: string;
  keyLabel: string | null;
}

type DirectoryRoute =
  | { name: 'current_key' }
  | { name: 'key_list' }
  | { name: 'organizations' }
  | { name: 'organization'; org: string }
  | { name: 'organization_projects'; org: string }
  | { name: 'projects' }
  | { name: 'environments' }
  | { name: 'project_environments'; project: string }
  | { name: 'environment'; team: string };

const ROUTES: Array<[RegExp, (m: RegExpExecArray) => DirectoryRoute]> = [
  [/^\/api\/personal_api_keys\/?$/, () => ({ name: 'key_list' })],
  [/^\/api\/personal_api_keys\/@current\/?$/, () => ({ name: 'current_key' })],
  [/^\/api\/organizations\/?$/, () => ({ name: 'organizations' })],
  [/^\/api\/organizations\/([^/]+)\/?$/, (m) => ({ name: 'organization', org: m[1]! })],
  [/^\/api\/organizations\/([^/]+)\/projects\/?$/, (m) => ({ name: 'organization_projects', org: m[1]! })],
  [/^\/api\/projects\/?$/, () => ({ name: 'projects' })],
  [/^\/api\/environments\/?$/, () => ({ name: 'environments' })],
  [/^\/api\/projects\/([^/]+)\/environments\/?$/, (m) => ({ name: 'project_environments', project: m[1]! })],
  [/^\/api\/environments\/([^/]+)\/?$/, (m) => ({ name: 'environment', team: m[1]! })],
];

function match(path: string): DirectoryRoute | null {
  for (const [pattern, route] of ROUTES) {
    const m = pattern.exec(path);
    if (m) return route(m);
  }
  return null;
}

const SCOPED_LISTING = 'API keys with scoped projects are only supported on project-based endpoints.';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The answer to a directory route, or null when the path is not one (the persons routes follow). */
export function handleDirectory(req: DirectoryRequest, deps: DirectoryDeps): DirectoryOutcome | null {
  const route = match(req.path);
  if (!route) return null;
  const outcome = (reply: Reply, key: SandboxKey | null = null): DirectoryOutcome => ({ reply, route: route.name, keyLabel: key?.label ?? null });
  const key = authenticate(findKey(req.headers, req.body.kind === 'json' ? req.body.value : undefined, req.query), deps.sandboxUrl);
  if (isReply(key)) return outcome(key);
  if (req.method !== 'GET' && req.method !== 'HEAD') return outcome(methodNotAllowed(req.method), key);

  const denied = authorizeDirectory(key, route);
  if (denied) return outcome(denied, key);
  const verdict = deps.limiter.check(key.label, 'read', deps.now, []);
  if (!verdict.allowed) return outcome(throttled(verdict.waitSeconds), key);
  return outcome(answer(route, key, req), key);
}

/** APIScopePermission's order: the key's project restriction, then the scope. */
function authorizeDirectory(key: SandboxKey, route: DirectoryRoute): Reply | null {
  if (route.name === 'current_key') return null; // the key reading itself needs no scope
  if (route.name === 'key_list') return permissionDenied('This action does not support Personal API Key access');
  if (key.scopedTeams) {
    if (route.name !== 'environment') return permissionDenied(SCOPED_LISTING);
    const id = Number(route.team);
    if (!sandboxTeam(id)) return notFound();
    if (!key.scopedTeams.includes(id)) return permissionDenied(`API key does not have access to the requested project: ID ${id}.`);
  }
  if (key.scopes.length === 0) return null;
  const needed = route.name === 'organizations' || route.name === 'organization' ? 'organization:read' : 'project:read';
  return grants(key.scopes, needed) ? null : permissionDenied(`API key missing required scope '${needed}'`);
}

function answer(route: DirectoryRoute, key: SandboxKey, req: DirectoryRequest): Reply {
  switch (route.name) {
    case 'current_key':
      return json(200, currentKey(key));
    case 'organizations':
      return page(req, [SANDBOX_ORGANIZATION].map(organizationDetail));
    case 'organization': {
      const org = findOrganization(route.org);
      return org ? json(200, organizationDetail(org)) : notFound();
    }
    case 'organization_projects': {
      const org = findOrganization(route.org);
      if (!org) return notFound('Organization not found.');
      return page(req, sandboxProjects().filter((t) => t.organizationId === org.id).map(projectBasicCompat));
    }
    case 'projects':
      return page(req, sandboxProjects().map(projectBasicCompat));
    case 'environments':
      return page(req, SANDBOX_TEAMS.map(teamBasic));
    case 'project_environments': {
      const project = /^\d+$/.test(route.project) ? Number(route.project) : null;
      if (project === null || !sandboxTeam(project)) return notFound('Project not found.');
      return page(req, SANDBOX_TEAMS.filter((t) => t.projectId === project).map(teamBasic));
    }
    case 'environment': {
      const team = /^\d+$/.test(route.team) ? sandboxTeam(Number(route.team)) : undefined;
      return team ? json(200, teamDetail(team)) : notFound();
    }
    default:
      return notFound();
  }
}

function findOrganization(segment: string): SandboxOrganizationRecord | undefined {
  if (segment === '@current') return SANDBOX_ORGANIZATION;
  return UUID.test(segment) ? sandboxOrganization(segment.toLowerCase()) : undefined;
}

/** PersonalAPIKeySerializer for the key itself (its value is never shown again). */
function currentKey(key: SandboxKey): Record<string, unknown> {
  return {
    id: `sandbox-key-${key.label}`,
    label: key.label,
    value: null,
    mask_value: `${key.key.slice(0, 4)}...${key.key.slice(-4)}`,
    created_at: '2025-01-01T00:00:00Z',
    last_used_at: null,
    user_id: 1,
    scopes: key.scopes.length > 0 ? key.scopes : ['*'],
    scoped_teams: key.scopedTeams ?? [],
    scoped_organizations: [],
    last_rolled_at: null,
  };
}

/** DRF's LimitOffsetPagination: limit defaults to 100, a bad value to the default, a bad offset to 0. */
function page(req: DirectoryRequest, items: unknown[]): Reply {
  const rawLimit = req.query.get('limit');
  const rawOffset = req.query.get('offset');
  const limit = rawLimit !== null && /^\d+$/.test(rawLimit) && Number(rawLimit) > 0 ? Number(rawLimit) : 100;
  const offset = rawOffset !== null && /^\d+$/.test(rawOffset) ? Number(rawOffset) : 0;
  const { next, previous } = limitOffsetLinks(req.absoluteUrl, limit, offset, items.length);
  return json(200, { count: items.length, next, previous, results: items.slice(offset, offset + limit) });
}
