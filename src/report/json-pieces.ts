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
 * breaks inside strings, so every line break it writes is layout, and an item nested deeper is
 * indented by prefixing each of its lines.
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
  const inner = `${outer}  `;
  yield `${text.slice(0, at + 1)}\n`;
  while (!next.done) {
    let piece = '';
    for (let k = 0; k < ITEMS_PER_PIECE && !next.done; k++) {
      const item = next.value;
      next = it.next(); // one ahead: the last item has no comma
      piece += `${inner}${JSON.stringify(convert(item), null, 2).replaceAll('\n', `\n${inner}`)}${next.done ? '' : ','}\n`;
    }
    yield piece;
  }
  yield `${outer}${text.slice(at + 1)}\n`;
}

/** The pieces joined: for a reporter's whole text. */
export function joined(pieces: Iterable<string>): string {
  let text = '';
  for (const piece of pieces) text += piece;
  return text;
}
