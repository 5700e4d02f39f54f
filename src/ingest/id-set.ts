/**
 * A set of record ids (strings and numbers, told apart as a Set tells them: 1 is not "1") kept
 * in flat typed arrays instead of a Set of strings, for the duplicate-id check of every file
 * and the file pass's list of the groups opened so far (pending-groups.ts), which see every id of a file.
 *
 * It is exact: an id is stored itself (its code units), not only a hash, so a hash collision
 * is never taken for a duplicate (that would be a false `duplicateId` error).
 *
 * Bytes per id (V8's Set<string> takes ~55 B for a short id):
 * - the table: 8 B per slot (a 32-bit hash and the entry's offset), at a load of 3/8 to 3/4,
 *   so 10.7 to 21.3 B per id. It is split in 64 tables by the hash's top bits, each grown on
 *   its own: growing holds a 64th of the table twice, not all of it (a 16 MB table for 900k
 *   ids would otherwise briefly need 24 MB);
 * - the entry: 1 B of kind, the length (1 B below 128 code units, 2 B below 16,384), then the
 *   code units, 1 B each when all are below 256 (Latin-1), else 2 B each; a number is 1 + 8 B.
 *   Entries are packed in 64 KiB chunks, so at most one chunk is partly empty (the first starts
 *   at 1 KiB and doubles: a file of a few records does not allocate 64 KiB for its ids).
 * For an id of 12 ASCII characters that is 25 to 36 B; n ids never take more than
 * 21.3·n + Σ(entry bytes) + 72 KiB (the 64 tables start at 128 B each; entries fill 64 KiB chunks).
 *
 * IdLog keeps the same entries in the order they come, for a file that can be read again: it
 * is checked for a repeat once, at the end (see IdLog for why and its bytes per id).
 */
import type { RawItem, RecordId } from '../types.js';

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;
/** Bytes the first chunk starts with (it doubles up to CHUNK as it fills). */
const FIRST_CHUNK = 1024;
const KIND_NUMBER = 0;
const KIND_LATIN1 = 1;
const KIND_UTF16 = 2;
/** Tables, chosen by the hash's top SUB_BITS bits; slots per table at first. */
const SUB_BITS = 6;
const SUB_SHIFT = 32 - SUB_BITS;
const FIRST_CAPACITY = 16;
/** All slots empty; shared by every table that holds no id yet (see IdSet.tables). */
const EMPTY_TABLE = new Uint32Array(FIRST_CAPACITY * 2);

/** Ids stored as entries in packed chunks (their code units, or a number's bytes), with their hash: what IdSet and IdLog share. */
class IdEntries {
  protected chunks: (Uint8Array | null)[] = [];
  /** Where the next entry goes, as an offset into the chunk space. */
  private end = 0;
  private readonly number = new Float64Array(1);
  private readonly numberBytes = new Uint8Array(this.number.buffer);
  /** Set by hash: the last string id hashed has a code unit above 0xff. */
  protected wide = false;

  /** SameValueZero, as a Set: every NaN is one id, and -0 is 0. */
  private setNumber(x: number): void {
    this.number[0] = Number.isNaN(x) ? NaN : x === 0 ? 0 : x;
  }

