/**
 * Parquet files, streamed by row group: the footer is read first, then one row group at a
 * time is decoded into row objects and handed on before the next is read, so memory holds one
 * row group (pyarrow through Hugging Face `datasets` writes groups of at most 1,000 rows).
 *
 * hyparquet is pure JavaScript with no dependencies and reads only the byte ranges asked for;
 * hyparquet-compressors adds the codecs beyond its built-in snappy (gzip, zstd, brotli, lz4).
 * Values come out as JSON-like data: INT64 columns (token ids) arrive as BigInt and become
 * numbers, typed arrays become plain arrays.
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { parseErrorMessage } from './json-text.js';
import type { Row } from './rows.js';

/** Rows whose value is not JSON-like enough to hand on (a BigInt past 2^53). */
class UnsafeInteger extends Error {}

/** BigInt → number, typed arrays → arrays, recursively; notes non-finite numbers. */
function plain(v: unknown, seen: { nonFinite: boolean }): unknown {
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw new UnsafeInteger(`integer ${v} is past 2^53`);
    return Number(v);
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) seen.nonFinite = true;
    return v;
  }
  if (v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    if (v instanceof Uint8Array) return v; // BYTE_ARRAY that is not UTF-8: left as bytes
    return Array.from(v as unknown as ArrayLike<unknown>, (x) => plain(x, seen));
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = plain(v[i], seen);
    return v;
  }
  if (v instanceof Date) return v.toISOString();
  const o = v as Record<string, unknown>;
  for (const k in o) o[k] = plain(o[k], seen);
  return o;
}

/** The top-level column names of a file's schema. */
export function topLevelColumns(metadata: FileMetaData): string[] {
  return parquetSchema(metadata).children.map((c) => c.element.name);
}

/**
 * One batch of rows per row group. `line` is the row's 1-based position in the file.
 * `columns` picks the top-level columns to decode (all when it returns undefined): a reader
 * that needs three columns of a details file should not inflate its tokenised prompts.
 */
export async function* readParquetRowBatches(file: string, columns?: (names: string[]) => string[] | undefined): AsyncGenerator<Row[]> {
  let metadata: FileMetaData;
  let buffer: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  try {
    buffer = await asyncBufferFromFile(file);
    metadata = await parquetMetadataAsync(buffer);
  } catch (err) {
    yield [{ file, line: 1, error: `not a readable Parquet file: ${parseErrorMessage(err)}` }];
    return;
  }
  const chosen = columns?.(topLevelColumns(metadata));
  let start = 0;
  for (const group of metadata.row_groups) {
    const count = Number(group.num_rows);
    const end = start + count;
    let objects: Record<string, unknown>[];
    try {
      objects = await parquetReadObjects({ file: buffer, metadata, rowStart: start, rowEnd: end, columns: chosen, compressors });
    } catch (err) {
      yield [{ file, line: start + 1, error: `rows ${start + 1}–${end}: cannot decode this row group: ${parseErrorMessage(err)}` }];
      start = end;
      continue;
    }
    const rows: Row[] = new Array(objects.length);
    for (let i = 0; i < objects.length; i++) {
      const line = start + i + 1;
      const seen = { nonFinite: false };
      try {
        const value = plain(objects[i], seen);
        rows[i] = { file, line, value, nonFinite: seen.nonFinite };
      } catch (err) {
        if (!(err instanceof UnsafeInteger)) throw err;
        rows[i] = { file, line, error: `row ${line}: ${err.message}` };
      }
    }
    objects = [];
    yield rows;
    start = end;
  }
}
