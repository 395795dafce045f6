// Bytes to text to lines, streaming: strict UTF-8 decoding, the BOM removed, and line splitting
// that accepts LF, CRLF and lone CR however the chunks happen to be cut.

import { UsageError } from '../../errors.js';

const BOM = 0xfeff;

/**
 * Decodes UTF-8 and strips a leading byte order mark. Invalid UTF-8 is an error rather than
 * replacement characters: a mangled identifier would silently miss its person, or worse, a
 * mangled property value would be written to everyone in the file.
 */
export async function* decodeText(bytes: AsyncIterable<Buffer | string>, name: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let atStart = true;
  let newlinesBefore = 0;
  for await (const chunk of bytes) {
    let text: string;
    if (typeof chunk === 'string') {
      text = chunk;
    } else {
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        throw notUtf8(name, newlinesBefore + newlinesBeforeBadByte(chunk));
      }
    }
    if (atStart && text.length > 0) {
      if (text.charCodeAt(0) === BOM) text = text.slice(1);
      atStart = false;
    }
    newlinesBefore += countNewlines(text);
    if (text.length > 0) yield text;
  }
  let tail: string;
  try {
    tail = decoder.decode();
  } catch {
    throw notUtf8(name, newlinesBefore);
  }
  if (tail.length > 0) yield tail;
}

function notUtf8(name: string, newlinesBefore: number): UsageError {
  return new UsageError(`${name} line ${newlinesBefore + 1}: not UTF-8 text`, 'Save the file as UTF-8 and try again.');
}

/** Where a chunk that failed strict decoding goes wrong, as a count of newlines before that point. */
function newlinesBeforeBadByte(chunk: Buffer): number {
  const lenient = new TextDecoder('utf-8', { ignoreBOM: true }).decode(chunk);
  const bad = lenient.indexOf('\ufffd');
  return countNewlines(bad === -1 ? lenient : lenient.slice(0, bad));
}

function countNewlines(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Splits text into lines at LF, CRLF or a lone CR, yielding the complete lines of each chunk
 * together. A file that ends with a line break has no extra empty line after it.
 *
 * Each chunk is split on its own and only the piece of a line cut between two chunks is joined,
 * so the decoder's chunks are never copied whole; a chunk without a CR is split on "\n" alone.
 */
export async function* splitLines(chunks: AsyncIterable<string>, limit?: { maxChars: number; tooLong: (line: number) => Error }): AsyncGenerator<string[]> {
  let rest = ''; // the start of a line cut at the end of the last chunk
  let heldCr = false; // that chunk ended with a CR, which may be the first half of a CRLF
  let linesBefore = 0; // lines yielded so far, to name a line that is too long
  for await (let chunk of chunks) {
    if (chunk.length === 0) continue;
    const lines: string[] = [];
    if (heldCr) {
      // The CR ended a line whether or not an LF follows it.
      lines.push(rest);
      rest = '';
      heldCr = false;
      if (chunk.charCodeAt(0) === LF) chunk = chunk.slice(1);
    }
    if (chunk.charCodeAt(chunk.length - 1) === CR) {
      heldCr = true;
      chunk = chunk.slice(0, -1);
    }
    const pieces = chunk.includes('\r') ? chunk.split(LINE_BREAK) : chunk.split('\n');
    if (limit !== undefined) {
      // Checked before joining, so a runaway line never grows past the limit in memory.
      const tooLongAt = pieces.findIndex((piece, at) => (at === 0 ? rest.length : 0) + piece.length > limit.maxChars);
      if (tooLongAt !== -1) throw limit.tooLong(linesBefore + lines.length + tooLongAt + 1);
    }
    if (rest !== '') pieces[0] = rest + pieces[0];
    rest = pieces.pop()!;
    for (const piece of pieces) lines.push(piece);
    linesBefore += lines.length;
    if (lines.length > 0) yield lines;
  }
  if (heldCr || rest !== '') yield [rest];
}

const CR = 0x0d;
const LF = 0x0a;

/**
 * Reads just far enough to see the first non-blank line (to guess the format), and returns it
 * with a text stream that replays everything from the start. Only the head of the input is held.
 * Call `close` when giving up without reading `text` (a generator never started cannot clean up).
 */
export async function peekFirstLine(
  chunks: AsyncIterable<string>,
  limit?: { maxChars: number; tooLong: (line: number) => Error },
): Promise<{ firstLine: string | undefined; text: AsyncGenerator<string>; close: () => Promise<void> }> {
  const source = chunks[Symbol.asyncIterator]();
  const head: string[] = [];
  let pending = ''; // the start of the line being read (never longer than the limit)
  let linesBefore = 0;
  let firstLine: string | undefined;
  try {
    // Each chunk is scanned once, so a long run of blank lines or a runaway first line costs
    // linear time.
    reading: for (;;) {
      const next = await source.next();
      if (next.done) {
        if (pending.trim() !== '') firstLine = pending;
        break;
      }
      const chunk = next.value;
      head.push(chunk);
      let at = 0;
      const breaks = new RegExp(LINE_BREAK.source, 'g');
      for (let found = breaks.exec(chunk); found !== null; found = breaks.exec(chunk)) {
        const line = pending + chunk.slice(at, found.index);
        pending = '';
        linesBefore++;
        at = found.index + found[0].length;
        if (line.trim() !== '') {
          firstLine = line;
          break reading;
        }
      }
      pending += chunk.slice(at);
      if (limit !== undefined && pending.length > limit.maxChars) throw limit.tooLong(linesBefore + 1);
    }
  } catch (err) {
    await source.return?.();
    throw err;
  }
  async function* replay(): AsyncGenerator<string> {
    try {
      yield* head;
      for (let next = await source.next(); !next.done; next = await source.next()) yield next.value;
    } finally {
      await source.return?.();
    }
  }
  const close = async (): Promise<void> => {
    await source.return?.();
  };
  return { firstLine, text: replay(), close };
}