  /** FNV-1a over the kind and the code units (or the number's bytes), then murmur3's finaliser; notes in `wide` whether a string id needs UTF-16 (for store). */
  protected hash(id: RecordId): number {
    let h = 0x811c9dc5;
    if (typeof id === 'number') {
      this.setNumber(id);
      h = Math.imul(h ^ KIND_NUMBER, 0x01000193);
      for (let k = 0; k < 8; k++) h = Math.imul(h ^ this.numberBytes[k], 0x01000193);
    } else {
      h = Math.imul(h ^ KIND_LATIN1, 0x01000193);
      let units = 0;
      for (let k = 0; k < id.length; k++) {
        const c = id.charCodeAt(k);
        units |= c;
        h = Math.imul(h ^ c, 0x01000193);
      }
      this.wide = units > 0xff;
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  }

  /** Whether the entry at offset is id. Entries never straddle chunks, so one chunk holds it. */
  protected equals(offset: number, id: RecordId): boolean {
    const chunk = this.chunks[offset >>> CHUNK_BITS]!;
    let p = offset & CHUNK_MASK;
    const kind = chunk[p++];
    if (typeof id === 'number') {
      if (kind !== KIND_NUMBER) return false;
      this.setNumber(id);
      for (let k = 0; k < 8; k++) if (chunk[p + k] !== this.numberBytes[k]) return false;
      return true;
    }
    if (kind === KIND_NUMBER) return false;
    let length = chunk[p++];
    if (length >= 0x80) length = (length & 0x7f) | (chunk[p++] << 7);
    if (length >= 0x4000) length = (length & 0x3fff) | (chunk[p++] << 14) | (chunk[p++] << 22);
    if (length !== id.length) return false;
    if (kind === KIND_LATIN1) {
      for (let k = 0; k < length; k++) if (chunk[p + k] !== id.charCodeAt(k)) return false;
      return true;
    }
    for (let k = 0; k < length; k++) if ((chunk[p + 2 * k] | (chunk[p + 2 * k + 1] << 8)) !== id.charCodeAt(k)) return false;
    return true;
  }

  /** Writes id's entry and returns its offset; `wide`: a code unit of the string id is above 0xff (as hash found). */
  protected store(id: RecordId, wide: boolean): number {
    if (typeof id === 'number') {
      const p = this.reserve(9);
      const chunk = this.chunks[p >>> CHUNK_BITS]!;
      const at = p & CHUNK_MASK;
      chunk[at] = KIND_NUMBER;
      this.setNumber(id);
      chunk.set(this.numberBytes, at + 1);
      return p;
    }
    const n = id.length;
    const lengthBytes = n < 0x80 ? 1 : n < 0x4000 ? 2 : 4;
    const p = this.reserve(1 + lengthBytes + (wide ? 2 * n : n));
    const chunk = this.chunks[p >>> CHUNK_BITS]!;
    let at = p & CHUNK_MASK;
    chunk[at++] = wide ? KIND_UTF16 : KIND_LATIN1;
    if (lengthBytes === 1) chunk[at++] = n;
    else if (lengthBytes === 2) {
      chunk[at++] = (n & 0x7f) | 0x80;
      chunk[at++] = n >>> 7;
    } else {
      chunk[at++] = (n & 0x7f) | 0x80;
      chunk[at++] = ((n >>> 7) & 0x7f) | 0x80;
      chunk[at++] = (n >>> 14) & 0xff;
      chunk[at++] = n >>> 22;
    }
    if (wide) {
      for (let k = 0; k < n; k++) {
        const c = id.charCodeAt(k);
        chunk[at++] = c & 0xff;
        chunk[at++] = c >>> 8;
      }
    } else for (let k = 0; k < n; k++) chunk[at++] = id.charCodeAt(k);
    return p;
  }

  /** Whether the entries at offsets a and b hold the same id: entries are canonical (an id has one), so their bytes are compared. */
  protected sameEntry(a: number, b: number): boolean {
    const ca = this.chunks[a >>> CHUNK_BITS]!;
    const cb = this.chunks[b >>> CHUNK_BITS]!;
    const pa = a & CHUNK_MASK;
    const pb = b & CHUNK_MASK;
    const bytes = this.entryBytes(ca, pa);
    if (this.entryBytes(cb, pb) !== bytes) return false;
    for (let k = 0; k < bytes; k++) if (ca[pa + k] !== cb[pb + k]) return false;
    return true;
  }

  /** The bytes of the entry at p of chunk: its kind, its length's bytes and its code units (or a number's 8). */
  private entryBytes(chunk: Uint8Array, p: number): number {
    const kind = chunk[p];
    if (kind === KIND_NUMBER) return 9;
    let length = chunk[p + 1];
    let head = 2;
    if (length >= 0x80) {
      length = (length & 0x7f) | (chunk[p + 2] << 7);
      head = 3;
    }
    if (length >= 0x4000) {
      length = (length & 0x3fff) | (chunk[p + 3] << 14) | (chunk[p + 4] << 22);
      head = 5;
    }
    return head + (kind === KIND_UTF16 ? 2 * length : length);
  }

  /**
   * Room for an entry of `bytes`: in the current chunk if it fits, else at the start of a new
   * one; an entry longer than a chunk gets a chunk of its own size, spanning that many chunk
   * numbers of the offset space.
   */
  private reserve(bytes: number): number {
    const at = this.end & CHUNK_MASK;
    if (this.end > 0 && at !== 0 && at + bytes <= CHUNK) {
      const index = this.end >>> CHUNK_BITS;
      const chunk = this.chunks[index]!;
      // Only the first chunk starts small (a file of a few records needs a few bytes): it doubles.
      if (at + bytes > chunk.length) {
        const bigger = new Uint8Array(Math.min(CHUNK, Math.max(at + bytes, 2 * chunk.length)));
        bigger.set(chunk);
        this.chunks[index] = bigger;
      }
      this.end += bytes;
      return this.end - bytes;
    }
    const start = at === 0 ? this.end : this.end - at + CHUNK;
    const span = Math.max(1, Math.ceil(bytes / CHUNK));
    const index = start / CHUNK;
    // Offsets + 1 must fit 32 bits.
    if (index + span >= 2 ** (32 - CHUNK_BITS)) throw new RangeError('IdSet: more than 4 GiB of ids');
    while (this.chunks.length < index) this.chunks.push(null);
    this.chunks.push(new Uint8Array(span > 1 ? bytes : index === 0 ? Math.min(CHUNK, Math.max(FIRST_CHUNK, bytes)) : CHUNK));
    for (let k = 1; k < span; k++) this.chunks.push(null);
    // After a long entry the next one starts a chunk of its own.
    this.end = span === 1 ? start + bytes : start + span * CHUNK;
    return start;
  }
}

export class IdSet extends IdEntries {
  /**
   * Per table, two words per slot: the id's hash, then its entry's offset + 1 (0 = empty slot).
   * Every table starts as the one shared empty table, never written, and gets its own on its
   * first id: a file of a few records makes two sets, which would otherwise allocate 128 tables.
   */
  private readonly tables: Uint32Array[] = new Array<Uint32Array>(1 << SUB_BITS).fill(EMPTY_TABLE);
  private readonly masks = new Uint32Array(1 << SUB_BITS).fill(FIRST_CAPACITY - 1);
  private readonly counts = new Uint32Array(1 << SUB_BITS);
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(id: RecordId): boolean {
    const h = this.hash(id);
    return this.find(id, h, h >>> SUB_SHIFT) >= 0;
  }

