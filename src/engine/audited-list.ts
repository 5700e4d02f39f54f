/**
 * The list of what a file pass audited (FileSummary.auditedItems: one entry per ungrouped
 * record and per multiple-choice group, at its first line), kept compact: JUnit's testcases and
 * a shard's partial report need every entry, and a file of a million records has a million.
 *
 * An array of `{kind, id, line}` objects takes ~65 B per entry and more (the object, its slot, the
 * id string). Here entries are packed by PIECE: a Float64Array of lines (8 B), a Uint8Array of
 * flags (1 B), a Uint32Array of where each id's text ends (4 B), and the ids' text joined into one
 * string once the piece is full (1 B per character for Latin-1 text, 2 B otherwise). For an id of
 * 10 characters that is ~23 B per entry; n entries never take more than 13·n B + the ids' text
 * + one piece (13 KiB; the first piece of a list starts at 16 entries and doubles).
 *
 * It is plain data (objects, typed arrays, strings): a worker's list crosses `postMessage` as
 * it is, with nothing to revive. Read it with auditedEntries, build it with addAudited.
 */

/** An audited record (no group) or a multiple-choice group, at its first line. */
export interface AuditedItem {
  kind: 'record' | 'group';
  id: string | number;
  line: number;
}

export interface AuditedList {
  length: number;
  /** Whether the entries are in line order (stably: ties in the order they were added). sortAudited makes them so. */
  inOrder: boolean;
  pieces: AuditedPiece[];
}

interface AuditedPiece {
  lines: Float64Array;
  /** FLAG_GROUP (else a record), FLAG_NUMBER (the id is a number; its text is String(id), "-0" for -0). */
  flags: Uint8Array;
  /** Where each entry's id text ends in `text` (the first starts at 0). */
  ends: Uint32Array;
  /** The ids' text, joined, once the piece is full; until then it is '' and `open` holds each id's text. */
  text: string;
  open: string[];
}

/** Entries per piece (a power of two). */
const PIECE_BITS = 10;
const PIECE = 1 << PIECE_BITS;
const PIECE_MASK = PIECE - 1;
const FIRST_CAPACITY = 16;
const FLAG_GROUP = 1;
const FLAG_NUMBER = 2;

export function newAuditedList(): AuditedList {
  return { length: 0, inOrder: true, pieces: [] };
}

/** A list of these items, in their order. */
export function auditedListOf(items: Iterable<AuditedItem>): AuditedList {
  const list = newAuditedList();
  for (const item of items) addAudited(list, item.kind, item.id, item.line);
  return list;
}

export function addAudited(list: AuditedList, kind: AuditedItem['kind'], id: string | number, line: number): void {
  const number = typeof id === 'number';
  const text = number ? (Object.is(id, -0) ? '-0' : String(id)) : id;
  put(list, (kind === 'group' ? FLAG_GROUP : 0) | (number ? FLAG_NUMBER : 0), text, line);
}

export function clearAudited(list: AuditedList): void {
  list.length = 0;
  list.inOrder = true;
  list.pieces = [];
}

/** The entries in order, each a new AuditedItem. */
export function* auditedEntries(list: AuditedList): Generator<AuditedItem> {
  for (let i = 0; i < list.length; i++) {
    const piece = list.pieces[i >>> PIECE_BITS];
    const j = i & PIECE_MASK;
    const flags = piece.flags[j];
    const text = idText(piece, j);
    yield { kind: flags & FLAG_GROUP ? 'group' : 'record', id: flags & FLAG_NUMBER ? Number(text) : text, line: piece.lines[j] };
  }
}

/**
 * Puts the entries in line order, stably, as `Array.prototype.sort` by line would. Nothing is
 * done when they were added in order, as a file read front to back adds them but for a group
 * that finished after a later record. Returns the list.
 */
export function sortAudited(list: AuditedList): AuditedList {
  if (list.inOrder) return list;
  const n = list.length;
  const lines = new Float64Array(n);
  for (let i = 0; i < n; i++) lines[i] = list.pieces[i >>> PIECE_BITS].lines[i & PIECE_MASK];
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => lines[a] - lines[b]); // stable, as every sort is since ES2019
  const sorted = newAuditedList();
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const piece = list.pieces[i >>> PIECE_BITS];
    const j = i & PIECE_MASK;
    put(sorted, piece.flags[j], idText(piece, j), lines[i]);
  }
  list.pieces = sorted.pieces;
  list.inOrder = true;
  return list;
}

function idText(piece: AuditedPiece, j: number): string {
  // A full piece's `open` is empty; the last piece's holds every id it has.
  return piece.open.length > 0 ? piece.open[j] : piece.text.slice(j === 0 ? 0 : piece.ends[j - 1], piece.ends[j]);
}

function put(list: AuditedList, flags: number, text: string, line: number): void {
  const j = list.length & PIECE_MASK;
  let piece = list.pieces[list.length >>> PIECE_BITS];
  if (!piece) {
    const capacity = list.pieces.length === 0 ? FIRST_CAPACITY : PIECE;
    piece = { lines: new Float64Array(capacity), flags: new Uint8Array(capacity), ends: new Uint32Array(capacity), text: '', open: [] };
    list.pieces.push(piece);
  } else if (j === piece.lines.length) grow(piece);
  if (list.length > 0 && line < lastLine(list)) list.inOrder = false;
  piece.lines[j] = line;
  piece.flags[j] = flags;
  piece.ends[j] = (j === 0 ? 0 : piece.ends[j - 1]) + text.length;
  piece.open.push(text);
  list.length++;
  if (j === PIECE - 1) {
    piece.text = piece.open.join('');
    piece.open = [];
  }
}

function lastLine(list: AuditedList): number {
  const i = list.length - 1;
  return list.pieces[i >>> PIECE_BITS].lines[i & PIECE_MASK];
}

function grow(piece: AuditedPiece): void {
  const capacity = Math.min(PIECE, piece.lines.length * 2);
  const lines = new Float64Array(capacity);
  lines.set(piece.lines);
  const flags = new Uint8Array(capacity);
  flags.set(piece.flags);
  const ends = new Uint32Array(capacity);
  ends.set(piece.ends);
  Object.assign(piece, { lines, flags, ends });
}
