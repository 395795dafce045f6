// One typed function per persons endpoint (docs/posthog-api-notes.md). They send and return data; they
// render nothing and decide nothing about the terminal. What an endpoint means on each PostHog
// generation (docs/posthog-versions.md) is settled here, once: one $unset key a request, an
// explicit main_distinct_id on every split, PATCH for a null value where update_property refuses
// it, and {"success": false} answers as errors. Commands and bulk runs call these functions.
import { ApiError, NotFoundError } from '../errors.js';
import type { ApiRequest, ApiResponse, HttpClient, QueryValue } from './http.js';
import { checkBulkDeleteSummary, PAGING_HINT, pageIdentity } from './answer-checks.js';

/** What both person shapes have (docs/posthog-api-notes.md, "Person records"). */
export interface PersonBase {
  uuid: string;
  name?: string;
  distinct_ids: string[];
  properties: Record<string, unknown>;
  created_at: string;
  last_seen_at?: string | null;
  [key: string]: unknown;
}

/** A list item: `id` is the UUID string, distinct_ids are capped at 1000. */
export interface ListPerson extends PersonBase {
  type?: 'person';
  id: string;
  is_identified?: boolean;
}

/** A retrieve result: `id` is the integer primary key, every distinct_id is there. */
export interface RetrievedPerson extends PersonBase {
  id: number;
}

export interface Page<T> {
  results: T[];
  next: string | null;
  previous?: string | null;
  count?: number;
}

export interface ListQuery {
  email?: string;
  distinct_id?: string;
  search?: string;
  properties?: string;
  limit?: number;
  offset?: number;
  include_total?: boolean;
}

export interface BulkDeleteBody {
  ids?: string[];
  distinct_ids?: string[];
  delete_events?: boolean;
  delete_recordings?: boolean;
  keep_person?: boolean;
}

export interface BulkDeleteSummary {
  persons_found?: number;
  persons_deleted?: number;
  persons_queued_for_deletion?: number;
  events_queued_for_deletion?: boolean;
  recordings_queued_for_deletion?: boolean;
  deletion_errors?: Array<{ person_uuid?: string; [key: string]: unknown }>;
}

export class PersonsApi {
  constructor(
    readonly http: HttpClient,
    readonly project: string,
  ) {}

  /** Every request goes through here, so a missing project is reported as such everywhere. */
  private async request<T>(req: ApiRequest): Promise<ApiResponse<T>> {
    try {
      return await this.http.request<T>(req);
    } catch (error) {
      if (error instanceof NotFoundError && error.message.includes('Project not found')) throw projectNotFound(this);
      throw error;
    }
  }

  /**
   * The same client for another project or environment id: one HTTP pool and one rate limiter,
   * since PostHog counts requests per key, not per project.
   */
  forProject(project: string | number): PersonsApi {
    const id = String(project);
    if (!/^\d+$/.test(id) && id !== '@current') throw new Error(`not a project id: ${JSON.stringify(id)}`);
    return new PersonsApi(this.http, id);
  }

  get base(): string {
    return `/api/projects/${this.project}/persons`; // validated: digits or @current
  }

  person(id: string | number): string {
    return `${this.base}/${encodeURIComponent(String(id))}`;
  }

  async list(query: ListQuery): Promise<Page<ListPerson>> {
    const res = await this.request<Page<ListPerson>>({
      method: 'GET',
      path: `${this.base}/`,
      query: query as Record<string, QueryValue>,
      retry: 'safe',
    });
    return normalizePage(res.data);
  }

  /**
   * Follows a `next` URL. Only its path and query are used: the request stays on our host (the
   * key never follows a link to another origin). A relative link is resolved against the URL of
   * the request that answered with it, as a browser would.
   */
  async nextPage<T>(next: string, from?: string): Promise<Page<T>> {
    const res = await this.request<Page<T>>({ method: 'GET', path: this.nextPath(next, from), rawPath: true, retry: 'safe' });
    return normalizePage(res.data);
  }

  /** A path from the host's root, with the host's own path prefix. */
  private hostPath(path: string): string {
    return `${new URL(this.http.host).pathname.replace(/\/+$/, '')}${path}`;
  }

  /** `from`: the path of the request that answered with this link (default: the persons list). */
  private nextPath(next: string, from = this.hostPath(`${this.base}/`)): string {
    let url: URL;
    try {
      url = new URL(next, new URL(from, this.http.host));
    } catch {
      throw new ApiError(`the server's next link is not a URL: ${JSON.stringify(next.slice(0, 200))}`, { hint: PAGING_HINT });
    }
    return url.pathname + url.search;
  }

