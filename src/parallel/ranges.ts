/**
 * A large line-delimited file cut into byte ranges that start at line starts, each with the line
 * number it starts at, so that threads can read and judge the ranges apart and still name every
 * row by its line in the file. Line breaks count as the readers count them (rows.ts): LF, CRLF
 * and a lone CR are one break each. Ranges are cut only after an LF, so a CRLF is never split.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { setImmediate as turn } from 'node:timers/promises';

export interface LineRange {
  /** Byte offsets [start, end). */
  start: number;
  end: number;
  /** 1-based line number of the range's first line. */
  line: number;
}

const SCAN_BYTES = 1 << 22;

/**
 * The file's ranges of about `rangeBytes` each (a range runs on to the next LF), or null when the
 * file is not worth cutting (one range, or a first range whose rows average fewer than
 * `minLineBytes`: see longRows) or not UTF-8 (a UTF-16 byte-order mark). A file of short rows is
 * so told by its first range, without scanning the rest (85 ms of the 1.1 s audit of 110 MB of
 * score rows went to a scan whose ranges were then not used).
 */
export async function planRanges(file: string, rangeBytes: number, minLineBytes = 0): Promise<LineRange[] | null> {
  // Read synchronously, as the readers read (text.ts): 4 MiB reads from the page cache, where
  // each read handed to libuv's thread pool waits for a busy core. The event loop turns once a read.
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(Math.min(SCAN_BYTES, Math.max(1, size)));
    const ranges: LineRange[] = [];
    let rangeStart = 0;
    let rangeLine = 1;
    let breaks = 0;
    for (let pos = 0; pos < size; ) {
      const bytesRead = readSync(fd, buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      const b = buf.subarray(0, bytesRead);
      if (pos === 0 && b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))) return null;
      let lf = b.indexOf(10);
      let cr = b.indexOf(13);
      while (lf >= 0 || cr >= 0) {
        if (cr >= 0 && (lf < 0 || cr < lf)) {
          // A CR followed by LF is counted at its LF; a lone one is a break of its own.
          const next = cr + 1 < b.length ? b[cr + 1] : byteAt(fd, pos + cr + 1);
          if (next !== 10) breaks++;
          cr = b.indexOf(13, cr + 1);
          continue;
        }
        breaks++;
        const after = pos + lf + 1;
        if (after - rangeStart >= rangeBytes && after < size) {
          ranges.push({ start: rangeStart, end: after, line: rangeLine });
          if (ranges.length === 1 && after / breaks < minLineBytes) return null;
          rangeStart = after;
          rangeLine = breaks + 1;
        }
        lf = b.indexOf(10, lf + 1);
      }
      pos += bytesRead;
      await turn();
    }
    if (ranges.length === 0) return null;
    ranges.push({ start: rangeStart, end: size, line: rangeLine });
    return ranges;
  } finally {
    closeSync(fd);
  }
}

function byteAt(fd: number, at: number): number {
  const one = Buffer.alloc(1);
  return readSync(fd, one, 0, 1, at) === 1 ? one[0] : -1;
}

/**
 * Whether a file's rows are long enough for its ranges to be worth sharing: the main thread
 * runs the file stage of every record (groups, duplicate ids, the precision pool) and takes in
 * each record's posted outcome, a cost per record whatever its size. On rows of ~500 B that
 * alone takes as long as one thread's whole audit (440 MB of score rows: 6.4 s on two threads
 * against 3.7–4.7 s on one); on top-k rows of ~9 kB the ranges' own work dwarfs it. The average is
 * of the rows before the last range.
 */
export function longRows(ranges: readonly LineRange[], minLineBytes: number): boolean {
  const last = ranges[ranges.length - 1];
  return last.line > 1 && last.start / (last.line - 1) >= minLineBytes;
}
