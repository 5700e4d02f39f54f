/**
 * A JSON report whose one long array (the findings, SARIF's results) is written item by item:
 * the same text as JSON.stringify(report, null, 2), with each item converted and serialised only
 * when its piece is asked for, so neither the whole text nor a copy of every item is held.
 */

/** Items serialised per piece: enough to write well, few enough to stay small. */
const ITEMS_PER_PIECE = 256;

/**
 * `head` is the report with the long array empty, and that array its last value (the last
 * member of the last member …, as `findings` in the JSON report). JSON.stringify escapes line
 * breaks inside strings, so every line break it writes is layout. A piece's items are
 * serialised in one call, nested in as many arrays as the long array is deep, so that
 * JSON.stringify itself indents them as it would inside the whole report; the wrapping arrays'
 * own lines are cut off.
 */
export function* jsonPieces<T>(head: unknown, items: Iterable<T>, convert: (item: T) => unknown): Generator<string> {
  const text = JSON.stringify(head, null, 2);
  const it = items[Symbol.iterator]();
  let next = it.next();
  if (next.done) {
    yield `${text}\n`;
    return;
  }
  const at = text.lastIndexOf('[]');
  const lineStart = text.lastIndexOf('\n', at) + 1;
  const outer = /^ */.exec(text.slice(lineStart))![0];
  // The long array's items sit one level (two spaces) deeper than the line that opens it.
  const depth = outer.length / 2;
  yield `${text.slice(0, at + 1)}\n`;
  while (!next.done) {
    const batch: unknown[] = [];
    for (let k = 0; k < ITEMS_PER_PIECE && !next.done; k++) {
      batch.push(convert(next.value));
      next = it.next(); // one ahead: the last item has no comma
    }
    let wrapped: unknown = batch;
    for (let k = 0; k < depth; k++) wrapped = [wrapped];
    const s = JSON.stringify(wrapped, null, 2);
    // depth + 1 lines open the wrapping arrays ("[", "  [", …) and as many close them.
    let start = 0;
    let end = s.length;
    for (let k = 0; k <= depth; k++) {
      start = s.indexOf('\n', start) + 1;
      end = s.lastIndexOf('\n', end - 1);
    }
    yield `${s.slice(start, end)}${next.done ? '' : ','}\n`;
  }
  yield `${outer}${text.slice(at + 1)}\n`;
}

/** The pieces joined: for a reporter's whole text. */
export function joined(pieces: Iterable<string>): string {
  let text = '';
  for (const piece of pieces) text += piece;
  return text;
}
