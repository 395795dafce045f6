// The progress bar of a bulk run: done/total, rate and ETA, on stderr, and only when stderr is a
// terminal (piped or in CI it would be noise in a log). cli-progress is loaded only then.
import type { Factory } from '../../factory.js';
import { escapeLinesForTerminal } from '../../output/escape.js';
import { formatLimitDuration } from '../../api/rate-model.js';

export interface Progress {
  /** `n` more items are finished (done, failed or not found: anything the run is past). */
  advance(n: number): void;
  /** Prints a line above the bar without tearing it. */
  log(line: string): void;
  stop(): void;
}

/**
 * The ETA shown: the larger of the observed rate's prediction and `limitMs`, the shortest time the
 * rate limits allow for what is left (src/api/rate-model.ts). The observed rate alone would promise
 * minutes to a run whose next request waits for an hourly budget.
 */
export function etaText(o: { done: number; total: number; elapsedMs: number; limitMs: number }): string {
  const left = o.total - o.done;
  if (left <= 0) return '0 s';
  const observed = o.done > 0 && o.elapsedMs > 0 ? (o.elapsedMs / o.done) * left : undefined;
  const ms = Math.max(observed ?? 0, o.limitMs);
  return observed === undefined && o.limitMs <= 0 ? '…' : formatLimitDuration(ms);
}

/** `limitEtaMs(items)`: the limit-bound time of the requests `items` more items need (0: none). */
export async function startProgress(factory: Factory, total: number, unit: string, limitEtaMs?: (items: number) => number): Promise<Progress> {
  if (!factory.io.stderrIsTTY || total <= 0) return { advance: () => undefined, log: (line) => factory.io.err(line), stop: () => undefined };
  const { default: cliProgress } = await import('cli-progress');
  const started = factory.clock.now();
  let done = 0;
  const bar = new cliProgress.SingleBar(
    {
      stream: factory.io.stderr,
      format: `{bar} {value}/{total} ${unit} | {rate}/s | ETA {eta}`,
      barsize: Math.max(10, Math.min(40, factory.io.width - 60)),
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const eta = () => etaText({ done, total, elapsedMs: factory.clock.now() - started, limitMs: limitEtaMs?.(total - done) ?? 0 });
  bar.start(total, 0, { rate: '0', eta: eta() });
  const rate = () => {
    const seconds = (factory.clock.now() - started) / 1000;
    return seconds > 0 ? String(Math.round(done / seconds)) : '0';
  };
  return {
    advance(n) {
      done += n;
      bar.update(done, { rate: rate(), eta: eta() });
    },
    log(line) {
      // Clear the bar's line, print, and let the next redraw put the bar back underneath.
      factory.io.stderr.write(`\r\u001b[2K${escapeLinesForTerminal(line)}\n`);
      bar.render();
    },
    stop() {
      bar.stop();
    },
  };
}
