/**
 * CSV as RFC 4180 writes it (Python's csv module, pandas, spreadsheets): a header row, `,`
 * between cells, a cell quoted with `"` when it holds a comma, a quote or a line break, a
 * quote inside a quoted cell doubled.
 *
 * Our own reader rather than csv-parse because a broken row must cost only that row: csv-parse
 * stops at a malformed quote (the rows of its current chunk are lost with it), detects one line
 * ending per file and counts CRLF inside a quoted cell as two lines. Here:
 * - rows end at LF, CRLF or a lone CR (outside quotes); line numbers count each as one break;
 * - a malformed row (a stray quote, a quoted cell never closed, a row over MAX_LINE_CHARS) is
 *   reported at the line where it starts, and reading resumes on its next physical line, so a
 *   stray opening quote that swallowed the following lines gives them back.
 */
import type { Row } from './row.js';
import { MAX_LINE_CHARS, TOO_LONG } from './row.js';
import { setOwn } from './json-text.js';
import type { TextSource } from './text.js';

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

type CsvRecord = { line: number; cells: string[]; error?: undefined } | { line: number; error: string };

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** A quote inside a quoted cell: doubled (a quote), or the cell's end. */
  QuoteInQuoted,
  /** After a closing quote: a comma or the end of the row must follow. */
  Closed,
  /** A row too long: its rest is skipped to its line's end. */
  Skip,
}

/** Splits CSV text into records with the line each starts at. Feed chunks, then call end(). */
class CsvScanner {
  private state = State.FieldStart;
  private line = 1;
  private rowLine = 1;
  private cells: string[] = [];
  /** The cell so far, in pieces (a cell may run over chunks). */
  private cell: string[] = [];
  /** The row's raw text so far, to read again from its second line when it proves broken. */
  private raw: string[] = [];
  private afterCr = false;
  private skipMessage = '';
  /** Why the current row is broken, found on its first line; it is read on (leniently) to its end. */
  private brokenWhy: string | null = null;
  readonly out: CsvRecord[] = [];

  feed(chunk: string): void {
    let text: string | null = chunk;
    while (text !== null) text = this.scan(text);
  }

  end(): void {
    // A quoted cell still open at the end of the file: the row is broken; its later lines are read again.
    while (this.state === State.Quoted) {
      const again = this.broken('a quoted cell is not closed before the end of the file', this.raw.join(''), 'end');
      if (again === null) break;
      this.feed(again);
    }
    if (this.state === State.Skip) this.finishSkip();
    else if (this.state !== State.FieldStart || this.cells.length > 0 || this.cell.length > 0) {
      this.endCell();
      this.endRow();
    }
  }

