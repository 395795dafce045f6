// A clock that only moves when the test says so: hand it to the sandbox (startSandbox({ clock }))
// or to the CLI's factory, and time-dependent behaviour (write lag, the event-deletion batch,
// --wait polling, backoff) happens exactly when the test advances it, never on a real timer.
export interface ManualClock {
  now(): number;
  /** Resolves once the clock has been advanced by `ms` (at once when ms <= 0), or when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Moves time forward and wakes every sleeper whose time has come, in order. */
  advance(ms: number): void;
  /** Sleeps not yet woken. */
  pending(): number;
}

export function manualClock(start = Date.parse('2026-01-01T00:00:00.000Z')): ManualClock {
  let now = start;
  let sleepers: Array<{ at: number; wake: () => void }> = [];
  return {
    now: () => now,
    sleep(ms, signal) {
      if (ms <= 0 || signal?.aborted) return Promise.resolve();
      return new Promise<void>((wake) => {
        const sleeper = { at: now + ms, wake };
        sleepers.push(sleeper);
        signal?.addEventListener('abort', () => {
          sleepers = sleepers.filter((s) => s !== sleeper);
          wake();
        }, { once: true });
      });
    },
    advance(ms) {
      now += ms;
      const due = sleepers.filter((s) => s.at <= now).sort((a, b) => a.at - b.at);
      sleepers = sleepers.filter((s) => s.at > now);
      for (const s of due) s.wake();
    },
    pending: () => sleepers.length,
  };
}
