// URL routing: which action a method and path name, which project it targets, and what it
// needs (scope, throttle bucket). Mirrors PostHog's router: both project prefixes, the legacy
// /api/person/ route, and an optional trailing slash everywhere.

export type RouteName =
  | 'list' | 'create' | 'retrieve' | 'update' | 'partial_update' | 'destroy'
  | 'bulk_delete' | 'deletion_status' | 'update_property' | 'delete_property' | 'split'
  | 'activity' | 'all_activity' | 'properties_timeline' | 'values'
  | 'batch_by_distinct_ids' | 'batch_by_uuids' | 'reset_person_distinct_id'
  | 'delete_events' | 'delete_recordings';

export interface ResolvedRoute {
  /** null when the path matched but the method did not (405). */
  name: RouteName | null;
  /** The raw project segment, or '@current' for the legacy /api/person/ route. */
  projectSegment: string;
  /** The person `{id}` segment of detail routes. */
  personId?: string;
}

/** Collection routes: `/persons/<suffix>/`, by method. */
const COLLECTION: Record<string, Partial<Record<string, RouteName>>> = {
  '': { GET: 'list', POST: 'create' },
  bulk_delete: { POST: 'bulk_delete' },
  deletion_status: { GET: 'deletion_status' },
  activity: { GET: 'all_activity' },
  values: { GET: 'values' },
  batch_by_distinct_ids: { POST: 'batch_by_distinct_ids' },
  batch_by_uuids: { POST: 'batch_by_uuids' },
  reset_person_distinct_id: { POST: 'reset_person_distinct_id' },
};

/** Detail routes: `/persons/{id}/<suffix>/`, by method. */
const DETAIL: Record<string, Partial<Record<string, RouteName>>> = {
  '': { GET: 'retrieve', PUT: 'update', PATCH: 'partial_update', DELETE: 'destroy' },
  update_property: { POST: 'update_property' },
  delete_property: { POST: 'delete_property' },
  split: { POST: 'split' },
  activity: { GET: 'activity' },
  properties_timeline: { GET: 'properties_timeline' },
  delete_events: { POST: 'delete_events' },
  delete_recordings: { POST: 'delete_recordings' },
};

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const PREFIX = /^\/api\/(?:(?:projects|environments)\/([^/]+)\/persons|(person))(\/.*)?$/;

/** Splits a path into its project segment and the part after the prefix, as `/persons/...`. */
export function stripPrefix(path: string): { projectSegment: string; rest: string } | null {
  const match = PREFIX.exec(path);
  if (!match) return null;
  const projectSegment = match[2] ? '@current' : decode(match[1]!);
  return { projectSegment, rest: match[3] ?? '' };
}

/** The path a scripted fault is matched against: the prefix replaced by `/persons`. */
export function faultPath(path: string): string {
  const stripped = stripPrefix(path);
  return stripped ? `/persons${stripped.rest}` : path;
}

export function resolveRoute(method: string, path: string): ResolvedRoute | null {
  const stripped = stripPrefix(path);
  if (!stripped) return null;
  const verb = method === 'HEAD' ? 'GET' : method;
  const rest = stripped.rest.replace(/^\//, '').replace(/\/$/, '');
  const segments = rest === '' ? [] : rest.split('/');
  const base = { projectSegment: stripped.projectSegment };

  if (segments.length <= 1) {
    const collection = COLLECTION[segments[0] ?? ''];
    if (collection) return { ...base, name: collection[verb] ?? null };
  }
  if (segments.length === 1 || segments.length === 2) {
    const detail = DETAIL[segments[1] ?? ''];
    if (detail) return { ...base, name: detail[verb] ?? null, personId: decode(segments[0]!) };
  }
  return null;
}

/** The scope each action needs; null marks an action with no scope mapping
 * (docs/posthog-api-notes.md, "Keys and scopes"). */
export function requiredScope(name: RouteName): string | null {
  switch (name) {
    case 'activity':
    case 'all_activity':
      return 'activity_log:read';
    case 'properties_timeline':
      return null;
    case 'list': case 'retrieve': case 'deletion_status': case 'values':
    case 'batch_by_distinct_ids': case 'batch_by_uuids':
      return 'person:read';
    default:
      return 'person:write';
  }
}

/** Which rate-limit bucket an action counts against. */
export function throttleBucket(name: RouteName): 'delete' | 'read' {
  return name === 'destroy' || name === 'bulk_delete' || name === 'delete_events' || name === 'delete_recordings'
    ? 'delete'
    : 'read';
}