  /**
   * Every page of a listing, following `next` until it is null. A short or empty page is not the
   * end (docs/posthog-api-notes.md, "Paging"): only `next` says so. The following page is requested while the
   * caller is still writing the current one, unless `more` says the caller has enough.
   * `firstPath`: the path (from the host's root) the first page came from, when it is not the
   * persons list, so a relative link on it is resolved against the right listing.
   */
  async *pages<T>(
    first: () => Promise<Page<T>>,
    more: (page: Page<T>) => boolean = () => true,
    firstPath?: string,
  ): AsyncGenerator<Page<T>> {
    // A server that ignores the offset, or links back to a page already read, would keep this
    // loop going for ever: every link is followed once, and a page identical to the one before
    // it (same items, in order) ends the listing with an error instead of being printed again.
    const followed = new Set<string>();
    let previous: string | undefined;
    let requested: string | undefined;
    let pending: Promise<Page<T>> | undefined = first();
    while (pending) {
      const page: Page<T> = await pending;
      const identity = pageIdentity(page.results);
      if (requested !== undefined && identity !== undefined && identity === previous) {
        throw new ApiError(
          `the server answered the same page twice (${requested} held exactly the page before it); it seems to ignore the offset, so following next would never end`,
          { hint: PAGING_HINT },
        );
      }
      previous = identity;
      let nextPath: string | undefined;
      if (page.next && more(page)) {
        // This page is good; a bad link only ends the listing after it.
        let badLink: unknown;
        try {
          nextPath = this.nextPath(page.next, requested ?? (firstPath === undefined ? undefined : this.hostPath(firstPath)));
          if (followed.has(nextPath)) {
            badLink = new ApiError(
              `the server's next link asks again for a page already read (${nextPath}); stopped, as following it would never end`,
              { hint: PAGING_HINT },
            );
          }
        } catch (error) {
          badLink = error;
        }
        if (badLink) {
          yield page;
          throw badLink;
        }
        followed.add(nextPath!);
      }
      pending = nextPath !== undefined ? this.nextPage<T>(nextPath) : undefined;
      requested = nextPath;
      // Keep an unhandled rejection from firing while the consumer is busy; it is rethrown on await.
      pending?.catch(() => undefined);
      yield page;
    }
  }

  async retrieve(id: string | number): Promise<RetrievedPerson> {
    const res = await this.request<RetrievedPerson>({ method: 'GET', path: `${this.person(id)}/`, retry: 'safe' });
    return res.data as RetrievedPerson;
  }

  /**
   * Sets one property (update_property). The older generation refuses a null value with the 400
   * it gives for a missing `value`; for exactly that answer the value is sent once more as
   * PATCH {"properties": {key: null}}, which every generation applies. Returns the final status.
   */
  async updateProperty(id: string, key: string, value: unknown): Promise<number> {
    try {
      const res = await this.request({
        method: 'POST',
        path: `${this.person(id)}/update_property/`,
        body: { key, value },
        retry: 'safe',
      });
      return res.status;
    } catch (error) {
      if (value === null && refusesNullValue(error)) return this.setProperties(id, { [key]: null });
      throw error;
    }
  }

  async setProperties(id: string, properties: Record<string, unknown>): Promise<number> {
    const res = await this.request({ method: 'PATCH', path: `${this.person(id)}/`, body: { properties }, retry: 'safe' });
    return res.status;
  }

