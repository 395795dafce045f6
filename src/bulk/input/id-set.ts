// An exact set of identifiers kept in typed arrays rather than as JavaScript strings.
//
// A bulk run has to know which identifiers it has already seen (duplicates in the input, or those
// a journal records done), and a file can hold hundreds of thousands of them. In a Set<string> each
// one costs a heap string plus a slot in a hash table that V8 rebuilds as it grows, about 95 bytes
// of heap an identifier, and every string survives the young generation and is copied into the old
// one, which makes V8 size its whole heap up. Here an identifier costs its UTF-8 bytes in one
// buffer and 16 to 24 bytes of index (its hash, where its bytes start, and two to four slots of the
// table), all outside the JavaScript heap, and adding one allocates no object that outlives the call.
//
// Exact: two identifiers are the same only when their text is. The 32-bit hash only says where to
// look and rules out most mismatches; a hash match is confirmed by comparing the stored bytes.

const EMPTY = 0;
const FIRST_CAPACITY = 1024; // entries, and half the first slot table
const FIRST_ARENA_BYTES = 64 * 1024;
const MAX_ARENA_BYTES = 2 ** 32 - 1; // offsets are 32-bit
const MAX_PRESIZED_ENTRIES = 2 ** 24;

/** Set by hashId: the last string hashed holds a surrogate code unit (paired or not). */
let sawSurrogate = false;

/** FNV-1a over the UTF-16 code units: cheap, and needs no encoding of the string first. */
export function hashId(id: string): number {
  let hash = 0x811c9dc5;
  let surrogate = false;
  for (let i = 0; i < id.length; i++) {
    const unit = id.charCodeAt(i);
    if ((unit & 0xf800) === 0xd800) surrogate = true;
    hash ^= unit;
    hash = Math.imul(hash, 0x01000193);
  }
  sawSurrogate = surrogate;
  return hash >>> 0;
}

/** A surrogate without its pair: UTF-8 cannot hold it (it would come back as U+FFFD). */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** What a bulk run needs of a set of identifiers: a Set<string> or an IdSet will do. */
export interface IdLookup {
  has(id: string): boolean;
  readonly size: number;
}

export interface IdSetOptions {
  /**
   * What the identifiers' UTF-8 may add up to, when known (a file's size bounds it). The buffers
   * are then taken at about that size at once rather than copied each time they double; memory
   * that is never written to is never touched, so this costs only what is used.
   */
  expectedBytes?: number;
  /** Keep a number with each identifier (addOrGet's value). Off, the set is 4 bytes an entry smaller. */
  values?: boolean;
  /** The hash function: only for tests, to force collisions. */
  hash?: (id: string) => number;
}

interface Buffers {
  arena: Buffer;
  hashes: Uint32Array;
  starts: Uint32Array;
  slots: Uint32Array;
}

/** The buffers of the last set released, for the next set made to start with (see release). */
let spare: Buffers | undefined;

export class IdSet {
  /** entry index + 1 at each slot (0 = empty); open addressing, linear probing, at most half full */
  private slots: Uint32Array;
  private hashes: Uint32Array;
  /** where entry i's bytes start in the arena; they end where entry i + 1's start */
  private starts: Uint32Array;
  private values: Uint32Array | undefined;
  private arena: Buffer;
  private used = 0;
  private count = 0;
  private readonly hash: ((id: string) => number) | undefined;
  /**
   * Identifiers UTF-8 cannot store exactly (a lone surrogate, which only a JSON escape like "\ud800"
   * can produce): kept as strings, so that two of them never pass for the same one. Each still
   * takes an entry (with no bytes in the arena and no slot), so the order of entries stays the
   * order in which identifiers were added.
   */
  private oddOnes: { entryOf: Map<string, number>; textOf: Map<number, string> } | undefined;
  private released = false;

  constructor(options: IdSetOptions = {}) {
    const bytes = Math.min(Math.max(FIRST_ARENA_BYTES, options.expectedBytes ?? 0), MAX_ARENA_BYTES);
    const taken = spare;
    spare = undefined;
    if (taken !== undefined && taken.arena.length >= bytes) {
      this.arena = taken.arena;
      this.hashes = taken.hashes;
      this.starts = taken.starts;
      this.slots = taken.slots.fill(EMPTY);
    } else {
      this.arena = Buffer.allocUnsafe(bytes);
      // Identifiers of a file take at least 8 bytes a line on average in practice (a UUID takes
      // 37); a file of shorter ones just makes the entry arrays double a few times.
      const capacity = Math.min(Math.max(FIRST_CAPACITY, Math.ceil(bytes / 8)), MAX_PRESIZED_ENTRIES);
      this.hashes = new Uint32Array(capacity);
      this.starts = new Uint32Array(capacity + 1);
      this.slots = new Uint32Array(FIRST_CAPACITY * 2);
    }
    this.values = options.values === true ? new Uint32Array(this.hashes.length) : undefined;
    this.hash = options.hash;
  }

  /**
   * Hands this set's buffers to the next IdSet made, and makes this one unusable. Memory outside
   * the JavaScript heap is given back only when the garbage collector gets to the objects holding
   * it, which for long-lived ones can be much later: a --resume run would otherwise hold the input's
   * duplicate index and the journal's set of identifiers done at the same time.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (spare === undefined || spare.arena.length < this.arena.length) {
      spare = { arena: this.arena, hashes: this.hashes, starts: this.starts, slots: this.slots };
    }
    this.count = 0;
    this.oddOnes = undefined;
  }

  /** Lets go of the buffers a released set left for the next one, when no set is to follow. */
  static dropSpare(): void {
    spare = undefined;
  }

