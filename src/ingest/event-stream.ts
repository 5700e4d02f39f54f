/**
 * A server-sent event stream captured as it came (`curl -N … > stream.txt`, a proxy's log): the
 * replies of a streamed request to OpenAI, vLLM, TGI, llama.cpp, SGLang and the servers that
 * follow them, one JSON object per event. Read as the WHATWG HTML standard's event-stream format
 * says: a line is a field (`name: value`, one space after the colon dropped) or a comment (it
 * opens with a colon); `data` lines add to the event's data (several joined by a line break),
 * `event`, `id` and `retry` are framing, and a blank line ends the event. Each event's data is a
 * row, at the line of its first `data` field; OpenAI's closing `data: [DONE]` is framing too. An
 * event the file ends in the middle of is still read (a capture cut short keeps what it had).
 */
import { readLineBatches } from './lines.js';
import { TOO_LONG, parseRow, type Row } from './row.js';
import type { TextSource } from './text.js';

/** The stream's closing sentinel (OpenAI's streaming reference), not a reply. */
const DONE = '[DONE]';

/**
 * Whether text opens as an event stream: its first line that is not blank is a `data`, `event`,
 * `id` or `retry` field, or a comment. No JSON, JSONL or CSV of an eval opens so.
 */
export function opensAsEventStream(head: string): boolean {
  return /^[ \t\r\n]*(?:(?:data|event|id|retry):|:)/.test(head);
}

/** The stream's events' data, parsed, a batch per chunk read. */
export async function* readEventStreamBatches(source: TextSource): AsyncGenerator<Row[]> {
  const file = source.file;
  let line = 0;
  let data: string | null = null;
  let at = 0;
  const dispatch = (rows: Row[]) => {
    if (data !== null && data !== DONE) rows.push(parseRow(file, at, data));
    data = null;
  };
  for await (const lines of readLineBatches(source)) {
    const rows: Row[] = [];
    for (const text of lines) {
      line++;
      if (text === null) {
        rows.push({ file, line, error: `line ${TOO_LONG}` });
        continue;
      }
      if (text.trim() === '') {
        dispatch(rows);
        continue;
      }
      if (text.startsWith(':')) continue;
      const colon = text.indexOf(':');
      const name = colon < 0 ? text : text.slice(0, colon);
      if (name !== 'data') continue;
      const value = colon < 0 ? '' : text.slice(text[colon + 1] === ' ' ? colon + 2 : colon + 1);
      if (data === null) {
        data = value;
        at = line;
      } else data += `\n${value}`;
    }
    if (rows.length > 0) yield rows;
  }
  const last: Row[] = [];
  dispatch(last);
  if (last.length > 0) yield last;
}
