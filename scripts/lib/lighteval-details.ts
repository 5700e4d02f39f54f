/**
 * Writes lighteval details rows as Parquet the way `datasets.Dataset.from_list(rows)
 * .to_parquet(path)` does: pyarrow's inferred types (lists as LIST groups with `list` /
 * `element`, dicts as structs, Python ints as INT64), columns as given (lighteval sorts them),
 * row groups of 1,000 rows (datasets' writer batch size), snappy pages.
 *
 * No small real details file can be committed (the public ones are hundreds of MB, lighteval's
 * own test references are Git LFS), so fixtures, sample runs and the memory check are generated
 * from the documented layouts with this one writer.
 */
import { ByteWriter, ParquetWriter, fileWriter } from 'hyparquet-writer';

/** A column type as pyarrow infers it from Python values. */
export type ArrowType = 'string' | 'int64' | 'double' | 'bool' | { list: ArrowType } | { struct: [string, ArrowType][] };

interface SchemaElement {
  name: string;
  repetition_type?: 'OPTIONAL' | 'REPEATED' | 'REQUIRED';
  num_children?: number;
  type?: 'BYTE_ARRAY' | 'INT64' | 'DOUBLE' | 'BOOLEAN';
  converted_type?: 'UTF8' | 'LIST';
}

function elements(name: string, t: ArrowType, out: SchemaElement[]): void {
  if (t === 'string') out.push({ name, repetition_type: 'OPTIONAL', type: 'BYTE_ARRAY', converted_type: 'UTF8' });
  else if (t === 'int64') out.push({ name, repetition_type: 'OPTIONAL', type: 'INT64' });
  else if (t === 'double') out.push({ name, repetition_type: 'OPTIONAL', type: 'DOUBLE' });
  else if (t === 'bool') out.push({ name, repetition_type: 'OPTIONAL', type: 'BOOLEAN' });
  else if ('list' in t) {
    out.push({ name, repetition_type: 'OPTIONAL', num_children: 1, converted_type: 'LIST' });
    out.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
    elements('element', t.list, out);
  } else {
    out.push({ name, repetition_type: 'OPTIONAL', num_children: t.struct.length });
    for (const [field, ft] of t.struct) elements(field, ft, out);
  }
}

/** JavaScript values into what the writer expects for the type (INT64 as BigInt). */
function encode(v: unknown, t: ArrowType): unknown {
  if (v === null || v === undefined) return null;
  if (t === 'int64') return BigInt(v as number);
  if (typeof t === 'string') return v;
  if ('list' in t) return (v as unknown[]).map((x) => encode(x, t.list));
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [field, ft] of t.struct) out[field] = encode(o[field], ft);
  return out;
}

export type Columns = [string, ArrowType][];

/** Streams row batches into one Parquet file: each `write` adds row groups of up to 1,000 rows. */
export class DetailsParquetWriter {
  private readonly writer: ParquetWriter;

  /** `to`: a file path, or a ByteWriter that keeps the file in memory. */
  constructor(
    to: string | ByteWriter,
    private readonly columns: Columns,
  ) {
    const schema: SchemaElement[] = [{ name: 'schema', num_children: columns.length }];
    for (const [name, t] of columns) elements(name, t, schema);
    this.writer = new ParquetWriter({ writer: typeof to === 'string' ? fileWriter(to) : to, schema: schema as never, createdBy: 'parquet-cpp-arrow version 17.0.0' });
  }

  write(rows: Record<string, unknown>[]): void {
    if (rows.length === 0) return;
    const columnData = this.columns.map(([name, t]) => ({ name, data: rows.map((r) => encode(r[name], t)) }));
    this.writer.write({ columnData: columnData as never, rowGroupSize: 1000 });
  }

  finish(): void {
    this.writer.finish();
  }
}

export function writeDetailsParquet(path: string, columns: Columns, rows: Record<string, unknown>[]): void {
  const w = new DetailsParquetWriter(path, columns);
  w.write(rows);
  w.finish();
}

/** The same file's bytes, in memory (the committed sample runs are generated this way). */
export function detailsParquetBytes(columns: Columns, rows: Record<string, unknown>[]): Uint8Array {
  const bytes = new ByteWriter();
  const w = new DetailsParquetWriter(bytes, columns);
  w.write(rows);
  w.finish();
  return new Uint8Array(bytes.getBuffer());
}

const listOf = (t: ArrowType): ArrowType => ({ list: t });

/** lighteval ≤ v0.10 (flat `Detail`, typed columns since v0.8), sorted as lighteval writes them. */
export const FLAT_COLUMNS: Columns = [
  ['choices', listOf('string')],
  ['cont_tokens', listOf(listOf('int64'))],
  ['example', 'string'],
  ['full_prompt', 'string'],
  ['gold', listOf('string')],
  ['gold_index', listOf('int64')],
  ['input_tokens', listOf(listOf('int64'))],
  ['instruction', 'string'],
  ['metrics', { struct: [['acc', 'int64'], ['acc_norm', 'int64']] }],
  ['num_asked_few_shots', 'int64'],
  ['num_effective_few_shots', 'int64'],
  ['padded', listOf('int64')],
  ['predictions', listOf(listOf('double'))],
  ['truncated', listOf('int64')],
];

