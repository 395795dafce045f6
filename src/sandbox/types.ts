// Public types of the sandbox: its options, scripted faults and the request log. The handle
// returned by startSandbox() is in handle.ts (it names the store, which depends on these types).
// Other layers (the `sandbox` command, `--sandbox`, the e2e tests) depend on exactly these names.

export interface SandboxKey {
  key: string;
  label: string;
  scopes: string[];
  /** Projects the key is restricted to; undefined means every project of the organization. */
  scopedTeams?: number[];
}

export type FaultKind =
  | 'status'
  | 'reset'
  | 'reset-mid-body'
  | 'slow-headers'
  | 'truncated-json'
  | 'html'
  | 'non-json'
  | 'redirect'
  | 'latency'
  /** the real answer, its body sent one byte every `delayMs` (default 1000) */
  | 'drip'
  /** a 200 JSON body that never ends (until the client goes away) */
  | 'endless';

export interface ScriptedFault {
  /** HTTP method to match, e.g. 'POST'; any when omitted. */
  method?: string;
  /**
   * Matched against the path with the `/api/projects/{id}` or `/api/environments/{id}` prefix
   * removed (legacy `/api/person/...` becomes `/persons/...`), e.g. '/persons/bulk_delete/'.
   * A string compares ignoring a trailing slash; a RegExp is tested against the stripped path.
   */
  path?: string | RegExp;
  /** How many matching requests the fault applies to (default 1). */
  times?: number;
  kind: FaultKind;
  /** For 'status' (and 'html', default 502; 'redirect', 302 or 307, default 307). */
  status?: number;
  headers?: Record<string, string>;
  /** JSON body for 'status'; defaults to PostHog's error envelope for that status. */
  body?: unknown;
  /** For 'slow-headers', 'latency' and 'drip'. */
  delayMs?: number;
  /** For 'redirect'; defaults to the same path on another origin (127.0.0.2). */
  location?: string;
}

export interface RateLimitConfig {
  read: number;
  delete: number;
  deleteHourly?: number;
  /** reads and property writes per hour (older releases' per-user budget, rehearsed per key) */
  readHourly?: number;
  /** both windows shrunk by this factor (benchmarks measure an hour's budget in a minute) */
  windowScale?: number;
}

/**
 * Which PostHog server the sandbox answers like (docs/posthog-versions.md): `newest` is PostHog
 * Cloud today, `mid` the personhog-era self-hosted release, `older` the release before it.
 */
export type Generation = 'newest' | 'mid' | 'older';

export const GENERATIONS: readonly Generation[] = ['newest', 'mid', 'older'];

export interface SandboxOptions {
  port?: number;
  persons?: number;
  seed?: number;
  writeLagMs?: number;
  listLagMs?: number;
  ghosts?: number;
  rateLimit?: number | RateLimitConfig;
  latencyMs?: number;
  failRate?: number;
  deleteMode?: 'sync' | 'async';
  generation?: Generation;
  /** The same as `generation: 'older'` (kept for callers written before generations existed). */
  legacy?: boolean;
  eventBatchMs?: number;
  log?: (line: string) => void;
  /**
   * Where the sandbox reads the time: write lag, the event-deletion batch, rate-limit windows.
   * The wall clock by default; tests pass a manual clock and move it forward themselves.
   */
  clock?: SandboxClock;
}

export interface SandboxClock {
  now(): number;
}

/** The options that can change while the sandbox runs. */
export type MutableSandboxOptions = Partial<
  Pick<
    SandboxOptions,
    'latencyMs' | 'failRate' | 'rateLimit' | 'writeLagMs' | 'listLagMs' | 'deleteMode' | 'generation' | 'legacy'
  >
>;

export interface RequestLogEntry {
  time: string;
  method: string;
  path: string;
  route: string;
  query: Record<string, string>;
  rawQuery: string;
  body: unknown;
  /** The request body's text, exactly as sent (absent when the body held a key). */
  rawBody?: string;
  keyLabel: string | null;
  userAgent: string | undefined;
  hasAuthorization: boolean;
  status: number;
  fault?: string;
}
