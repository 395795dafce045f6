// The one HTTP layer every command goes through: undici with timeouts, retries with backoff and
// jitter that honour Retry-After, the run's shared rate limiter, --debug logging with the key
// redacted, and PostHog's error envelope turned into typed errors.
import type { Dispatcher } from 'undici';
import { Agent } from './undici-agent.js';
import { ApiError, maskKey, redact } from '../errors.js';
import { errorFromResponse, bodyPreview } from './envelope.js';
import { parseExact, stringifyExact } from '../json/exact.js';
import { RateLimiter, type Bucket } from './limiter.js';
import { MAX_BODY_BYTES, readBody } from './body.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean | undefined | null;

export interface ApiRequest {
  method: Method;
  /** path from the host's root (the host's own path prefix is added), e.g. /api/projects/1/persons/ */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** 'safe': 5xx and connection errors are retried too. 429 is always retried. */
  retry: 'safe' | 'never';
  bucket?: Bucket;
  /** `path` already holds the host's prefix and a query string (a `next` URL) */
  rawPath?: boolean;
}

export interface ApiResponse<T> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  data: T | undefined;
}

export interface HttpClientOptions {
  host: string;
  apiKey: string;
  userAgent: string;
  timeoutMs?: number;
  connectTimeoutMs?: number;
  retries?: number;
  limiter: RateLimiter;
  dispatcher?: Dispatcher;
  /** where --debug lines go; undefined = no debug logging */
  debug?: (line: string) => void;
  /** waits worth telling a person about (longer than a few seconds) */
  notice?: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
  /** the run's clock (the time a long wait ends is announced) */
  now?: () => number;
  random?: () => number;
  /** backoff base in ms (doubled each retry, capped at 30 s) */
  backoffBaseMs?: number;
  /** the largest response body read (default MAX_BODY_BYTES, body.ts) */
  maxBodyBytes?: number;
  /**
   * false: no Authorization header (the capture host, whose token travels in the body); `apiKey`
   * is then that token, still redacted from the --debug log. Default true.
   */
  authorization?: boolean;
}

const MAX_BACKOFF_MS = 30_000;
const ANNOUNCE_WAIT_MS = 3_000;
/** PostHog's minute windows never ask for more than this: a longer 429 wait is an hourly budget. */
const LONG_THROTTLE_MS = 60_000;
const MAX_SAME_ORIGIN_REDIRECTS = 3;
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'BODY_DEADLINE',
]);

interface Attempt<T> {
  response?: ApiResponse<T>;
  error?: Error;
  retryable: boolean;
  retryAfterMs?: number;
  reason: string;
}

export class HttpClient {
  private readonly origin: string;
  private readonly prefix: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  readonly retries: number;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  /** A bulk run with a journal says so: a long wait then notes that Ctrl-C and --resume are safe. */
  resumable = false;
  /** When the last long wait announced ends (one notice for all the workers waiting for it). */
  private announcedUntil = 0;