/** lighteval v0.5–v0.7: every cell `str(value)`. */
export const STRINGIFIED_COLUMNS: Columns = FLAT_COLUMNS.map(([name]) => [name, 'string']);

/** lighteval v0.11+ (`Detail(doc, model_response, metric)`). */
export const NESTED_COLUMNS: Columns = [
  [
    'doc',
    {
      struct: [
        ['query', 'string'],
        ['choices', listOf('string')],
        ['gold_index', 'int64'],
        ['instruction', 'string'],
        ['id', 'string'],
        ['task_name', 'string'],
      ],
    },
  ],
  ['metric', { struct: [['acc', 'int64']] }],
  [
    'model_response',
    {
      struct: [
        ['input', 'string'],
        ['input_tokens', listOf('int64')],
        ['text', listOf('string')],
        ['output_tokens', listOf(listOf('int64'))],
        ['logprobs', listOf('double')],
        ['argmax_logits_eq_gold', listOf('bool')],
        ['truncated_tokens_count', 'int64'],
        ['padded_tokens_count', 'int64'],
      ],
    },
  ],
];

/** Python's str() of a value, as lighteval v0.5–v0.7 stored each cell. */
export function pythonRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    return Number.isInteger(v) && !Object.is(v, -0) ? String(v) : reprFloat(v);
  }
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  if (Array.isArray(v)) return `[${v.map(pythonRepr).join(', ')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).map((k) => `'${k}': ${pythonRepr(o[k])}`).join(', ')}}`;
}

/** repr(float): the shortest round-trip digits, with `.0` on integral values and Python's exponent form. */
function reprFloat(v: number): string {
  let s = String(v);
  if (/e/.test(s)) s = s.replace(/e([+-])(\d)$/, 'e$10$2');
  else if (!s.includes('.')) s += '.0';
  return s;
}

// ---------------------------------------------------------------- docs and rows of each layout

export interface Doc {
  query: string;
  choices: string[];
  gold: number;
  lls: number[];
  greedy: boolean[];
  cont: number[][];
  input: number[];
  acc: number;
  accNorm: number;
}

const argmax = (v: number[]) => v.reduce((b, x, i) => (x > v[b] ? i : b), 0);

/** A doc scored honestly: acc and acc_norm recomputed from its log-likelihoods the way lighteval does. */
export function makeDoc(query: string, choices: string[], gold: number, lls: number[], cont: number[][], input: number[]): Doc {
  const acc = argmax(lls) === gold ? 1 : 0;
  const accNorm = argmax(lls.map((l, i) => l / choices[i].length)) === gold ? 1 : 0;
  return { query, choices, gold, lls, greedy: lls.map(() => false), cont, input, acc, accNorm };
}

export function flatRow(d: Doc): Record<string, unknown> {
  return {
    choices: d.choices,
    cont_tokens: d.cont,
    example: d.query,
    full_prompt: d.query,
    gold: [],
    gold_index: [d.gold],
    input_tokens: d.choices.map(() => d.input),
    instruction: '',
    metrics: { acc: d.acc, acc_norm: d.accNorm },
    num_asked_few_shots: 0,
    num_effective_few_shots: 0,
    padded: d.choices.map(() => 0),
    // (logprob, is_greedy): pyarrow stores the bool of the tuple as 0.0 / 1.0
    predictions: d.lls.map((l, i) => [l, d.greedy[i] ? 1 : 0]),
    truncated: d.choices.map(() => 0),
  };
}

export function stringifiedRow(d: Doc): Record<string, unknown> {
  const flat = flatRow(d);
  const out: Record<string, unknown> = {};
  for (const k in flat) out[k] = typeof flat[k] === 'string' ? flat[k] : pythonRepr(flat[k]);
  // str() of the (logprob, is_greedy) tuples
  out.predictions = `[${d.lls.map((l, i) => `(${pythonRepr(l)}, ${d.greedy[i] ? 'True' : 'False'})`).join(', ')}]`;
  return out;
}

export function nestedRow(d: Doc, index: number, task: string): Record<string, unknown> {
  return {
    doc: { query: d.query, choices: d.choices, gold_index: d.gold, instruction: '', id: String(index), task_name: task },
    metric: { acc: d.acc },
    model_response: {
      input: d.query,
      input_tokens: d.input,
      text: [],
      output_tokens: d.cont,
      logprobs: d.lls,
      argmax_logits_eq_gold: d.greedy,
      truncated_tokens_count: 0,
      padded_tokens_count: 0,
    },
  };
}

export const FIXTURE_DOCS: Doc[] = [
  makeDoc('Question: What is the capital of France?\nAnswer:', [' Paris', ' Lyon', ' Nice'], 0, [-1.25, -4.5, -5.75], [[6342], [30311], [15813]], [24361, 25, 1867]),
  makeDoc('Question: 2 + 2 =\nAnswer:', [' 4', ' 5', ' 22'], 0, [-0.5, -3.25, -2.125], [[604], [642], [362]], [24361, 25, 362]),
  makeDoc('Question: Which is a mammal?\nAnswer:', [' whale', ' shark', ' trout'], 0, [-6.5, -4.0, -7.25], [[33588], [21027], [42545]], [24361, 25, 9]),
  makeDoc('Question: The sky is\nAnswer:', [' blue', ' green'], 0, [-2.0, -2.75], [[4171], [4077]], [24361, 25, 464]),
];

