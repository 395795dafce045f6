// One API request through DRF's order: route, authentication, project, method, permissions
// (project restriction, scope), throttling, then the action.

import type { IncomingHttpHeaders } from 'node:http';

import { handleAllActivity, handlePersonActivity } from './activity.js';
import { authenticate, authorize, findKey } from './auth.js';
import { bodyError, isReply, type BodyState, type HandlerContext } from './context.js';
import {
  handleBulkDelete, handleDeleteData, handleDeletionStatus, handleDestroy,
} from './handlers-delete.js';
import { handleBatchByDistinctIds, handleBatchByUuids, handleRetrieve, handleValues } from './handlers-read.js';
import {
  handleDeleteProperty, handleResetDistinctId, handleSplit, handleUpdate, handleUpdateProperty,
} from './handlers-write.js';
import { methodNotAllowed, notFound, projectNotFound, throttled, type Reply } from './http.js';
import { SANDBOX_PROJECT_ID } from './keys.js';
import { handleList } from './list.js';
import { handleDirectory, type DirectoryRequest } from './projects-routes.js';
import type { RuntimeOptions } from './options.js';
import { OLDER_USER_LIMITS, type SandboxThrottle } from './rate-limit.js';
import { resolveRoute, throttleBucket, type RouteName } from './routes.js';
import type { SandboxStore } from './store.js';
import { handleTimeline } from './timeline.js';

/** A request as the server hands it over (the projects listing routes take the same). */
export type ApiRequest = DirectoryRequest;

export interface ApiDeps {
  store: SandboxStore;
  options: RuntimeOptions;
  limiter: SandboxThrottle;
  sandboxUrl: string;
  now: number;
}

export interface ApiOutcome {
  reply: Reply;
  route: string;
  keyLabel: string | null;
}

const CREATE_NOT_ALLOWED =
  'Creating persons via this API is not allowed. Please create persons by sending an $identify event. See https://posthog.com/docs/product-analytics/identify for details.';

const HANDLERS: Record<RouteName, (ctx: HandlerContext) => Reply> = {
  list: handleList,
  create: () => methodNotAllowed('POST', CREATE_NOT_ALLOWED),
  retrieve: handleRetrieve,
  update: handleUpdate,
  partial_update: handleUpdate,
  destroy: handleDestroy,
  bulk_delete: handleBulkDelete,
  deletion_status: handleDeletionStatus,
  update_property: handleUpdateProperty,
  delete_property: handleDeleteProperty,
  split: handleSplit,
  activity: handlePersonActivity,
  all_activity: handleAllActivity,
  properties_timeline: handleTimeline,
  values: handleValues,
  batch_by_distinct_ids: handleBatchByDistinctIds,
  batch_by_uuids: handleBatchByUuids,
  reset_person_distinct_id: handleResetDistinctId,
  delete_events: handleDeleteData,
  delete_recordings: handleDeleteData,
};

function projectId(segment: string): number | null {
  if (segment === '@current') return SANDBOX_PROJECT_ID;
  return /^\d+$/.test(segment) ? Number(segment) : null;
}

export function handleApi(req: ApiRequest, deps: ApiDeps): ApiOutcome {
  // Organizations, projects and environments first: their paths are not persons routes.
  const directory = handleDirectory(req, deps);
  if (directory) return directory;
  let route = resolveRoute(req.method, req.path);
  if (!route) return { reply: notFound(), route: 'unknown', keyLabel: null };
  // The older generation has no deletion_status action: the router reads it as a person id.
  if (route.name === 'deletion_status' && deps.options.generation === 'older') {
    route = { ...route, name: 'retrieve', personId: 'deletion_status' };
  }
  const routeName = route.name ?? 'unknown';
  const outcome = (reply: Reply, keyLabel: string | null = null): ApiOutcome => ({ reply, route: routeName, keyLabel });

  // Looking for a key in the body parses it, so a bad body fails before authentication does.
  const bodyValue = req.body.kind === 'json' ? req.body.value : undefined;
  const hasHeaderKey = findKey(req.headers, undefined, new URLSearchParams()) !== null;
  const unreadableBody = bodyError(req.body);
  if (!hasHeaderKey && unreadableBody) return outcome(unreadableBody);
  const key = authenticate(findKey(req.headers, bodyValue, req.query), deps.sandboxUrl);
  if (isReply(key)) return outcome(key);

  const id = projectId(route.projectSegment);
  if (id === null || !deps.store.hasProject(id)) return outcome(projectNotFound(), key.label);
  if (route.name === null) return outcome(methodNotAllowed(req.method), key.label);
  const denied = authorize(key, route.name, id);
  if (denied) return outcome(denied, key.label);

  const userLimits = deps.options.generation === 'older' ? OLDER_USER_LIMITS : [];
  const verdict = deps.limiter.check(key.label, throttleBucket(route.name), deps.now, userLimits);
  if (!verdict.allowed) return outcome(throttled(verdict.waitSeconds), key.label);

  const ctx: HandlerContext = {
    route: route.name,
    personId: route.personId,
    store: deps.store,
    options: deps.options,
    team: deps.store.team(id),
    query: req.query,
    headers: req.headers,
    body: req.body,
    absoluteUrl: req.absoluteUrl,
    key,
    now: deps.now,
  };
  return outcome(HANDLERS[route.name](ctx), key.label);
}