  /** Scans one piece of text; returns text to scan instead of the rest when a broken row is read again. */
  private scan(text: string): string | null {
    const n = text.length;
    let i = 0;
    if (this.afterCr) {
      this.afterCr = false;
      if (text.charCodeAt(0) === LF) {
        // The LF of a CRLF split over chunks: inside a quoted cell it is content.
        if (this.state === State.Quoted) this.cell.push('\n');
        if (this.state === State.Quoted || this.state === State.Skip) this.raw.push('\n');
        i = 1;
      }
    }
    let segment = i; // where the current cell's unsaved text starts
    let rawStart = i;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      switch (this.state) {
        case State.Quoted:
          if (c === QUOTE) {
            this.cell.push(text.slice(segment, i));
            segment = i + 1;
            this.state = State.QuoteInQuoted;
          } else if (c === LF || c === CR) this.countBreak(text, i);
          continue;
        case State.QuoteInQuoted:
          if (c === QUOTE) {
            this.cell.push('"');
            segment = i + 1;
            this.state = State.Quoted;
            continue;
          }
          this.state = State.Closed;
          break; // the closing quote: read c as what follows it
        case State.Skip:
          if (c === LF || c === CR) {
            this.finishSkip();
            this.startLineBreak(text, i);
            if (text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF) i++;
            segment = rawStart = i + 1;
          }
          continue;
      }
      if (this.state === State.Closed) {
        if (c !== COMMA && c !== LF && c !== CR) {
          const again = this.broken(`${JSON.stringify(text[i])} follows a closing quote (a quote inside a quoted cell is written "")`, this.rawSoFar(text, rawStart, i));
          if (again !== null) return again + text.slice(i);
          continue;
        }
      } else if (this.state === State.FieldStart && c === QUOTE) {
        this.state = State.Quoted;
        segment = i + 1;
        continue;
      } else if (c === QUOTE) {
        const again = this.broken('a quote inside an unquoted cell (quote the cell and double the quote)', this.rawSoFar(text, rawStart, i));
        if (again !== null) return again + text.slice(i);
        continue;
      }
      if (c === COMMA) {
        if (this.state !== State.Closed) this.cell.push(text.slice(segment, i));
        this.endCell();
        this.state = State.FieldStart;
        segment = i + 1;
      } else if (c === LF || c === CR) {
        if (this.state !== State.Closed) this.cell.push(text.slice(segment, i));
        this.endCell();
        this.endRow();
        this.startLineBreak(text, i);
        if (c === CR && text.charCodeAt(i + 1) === LF) i++;
        segment = rawStart = i + 1;
      } else if (this.state === State.FieldStart) this.state = State.Unquoted;
    }
    // Keep the unfinished row for the next chunk.
    if (this.state === State.Quoted || this.state === State.Unquoted || this.state === State.FieldStart) {
      if (segment < n) this.cell.push(text.slice(segment));
    }
    if (this.state !== State.Skip && rawStart < n) this.raw.push(text.slice(rawStart));
    if (this.length() > MAX_LINE_CHARS) {
      const again = this.broken(`row ${TOO_LONG}`, this.raw.join(''), 'too-long');
      if (again !== null) return again;
    }
    return null;
  }

  private length(): number {
    let total = 0;
    for (const piece of this.raw) total += piece.length;
    return total;
  }

  private rawSoFar(text: string, rawStart: number, i: number): string {
    return this.raw.join('') + text.slice(rawStart, i);
  }

  /** A line break inside a quoted cell: counted, and a CRLF split over chunks remembered. */
  private countBreak(text: string, i: number): void {
    const c = text.charCodeAt(i);
    if (c === LF && i > 0 && text.charCodeAt(i - 1) === CR) return; // counted with its CR
    this.line++;
    if (c === CR && i === text.length - 1) this.afterCr = true;
  }

  /** A line break that ends a row: the next row starts on the next line. */
  private startLineBreak(text: string, i: number): void {
    this.line++;
    this.rowLine = this.line;
    if (text.charCodeAt(i) === CR && i === text.length - 1) this.afterCr = true;
  }

  private endCell(): void {
    this.cells.push(this.cell.length === 1 ? this.cell[0] : this.cell.join(''));
    this.cell = [];
  }

  private endRow(): void {
    const cells = this.cells;
    if (this.brokenWhy !== null) this.out.push({ line: this.rowLine, error: this.brokenWhy });
    // A line with nothing on it is no row.
    else if (!(cells.length === 1 && cells[0] === '')) this.out.push({ line: this.rowLine, cells });
    this.brokenWhy = null;
    this.cells = [];
    this.raw = [];
    this.state = State.FieldStart;
  }

  /**
   * The current row is broken. It is reported at its first line. When it already runs over more
   * lines, the text after its first line is returned to be read again (a stray opening quote
   * gives back the lines it swallowed). Found on its first line, a stray quote is read as a
   * character and the row read on to where it ends; a row too long is skipped to its line's end.
   */
  private broken(why: string, raw: string, kind: 'quote' | 'end' | 'too-long' = 'quote'): string | null {
    const found = this.line === this.rowLine ? '' : ` (found at line ${this.line})`;
    const message = this.brokenWhy ?? (kind === 'too-long' ? `CSV ${why}` : `malformed CSV row: ${why}${found}`);
    const firstBreak = indexOfBreak(raw);
    if (firstBreak < 0 && kind === 'quote') {
      this.brokenWhy = message;
      this.state = State.Unquoted;
      return null;
    }
    this.brokenWhy = null;
    this.cells = [];
    this.cell = [];
    this.raw = [];
    if (firstBreak < 0) {
      if (kind === 'end') {
        this.out.push({ line: this.rowLine, error: message });
        this.state = State.FieldStart;
      } else {
        this.skipMessage = message;
        this.state = State.Skip;
      }
      return null;
    }
    this.out.push({ line: this.rowLine, error: message });
    const afterBreak = firstBreak + (raw.charCodeAt(firstBreak) === CR && raw.charCodeAt(firstBreak + 1) === LF ? 2 : 1);
    this.line = this.rowLine + 1;
    this.rowLine = this.line;
    this.afterCr = false;
    this.state = State.FieldStart;
    return raw.slice(afterBreak);
  }

  private finishSkip(): void {
    this.out.push({ line: this.rowLine, error: this.skipMessage });
    this.cells = [];
    this.cell = [];
    this.raw = [];
    this.state = State.FieldStart;
  }
}

function indexOfBreak(text: string): number {
  const lf = text.indexOf('\n');
  const cr = text.indexOf('\r');
  return lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
}

/** CSV rows as objects keyed by the header's names, a batch per chunk read; the header is the first row that reads. */
export async function* readCsvRowsFrom(source: TextSource): AsyncGenerator<Row[]> {
  const file = source.file;
  const scanner = new CsvScanner();
  let header: string[] | null = null;
  const rows = (): Row[] => {
    const out: Row[] = [];
    for (const r of scanner.out) {
      if (r.error !== undefined) {
        out.push({ file, line: r.line, error: r.error });
        continue;
      }
      if (header === null) {
        header = r.cells.map((h) => h.trim());
        continue;
      }
      if (r.cells.every((cell) => cell.trim() === '')) continue; // a blank line of spaces or commas
      if (r.cells.length !== header.length) {
        out.push({ file, line: r.line, error: `CSV row has ${r.cells.length} cells, the header has ${header.length}` });
        continue;
      }
      const value: Record<string, string> = {};
      for (let i = 0; i < header.length; i++) setOwn(value, header[i], r.cells[i]);
      out.push({ file, line: r.line, value });
    }
    scanner.out.length = 0;
    return out;
  };
  for await (const chunk of source.chunks()) {
    scanner.feed(chunk);
    const batch = rows();
    if (batch.length > 0) yield batch;
  }
  scanner.end();
  const last = rows();
  if (last.length > 0) yield last;
}
