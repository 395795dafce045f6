// `sandbox`: a local PostHog-compatible persons API with generated data, for trying every command
// and rehearsing runbooks. Prints the environment lines on stdout and serves until Ctrl-C.
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Factory } from '../factory.js';
import { UsageError } from '../errors.js';
import type { RateLimitFlag } from '../api/rate-limits.js';
import type { RateLimitConfig } from '../sandbox/types.js';
import { examples, intInRange, plural } from './shared.js';

const PORT_HINT = 'Give another port with --port N, or --port 0 to take a free one.';

export interface SandboxCommandOptions {
  port?: number;
  persons?: number;
  seed?: number;
  latency?: number;
  failRate?: number;
  writeLag?: number;
  listLag?: number;
  ghosts?: number;
  deleteMode?: 'sync' | 'async';
  generation?: 'newest' | 'mid' | 'older';
  legacy?: boolean;
  log?: boolean;
}

function probability(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new InvalidArgumentError('--fail-rate must be a number from 0 to 1.');
  }
  return n;
}

export function createSandboxCommand(factory: Factory): Command {
  const command = new Command('sandbox')
    .description('Run a local PostHog-compatible persons API with generated data (no account needed)')
    .option('--port <n>', 'port on 127.0.0.1 (default 8010; 0 picks a free one)', intInRange('--port', 0, 65535))
    .option('--persons <n>', 'generated persons (default 500)', intInRange('--persons', 0, 1_000_000))
    .option('--seed <n>', 'random seed: the same seed gives the same data (default 1)', intInRange('--seed', 0))
    .option('--latency <ms>', 'added to every response', intInRange('--latency', 0, 600_000))
    .option('--fail-rate <p>', 'fraction of requests answered with a 5xx, 0 to 1', probability)
    .option('--write-lag <ms>', 'how long writes take to become visible, like PostHog\'s ingestion (default 1500)', intInRange('--write-lag', 0, 3_600_000))
    .option('--list-lag <ms>', 'how long the list index lags behind (deleted persons still listed)', intInRange('--list-lag', 0, 3_600_000))
    .option('--ghosts <n>', 'persons only in the list index, giving short pages with next set', intInRange('--ghosts', 0, 1_000_000))
    .addOption(new Option('--delete-mode <mode>', 'bulk_delete summary mode').choices(['sync', 'async']))
    .addOption(
      new Option('--generation <name>', 'answer like this PostHog generation: newest (Cloud), mid or older (older self-hosted releases)')
        .choices(['newest', 'mid', 'older'])
        .default('newest'),
    )
    .option('--legacy', 'the same as --generation older')
    .option('--log', 'print a line per request on stderr');
  command.addHelpText('after', '\nThe global --rate-limit sets the sandbox\'s per-key limits here: N (a minute) or N/min,M/hour, for reads and deletes alike.\n');
  examples(command, [
    // In the background its stdout never closes, so `eval "$(… &)"` would wait forever: the lines go
    // to a file, emptied first (a leftover would be read before the sandbox listens) and printed
    // only once it listens.
    ['start it in the background and point this shell at it (`kill %1` stops it)', ': > sandbox.env; posthog-persons sandbox --port 8010 > sandbox.env & until [ -s sandbox.env ]; do sleep 0.1; done; . ./sandbox.env'],
    ['100,000 persons for an export rehearsal', 'posthog-persons sandbox --persons 100000'],
    ['answer like an older self-hosted PostHog', 'posthog-persons sandbox --generation older'],
    ['rehearse a runbook under PostHog Cloud\'s limits with failures', 'posthog-persons sandbox --rate-limit 480 --fail-rate 0.05 --log'],
  ]);
  return command.action(async (options: SandboxCommandOptions) => runSandbox(factory, options));
}

/** --rate-limit N[/min][,M/hour] on the sandbox: its per-key limits, the same for reads and deletes. */
function sandboxRateLimit(rate: RateLimitFlag | number | undefined, env: NodeJS.ProcessEnv): RateLimitConfig | number | undefined {
  if (rate === undefined) return undefined;
  if (typeof rate === 'number') rate = rate === 0 ? { off: true } : { perMinute: rate };
  if (rate.off) return { read: 0, delete: 0 };
  const perHour = rate.perHour ?? 0;
  // The benchmarks' scaled windows (the CLI reads the same variable for its limiter).
  const windowScale = Number(env.POSTHOG_PERSONS_RATE_WINDOW_SCALE) || undefined;
  return { read: rate.perMinute ?? 0, delete: rate.perMinute ?? 0, readHourly: perHour, deleteHourly: perHour, ...(windowScale ? { windowScale } : {}) };
}

export async function runSandbox(factory: Factory, options: SandboxCommandOptions): Promise<void> {
  const { startSandbox, formatEnvLines, SANDBOX_KEYS, SANDBOX_ENVIRONMENT_ID, SANDBOX_OTHER_PROJECT_ID } = await import('../sandbox/index.js');
  const rate = factory.globals().rateLimit;
  const port = options.port ?? 8010;
  const sandbox = await startSandbox({
    port,
    persons: options.persons,
    seed: options.seed,
    latencyMs: options.latency,
    failRate: options.failRate,
    writeLagMs: options.writeLag,
    listLagMs: options.listLag,
    ghosts: options.ghosts,
    deleteMode: options.deleteMode,
    generation: options.legacy ? 'older' : options.generation,
    rateLimit: sandboxRateLimit(rate, factory.env),
    log: options.log ? (line) => factory.io.err(line) : undefined,
  }).catch((error: NodeJS.ErrnoException) => {
    // The port is the user's choice (or the default): say which flag changes it.
    if (error.code === 'EADDRINUSE') throw new UsageError(`--port ${port}: the port is already in use on 127.0.0.1`, PORT_HINT);
    if (error.code === 'EACCES') throw new UsageError(`--port ${port}: not allowed to listen on that port here`, PORT_HINT);
    throw error;
  });
  factory.io.stdout.write(`${formatEnvLines(sandbox)}\n`);
  const generation = options.legacy ? 'older' : (options.generation ?? 'newest');
  const like = generation === 'newest' ? '' : `, answering like the ${generation} PostHog generation`;
  factory.io.err(`Sandbox serving ${plural(sandbox.store.count(sandbox.projectId), 'person')} at ${sandbox.url} (project ${sandbox.projectId}${like}). Ctrl-C stops it.`);
  const count = (id: number) => plural(sandbox.store.count(id), 'person');
  factory.io.err(
    `Also project ${SANDBOX_OTHER_PROJECT_ID} "Staging" (${count(SANDBOX_OTHER_PROJECT_ID)}) and environment ${SANDBOX_ENVIRONMENT_ID} "Development" of project ${sandbox.projectId} (${count(SANDBOX_ENVIRONMENT_ID)}), ` +
      `some sharing distinct_ids with project ${sandbox.projectId} (\`projects\` lists them); a key limited to project ${SANDBOX_OTHER_PROJECT_ID}: ${SANDBOX_KEYS.otherProject.key}.`,
  );
  factory.io.err(
    `Other keys: read-only ${SANDBOX_KEYS.read.key}, write ${SANDBOX_KEYS.write.key}, all-scopes ${SANDBOX_KEYS.all.key}.`,
  );
  await new Promise<void>((resolve) => {
    const stop = factory.onInterrupt(() => {
      stop();
      void sandbox.close().then(resolve);
    });
  });
  factory.io.err('Sandbox stopped.');
}
