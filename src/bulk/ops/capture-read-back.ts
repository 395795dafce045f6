// `--via capture --wait[=SECONDS]`: capture answers 200 without saying what became of each event,
// so the only proof that the writes landed is reading the persons back. A sample of up to 100
// persons spread evenly across the run (every person with --wait-all) is read through the batch
// lookup by UUID, 200 a request, until each shows its new values or the time is up; the ones that
// do not are named.
import { isDeepStrictEqual } from 'node:util';
import { CliError, ExitCode } from '../../errors.js';
import type { Factory } from '../../factory.js';
import type { PersonsApi } from '../../api/persons.js';
import { plural } from '../../output/message-text.js';

export const READ_BACK_SAMPLE = 100;
const FIRST_POLL_DELAY_MS = 250;
const MAX_POLL_DELAY_MS = 2_000;
const NAMED = 10;

/** What one person should show once its write is applied. */
export interface Expectation {
  uuid: string;
  set?: Record<string, unknown>;
  unset?: string[];
}

/** Chooses, as the rows are sent, which persons to read back: every `stride`-th of the run's order. */
export class ReadBackSample {
  private readonly chosen = new Map<number, Expectation>();
  private queued = 0;
  private stride = 1;

  constructor(private readonly all: () => boolean) {}

  /** The number of rows the run sends (known once the plan is made). */
  plan(toSend: number): void {
    this.stride = this.all() ? 1 : Math.max(1, Math.ceil(toSend / READ_BACK_SAMPLE));
  }

  /** A row queued by capture; `ordinal` is its place in the run's sending order (0-based). */
  add(ordinal: number, expectation: Expectation): void {
    this.queued++;
    if (ordinal % this.stride === 0) this.chosen.set(ordinal, expectation);
  }

  get total(): number {
    return this.queued;
  }

  list(): Expectation[] {
    return [...this.chosen.entries()].sort(([a], [b]) => a - b).map(([, e]) => e);
  }
}

function applied(expectation: Expectation, properties: Record<string, unknown> | undefined): boolean {
  const props = properties ?? {};
  for (const [key, value] of Object.entries(expectation.set ?? {})) {
    if (!Object.hasOwn(props, key) || !isDeepStrictEqual(props[key], value)) return false;
  }
  return (expectation.unset ?? []).every((key) => !Object.hasOwn(props, key));
}

/** Reads the sample back until every person shows its write, or throws (exit 1) naming those that do not. */
export async function readBack(factory: Factory, api: PersonsApi, sample: ReadBackSample, timeoutMs: number): Promise<void> {
  const expectations = sample.list();
  if (expectations.length === 0) return;
  const say = (line: string) => {
    if (!factory.globals().quiet) factory.io.err(line);
  };
  const seconds = formatSeconds(timeoutMs);
  const whom =
    expectations.length === sample.total ? `all ${plural(sample.total, 'person')}` : `${expectations.length.toLocaleString('en-US')} of ${plural(sample.total, 'person')} (spread across the run)`;
  say(`Reading back ${whom} until PostHog shows the new values, up to ${seconds}.`);
  const started = factory.clock.now();
  const deadline = started + timeoutMs;
  let pending = expectations;
  let delay = FIRST_POLL_DELAY_MS;
  for (;;) {
    const persons = await api.lookupPersons(pending.map((e) => e.uuid), 'uuid');
    pending = pending.filter((e) => !applied(e, persons.get(e.uuid.toLowerCase())?.properties));
    if (pending.length === 0) {
      say(`All ${plural(expectations.length, 'person')} read back show the new values (after ${((factory.clock.now() - started) / 1000).toFixed(1)} s).`);
      return;
    }
    const remaining = deadline - factory.clock.now();
    if (remaining <= 0) break;
    await factory.clock.sleep(Math.min(delay, remaining));
    delay = Math.min(delay * 2, MAX_POLL_DELAY_MS);
  }
  const named = pending.slice(0, NAMED).map((e) => e.uuid).join(', ') + (pending.length > NAMED ? ', …' : '');
  throw new CliError(
    `${pending.length.toLocaleString('en-US')} of ${plural(expectations.length, 'person')} read back do not show the new values after ${seconds}: ${named}`,
    ExitCode.failure,
    `PostHog may still apply them (its ingestion can lag by minutes). Check later with: posthog-persons get ${pending[0]!.uuid} -o json`,
  );
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
