// Lazy, memoised dependencies handed to every command: streams, settings, the API client, prompts
// and the clock. Nothing heavy is loaded until a command asks for it, so --help and --version
// start fast and a command only pays for what it uses.
import type { IOStreams } from './io/streams.js';
import type { Prompter } from './io/prompt.js';
import type { PersonsApi } from './api/persons.js';
import type { ProfileStore } from './settings/profiles.js';
import type { ConnectionSettings, SettingsFlags } from './settings/resolve.js';
import type { RateLimitFlag } from './api/rate-limits.js';
import { UsageError, type StopSignal } from './errors.js';

export interface GlobalOptions extends SettingsFlags {
  sandbox?: boolean;
  debug?: boolean;
  /** -q: no confirmation lines or summaries on stderr */
  quiet?: boolean;
  input?: boolean; // commander's --no-input sets input=false
  timeout?: number;
  retries?: number;
  /** --rate-limit as given (src/api/rate-limits.ts); a bare number is a per-minute limit (0: off) */
  rateLimit?: RateLimitFlag | number;
}

/**
 * The one clock of a run: --wait polling, the HTTP layer's backoff and rate limiter, journal
 * times. The real one by default; tests hand in a manual clock (test/helpers/manual-clock.ts).
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts (a wait that is no longer needed). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export interface Factory {
  readonly io: IOStreams;
  readonly env: NodeJS.ProcessEnv;
  readonly version: string;
  readonly cwd: string;
  globals(): GlobalOptions;
  setGlobals(options: GlobalOptions): void;
  debugEnabled(): boolean;
  store(): Promise<ProfileStore>;
  settings(): Promise<ConnectionSettings>;
  api(): Promise<PersonsApi>;
  /**
   * For commands that name their projects themselves (`projects`, and runs over several projects
   * through `forProject`): api() when a project is set, else a client for @current, so no
   * --project is required. Either way one client, one rate limiter.
   */
  apiAnyProject(): Promise<PersonsApi>;
  /** An API client for explicit settings (auth login checks a key before saving it). */
  createApi(connection: { host: string; apiKey: string; project: string }): Promise<PersonsApi>;
  prompter(): Promise<Prompter>;
  readonly clock: Clock;
  /** The clock's time as a Date. */
  now(): Date;
  /** All of stdin as text (for --with-token and --api-key-file -). */
  readStdin(): Promise<string>;
  /** Every secret the run knows of, for redaction of anything printed. */
  secrets(): string[];
  /** Called by the entry when the command is over (closes sockets and the in-process sandbox). */
  close(): Promise<void>;
  /** Something to undo when the command is over, whatever its outcome (a journal's lock). */
  onClose(cleanup: () => Promise<void>): void;
  /** Commands that can stop gracefully on Ctrl-C (or SIGTERM, SIGHUP) register here; returns the unregister function. */
  onInterrupt(handler: (signal: StopSignal) => void): () => void;
  /** Called by the entry on Ctrl-C, SIGTERM or SIGHUP: true when a command took it and will stop by itself. */
  interrupt(signal?: StopSignal): boolean;
  /**
   * Called by a run whose exit code says what happened to data (a bulk run): from then on stdout's
   * reader going away ends nothing early, and the process exits with the run's own code. (The
   * broken pipe is noticed a moment after the write that met it, so this lasts to the end.)
   */
  keepExitCodeOnBrokenPipe(): void;
  /** True once a command asked for keepExitCodeOnBrokenPipe. */
  keepsExitCodeOnBrokenPipe(): boolean;
}

export interface FactoryInit {
  io: IOStreams;
  env: NodeJS.ProcessEnv;
  version: string;
  cwd: string;
  readStdin: () => Promise<string>;
  /** The real clock when omitted. */
  clock?: Clock;
}