  /** Adds the id; false when it was there already. */
  add(id: RecordId): boolean {
    const h = this.hash(id);
    const s = h >>> SUB_SHIFT;
    if (this.find(id, h, s) >= 0) return false;
    if ((this.counts[s] + 1) * 4 > (this.masks[s] + 1) * 3) this.grow(s);
    else if (this.tables[s] === EMPTY_TABLE) this.tables[s] = new Uint32Array(FIRST_CAPACITY * 2);
    const offset = this.store(id, this.wide);
    const t = this.tables[s];
    const mask = this.masks[s];
    let i = h & mask;
    while (t[2 * i + 1] !== 0) i = (i + 1) & mask;
    t[2 * i] = h;
    t[2 * i + 1] = offset + 1;
    this.counts[s]++;
    this.count++;
    return true;
  }

  /** The slot of table s holding id, or -1. */
  private find(id: RecordId, h: number, s: number): number {
    const t = this.tables[s];
    const mask = this.masks[s];
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const at = t[2 * i + 1];
      if (at === 0) return -1;
      if (t[2 * i] === h && this.equals(at - 1, id)) return i;
    }
  }

  private grow(s: number): void {
    const old = this.tables[s];
    const capacity = (this.masks[s] + 1) * 2;
    const t = new Uint32Array(capacity * 2);
    const mask = capacity - 1;
    for (let j = 0; j < old.length; j += 2) {
      if (old[j + 1] === 0) continue;
      let i = old[j] & mask;
      while (t[2 * i + 1] !== 0) i = (i + 1) & mask;
      t[2 * i] = old[j];
      t[2 * i + 1] = old[j + 1];
    }
    this.tables[s] = t;
    this.masks[s] = mask;
  }

}

