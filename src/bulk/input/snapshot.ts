// The input's snapshot: the bytes a regular file held when it was checked, kept as SHA-256
// hashes of the whole and of every block, so the second pass hands on only bytes that match what
// was checked and confirmed (src/bulk/input/read-input.ts reads the file twice through it).
import { createHash, type Hash } from 'node:crypto';
import { CliError, ExitCode } from '../../errors.js';

/** What the input was, byte for byte: recorded in the journal so --resume can tell a changed file. */
export interface InputDigest {
  size: number;
  /** SHA-256 of the whole input, hex. */
  sha256: string;
}

/** The second pass hands bytes on a block at a time, each once its hash matches the first pass's. */
export const CHECK_BLOCK_BYTES = 64 * 1024;

/**
 * The bytes of the first pass, hashed as they go by: SHA-256 of the whole input (for the journal)
 * and of every CHECK_BLOCK_BYTES block (for the second pass to compare against).
 */
export class BlockHashes {
  private readonly whole = createHash('sha256');
  private block: Hash = createHash('sha256');
  private inBlock = 0;
  private size = 0;
  private readonly blocks: Buffer[] = [];
  private finished = false;

  async *hashing(bytes: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer | string> {
    for await (const chunk of bytes) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      this.whole.update(buffer);
      this.size += buffer.length;
      for (let at = 0; at < buffer.length; ) {
        const piece = buffer.subarray(at, at + CHECK_BLOCK_BYTES - this.inBlock);
        this.block.update(piece);
        this.inBlock += piece.length;
        at += piece.length;
        if (this.inBlock === CHECK_BLOCK_BYTES) this.endBlock();
      }
      yield chunk;
    }
  }

  private endBlock(): void {
    this.blocks.push(this.block.digest());
    this.block = createHash('sha256');
    this.inBlock = 0;
  }

  digest(): InputDigest {
    if (!this.finished) {
      if (this.inBlock > 0) this.endBlock();
      this.finished = true;
    }
    return { size: this.size, sha256: this.whole.copy().digest('hex') };
  }

  /**
   * The bytes of a later pass, handed on a block at a time and only once the block's hash matches
   * what the first pass checked. The last block is held until the end of the input, so bytes
   * appended meanwhile are caught before any of it is handed on.
   */
  async *verifying(bytes: AsyncIterable<Buffer | string>, name: string): AsyncGenerator<Buffer> {
    const size = this.size;
    let held: Buffer[] = [];
    let inBlock = 0;
    let block = 0;
    let read = 0;
    let hash = createHash('sha256');
    const check = (): Buffer[] => {
      if (!hash.digest().equals(this.blocks[block]!)) {
        throw changed(name, `its bytes ${(block * CHECK_BLOCK_BYTES).toLocaleString('en-US')} to ${(block * CHECK_BLOCK_BYTES + inBlock).toLocaleString('en-US')} differ`);
      }
      const out = held;
      held = [];
      inBlock = 0;
      block++;
      hash = createHash('sha256');
      return out;
    };
    for await (const chunk of bytes) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      for (let at = 0; at < buffer.length; ) {
        // More bytes once `size` were read (the last block, full or not, is still held): appended.
        if (read === size) throw changed(name, `it is longer than the ${size.toLocaleString('en-US')} bytes checked`);
        const piece = buffer.subarray(at, at + CHECK_BLOCK_BYTES - inBlock);
        at += piece.length;
        read += piece.length;
        if (read > size) throw changed(name, `it is longer than the ${size.toLocaleString('en-US')} bytes checked`);
        hash.update(piece);
        held.push(piece);
        inBlock += piece.length;
        if (inBlock === CHECK_BLOCK_BYTES && read < size) yield* check();
      }
    }
    if (read < size) throw changed(name, `it is shorter than the ${size.toLocaleString('en-US')} bytes checked`);
    if (inBlock > 0) yield* check();
  }
}

export function changed(name: string, detail: string): CliError {
  return new CliError(
    `${name} changed after it was checked (${detail}); nothing from the changed part was sent`,
    ExitCode.failure,
    'Put the file back as it was checked and rerun the same command with --resume, or start a new run for the new content with another --journal PATH.',
  );
}
