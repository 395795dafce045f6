// The journal's hash chain, checked: every line carries in `prev` the SHA-256 (lowercase hex) of
// the bytes of the line before it, so a line edited, removed, added or moved after it was written
// breaks the chain at the line after it. Journal.append (journal.ts) is the only writer of `prev`.
//
// What the chain proves is limited, and the docs say so: whoever can write the file can also
// recompute every hash. It shows that the file was not changed by hand or by a tool that does not
// know the chain, and the hash of its last line (lastHash), kept elsewhere, pins the whole file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { UsageError } from '../../errors.js';

export type ChainCheck =
  | {
      ok: true;
      /** complete lines */
      lines: number;
      /** lines at the start written by an earlier version, before the chain began */
      unchained: number;
      /** SHA-256 of the last complete line: record it elsewhere to pin the whole file */
      lastHash: string | null;
      /** the file ends in an unfinished line (a write cut short by a kill), which is not part of the record */
      tornTail: boolean;
    }
  | {
      ok: false;
      /** 1-based number of the first line that does not follow the line before it */
      line: number;
      kind: 'mismatch' | 'missing' | 'damaged';
      message: string;
    };

export type ChainBreak = Extract<ChainCheck, { ok: false }>;

/** The SHA-256 of a journal line's bytes (without its "\n"), as `prev` records it. */
export function lineHash(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads the journal once, hashing each line as it streams by: a journal of any size is never held whole. */
export async function checkChain(path: string): Promise<ChainCheck> {
  const state = new ChainState();
  let rest: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      const data = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
      let start = 0;
      for (let at = data.indexOf(0x0a); at !== -1; at = data.indexOf(0x0a, start)) {
        const broken = state.add(data.subarray(start, at));
        if (broken) return broken;
        start = at + 1;
      }
      // A copy: the stream may reuse the chunk's memory.
      rest = Buffer.from(data.subarray(start));
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`no journal at ${path}`);
    throw new UsageError(`cannot read the journal ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let tornTail = false;
  if (rest.length > 0) {
    // An unterminated last line: a complete entry (a kill between the line and its "\n", which the
    // next run completes) is checked like any line; a fragment is a torn write, not tampering.
    if (parseLine(rest) === undefined) tornTail = true;
    else {
      const broken = state.add(rest);
      if (broken) return broken;
    }
  }
  return { ok: true, lines: state.lines, unchained: state.unchained, lastHash: state.lastHash, tornTail };
}

/** The line's `prev`: a string, null, absent (undefined in `prev`), or the line is not a JSON object (undefined). */
function parseLine(bytes: Buffer): { prev: unknown; has: boolean } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return { prev: (value as { prev?: unknown }).prev, has: Object.prototype.hasOwnProperty.call(value, 'prev') };
}

class ChainState {
  lines = 0;
  unchained = 0;
  lastHash: string | null = null;
  private started = false;

  add(bytes: Buffer): ChainBreak | undefined {
    const n = ++this.lines;
    const parsed = parseLine(bytes);
    if (parsed === undefined) {
      return { ok: false, line: n, kind: 'damaged', message: `line ${n} is not a journal entry (not valid JSON): the journal was changed or damaged after it was written` };
    }
    const before = this.lastHash;
    this.lastHash = lineHash(bytes);
    if (!parsed.has) {
      // Lines of an earlier version, before any chained line: not evidence either way.
      if (!this.started) {
        this.unchained++;
        return undefined;
      }
      return {
        ok: false,
        line: n,
        kind: 'missing',
        message: `line ${n} has no hash of line ${n - 1} (no "prev"), though the chain started before it: the journal was changed after it was written`,
      };
    }
    this.started = true;
    if (parsed.prev === before) return undefined;
    if (n === 1) {
      return { ok: false, line: 1, kind: 'mismatch', message: 'line 1 records a line before it, but it is the first line: lines were removed from the start of the journal' };
    }
    return {
      ok: false,
      line: n,
      kind: 'mismatch',
      message: `line ${n} does not follow line ${n - 1}: the journal was changed after it was written (line ${n - 1} edited, or lines removed, added or reordered there)`,
    };
  }
}
