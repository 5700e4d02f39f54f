/**
 * A file opened as text (src/ingest/text.ts): whatever a reader peeks first, what it then reads,
 * as decoded chunks or as UTF-8 bytes, is the whole text, once, in order. Peeks decode a few
 * kilobytes at a time (PEEK_BYTES), not the whole read, so the texts here run across both sizes
 * and put multi-byte characters on every side of the cuts. A line range of a file is its bytes
 * as they are: a byte-order mark is the file's only at its start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openText, openTextRange, type TextSource } from '../src/ingest/text.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evalaudit-text-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

function encode(text: string, encoding: Encoding, bom: boolean): Buffer {
  const body = encoding === 'utf-8' ? Buffer.from(text, 'utf8') : Buffer.from(text, 'utf16le');
  if (encoding === 'utf-16be') body.swap16();
  const mark = { 'utf-8': [0xef, 0xbb, 0xbf], 'utf-16le': [0xff, 0xfe], 'utf-16be': [0xfe, 0xff] }[encoding];
  return Buffer.concat([Buffer.from(bom ? mark : []), body]);
}

async function chunksOf(src: TextSource): Promise<string> {
  let out = '';
  for await (const c of src.chunks()) out += c;
  return out;
}

async function bytesOf(src: TextSource): Promise<Buffer | null> {
  const bytes = await src.utf8Bytes();
  if (bytes === null) return null;
  const out: Buffer[] = [];
  for await (const b of bytes) out.push(Buffer.from(b)); // a chunk is valid until the next: copied
  return Buffer.concat(out);
}

// Runs of one character: long texts cheaply, with 2-, 3- and 4-byte characters (and UTF-16
// surrogate pairs) across the 16 KiB peeks and the 256 KiB reads.
const run = fc.record({ char: fc.constantFrom('a', '\n', '\r\n', 'é', '€', '😀', '\ufeff'), times: fc.integer({ min: 1, max: 40_000 }) });
const longText = fc.array(run, { maxLength: 12 }).map((runs) => runs.map((r) => r.char.repeat(r.times)).join(''));

describe('a file read as text', () => {
  it('reads the whole text once after any peeks, as chunks or as UTF-8 bytes, in every encoding', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        longText,
        fc.constantFrom<Encoding>('utf-8', 'utf-16le', 'utf-16be'),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 600_000 }), { maxLength: 3 }),
        fc.boolean(),
        async (text, encoding, bom, peeks, asBytes) => {
          // UTF-16 is told by its mark; without one the file is UTF-8.
          if (encoding !== 'utf-8') bom = true;
          const file = join(dir, `t${n++}.txt`);
          await writeFile(file, encode(text, encoding, bom));
          // A UTF-8 file's leading U+FEFF is its byte-order mark, whether the test meant one or not.
          if (!bom && text.startsWith('\ufeff')) text = text.slice(1);
          const src = await openText(file);
          for (const chars of peeks) {
            const head = await src.peek(chars);
            expect(head).toBe(text.slice(0, Math.max(chars, head.length)));
            expect(head.length).toBeGreaterThanOrEqual(Math.min(chars, text.length));
          }
          if (asBytes && encoding === 'utf-8') expect((await bytesOf(src))!.toString('utf8')).toBe(text);
          else if (asBytes) expect(await src.utf8Bytes()).toBeNull();
          else expect(await chunksOf(src)).toBe(text);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a line range starting with U+FEFF keeps it (it is the file’s byte-order mark only at byte 0)', async () => {
    const file = join(dir, 'bom-line.jsonl');
    const first = '\ufeff{"id": "a"}\n';
    const second = '\ufeff{"id": "b"}\n';
    await writeFile(file, first + second);
    const start = Buffer.byteLength(first);
    const range = await bytesOf(await openTextRange(file, start, start + Buffer.byteLength(second)));
    expect(range!.toString('utf8')).toBe(second);
    expect((await bytesOf(await openTextRange(file, 0, start)))!.toString('utf8')).toBe(first.slice(1));
    expect((await bytesOf(await openText(file)))!.toString('utf8')).toBe((first + second).slice(1));
  });
});
