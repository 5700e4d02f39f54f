/**
 * A JSON document, streamed: memory holds one row at a time, never the whole document.
 *
 * The first top-level value decides what the rows are:
 * - an array: each element is a row, at the line where the element starts;
 * - an object with a `records` member holding an array (keys compared decoded, so
 *   `"rec\u006frds"` counts): each element of the first such array; a later `records` key is
 *   reported (readers disagree on which one counts) and not read;
 * - anything else: the value is one row.
 * Values after the first (a `.json` file holding JSON lines) are one row each, and a top-level
 * line that is not JSON is one invalid row; reading goes on after both.
 *
 * The scanner only tracks strings and nesting to find where each row's text starts and ends;
 * each row is then parsed on its own (json-text.ts), so a malformed element costs that element,
 * and a truncated document still yields every element before the cut.
 */
import { MAX_LINE_CHARS, TOO_LONG, parseRow, type Row } from './row.js';
import type { TextSource } from './text.js';

const LF = 10;
const CR = 13;
/** The characters that matter inside a string. */
const STRING_STOP = /["\\\n\r]/g;

interface Capture {
  line: number;
  parts: string[];
  /** Where the capture starts in the current chunk (0 after the first chunk). */
  start: number;
  length: number;
  tooLong: boolean;
  /** Nesting depth outside the captured value: the value ends when depth returns to it. */
  depth: number;
  /** `scalar`: ends at a delimiter; `string`: at its closing quote; `line`: at the line's end (top-level text that is no container). */
  kind: 'container' | 'scalar' | 'string' | 'line';
}

type MemberState = 'key' | 'colon' | 'value' | 'in-value';

class DocumentScanner {
  readonly out: Row[] = [];
  private line = 1;
  private prevCr = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private capture: Capture | null = null;
  private values = 0;
  /** Depth at which the rows' elements start (1: the document is the array; 2: its `records`); -1 outside. */
  private rowsDepth = -1;
  private expectElement = false;
  /** Whether the element just ended was followed by a comma: an element must come next. */
  private afterComma = false;
  /** Member scanning of the first top-level object, looking for `records`. */
  private scanningObject = false;
  private member: MemberState = 'key';
  private key: { parts: string[]; start: number; line: number } | null = null;
  private lastKey = '';
  private lastKeyLine = 1;
  private recordsTaken = false;

  constructor(private readonly file: string) {}

  feed(text: string): void {
    const n = text.length;
    if (this.capture) this.capture.start = 0;
    if (this.key) this.key.start = 0;
    for (let i = 0; i < n; i++) {
      if (this.inString && !this.escaped) {
        // Most of a document is string contents: jump to what can end or escape them.
        STRING_STOP.lastIndex = i;
        const stop = STRING_STOP.exec(text);
        if (stop === null) break;
        i = stop.index;
      }
      const c = text.charCodeAt(i);
      if (c === LF || c === CR) {
        if (!(c === LF && this.prevCr)) this.line++;
        this.prevCr = c === CR;
        if (this.capture?.kind === 'line') {
          this.endCapture(text, i);
          continue;
        }
        if (this.capture?.kind === 'scalar' && this.depth === this.capture.depth && !this.inString) this.endCapture(text, i);
        continue;
      }
      this.prevCr = false;
      const cap = this.capture;
      if (cap?.kind === 'line') continue;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92) this.escaped = true;
        else if (c === 34) {
          this.inString = false;
          if (cap?.kind === 'string' && this.depth === cap.depth) this.endCapture(text, i + 1);
          else if (this.key && this.depth === 1) this.endKey(text, i);
        }
        continue;
      }
      if (c === 32 || c === 9) {
        if (cap?.kind === 'scalar' && this.depth === cap.depth) this.endCapture(text, i);
        continue;
      }
      if (cap?.kind === 'scalar' && this.depth === cap.depth && (c === 44 || c === 93 || c === 125)) this.endCapture(text, i);
      this.token(text, i, c);
    }
    this.keep(text);
  }

  /** A structural character or the start of a value, outside strings. */
  private token(text: string, i: number, c: number): void {
    const opening = c === 91 || c === 123;
    const closing = c === 93 || c === 125;
    const valueStart = !closing && c !== 44 && c !== 58;
    // Where a new row may start: the top level, or an element of the rows array.
    if (this.capture === null && valueStart) {
      if (this.depth === 0) {
        this.values++;
        if (this.values === 1 && c === 91) {
          this.rowsDepth = 1;
          this.expectElement = true;
          this.afterComma = false;
        } else if (opening) {
          this.begin(i, 'container');
          if (this.values === 1) {
            this.scanningObject = true;
            this.member = 'key';
          }
        } else {
          // Text at the top level that is no container: the rest of its line is one row.
          this.begin(i, 'line');
          return;
        }
      } else if (this.depth === this.rowsDepth && this.expectElement) {
        this.begin(i, opening ? 'container' : c === 34 ? 'string' : 'scalar');
        this.expectElement = false;
        this.afterComma = false;
      } else if (this.depth === this.rowsDepth) {
        this.error(this.line, 'not valid JSON: a comma must separate the elements of the array');
        this.begin(i, opening ? 'container' : c === 34 ? 'string' : 'scalar');
      }
    }
    if (this.capture === null && this.depth === 0 && (c === 44 || c === 58)) {
      this.error(this.line, `not valid JSON: ${JSON.stringify(text[i])} outside any value`);
      return;
    }
    if (this.scanningObject && this.depth === 1) this.memberToken(i, c);
    if (c === 34) {
      this.inString = true;
      return;
    }
    if (opening) {
      this.depth++;
      return;
    }
    if (closing) {
      this.depth--;
      if (this.rowsDepth >= 0 && this.depth === this.rowsDepth - 1) {
        // The rows array closes.
        if (this.afterComma) this.error(this.line, 'not valid JSON: a comma before the closing bracket (no element follows it)');
        this.rowsDepth = -1;
        this.expectElement = false;
        this.afterComma = false;
        if (this.depth === 1) this.member = 'in-value';
      } else if (this.capture?.kind === 'container' && this.depth === this.capture.depth) {
        this.endCapture(text, i + 1);
      }
      if (this.depth === 0) this.scanningObject = false;
      if (this.depth < 0) {
        this.error(this.line, `not valid JSON: ${JSON.stringify(text[i])} closes nothing`);
        this.depth = 0;
      }
      return;
    }
    if (c === 44 && this.rowsDepth >= 0 && this.depth === this.rowsDepth) {
      if (this.expectElement) this.error(this.line, 'not valid JSON: an empty element (two commas in a row, or a comma after the opening bracket)');
      this.expectElement = true;
      this.afterComma = true;
    }
  }

  /** Members of the first top-level object, read for its `records` key. */
  private memberToken(i: number, c: number): void {
    if (c === 44) {
      this.member = 'key';
      return;
    }
    if (this.member === 'key' && c === 34) {
      this.key = { parts: [], start: i + 1, line: this.line };
      return;
    }
    if (this.member === 'colon' && c === 58) {
      this.member = 'value';
      return;
    }
    if (this.member !== 'value' || c === 125) return;
    this.member = 'in-value';
    if (this.lastKey !== 'records') return;
    if (this.recordsTaken) {
      this.error(this.lastKeyLine, 'a second "records" key: only the first records array is read (JSON readers disagree on which one counts)');
    } else if (c === 91) {
      // The object is not a row: its records are.
      this.recordsTaken = true;
      this.capture = null;
      this.rowsDepth = 2;
      this.expectElement = true;
      this.afterComma = false;
    }
  }

  private endKey(text: string, i: number): void {
    const key = this.key!;
    this.key = null;
    const raw = key.parts.join('') + text.slice(key.start, i);
    let decoded = raw;
    if (raw.includes('\\')) {
      try {
        decoded = JSON.parse(`"${raw}"`) as string;
      } catch {
        decoded = raw;
      }
    }
    this.lastKey = decoded;
    this.lastKeyLine = key.line;
    this.member = 'colon';
  }

  private begin(i: number, kind: Capture['kind']): void {
    this.capture = { line: this.line, parts: [], start: i, length: 0, tooLong: false, depth: this.depth, kind };
  }

  private endCapture(text: string, end: number): void {
    const cap = this.capture!;
    this.capture = null;
    if (cap.tooLong || cap.length + end - cap.start > MAX_LINE_CHARS) {
      this.error(cap.line, cap.kind === 'container' && cap.depth === 0 ? `JSON document ${TOO_LONG} (a document holding an array is streamed element by element; this value is one row)` : `JSON value ${TOO_LONG}`);
      return;
    }
    const piece = text.slice(cap.start, end);
    const rowText = cap.parts.length === 0 ? piece : cap.parts.join('') + piece;
    if (cap.kind === 'line' && rowText.trim() === '') return;
    this.out.push(parseRow(this.file, cap.line, rowText));
  }

  /** Saves the unfinished capture (and key) at a chunk's end. */
  private keep(text: string): void {
    const cap = this.capture;
    if (cap && !cap.tooLong) {
      cap.length += text.length - cap.start;
      if (cap.length > MAX_LINE_CHARS) {
        cap.tooLong = true;
        cap.parts = [];
      } else cap.parts.push(text.slice(cap.start));
    }
    if (this.key) this.key.parts.push(text.slice(this.key.start));
  }

  end(): void {
    const cap = this.capture;
    if (cap) {
      if (cap.kind === 'line' || (cap.kind === 'scalar' && this.depth === cap.depth && !this.inString)) this.endCapture('', 0);
      else {
        this.capture = null;
        this.error(cap.line, 'not valid JSON: the document ends inside this value (is the file truncated?)');
      }
    } else if (this.rowsDepth >= 0 || this.depth > 0) {
      this.error(this.line, 'not valid JSON: the document ends before its closing bracket (is the file truncated?)');
    }
  }

  private error(line: number, message: string): void {
    this.out.push({ file: this.file, line, error: message });
  }
}

/** The document's rows, a batch per chunk read. */
export async function* readJsonDocumentFrom(source: TextSource): AsyncGenerator<Row[]> {
  const scanner = new DocumentScanner(source.file);
  for await (const chunk of source.chunks()) {
    scanner.feed(chunk);
    if (scanner.out.length > 0) yield scanner.out.splice(0);
  }
  scanner.end();
  if (scanner.out.length > 0) yield scanner.out.splice(0);
}
