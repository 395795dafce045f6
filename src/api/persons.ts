// One typed function per persons endpoint (posthog-api.md §2). They send and return data; they
// render nothing and decide nothing about the terminal.
import { ApiError, NotFoundError } from '../errors.js';
import type { ApiRequest, ApiResponse, HttpClient, QueryValue } from './http.js';
import { checkBulkDeleteSummary, PAGING_HINT, pageIdentity } from './answer-checks.js';

/** What both person shapes have (posthog-api.md §2.1, §2.2). */
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

  /** `from`: the path of the request that answered with this link (default: the persons list). */
  private nextPath(next: string, from = `${new URL(this.http.host).pathname.replace(/\/+$/, '')}${this.base}/`): string {
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
   * end (posthog-api.md §3.3): only `next` says so. The following page is requested while the
   * caller is still writing the current one, unless `more` says the caller has enough.
   */
  async *pages<T>(first: () => Promise<Page<T>>, more: (page: Page<T>) => boolean = () => true): AsyncGenerator<Page<T>> {
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
          nextPath = this.nextPath(page.next, requested);
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

  async updateProperty(id: string, key: string, value: unknown): Promise<number> {
    const res = await this.request({
      method: 'POST',
      path: `${this.person(id)}/update_property/`,
      body: { key, value },
      retry: 'safe',
    });
    return res.status;
  }

  async setProperties(id: string, properties: Record<string, unknown>): Promise<number> {
    const res = await this.request({ method: 'PATCH', path: `${this.person(id)}/`, body: { properties }, retry: 'safe' });
    return res.status;
  }

  async deleteProperty(id: string, keys: string | string[]): Promise<{ status: number; data: unknown }> {
    const res = await this.request({
      method: 'POST',
      path: `${this.person(id)}/delete_property/`,
      body: { $unset: keys },
      retry: 'safe',
    });
    return { status: res.status, data: res.data };
  }

  async split(id: string, body: { main_distinct_id?: string; distinct_ids_to_split?: string[] }): Promise<unknown> {
    const res = await this.request({ method: 'POST', path: `${this.person(id)}/split/`, body, retry: 'never' });
    return res.data;
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

  async deletionStatus(query: { status?: string; person_uuid?: string; limit?: number; offset?: number }): Promise<Page<DeletionStatusRow>> {
    const res = await this.request<Page<DeletionStatusRow>>({
      method: 'GET',
      path: `${this.base}/deletion_status/`,
      query,
      retry: 'safe',
    });
    return normalizePage(res.data);
  }

  async activity(id: string | undefined, query: { limit?: number; page?: number }): Promise<ActivityPage> {
    const path = id === undefined ? `${this.base}/activity/` : `${this.person(id)}/activity/`;
    const res = await this.request<ActivityPage>({ method: 'GET', path, query, retry: 'safe' });
    const data = res.data ?? { results: [], next: null };
    return { ...data, results: data.results ?? [], next: data.next ?? null };
  }

  async activityPage(next: string): Promise<ActivityPage> {
    return this.nextPage<ActivityEntry>(next) as Promise<ActivityPage>;
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
