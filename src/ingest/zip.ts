/**
 * JSON members of a zip archive, read one at a time (Inspect AI's `.eval` logs are zips of
 * per-sample JSON). The central directory is read first (names and sizes only), then each
 * chosen member is inflated on its own, so memory holds one member, never the archive.
 *
 * yauzl reads the central directory through random access and inflates DEFLATE members with
 * Node's own zlib; Inspect has written zstd members (method 93) by default since 2025, which
 * Node 20's zlib cannot inflate, so those are streamed through fzstd (pure JS, the decoder
 * Inspect's own log viewer uses).
 */
import { Decompress } from 'fzstd';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { parseErrorMessage, parseJsonTextEx } from './json-text.js';
import { MAX_DOCUMENT_BYTES, type Row } from './rows.js';

const DEFLATE = 8;
const STORED = 0;
const ZSTD = 93;

function openZip(file: string): Promise<ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true }, (err, zip) => (err ? reject(err) : resolve(zip))),
  );
}

/** Every entry of the central directory, in order; a name written twice keeps its last entry (what readers of appended zips see). */
function listEntries(zip: ZipFile): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const byName = new Map<string, Entry>();
    zip.on('entry', (e: Entry) => {
      byName.delete(e.fileName);
      byName.set(e.fileName, e);
      zip.readEntry();
    });
    zip.on('end', () => resolve([...byName.values()]));
    zip.on('error', reject);
    zip.readEntry();
  });
}

function openStream(zip: ZipFile, entry: Entry): Promise<NodeJS.ReadableStream> {
  const options = entry.compressionMethod === ZSTD ? { decodeFileData: false } : {};
  return new Promise((resolve, reject) => zip.openReadStream(entry, options, (err, stream) => (err ? reject(err) : resolve(stream))));
}

async function memberBytes(zip: ZipFile, entry: Entry): Promise<Buffer> {
  const stream = await openStream(zip, entry);
  const chunks: Uint8Array[] = [];
  if (entry.compressionMethod !== ZSTD) {
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks);
  }
  let size = 0;
  const zstd = new Decompress((data) => {
    size += data.length;
    if (size > MAX_DOCUMENT_BYTES) throw new Error(`member inflates past ${MAX_DOCUMENT_BYTES / 2 ** 20} MiB`);
    chunks.push(data);
  });
  for await (const chunk of stream as AsyncIterable<Buffer>) zstd.push(chunk);
  zstd.push(new Uint8Array(0), true);
  return Buffer.concat(chunks);
}

/**
 * Reads the members `choose` picks from the archive's member names (in the order it returns
 * them), each parsed as one JSON row. `line` is the member's position in that order (1-based)
 * and `entry` its name, so a finding can say where it is.
 */
export async function* readZipJsonRows(file: string, choose: (names: string[]) => string[]): AsyncGenerator<Row> {
  let zip: ZipFile;
  let entries: Entry[];
  try {
    zip = await openZip(file);
    entries = await listEntries(zip);
  } catch (err) {
    yield { file, line: 1, error: `not a readable zip archive: ${parseErrorMessage(err)}` };
    return;
  }
  try {
    const byName = new Map(entries.map((e) => [e.fileName, e]));
    const names = choose(entries.map((e) => e.fileName));
    for (let i = 0; i < names.length; i++) {
      const entry = byName.get(names[i])!;
      const line = i + 1;
      const name = entry.fileName;
      if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATE && entry.compressionMethod !== ZSTD) {
        yield { file, line, entry: name, error: `${name}: zip compression method ${entry.compressionMethod} is not supported (stored, deflate and zstd are)` };
        continue;
      }
      if (entry.uncompressedSize > MAX_DOCUMENT_BYTES) {
        yield { file, line, entry: name, error: `${name}: a ${Math.round(entry.uncompressedSize / 2 ** 20)} MiB member is too large to read` };
        continue;
      }
      let text: string;
      try {
        text = (await memberBytes(zip, entry)).toString('utf8');
      } catch (err) {
        yield { file, line, entry: name, error: `${name}: cannot inflate: ${parseErrorMessage(err)}` };
        continue;
      }
      try {
        const parsed = parseJsonTextEx(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
        yield { file, line, entry: name, value: parsed.value, nonFinite: parsed.nonFinite };
      } catch (err) {
        yield { file, line, entry: name, error: `${name}: not valid JSON: ${parseErrorMessage(err)}` };
      }
    }
  } finally {
    zip.close();
  }
}
