// Typed errors, each carrying its exit code (README, "Exit codes").
// The entry point (src/cli.ts) is the only place that turns them into an exit code and a message.

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  cancelled: 3,
  auth: 4,
  notFound: 5,
  rateLimited: 6,
  partialFailure: 7,
  /** verify: some identifiers still resolve to a person */
  stillPresent: 8,
  /** SIGHUP (the terminal went away): 128 + 1 */
  hangup: 129,
  interrupted: 130,
  /** SIGTERM (a cancelled CI job, `kill`): 128 + 15 */
  terminated: 143,
} as const;

/** The signals the tool stops on gracefully, like Ctrl-C. */
export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** Exit code and how the stop is named to the user, for each signal. */
export const STOP_SIGNALS: Record<StopSignal, { exitCode: number; said: string }> = {
  SIGINT: { exitCode: ExitCode.interrupted, said: 'Interrupted' },
  SIGTERM: { exitCode: ExitCode.terminated, said: 'Terminated (SIGTERM)' },
  SIGHUP: { exitCode: ExitCode.hangup, said: 'Hung up (SIGHUP)' },
};

export class CliError extends Error {
  readonly exitCode: number;
  /** What the user can do next; printed on its own line after the message. */
  readonly hint?: string;

  constructor(message: string, exitCode: number, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** Bad flags, arguments or input files. Nothing was sent. Exit 2. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.usage, hint);
  }
}

/** The user declined a confirmation. Exit 3. */
export class Cancelled extends CliError {
  constructor(message = 'Cancelled.') {
    super(message, ExitCode.cancelled);
  }
}

/** No key, a rejected key (401) or a missing permission (403). Exit 4. */
export class AuthError extends CliError {
  readonly status?: number;
  constructor(message: string, hint?: string, status?: number) {
    super(message, ExitCode.auth, hint);
    this.status = status;
  }
}

/** A person (or project) that does not exist. Exit 5. */
export class NotFoundError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.notFound, hint);
  }
}

/** Still throttled after every retry. Exit 6. */
export class RateLimitError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.rateLimited, hint);
  }
}

/** Any other failure of a request: an API error, a network failure after retries, a bad body. Exit 1. */
export class ApiError extends CliError {
  readonly status?: number;
  readonly code?: string;
  readonly detail?: string;
  readonly attr?: string | null;
  constructor(
    message: string,
    opts: { status?: number; code?: string; detail?: string; attr?: string | null; hint?: string } = {},
  ) {
    super(message, ExitCode.failure, opts.hint);
    this.status = opts.status;
    this.code = opts.code;
    this.detail = opts.detail;
    this.attr = opts.attr;
  }
}

/** Some batches of a bulk run failed; the journal names them. Exit 7. */
export class PartialFailure extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.partialFailure, hint);
  }
}

/** Ctrl-C (exit 130), SIGTERM (143) or SIGHUP (129). */
export class Interrupted extends CliError {
  constructor(message = 'Interrupted.', signal: StopSignal = 'SIGINT') {
    super(message, STOP_SIGNALS[signal].exitCode);
  }
}

/**
 * PostHog's secret prefixes: personal API keys (phx_), OAuth access and refresh tokens (pha_,
 * phr_) and secret keys (phs_). (phc_ project tokens are public.) Shared with the journal's
 * redaction (src/bulk/journal/redact.ts).
 */
export const SECRET_PREFIX = 'ph[xars]_';

/**
 * A PostHog secret anywhere in a text. Users paste keys where they do not belong
 * (`--api-key=phx_…`, `--api-key-file phx_…`), and messages that echo the input would then print
 * the key, into CI logs too.
 */
const KEY_SHAPED = new RegExp(`\\b${SECRET_PREFIX}[A-Za-z0-9_-]{12,}`, 'g');

/** Replaces every occurrence of each secret, and anything shaped like a key, with a masked form. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    out = out.split(secret).join(maskKey(secret));
  }
  return out.replace(KEY_SHAPED, (key) => maskKey(key));
}

/** `phx_AbCd…wXyZ`: enough to recognise a key, never enough to use it. */
export function maskKey(key: string): string {
  if (key.length <= 12) return `${key.slice(0, 4)}…`;
  const prefixEnd = key.startsWith('phx_') ? 8 : 4;
  return `${key.slice(0, prefixEnd)}…${key.slice(-4)}`;
}
