// The progress bar of a bulk run: done/total, rate and ETA, on stderr, and only when stderr is a
// terminal (piped or in CI it would be noise in a log). cli-progress is loaded only then.
import type { Factory } from '../../factory.js';
import { escapeLinesForTerminal } from '../../output/escape.js';

export interface Progress {
  /** `n` more items are finished (done, failed or not found: anything the run is past). */
  advance(n: number): void;
  /** Prints a line above the bar without tearing it. */
  log(line: string): void;
  stop(): void;
}

export async function startProgress(factory: Factory, total: number, unit: string): Promise<Progress> {
  if (!factory.io.stderrIsTTY || total <= 0) return { advance: () => undefined, log: (line) => factory.io.err(line), stop: () => undefined };
  const { default: cliProgress } = await import('cli-progress');
  const started = factory.clock.now();
  let done = 0;
  const bar = new cliProgress.SingleBar(
    {
      stream: factory.io.stderr,
      format: `{bar} {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted}`,
      barsize: Math.max(10, Math.min(40, factory.io.width - 60)),
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { rate: '0' });
  const rate = () => {
    const seconds = (factory.clock.now() - started) / 1000;
    return seconds > 0 ? String(Math.round(done / seconds)) : '0';
  };
  return {
    advance(n) {
      done += n;
      bar.update(done, { rate: rate() });
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