  /**
   * Removes properties with one delete_property request a key ({"$unset": "k"}), the only form
   * every generation applies: given a list, the newest removes them all, the mid generation fails
   * with a 500 and the older one answers success and removes nothing. An answer of
   * {"success": false} is an error whatever its status. The person must exist: delete_property on
   * a missing person is a 500 on every generation, not a 404, so callers look it up first.
   */
  async deleteProperties(id: string, keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      const res = await this.request<{ success?: unknown; detail?: unknown }>({
        method: 'POST',
        path: `${this.person(id)}/delete_property/`,
        body: { $unset: key },
        retry: 'safe',
      });
      if (res.data?.success === false) {
        const detail = typeof res.data.detail === 'string' ? res.data.detail : 'no detail';
        throw new ApiError(`PostHog could not remove the property ${JSON.stringify(key)} (${res.status}): ${detail}`, { status: res.status, detail });
      }
    }
  }

  /**
   * Splits a person. The body always names what stays (main_distinct_id) or what moves
   * (distinct_ids_to_split): the older generation empties the person's properties when neither is
   * given. Never retried: a split is not safe to repeat. {"success": false} is an error.
   */
  async split(id: string, body: SplitBody): Promise<void> {
    const named = 'main_distinct_id' in body ? typeof body.main_distinct_id === 'string' : Array.isArray(body.distinct_ids_to_split);
    if (!named) throw new Error('split needs main_distinct_id or distinct_ids_to_split');
    const res = await this.request<{ success?: unknown; detail?: unknown }>({ method: 'POST', path: `${this.person(id)}/split/`, body, retry: 'never' });
    if (res.data?.success === false) {
      throw new ApiError(`PostHog did not accept the split: ${typeof res.data.detail === 'string' ? res.data.detail : 'no detail'}`, { status: res.status });
    }
  }

  async bulkDelete(body: BulkDeleteBody): Promise<{ status: number; summary: BulkDeleteSummary | undefined }> {
    const res = await this.request<BulkDeleteSummary>({
      method: 'POST',
      path: `${this.base}/bulk_delete/`,
      body,
      retry: 'safe',
      bucket: 'delete',
    });
    const sent = (body.ids?.length ?? 0) + (body.distinct_ids?.length ?? 0);
    checkBulkDeleteSummary(res.data, sent);
    return { status: res.status, summary: res.data };
  }

  /**
   * reset_person_distinct_id: lets a distinct_id of a deleted person start a new person when it
   * comes back in new events (PostHog raises the id's version past the deletion's). Answered 202
   * with an empty body, also for an id that was never deleted (the server then only logs it); a
   * missing or empty id is a 400 "distinct_id is required". Repeating it does nothing more, so it
   * is retried like a read. It counts against the per-minute budget of reads and writes, not the
   * delete budget.
   */
  async resetDistinctId(distinctId: string): Promise<number> {
    const res = await this.request({ method: 'POST', path: `${this.base}/reset_person_distinct_id/`, body: { distinct_id: distinctId }, retry: 'safe' });
    return res.status;
  }

  /**
   * Event-deletion rows. The older generation has no such action: its router reads
   * "deletion_status" as a person id and answers 400, which is reported as what it means.
   */
  async deletionStatus(query: { status?: string; person_uuid?: string; limit?: number; offset?: number }): Promise<Page<DeletionStatusRow>> {
    try {
      const res = await this.request<Page<DeletionStatusRow>>({
        method: 'GET',
        path: `${this.base}/deletion_status/`,
        query,
        retry: 'safe',
      });
      return normalizePage(res.data);
    } catch (error) {
      if (error instanceof ApiError && error.status === 400 && /does not look like a personID/.test(error.detail ?? '')) {
        throw new ApiError(`this PostHog server has no deletion_status endpoint (an older version): it cannot say which event deletions are pending`, {
          status: 400,
          hint: 'PostHog Cloud and newer self-hosted versions have it. Events queued with delete --delete-events are still deleted in PostHog\'s batch.',
        });
      }
      throw error;
    }
  }

  async activity(id: string | undefined, query: { limit?: number; page?: number }): Promise<ActivityPage> {
    const path = id === undefined ? `${this.base}/activity/` : `${this.person(id)}/activity/`;
    const res = await this.request<ActivityPage>({ method: 'GET', path, query, retry: 'safe' });
    const data = res.data ?? { results: [], next: null };
    return { ...data, results: data.results ?? [], next: data.next ?? null };
  }

  async propertiesTimeline(id: string, query: Record<string, QueryValue>): Promise<PropertiesTimeline> {
    const res = await this.request<PropertiesTimeline>({
      method: 'GET',
      path: `${this.person(id)}/properties_timeline/`,
      query,
      retry: 'safe',
    });
    return res.data ?? { points: [], crucial_property_keys: [] };
  }

  async batchByUuids(uuids: string[]): Promise<Record<string, RetrievedPerson>> {
    const res = await this.request<{ results: Record<string, RetrievedPerson> }>({
      method: 'POST',
      path: `${this.base}/batch_by_uuids/`,
      body: { uuids },
      retry: 'safe',
    });
    return res.data?.results ?? {};
  }

  async batchByDistinctIds(distinctIds: string[]): Promise<Record<string, RetrievedPerson>> {
    const res = await this.request<{ results: Record<string, RetrievedPerson> }>({
      method: 'POST',
      path: `${this.base}/batch_by_distinct_ids/`,
      body: { distinct_ids: distinctIds },
      retry: 'safe',
    });
    return res.data?.results ?? {};
  }

  /**
   * Looks persons up by distinct_id or person UUID, 200 a request (the batch endpoints drop the
   * rest silently): a map from each identifier found to its person. UUID keys are lower case.
   * The persons' distinct_ids are cut at 10 by these endpoints.
   */
  async lookupPersons(ids: readonly string[], by: LookupKind): Promise<Map<string, RetrievedPerson>> {
    const found = new Map<string, RetrievedPerson>();
    for (let start = 0; start < ids.length; start += LOOKUP_BATCH) {
      const chunk = ids.slice(start, start + LOOKUP_BATCH);
      const results = by === 'uuid' ? await this.batchByUuids(chunk) : await this.batchByDistinctIds(chunk);
      for (const [id, person] of Object.entries(results)) {
        if (person) found.set(by === 'uuid' ? id.toLowerCase() : id, person);
      }
    }
    return found;
  }
}

