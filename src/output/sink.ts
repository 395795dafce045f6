// Coalesces the many small chunks a renderer produces (one per record) into fewer, larger writes,
// and passes the target's backpressure back to the caller.
//
// Why coalesce: `list --all -o jsonl` writes 100,000 records; one write per record costs a
// syscall each on stdout and measured about twice the time of 64 KiB writes. Why flush on
// setImmediate as well as on size: a command awaits the network between pages, which lets the
// immediate run, so output still appears page by page and nothing stays buffered if a command
// fails before calling end().

/** Where rendered output goes. A Node Writable (process.stdout) fits. */
export interface RenderTarget {
  write(chunk: string): boolean;
  once(event: 'drain', cb: () => void): unknown;
}

/** 64 KiB of text: large enough to amortise a write, small enough to keep memory flat. */
export const DEFAULT_FLUSH_CHARS = 64 * 1024;

export class OutputSink {
  readonly #out: RenderTarget;
  readonly #flushChars: number;
  #pending: string[] = [];
  #pendingChars = 0;
  #flushScheduled = false;
  /** Set while the target has asked us to wait for 'drain'. */
  #drained: Promise<void> | undefined;

  constructor(out: RenderTarget, flushChars = DEFAULT_FLUSH_CHARS) {
    this.#out = out;
    this.#flushChars = flushChars;
  }

  /** Queues a chunk; resolves when the caller may produce more (after 'drain' if the target is full). */
  async write(chunk: string): Promise<void> {
    if (this.#drained) await this.#drained;
    if (chunk === '') return;
    this.#pending.push(chunk);
    this.#pendingChars += chunk.length;
    if (this.#pendingChars >= this.#flushChars) {
      this.#flushNow();
      if (this.#drained) await this.#drained;
    } else {
      this.#scheduleFlush();
    }
  }

  /** Writes everything queued and waits until the target has taken it. */
  async close(): Promise<void> {
    this.#flushNow();
    if (this.#drained) await this.#drained;
  }

  #flushNow(): void {
    if (this.#pendingChars === 0) return;
    const text = this.#pending.length === 1 ? this.#pending[0]! : this.#pending.join('');
    this.#pending = [];
    this.#pendingChars = 0;
    if (!this.#out.write(text) && !this.#drained) {
      this.#drained = new Promise((resolve) => {
        this.#out.once('drain', () => {
          this.#drained = undefined;
          resolve();
        });
      });
    }
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#flushNow();
    });
  }
}