  private checkUsable(): void {
    if (this.released) throw new Error('IdSet: used after release()');
  }

  get size(): number {
    return this.count;
  }

  /** The identifier of entry `entry` (0 ≤ entry < size), in the order they were added. */
  idAt(entry: number): string {
    this.checkUsable();
    if (entry < 0 || entry >= this.count) throw new RangeError(`IdSet: no entry ${entry}`);
    return this.textOf(entry);
  }

  /** The number kept with entry `entry` (0 without the values option). */
  valueAt(entry: number): number {
    this.checkUsable();
    if (entry < 0 || entry >= this.count) throw new RangeError(`IdSet: no entry ${entry}`);
    return this.values?.[entry] ?? 0;
  }

  /** The slot hash of `id`, or undefined for an identifier UTF-8 cannot store. */
  private hashOf(id: string): number | undefined {
    const hash = hashId(id);
    if (sawSurrogate && LONE_SURROGATE.test(id)) return undefined;
    return this.hash === undefined ? hash : this.hash(id) >>> 0;
  }

  has(id: string): boolean {
    this.checkUsable();
    const hash = this.hashOf(id);
    if (hash === undefined) return this.oddOnes?.entryOf.has(id) ?? false;
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = this.slots[slot];
      if (at === EMPTY) return false;
      if (this.hashes[at - 1] === hash && this.textOf(at - 1) === id) return true;
    }
  }

  /**
   * Adds `id` with a number kept beside it (a line, say) unless it is already here. Returns -1 when
   * it was added, or the number kept with the earlier copy (0 without the values option).
   */
  addOrGet(id: string, value = 0): number {
    this.checkUsable();
    const hash = this.hashOf(id);
    if (hash === undefined) {
      this.oddOnes ??= { entryOf: new Map(), textOf: new Map() };
      const earlier = this.oddOnes.entryOf.get(id);
      if (earlier !== undefined) return this.values?.[earlier] ?? 0;
      const entry = this.newEntry(value);
      this.oddOnes.entryOf.set(id, entry);
      this.oddOnes.textOf.set(entry, id);
      return -1;
    }
    if ((this.count + 1) * 2 > this.slots.length) this.growSlots();
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (let at = this.slots[slot]; at !== EMPTY; at = this.slots[slot]) {
      if (this.hashes[at - 1] === hash && this.textOf(at - 1) === id) return this.values?.[at - 1] ?? 0;
      slot = (slot + 1) & mask;
    }
    this.store(id);
    const entry = this.newEntry(value);
    this.hashes[entry] = hash;
    this.slots[slot] = entry + 1;
    return -1;
  }

  /** Takes the next entry, whose bytes are those stored since the last one. */
  private newEntry(value: number): number {
    if (this.count >= this.hashes.length) this.growEntries();
    const entry = this.count++;
    if (this.values) this.values[entry] = value;
    this.starts[this.count] = this.used;
    return entry;
  }

  /** Adds `id`; true when it was not here before. */
  add(id: string): boolean {
    return this.addOrGet(id) === -1;
  }

  /** Every identifier once, in the order added. */
  *[Symbol.iterator](): IterableIterator<string> {
    this.checkUsable();
    for (let entry = 0; entry < this.count; entry++) yield this.textOf(entry);
  }

  private textOf(entry: number): string {
    const odd = this.oddOnes?.textOf.get(entry);
    if (odd !== undefined) return odd;
    return this.arena.toString('utf8', this.starts[entry], this.starts[entry + 1]);
  }

  private store(id: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit; make room for the worst case.
    const needed = this.used + id.length * 3;
    if (needed > this.arena.length) {
      if (needed > MAX_ARENA_BYTES) throw new RangeError('IdSet: more than 4 GiB of identifiers');
      let size = this.arena.length * 2;
      while (size < needed) size *= 2;
      const bigger = Buffer.allocUnsafe(Math.min(size, MAX_ARENA_BYTES));
      this.arena.copy(bigger, 0, 0, this.used);
      this.arena = bigger;
    }
    this.used += this.arena.write(id, this.used, 'utf8');
  }

  private growEntries(): void {
    const capacity = this.hashes.length * 2;
    this.hashes = copyInto(new Uint32Array(capacity), this.hashes);
    this.starts = copyInto(new Uint32Array(capacity + 1), this.starts);
    if (this.values) this.values = copyInto(new Uint32Array(capacity), this.values);
  }

  /** Doubles the slot table and places every entry again from its stored hash. */
  private growSlots(): void {
    const slots = new Uint32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.count; entry++) {
      if (this.oddOnes?.textOf.has(entry)) continue; // never in the table
      let slot = this.hashes[entry] & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }
}

function copyInto<T extends Uint32Array>(target: T, source: Uint32Array): T {
  target.set(source);
  return target;
}

/** A list of increasing numbers (the lines of skipped rows), four bytes each. */
export class LineList {
  private items = new Uint32Array(256);
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(line: number): void {
    if (this.count > 0 && line <= this.items[this.count - 1]) throw new RangeError('LineList: lines must increase');
    if (this.count === this.items.length) this.items = copyInto(new Uint32Array(this.items.length * 2), this.items);
    this.items[this.count++] = line;
  }

  /** A cursor that answers "is this line listed?" for lines asked in increasing order. */
  cursor(): (line: number) => boolean {
    let next = 0;
    return (line) => {
      while (next < this.count && this.items[next] < line) next++;
      return next < this.count && this.items[next] === line;
    };
  }
}