  constructor(private readonly options: HttpClientOptions) {
    const url = new URL(options.host);
    this.origin = url.origin;
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 5;
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        connect: { timeout: options.connectTimeoutMs ?? 10_000 },
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        keepAliveTimeout: 10_000,
        connections: 16,
      });
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  get host(): string {
    return this.options.host;
  }

  /** The run's rate limiter (plans and the progress bar read its limits). */
  get limiter(): RateLimiter {
    return this.options.limiter;
  }

  /**
   * Closes the connections once the requests in flight are answered; with `abandon`, at once
   * (after Ctrl-C a bulk run stops waiting for its last requests, which are not journaled done).
   */
  async close(abandon = false): Promise<void> {
    if (!this.ownsDispatcher) return;
    if (abandon) await this.dispatcher.destroy();
    else await this.dispatcher.close();
  }

  /** Sends a request, retrying where it is safe (docs/reliability.md, "Fault matrix"); returns a 2xx answer or throws a typed error. */
  async request<T>(req: ApiRequest): Promise<ApiResponse<T>> {
    const target = req.rawPath ? req.path : this.prefix + req.path + formatQuery(req.query);
    const bucket = req.bucket ?? 'read';
    const maxAttempts = this.retries + 1;
    for (let attempt = 1; ; attempt++) {
      const admitted = await this.options.limiter.acquire(bucket, (ms, why) => {
        if (why === 'limit' && ms > LONG_THROTTLE_MS) {
          // Our own hourly window is full: the same news as PostHog's long 429, told once for all
          // the workers that wait for it.
          const end = this.now() + ms;
          if (Math.abs(end - this.announcedUntil) > LONG_THROTTLE_MS) {
            this.announcedUntil = end;
            const whose = this.options.limiter.source === 'posthog' ? "PostHog's hourly limit" : 'The hourly limit of --rate-limit';
            this.options.notice?.(longThrottleNotice(ms, this.now(), this.resumable, whose));
          }
        } else if (ms >= ANNOUNCE_WAIT_MS && why === 'limit') {
          this.options.notice?.(`Client rate limit reached; waiting ${formatSeconds(ms)} before the next request.`);
        }
        this.log(`waiting ${formatSeconds(ms)} (${why === 'pause' ? 'paused after a 429' : 'rate limit window full'})`);
      });
      const result = await this.attempt<T>(req, target, attempt, maxAttempts);
      if (result.response) return result.response;
      const retryable = result.retryable && (req.retry === 'safe' || result.retryAfterMs !== undefined || isThrottle(result));
      if (!retryable || attempt >= maxAttempts) {
        if (retryable) this.log(`giving up after ${attempt} attempts: ${result.reason}`);
        throw result.error!;
      }
      const wait = result.retryAfterMs ?? this.backoff(attempt);
      if (isThrottle(result)) {
        this.options.limiter.pause(wait);
        this.options.limiter.refund(bucket, admitted);
      }
      if (isThrottle(result) && wait > LONG_THROTTLE_MS) {
        this.announcedUntil = this.now() + wait;
        this.options.notice?.(longThrottleNotice(wait, this.now(), this.resumable));
      } else if (wait >= ANNOUNCE_WAIT_MS) {
        this.options.notice?.(
          `${result.reason}; retrying in ${formatSeconds(wait)} (attempt ${attempt + 1} of ${maxAttempts}).`,
        );
      }
      this.log(`retry ${attempt + 1}/${maxAttempts} in ${formatSeconds(wait)}: ${result.reason}`);
      await this.sleep(wait);
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private backoff(attempt: number): number {
    const base = this.options.backoffBaseMs ?? 500;
    const ceiling = Math.min(MAX_BACKOFF_MS, base * 2 ** (attempt - 1));
    // "Equal jitter": half fixed, half random, so retries from parallel workers spread out.
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  private async attempt<T>(req: ApiRequest, target: string, attempt: number, max: number): Promise<Attempt<T>> {
    const headers: Record<string, string> = {
      ...(this.options.authorization === false ? {} : { authorization: `Bearer ${this.options.apiKey}` }),
      'user-agent': this.options.userAgent,
      accept: 'application/json',
    };
    let body: string | undefined;
    if (req.body !== undefined) {
      // A value that arrived exact (an ExactNumber from a server answer or a --json value) is
      // sent as its digits.
      body = stringifyExact(req.body);
      headers['content-type'] = 'application/json';
    }
    const started = Date.now();
    this.log(`→ ${req.method} ${this.origin}${target} (attempt ${attempt}/${max})`);
    if (this.options.debug) {
      if (this.options.authorization !== false) this.log(`  authorization: Bearer ${maskKey(this.options.apiKey)}`);
      if (body !== undefined) this.log(`  body: ${truncate(body, 2000)}`);
    }
    let path = target;
    // URLs reached through a redirect: a server may redirect once to the very URL asked for (a
    // proxy setting a cookie, say), but being sent to the same place twice is a loop.
    const visited = new Set<string>();
    try {
      for (let redirects = 0; ; redirects++) {
        const res = await this.dispatcher.request({ origin: this.origin, path, method: req.method, headers, body });
        const text = await readBody(res, this.maxBodyBytes, this.timeoutMs, this.origin);
        const ms = Date.now() - started;
        this.log(`← ${res.statusCode} in ${ms} ms, ${text.length} bytes`);
        if (res.statusCode >= 300 && res.statusCode < 400 && res.statusCode !== 304) {
          const location = headerValue(res.headers.location);
          const next = location ? new URL(location, this.origin + path) : undefined;
          if (next && next.origin === this.origin) {
            const nextPath = next.pathname + next.search;
            const loop = visited.has(nextPath);
            if (loop || redirects >= MAX_SAME_ORIGIN_REDIRECTS) {
              const what = loop
                ? `in a loop (back to ${nextPath})`
                : `more than ${MAX_SAME_ORIGIN_REDIRECTS} times (last to ${nextPath})`;
              return {
                retryable: false,
                reason: `redirect ${res.statusCode}`,
                error: new ApiError(`PostHog redirected the request ${what}; stopped following it`, {
                  status: res.statusCode,
                  hint: 'Check --host: a proxy or load balancer in front of PostHog may be misconfigured.',
                }),
              };
            }
            visited.add(nextPath);
            path = nextPath;
            this.log(`following same-origin redirect to ${path}`);
            continue;
          }
          const where = next ? next.origin : 'nowhere';
          return {
            retryable: false,
            reason: `redirect ${res.statusCode}`,
            error: new ApiError(
              `PostHog answered ${res.statusCode} redirecting to ${where}; not followed, because the request carries your API key`,
              {
                status: res.statusCode,
                hint: `Check --host: if the API lives at ${where}, use that as the host.`,
              },
            ),
          };
        }
        if (res.statusCode >= 200 && res.statusCode < 300) {
          return { retryable: false, reason: 'ok', response: { status: res.statusCode, headers: res.headers, data: parseJson<T>(text, res.statusCode) } };
        }
        const retryAfterMs = parseRetryAfter(headerValue(res.headers['retry-after']));
        const error = errorFromResponse(res.statusCode, text, headerValue(res.headers['content-type']), {
          method: req.method,
          path,
          retryAfterMs,
        });
        const status = res.statusCode;
        return {
          error,
          retryable: status === 429 || status >= 500,
          retryAfterMs: status === 429 || status === 503 ? retryAfterMs : undefined,
          reason: status === 429 ? 'Rate limited by PostHog (429)' : `PostHog answered ${status}`,
        };
      }
    } catch (caught) {
      if (caught instanceof ApiError) return { error: caught, retryable: false, reason: caught.message };
      const err = caught as NodeJS.ErrnoException;
      const code = err.code ?? (err.cause as NodeJS.ErrnoException | undefined)?.code ?? 'ERROR';
      this.log(`✗ ${code}: ${redact(err.message, [this.options.apiKey])}`);
      return {
        error: networkError(code, err, this.origin, this.timeoutMs),
        retryable: RETRYABLE_NETWORK_CODES.has(code),
        reason: describeNetworkCode(code, this.timeoutMs),
      };
    }
  }

  private log(line: string): void {
    if (this.options.debug) this.options.debug(`[debug] ${redact(line, [this.options.apiKey])}`);
  }
}

/** "PostHog's hourly limit is used up: waiting 14 min (until 10:32 UTC)." */
export function longThrottleNotice(waitMs: number, now: number, resumable: boolean, whose = "PostHog's hourly limit"): string {
  const minutes = Math.max(1, Math.round(waitMs / 60_000));
  const wait = minutes < 60 ? `${minutes} min` : minutes % 60 === 0 ? `${minutes / 60} h` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  const until = new Date(Math.round((now + waitMs) / 60_000) * 60_000).toISOString().slice(11, 16);
  return (
    `${whose} is used up: waiting ${wait} (until ${until} UTC).` +
    (resumable ? ' Ctrl-C now and rerun with --resume later is safe.' : '')
  );
}

function isThrottle<T>(attempt: Attempt<T>): boolean {
  return (attempt.error as ApiError | undefined)?.exitCode === 6;
}

function parseJson<T>(text: string, status: number): T | undefined {
  if (text.trim() === '') return undefined;
  try {
    // Integers past 2^53 stay exact (ExactNumber); only text holding a run of 16 or more digits
    // takes the slower lossless parser, everything else is JSON.parse.
    return parseExact(text) as T;
  } catch {
    throw new ApiError(`PostHog answered ${status} with a body that is not valid JSON: ${bodyPreview(text)}`, {
      status,
      hint: 'A proxy or load balancer in front of PostHog may have answered instead; check --host.',
    });
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Retry-After in seconds (PostHog sends integers) or as an HTTP date. */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - Date.now());
}

export function formatQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === false) continue;
    params.append(key, value === true ? '' : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function describeNetworkCode(code: string, timeoutMs: number): string {
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
      return `no response within the ${timeoutMs / 1000} s timeout`;
    case 'UND_ERR_BODY_TIMEOUT':
      return `the response body stalled for longer than the ${timeoutMs / 1000} s timeout`;
    case 'BODY_DEADLINE':
      return `the response body did not arrive in full within the ${timeoutMs / 1000} s timeout`;
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'could not connect within 10 s';
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return 'the connection was closed unexpectedly';
    default:
      return `network error ${code}`;
  }
}

function networkError(code: string, err: Error, origin: string, timeoutMs: number): ApiError {
  const what = describeNetworkCode(code, timeoutMs);
  const hint =
    code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? 'Check --host and your network connection.'
      : code.includes('TIMEOUT') || code === 'BODY_DEADLINE'
        ? 'PostHog may be slow or unreachable; try again later, or raise --timeout.'
        : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED'
          ? 'The connection dropped before the answer was complete (PostHog, a proxy or the network); try again later.'
          : undefined;
  return new ApiError(`could not complete the request to ${origin}: ${what}${code === 'ERROR' ? ` (${err.message})` : ''}`, {
    code,
    hint,
  });
}

export function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}