export function createFactory(init: FactoryInit): Factory {
  let globals: GlobalOptions = {};
  let storePromise: Promise<ProfileStore> | undefined;
  let settingsPromise: Promise<ConnectionSettings> | undefined;
  let apiPromise: Promise<PersonsApi> | undefined;
  let anyProjectPromise: Promise<PersonsApi> | undefined;
  let prompterPromise: Promise<Prompter> | undefined;
  const cleanups: Array<() => Promise<void>> = [];
  let interrupted = false;
  const secrets = new Set<string>();
  const interruptHandlers = new Set<(signal: StopSignal) => void>();
  let keepExitCode = false;
  const clock = init.clock ?? systemClock;

  const factory: Factory = {
    io: init.io,
    env: init.env,
    version: init.version,
    cwd: init.cwd,
    globals: () => globals,
    setGlobals(options) {
      globals = options;
    },
    debugEnabled: () => Boolean(globals.debug) || ['1', 'true'].includes(init.env.POSTHOG_PERSONS_DEBUG ?? ''),
    store() {
      storePromise ??= import('./settings/profiles.js').then(({ ProfileStore }) =>
        ProfileStore.open(init.env.POSTHOG_PERSONS_CONFIG_DIR, { waitMs: numberFromEnv(init.env.POSTHOG_PERSONS_LOCK_WAIT_MS), clock }, init.cwd),
      );
      return storePromise;
    },
    settings() {
      settingsPromise ??= (async () => {
        if (globals.sandbox) return sandboxSettings();
        const [{ resolveSettings }, { ProfileStoreError }] = await Promise.all([
          import('./settings/resolve.js'),
          import('./settings/profiles.js'),
        ]);
        const store = await factory.store();
        let unreadable: InstanceType<typeof ProfileStoreError> | undefined;
        try {
          store.read();
        } catch (error) {
          if (!(error instanceof ProfileStoreError)) throw error;
          unreadable = error;
        }
        const settings = await resolveSettings({
          flags: globals,
          env: init.env,
          currentProfile: unreadable ? undefined : store.currentProfile(),
          getProfile: (name) => (unreadable ? undefined : store.get(name)),
          readStdin: init.readStdin,
          cwd: init.cwd,
        });
        if (settings.apiKey) secrets.add(settings.apiKey.value);
        if (unreadable) {
          // A damaged store only matters to a command that would have read a setting from it.
          const fromOutside = (s?: { source: { kind: string } }) => s?.source.kind === 'flag' || s?.source.kind === 'env';
          if (!fromOutside(settings.host) || !fromOutside(settings.project) || !fromOutside(settings.apiKey)) throw unreadable;
          init.io.err(
            `warning: ignoring the profile store ${unreadable.path}: ${unreadable.problem}; every setting came from flags and the environment.`,
          );
        }
        return settings;
      })();
      return settingsPromise;
    },
    api() {
      apiPromise ??= (async () => {
        const settings = await factory.settings();
        const { requireKey, requireProject } = await import('./settings/resolve.js');
        const project = requireProject(settings);
        const apiKey = requireKey(settings);
        return factory.createApi({ host: settings.host.value, apiKey, project });
      })();
      return apiPromise;
    },
    apiAnyProject() {
      anyProjectPromise ??= (async () => {
        const settings = await factory.settings();
        if (settings.project) return factory.api();
        const { requireKey } = await import('./settings/resolve.js');
        return factory.createApi({ host: settings.host.value, apiKey: requireKey(settings), project: '@current' });
      })();
      return anyProjectPromise;
    },
    async createApi({ host, apiKey, project }) {
      secrets.add(apiKey);
      const [{ HttpClient }, { RateLimiter }, { PersonsApi }, { limiterLimits }] = await Promise.all([
        import('./api/http.js'),
        import('./api/limiter.js'),
        import('./api/persons.js'),
        import('./api/rate-limits.js'),
      ]);
      const limits = limiterLimits(globals.rateLimit);
      // Benchmarks shrink both windows by this factor (client and sandbox alike), so a run bound by
      // an hourly budget can be measured in minutes.
      const scale = numberFromEnv(init.env.POSTHOG_PERSONS_RATE_WINDOW_SCALE) || 1;
      const debug = factory.debugEnabled() ? (line: string) => init.io.err(line) : undefined;
      const http = new HttpClient({
        host,
        apiKey,
        userAgent: `posthog-persons/${init.version}`,
        timeoutMs: globals.timeout !== undefined ? globals.timeout * 1000 : undefined,
        retries: globals.retries,
        limiter: new RateLimiter({
          perMinute: limits.perMinute,
          perHour: limits.perHour,
          source: limits.source,
          windowMs: 60_000 / scale,
          hourWindowMs: 3_600_000 / scale,
          marginMs: RATE_MARGIN_MS,
          now: () => clock.now(),
          sleep: (ms) => clock.sleep(ms),
        }),
        debug,
        notice: (line) => init.io.err(line),
        backoffBaseMs: numberFromEnv(init.env.POSTHOG_PERSONS_BACKOFF_MS),
        sleep: (ms) => clock.sleep(ms),
        now: () => clock.now(),
      });
      cleanups.push(() => http.close(interrupted));
      return new PersonsApi(http, project);
    },
    prompter() {
      prompterPromise ??= import('./io/prompt.js').then(({ createPrompter }) => createPrompter(init.io));
      return prompterPromise;
    },
    clock,
    now: () => new Date(clock.now()),
    readStdin: init.readStdin,
    secrets: () => [...secrets],
    onClose(cleanup) {
      cleanups.push(cleanup);
    },
    async close() {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    },
    onInterrupt(handler) {
      interruptHandlers.add(handler);
      return () => interruptHandlers.delete(handler);
    },
    interrupt(signal = 'SIGINT') {
      interrupted = true;
      const handlers = [...interruptHandlers];
      for (const handler of handlers) handler(signal);
      return handlers.length > 0;
    },
    keepExitCodeOnBrokenPipe() {
      keepExitCode = true;
    },
    keepsExitCodeOnBrokenPipe: () => keepExitCode,
  };

  async function sandboxSettings(): Promise<ConnectionSettings> {
    const explicit = ['host', 'project', 'apiKeyFile', 'profile'].filter((k) => globals[k as keyof GlobalOptions] !== undefined);
    if (explicit.length > 0) {
      throw new UsageError(`--sandbox cannot be combined with --${explicit[0]!.replace('apiKeyFile', 'api-key-file')}`);
    }
    const { startSandbox, SANDBOX_KEYS } = await import('./sandbox/index.js');
    const sandbox = await startSandbox({ writeLagMs: 1000, clock });
    cleanups.push(() => sandbox.close());
    const source = { kind: 'sandbox' as const, name: 'sandbox' };
    secrets.add(SANDBOX_KEYS.legacy.key);
    return {
      profile: { value: 'sandbox', source },
      profileExists: false,
      host: { value: sandbox.url, source },
      project: { value: String(sandbox.projectId), source },
      apiKey: { value: SANDBOX_KEYS.legacy.key, source },
    };
  }

  return factory;
}

/**
 * The limiter's margin past each window (src/api/limiter.ts, marginMs): covers the difference in
 * how long two requests take to reach the server, at 0.2% of a minute. Not scaled with the windows:
 * the latencies it covers are not.
 */
const RATE_MARGIN_MS = 100;

function numberFromEnv(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
