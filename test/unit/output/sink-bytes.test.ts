// OutputSink with a real Node stream (stdout's case): it writes UTF-8 bytes instead of strings
// (docs/benchmarks.md). What arrives must be exactly the text, in order, whatever the stream does
// with the bytes, and backpressure must still hold.

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OutputSink } from '../../../src/output/sink.js';

/** A Writable that keeps what it is given; `delayMs` makes it hold chunks before taking them. */
function collector(options: { highWaterMark?: number; delayMs?: number } = {}) {
  const received: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: options.highWaterMark ?? 16 * 1024,
    write(chunk: Buffer, _encoding, done) {
      received.push(chunk);
      if (options.delayMs === undefined) done();
      else setTimeout(done, options.delayMs);
    },
  });
  return { stream, received, text: () => Buffer.concat(received).toString('utf8') };
}

const lines = (n: number) =>
  Array.from({ length: n }, (_, i) => `${i}\t"Zoë" 日本 🚀 ${'x'.repeat(i % 50)}\n`);

describe('OutputSink with a Node stream', () => {
  it('writes UTF-8 bytes that decode to exactly the text, no character split between writes', async () => {
    const { stream, received, text } = collector();
    const sink = new OutputSink(stream, 1024);
    const input = lines(500);
    for (const line of input) await sink.write(line);
    await sink.close();
    expect(text()).toBe(input.join(''));
    expect(received.length).toBeGreaterThan(10);
    // Every write holds whole characters: each decodes on its own without replacement characters.
    for (const chunk of received) expect(chunk.toString('utf8')).not.toContain('\uFFFD');
  });

  it('keeps order when a chunk is larger than a block', async () => {
    const { stream, text } = collector();
    const sink = new OutputSink(stream, 1024);
    const big = `${'é'.repeat(5000)}\n`;
    await sink.write('before\n');
    await sink.write(big);
    await sink.write('after\n');
    await sink.close();
    expect(text()).toBe(`before\n${big}after\n`);
  });

  it('never overwrites bytes a slow stream still holds', async () => {
    const { stream, text } = collector({ delayMs: 1, highWaterMark: 1024 * 1024 });
    const sink = new OutputSink(stream, 256);
    const input = lines(300);
    for (const line of input) await sink.write(line);
    await sink.close();
    await new Promise<void>((resolve) => stream.end(resolve));
    expect(text()).toBe(input.join(''));
  });

  it('waits for drain when the stream is full', async () => {
    const { stream, text } = collector({ delayMs: 5, highWaterMark: 64 });
    const sink = new OutputSink(stream, 128);
    let drains = 0;
    stream.on('drain', () => drains++);
    const input = lines(100);
    for (const line of input) {
      await sink.write(line);
      // Whenever write() has resolved, the stream holds at most one block beyond its mark.
      expect(stream.writableLength).toBeLessThanOrEqual(64 + 128 * 3);
    }
    await sink.close();
    expect(drains).toBeGreaterThan(0);
    await new Promise<void>((resolve) => stream.end(resolve));
    expect(text()).toBe(input.join(''));
  });
});
