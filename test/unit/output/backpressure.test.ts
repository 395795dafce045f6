// Output respects backpressure: when the target says it is full, write() and end() wait for
// 'drain'; small chunks are coalesced but never held back past the current turn of the loop.

import { describe, expect, it } from 'vitest';
import { OutputSink } from '../../../src/output/sink.js';
import { createRenderer } from '../../../src/output/render.js';
import { personSchema } from '../../../src/output/person-schema.js';
import { ada, FakeTarget, retrieved } from './helpers.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Tracks whether a promise has settled, without awaiting it. */
function watch(promise: Promise<unknown>): { settled: boolean } {
  const state = { settled: false };
  void promise.then(() => (state.settled = true));
  return state;
}

describe('renderer backpressure', () => {
  it('write() waits for drain when the target is full', async () => {
    const out = new FakeTarget();
    out.full = true;
    const renderer = createRenderer({ format: 'jsonl', schema: personSchema, out });
    // Larger than the coalescing buffer, so it is written at once.
    const big = { ...ada, properties: { blob: 'x'.repeat(100_000) } };
    const write = watch(renderer.write(big));
    await nextTurn();
    await nextTurn();
    expect(out.chunks).toHaveLength(1);
    expect(write.settled).toBe(false);
    out.drain();
    await nextTurn();
    expect(write.settled).toBe(true);
    await renderer.end();
    expect(out.text).toBe(JSON.stringify(big) + '\n');
  });

  it('after a background flush fills the target, the next write() waits for drain', async () => {
    const out = new FakeTarget();
    out.full = true;
    const renderer = createRenderer({ format: 'tsv', schema: personSchema, out, fields: 'id' });
    await renderer.write(ada); // buffered: resolves at once
    await nextTurn(); // the scheduled flush writes it and learns the target is full
    expect(out.text).toBe(`${ada.id}\n`);
    const second = watch(renderer.write(retrieved));
    await nextTurn();
    expect(second.settled).toBe(false);
    out.drain();
    await nextTurn();
    expect(second.settled).toBe(true);
    await renderer.end();
    expect(out.text).toBe(`${ada.id}\n42\n`);
  });

  it('end() waits until the target has drained', async () => {
    const out = new FakeTarget();
    out.full = true;
    const renderer = createRenderer({ format: 'json', schema: personSchema, out, fields: 'id' });
    await renderer.write(retrieved);
    const end = watch(renderer.end());
    await nextTurn();
    expect(end.settled).toBe(false);
    expect(out.text).toBe('[\n  {\n    "id": 42\n  }\n]\n');
    out.drain();
    await nextTurn();
    expect(end.settled).toBe(true);
  });

  it('rejects write() after end()', async () => {
    const renderer = createRenderer({ format: 'jsonl', schema: personSchema, out: new FakeTarget() });
    await renderer.end();
    await expect(renderer.write(ada)).rejects.toThrow(/after end/);
  });
});

describe('OutputSink', () => {
  it('coalesces small chunks into one write per turn of the event loop', async () => {
    const out = new FakeTarget();
    const sink = new OutputSink(out);
    await sink.write('a');
    await sink.write('b');
    await sink.write('c');
    expect(out.chunks).toEqual([]);
    await nextTurn();
    expect(out.chunks).toEqual(['abc']);
  });

  it('writes as soon as the buffer reaches its size', async () => {
    const out = new FakeTarget();
    const sink = new OutputSink(out, 4);
    await sink.write('ab');
    expect(out.chunks).toEqual([]);
    await sink.write('cd');
    expect(out.chunks).toEqual(['abcd']);
    await sink.write('e');
    await sink.close();
    expect(out.chunks).toEqual(['abcd', 'e']);
  });

  it('never writes while it waits for drain', async () => {
    const out = new FakeTarget();
    out.full = true;
    const sink = new OutputSink(out, 2);
    await expect(Promise.race([sink.write('ab'), nextTurn().then(() => 'waiting')])).resolves.toBe('waiting');
    const pending = watch(sink.write('cd'));
    await nextTurn();
    expect(out.chunks).toEqual(['ab']);
    expect(pending.settled).toBe(false);
    out.drain();
    await nextTurn();
    await sink.close();
    expect(out.chunks).toEqual(['ab', 'cd']);
  });
});