/** What batch_by_distinct_ids / batch_by_uuids accept in one request (more is silently dropped). */
export const LOOKUP_BATCH = 200;

export type LookupKind = 'distinct_id' | 'uuid';

/** A split names what stays or what moves; an empty body is never sent. */
export type SplitBody = { main_distinct_id: string } | { distinct_ids_to_split: string[] };

/** The 400 an older server gives update_property for a null value (the one for a missing value). */
function refusesNullValue(error: unknown): boolean {
  return error instanceof ApiError && error.status === 400 && error.attr === 'value';
}

/** PostHog's ANONYMOUS_REGEX: a UUID-shaped distinct_id (five dash-separated groups). */
const ANONYMOUS_ID = /^([a-z0-9]+-){4}([a-z0-9]+)$/;

/**
 * The distinct_ids that may be the person's first (oldest) one, the one a split without flags
 * keeps and property writes are sent under. The API lists identified ids before anonymous ones (a
 * stable sort of the oldest-first order), so with both kinds present the oldest is the first of
 * either group and the API cannot say which: two candidates then, else one.
 */
export function firstDistinctIdCandidates(ids: readonly string[]): string[] {
  if (ids.length === 0) return [];
  const firstAnonymous = ids.find((id) => ANONYMOUS_ID.test(id));
  const firstNamed = ids.find((id) => !ANONYMOUS_ID.test(id));
  return firstAnonymous !== undefined && firstNamed !== undefined ? [firstNamed, firstAnonymous] : [ids[0]!];
}

export interface DeletionStatusRow {
  person_uuid: string;
  created_at: string;
  status: 'pending' | 'completed' | string;
  delete_verified_at: string | null;
}

export interface ActivityEntry {
  id: string;
  user?: { first_name?: string; email?: string | null; is_system?: boolean } | null;
  activity: string;
  scope?: string;
  item_id?: string;
  detail?: {
    id?: string;
    name?: string | null;
    changes?: Array<{ type?: string; action?: string; field?: string; before?: unknown; after?: unknown }> | null;
    [key: string]: unknown;
  } | null;
  created_at: string;
}

export interface ActivityPage extends Page<ActivityEntry> {
  total_count?: number;
}

export interface PropertiesTimeline {
  points: Array<{ timestamp: string; properties: Record<string, unknown>; relevant_event_count: number }>;
  crucial_property_keys: string[];
  effective_date_from?: string;
  effective_date_to?: string;
}

function normalizePage<T>(data: Page<T> | undefined): Page<T> {
  // Old servers and odd proxies: tolerate a missing results array or a bare list.
  if (Array.isArray(data)) return { results: data as T[], next: null };
  return { ...(data ?? {}), results: data?.results ?? [], next: data?.next ?? null } as Page<T>;
}

/** The project in the URL does not exist (or the key cannot see it): not a missing person. */
export class ProjectNotFoundError extends NotFoundError {}

export function projectNotFound(api: PersonsApi): NotFoundError {
  return new ProjectNotFoundError(
    `project ${api.project} not found at ${api.http.host}`,
    'Check --project (the numeric id in PostHog under Settings > Project) and --host (US and EU are separate).',
  );
}
