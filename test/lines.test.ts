/**
 * The line splitter (src/ingest/lines.ts), on both of its paths — UTF-8 bytes split before
 * decoding, decoded text split after — against a plain split of the whole text on universal
 * newlines, with the text cut into chunks anywhere: inside a CRLF, inside a multi-byte character,
 * right after a lone CR.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readLineBatches } from '../src/ingest/lines.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openText, openTextRange, type TextSource } from '../src/ingest/text.js';

function source(pieces: Buffer[] | string[]): TextSource {
  const bytes = typeof pieces[0] !== 'string';
  return {
    file: 'test',
    peek: async () => '',
    chunks: async function* () {
      yield* pieces as string[];
    },
    utf8Bytes: async () =>
      bytes
        ? (async function* () {
            yield* pieces as Buffer[];
          })()
        : null,
    close: () => {},
  };
}

/** A source whose chunks share one buffer, overwritten after each is consumed (as a regular file is read, text.ts). */
function sharedBuffer(pieces: Buffer[]): TextSource {
  const buf = Buffer.alloc(Math.max(1, ...pieces.map((p) => p.length)));
  return {
    ...source(pieces),
    utf8Bytes: async () =>
      (async function* () {
        for (const p of pieces) {
          p.copy(buf);
          yield buf.subarray(0, p.length);
          buf.fill(0x7e); // '~': what a line kept by reference would wrongly show
        }
      })(),
  };
}

async function linesOf(src: TextSource): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for await (const batch of readLineBatches(src)) out.push(...batch);
  return out;
}

function cut<T extends string | Buffer>(whole: T, at: number[]): T[] {
  const points = [...new Set(at.map((p) => p % (whole.length + 1)))].sort((a, b) => a - b);
  const out: T[] = [];
  let start = 0;
  for (const p of [...points, whole.length]) {
    out.push((typeof whole === 'string' ? whole.slice(start, p) : (whole as Buffer).subarray(start, p)) as T);
    start = p;
  }
  return out;
}

/** Universal newlines, as Python reads them; a final break ends the last line rather than opening one. */
function expected(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r\n|\r|\n/);
  if (/[\r\n]$/.test(text)) lines.pop();
  return lines;
}

const unit = fc.constantFrom('a', '{', '"', ' ', '\n', '\r', '\r\n', 'é', '€', '😀', '\u2028');
const text = fc.array(unit, { maxLength: 40 }).map((u) => u.join(''));
const cuts = fc.array(fc.nat(200), { maxLength: 6 });

describe('line splitting', () => {
  it('reads UTF-8 bytes cut anywhere as the whole text split on universal newlines', async () => {
    await fc.assert(
      fc.asyncProperty(text, cuts, async (t, at) => {
        expect(await linesOf(source(cut(Buffer.from(t, 'utf8'), at)))).toEqual(expected(t));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads UTF-8 chunks that share one buffer as the whole text (a carried line is copied)', async () => {
    await fc.assert(
      fc.asyncProperty(text, cuts, async (t, at) => {
        expect(await linesOf(sharedBuffer(cut(Buffer.from(t, 'utf8'), at)))).toEqual(expected(t));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a regular file of lines longer than a read, characters cut at every read end, as written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evalaudit-lines-'));
    try {
      // Lines of 100 kB to 700 kB around 256 KiB reads; '€' (3 bytes) and '😀' (4) land across read ends.
      const lines = [1, 3, 7, 2, 5].map((n, i) => `${i}:` + 'ab€😀'.repeat(n * 9000 + i));
      await writeFile(join(dir, 'long.jsonl'), lines.join('\n') + '\r\n');
      // Peeking as a reader does (a few characters), and past the first reads (which peek keeps).
      for (const peek of [10, 600_000]) {
        const src = await openText(join(dir, 'long.jsonl'));
        expect((await src.peek(peek)).slice(0, 2)).toBe('0:');
        expect(await linesOf(src)).toEqual(lines);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lets the event loop turn while it reads a regular file (Ctrl-C, workers and timers are not starved)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evalaudit-lines-'));
    try {
      await writeFile(join(dir, 'big.jsonl'), `${'{"a": 1}\n'.repeat(400_000)}`); // 3.6 MB: 14 reads of 256 KiB
      let turns = 0;
      let done = false;
      const tick = () => {
        turns++;
        if (!done) setImmediate(tick);
      };
      setImmediate(tick);
      let lines = 0;
      for await (const batch of readLineBatches(await openText(join(dir, 'big.jsonl')))) lines += batch.length;
      done = true;
      expect(lines).toBe(400_000);
      expect(turns).toBeGreaterThanOrEqual(10);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.runIf(process.platform === 'linux')('closes the file however a reader stops: at the end, early, before the first read, a range never read', async () => {
    const { readdirSync } = await import('node:fs');
    const open = () => readdirSync('/proc/self/fd').length;
    const dir = await mkdtemp(join(tmpdir(), 'evalaudit-fds-'));
    const file = join(dir, 'run.jsonl');
    await writeFile(file, 'x'.repeat(600_000) + '\n');
    // A stop's close may finish a turn later (an async generator's finally): let it.
    const settle = () => new Promise((r) => setTimeout(r, 10));
    try {
      const before = open();
      for (let i = 0; i < 10; i++) {
        for await (const _ of (await openText(file)).chunks());
        for await (const _ of (await openText(file)).chunks()) break;
        const peeked = await openText(file);
        await peeked.peek(5);
        peeked.close();
        (await openText(file)).close();
        (await openTextRange(file, 0, 100)).close();
      }
      await settle();
      expect(open()).toBe(before);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads decoded text cut anywhere the same way', async () => {
    await fc.assert(
      fc.asyncProperty(text, cuts, async (t, at) => {
        expect(await linesOf(source(cut(t, at)))).toEqual(expected(t));
      }),
      { numRuns: 2000 },
    );
  });

  it('turns invalid UTF-8 into U+FFFD as a decoder of the whole text does, whatever the cuts', async () => {
    const bytes = Buffer.concat([Buffer.from('{"a": "x'), Buffer.from([0xe2, 0x82]), Buffer.from('"}\n'), Buffer.from([0xff, 0x0a, 0xf0, 0x9f])]);
    const whole = expected(bytes.toString('utf8'));
    for (let i = 0; i <= bytes.length; i++) {
      expect(await linesOf(source([bytes.subarray(0, i), bytes.subarray(i)]))).toEqual(whole);
    }
  });
});