/**
 * Ids kept in the order they come, for a duplicate check made once, at the end (`repeats`): the
 * file pass of a file that can be read again logs its record ids and reads the file again,
 * checking each id as it comes, only when one repeats (file-pass.ts). Appending is sequential
 * (a hash and an entry, as IdSet stores it), where a set's insert lands on a random slot of a
 * table that the parsing around it has pushed out of the cache. Parsing 226k score rows of the
 * benchmark and keeping their ids took ~80 ms more with IdSet.add than with none, ~12 ms more
 * with IdLog.append, and `repeats` ~12 ms at the end.
 *
 * Bytes per id: the entry (as IdSet's), 4 of hash and 4 of offset in arrays that double (so
 * at most 16 per id), and during `repeats` 8 more per id for the sort.
 */
export class IdLog extends IdEntries {
  private hashes = new Uint32Array(256);
  private offsets = new Uint32Array(256);
  private count = 0;

  get size(): number {
    return this.count;
  }

  append(id: RecordId): void {
    const h = this.hash(id);
    if (this.count === this.hashes.length) {
      const hashes = new Uint32Array(2 * this.count);
      hashes.set(this.hashes);
      this.hashes = hashes;
      const offsets = new Uint32Array(2 * this.count);
      offsets.set(this.offsets);
      this.offsets = offsets;
    }
    this.hashes[this.count] = h;
    this.offsets[this.count] = this.store(id, this.wide);
    this.count++;
  }

  /** Whether an id was appended more than once: the hashes sorted, then the ids of each hash that repeats compared exactly. */
  repeats(): boolean {
    const n = this.count;
    if (n < 2) return false;
    const sorted = radixSort(this.hashes.subarray(0, n));
    let shared: Set<number> | null = null;
    for (let i = 1; i < n; i++) if (sorted[i] === sorted[i - 1]) (shared ??= new Set()).add(sorted[i]);
    if (!shared) return false;
    // Hashes shared by different ids are rare (n²/2³³ pairs expected): each is looked at alone.
    const byHash = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const h = this.hashes[i];
      if (!shared.has(h)) continue;
      let offsets = byHash.get(h);
      if (!offsets) byHash.set(h, (offsets = []));
      for (const o of offsets) if (this.sameEntry(o, this.offsets[i])) return true;
      offsets.push(this.offsets[i]);
    }
    return false;
  }
}

/** A sorted copy of the words: least significant byte first, four counting passes (a typed array's sort took ~14 ms on 226k words, this ~10). */
function radixSort(words: Uint32Array): Uint32Array {
  let from = words.slice();
  let to = new Uint32Array(words.length);
  const counts = new Uint32Array(256);
  for (let shift = 0; shift < 32; shift += 8) {
    counts.fill(0);
    for (let i = 0; i < from.length; i++) counts[(from[i] >>> shift) & 0xff]++;
    let sum = 0;
    for (let b = 0; b < 256; b++) {
      const c = counts[b];
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < from.length; i++) to[counts[(from[i] >>> shift) & 0xff]++] = from[i];
    [from, to] = [to, from];
  }
  return from;
}

/** A record whose id an earlier record of its file has: invalid (ids name records in findings). Adds a new id to `seen`. */
export function checkUniqueId(item: RawItem, seen: IdSet): RawItem {
  return item.kind === 'record' ? (duplicateId(item.file, item.line, item.record.id, seen) ?? item) : item;
}

/** The invalid item of a record whose id `seen` holds, else null (and the id is added). */
export function duplicateId(file: string, line: number, id: string | number, seen: IdSet): RawItem | null {
  if (seen.add(id)) return null;
  return { kind: 'invalid', file, line, recordId: id, code: 'duplicateId', message: `duplicate id ${JSON.stringify(id)} in this file` };
}
