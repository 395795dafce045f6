// What tests that kill or stop a real process mid-run need of its journal: waiting until it holds
// some batches (the run is under way), and reading its entries back.
import { existsSync, readFileSync } from 'node:fs';

/** Polls (every 5 ms) until the journal at `path` holds `n` batch lines; throws after `timeoutMs`. */
export async function waitForBatches(path: string, n: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (existsSync(path) && readFileSync(path, 'utf8').split('\n').filter((l) => l.includes('"type":"batch"')).length >= n) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`the journal never reached ${n} batches`);
}

/** The journal's complete entries, parsed (as JSON.parse types them: tests index into them freely). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function journalEntries(path: string): any[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

/**
 * After a client is killed, requests it sent may still be in the sandbox (waiting out an injected
 * latency, or being answered): what they do to the store lands after the kill. Waits until every
 * logged request has its answer (status set), so a test reads the sandbox's final state.
 */
export async function sandboxSettled(sandbox: { requests: ReadonlyArray<{ status: number }> }, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (sandbox.requests.some((q) => q.status === 0)) {
    if (Date.now() > until) throw new Error('the sandbox still has requests in progress');
    await new Promise((r) => setTimeout(r, 5));
  }
}
