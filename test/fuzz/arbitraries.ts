/**
 * Inputs for the fuzz suite, each with what an independent model says the audit must make of
 * it. The model is built from how each row was made, never from evalaudit's code: a row made
 * valid and left alone is a record, a row given one of the breaking mutations below is invalid,
 * a generate_until doc is skipped. Byte-level damage (flips, cuts, NUL, bad UTF-8, re-encoding)
 * makes the outcome unknowable row by row: such files carry `expect: null` and are held to the
 * invariants only.
 */
import fc from 'fast-check';

export interface Expected {
  records: number;
  invalid: number;
  skipped: number;
  /** Lines of the invalid rows, in file order (duplicates where one line holds several). */
  invalidLines: number[];
}

export interface FileCase {
  name: string;
  content: string | Buffer;
  /** The model's counts; null when a mutation makes them unknowable. */
  expect: Expected | null;
  /** For damaged canonical JSONL: the rows the file must still hold if it reads as canonical JSONL. */
  lines?: number;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const NF = '\u0001nf:';

/** JSON as Python writes it: NaN, Infinity (or 1e999) as bare words. */
export function pyJson(v: unknown, spellInfinity = 'Infinity'): string {
  const text = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? `${NF}${x}` : x));
  return text.replace(/"\\u0001nf:(NaN|Infinity|-Infinity)"/g, (_m, w: string) => (w === 'NaN' ? 'NaN' : w === 'Infinity' ? spellInfinity : `-${spellInfinity}`));
}

const text = fc.string({ unit: 'grapheme', maxLength: 8 }).filter((s) => !s.includes('\u0001'));
const nastyText = fc.oneof(text, fc.constantFrom('a|b', 'x\\|y', '`code`', '<b>', '[l](u)', '*em*', 'line\nbreak', 'tab\tx', '\u202eevil', '$x$', '&amp;', '~~s~~', '  ', '#h', '\u0000nul'));
const logprob = fc.oneof(
  { weight: 10, arbitrary: fc.double({ min: -30, max: 0, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, -Infinity, Infinity, 0, 0.5, -0) },
);

export interface RecordSpec {
  value: Record<string, Json>;
  /** Replaces the JSON text of the row (a raw mutation). */
  raw?: string;
}

/** A valid canonical record without its id (the file assigns ids, unique or deliberately not). */
export const canonicalRecord: fc.Arbitrary<Record<string, unknown>> = fc.integer({ min: 1, max: 5 }).chain((k) =>
  fc
    .record({
      tokens: fc.array(text, { minLength: k, maxLength: k }),
      logprobs: fc.array(logprob, { minLength: k, maxLength: k }),
      ids: fc.option(fc.array(fc.integer({ min: 0, max: 7 }), { minLength: k, maxLength: k })),
      logits: fc.option(fc.array(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 8, maxLength: 8 }), { minLength: k, maxLength: k + 1 })),
      top: fc.boolean(),
      score: fc.oneof(fc.constant('sum' as const), logprob, fc.constant(null)),
      group: fc.option(fc.oneof(nastyText, fc.integer({ min: 0, max: 3 }))),
      selected: fc.option(fc.boolean()),
      gold: fc.option(fc.boolean()),
      kind: fc.option(fc.constantFrom('logprob', 'mean_logprob', 'prob', 'nll', 'perplexity')),
      prompt: fc.option(nastyText),
      extra: fc.option(fc.constantFrom('proto', 'constructor', 'marker', 'unknown', 'bigList')),
    })
    .map((s) => {
      const r: Record<string, unknown> = { tokens: s.tokens, logprobs: s.logprobs };
      if (s.logits) {
        r.token_ids = s.ids ?? s.tokens.map((_t, i) => i % 8);
        r.logits = s.logits;
      } else if (s.ids) r.token_ids = s.ids;
      if (s.top) r.top_logprobs = s.logprobs.map((v, i) => [{ token: s.tokens[i], logprob: v, id: i }]);
      if (s.score === 'sum') r.score = s.logprobs.reduce((a, b) => a + b, 0);
      else if (s.score !== null) r.score = s.score;
      if (s.group !== null) r.group = s.group;
      if (s.selected !== null) r.selected = s.selected;
      if (s.gold !== null) r.gold = s.gold;
      if (s.kind !== null) r.score_kind = s.kind;
      if (s.prompt !== null) r.prompt = s.prompt;
      // Own members, as JSON.parse makes them: assignment would set the prototype instead.
      if (s.extra === 'proto') Object.defineProperty(r, '__proto__', { value: { id: 'not-me', score: 1 }, enumerable: true, writable: true, configurable: true });
      if (s.extra === 'constructor') Object.defineProperty(r, 'constructor', { value: { prototype: 1 }, enumerable: true, writable: true, configurable: true });
      if (s.extra === 'marker') r.completion = '\u0000nonfinite:NaN';
      if (s.extra === 'unknown') r.meta = { nested: [1, { x: NaN }] };
      if (s.extra === 'bigList') r.note = Array.from({ length: 5000 }, (_v, i) => i);
      return r;
    }),
);

/** Breaking mutations of a record row: each makes the row unreadable or invalid, whatever else it holds. */
export const BREAKING = [
  'no-id', 'no-evidence', 'tokens-type', 'logprobs-type', 'score-type', 'token-id-negative', 'token-id-nan', 'token-id-inf',
  'selected-type', 'score-kind', 'norm-length', 'choice-index', 'group-nan', 'group-type', 'id-type', 'id-nan', 'topk-no-logprob',
  'metrics-type', 'deep-prompt', 'length-mismatch', 'proto-id', 'nan-key', 'truncate', 'array-row', 'scalar-row', 'not-json',
  'duplicate-id', 'trailing-comma',
] as const;
export type Breaking = (typeof BREAKING)[number];

/** The row text for a record with `id`, broken by `how` (null: left valid). `cut` picks a truncation point. */
export function rowText(record: Record<string, unknown>, id: unknown, how: Breaking | null, cut: number, earlierId: unknown): string {
  const r: Record<string, unknown> = { id, ...record }; // spread copies an own __proto__ as a member
  switch (how) {
    case null: break;
    case 'no-id': delete r.id; break;
    case 'no-evidence': delete r.score; delete r.logprobs; delete r.logits; delete r.reference_logprobs; break;
    case 'tokens-type': r.tokens = 5; break;
    case 'logprobs-type': r.logprobs = ['x']; break;
    case 'score-type': r.score = 'low'; break;
    case 'token-id-negative': r.token_ids = (r.tokens as unknown[]).map(() => -1); delete r.logits; break;
    case 'token-id-nan': r.token_ids = (r.tokens as unknown[]).map(() => NaN); delete r.logits; break;
    case 'token-id-inf': r.token_ids = (r.tokens as unknown[]).map(() => Infinity); delete r.logits; break;
    case 'selected-type': r.selected = 'yes'; break;
    case 'score-kind': r.score_kind = 'logits'; break;
    case 'norm-length': r.norm_length = -Infinity; break;
    case 'choice-index': r.choice_index = Infinity; break;
    case 'group-nan': r.group = NaN; break;
    case 'group-type': r.group = [1]; break;
    case 'id-type': r.id = { n: 1 }; break;
    case 'id-nan': r.id = NaN; break;
    case 'topk-no-logprob': r.top_logprobs = [[{ token: 'x' }]]; break;
    case 'metrics-type': r.metrics = { acc: 'one' }; break;
    case 'length-mismatch': r.token_ids = [...(r.tokens as unknown[]).map(() => 0), 0]; delete r.logits; break;
    case 'duplicate-id': r.id = earlierId; break;
    default: break;
  }
  const json = pyJson(r, cut % 2 ? 'Infinity' : '1e999');
  switch (how) {
    case 'deep-prompt': return `{"id": ${pyJson(id)}, "score": NaN, "prompt": ${'['.repeat(2000 + cut)}${']'.repeat(2000 + cut)}}`;
    // `s`: an id may hold U+2028 or U+2029, which `.` does not match without it (the row was left valid).
    case 'proto-id': return json.replace(/^\{"id":(.*?),"/s, (_m, v: string) => `{"__proto__": {"id": ${v}}, "`).replace(/^\{"id":[^,]*\}$/, '{"__proto__": {"id": 1}}');
    case 'nan-key': return `{NaN: 1, ${json.slice(1)}`;
    case 'truncate': return json.slice(0, 1 + (cut % (json.length - 1)));
    case 'array-row': return `[${json}]`;
    case 'scalar-row': return ['42', 'null', '"text"', 'true'][cut % 4];
    case 'not-json': return 'Traceback (most recent call last):';
    case 'trailing-comma': return `${json.slice(0, -1)},}`;
    default: return json;
  }
}

interface RowPlan {
  record: Record<string, unknown>;
  breaking: Breaking | null;
  cut: number;
}

const rowPlan: fc.Arbitrary<RowPlan> = fc.record({
  record: canonicalRecord,
  breaking: fc.option(fc.constantFrom(...BREAKING), { freq: 3 }),
  cut: fc.nat({ max: 1000 }),
});

const rows = fc.array(rowPlan, { minLength: 1, maxLength: 12 });

function idFor(i: number, numeric: boolean, label: string): string | number {
  return numeric ? i * 7 + 1 : `${label}${i}`;
}

interface Layout {
  eol: '\n' | '\r\n' | '\r';
  bom: boolean;
  blank: boolean;
  finalEol: boolean;
}
const layout: fc.Arbitrary<Layout> = fc.record({ eol: fc.constantFrom('\n', '\r\n', '\r'), bom: fc.boolean(), blank: fc.boolean(), finalEol: fc.boolean() });

/** Plans rows into texts with their model outcome: the first row stays valid (detection reads it). */
function planRows(plans: RowPlan[], numeric: boolean, label: string): { texts: string[]; valid: boolean[] } {
  const texts: string[] = [];
  const valid: boolean[] = [];
  const ids: (string | number)[] = [];
  plans.forEach((p, i) => {
    const breaking = i === 0 ? null : p.breaking === 'duplicate-id' && ids.length === 0 ? null : p.breaking;
    const id = idFor(i, numeric, label);
    texts.push(rowText(p.record, id, breaking, p.cut, ids[p.cut % Math.max(1, ids.length)]));
    valid.push(breaking === null);
    if (breaking === null) ids.push(id);
  });
  return { texts, valid };
}

function expectedOf(valid: boolean[], lines: number[]): Expected {
  const invalidLines = lines.filter((_l, i) => !valid[i]);
  return { records: valid.length, invalid: invalidLines.length, skipped: 0, invalidLines };
}

/** Canonical JSONL: rows, blank lines, any line ending, a BOM. */
export const canonicalJsonl: fc.Arbitrary<FileCase> = fc.tuple(rows, layout, fc.boolean(), nastyText).map(([plans, lay, numeric, label]) => {
  const { texts, valid } = planRows(plans, numeric, label);
  const out: string[] = [];
  const lines: number[] = [];
  texts.forEach((t, i) => {
    if (lay.blank && i % 3 === 1) out.push('  ');
    out.push(t);
    lines.push(out.length);
  });
  const content = (lay.bom ? '\ufeff' : '') + out.join(lay.eol) + (lay.finalEol ? lay.eol : '');
  return { name: 'run.jsonl', content, expect: expectedOf(valid, lines) };
});

/** Canonical JSON documents: an array or {"records": [...]}, pretty (a row per line) or compact (all on line 1). */
export const canonicalJson: fc.Arbitrary<FileCase> = fc
  .tuple(rows, fc.boolean(), fc.boolean(), fc.constantFrom('\n', '\r\n', '\r'), fc.boolean())
  .map(([plans, pretty, wrapped, eol, jsonlName]) => {
    // Element-level mutations only: a cut element would run into the next one.
    const safe = plans.map((p) => (p.breaking === 'truncate' || p.breaking === 'not-json' || p.breaking === 'trailing-comma' ? { ...p, breaking: 'array-row' as const } : p));
    const { texts, valid } = planRows(safe, false, 'd');
    const open = wrapped ? ['{', '  "tool": {"records": 1},', '  "records": ['] : ['['];
    const close = wrapped ? ['  ]', '}'] : [']'];
    let content: string;
    let lines: number[];
    if (pretty) {
      content = [...open, ...texts.map((t, i) => `    ${t}${i < texts.length - 1 ? ',' : ''}`), ...close].join(eol) + eol;
      lines = texts.map((_t, i) => open.length + 1 + i);
    } else {
      content = (wrapped ? `{"records": [${texts.join(', ')}]}` : `[${texts.join(',')}]`) + eol;
      lines = texts.map(() => 1);
    }
    // A pretty array in a file named .jsonl is a document too (lm-eval ≤ 0.4.2).
    return { name: jsonlName && pretty && !wrapped ? 'old.jsonl' : 'doc.json', content, expect: expectedOf(valid, lines) };
  });

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

const CSV_BREAKING = ['stray-close', 'quote-in-cell', 'unclosed', 'cells', 'bad-number', 'bad-json', 'duplicate-id', 'no-id'] as const;

/** Canonical CSV, quoted cells with line breaks of every kind, and rows broken as CSV breaks. */
export const canonicalCsv: fc.Arbitrary<FileCase> = fc
  .tuple(
    fc.array(
      fc.record({
        logprobs: fc.array(fc.double({ min: -20, max: 0, noNaN: true }), { minLength: 1, maxLength: 3 }),
        score: fc.oneof(fc.double({ min: -20, max: 0, noNaN: true }).map(String), fc.constantFrom('NaN', '-inf', '1e999')),
        prompt: fc.oneof(fc.constant(''), fc.constantFrom('a, b', 'say "hi"', 'two\nlines', 'cr\ronly', 'crlf\r\nx', 'plain', '|pipe|')),
        breaking: fc.option(fc.constantFrom(...CSV_BREAKING), { freq: 3 }),
      }),
      { minLength: 1, maxLength: 12 },
    ),
    layout,
  )
  .map(([plans, lay]) => {
    const out: string[] = ['id,score,logprobs,prompt'];
    const lines: number[] = [];
    const valid: boolean[] = [];
    const ids: string[] = [];
    let line = 1;
    const breaks = (s: string) => (s.match(/\r\n|\r|\n/g) ?? []).length;
    plans.forEach((p, i) => {
      const breaking = i === 0 || (p.breaking === 'duplicate-id' && ids.length === 0) ? null : p.breaking;
      if (lay.blank && i % 3 === 1) {
        out.push('');
        line++;
      }
      const id = breaking === 'duplicate-id' ? ids[0] : `r${i}`;
      let cells = [id, p.score, csvCell(JSON.stringify(p.logprobs)), csvCell(p.prompt)];
      switch (breaking) {
        case 'stray-close': cells[1] = `"${p.score}"x`; break;
        case 'quote-in-cell': cells[0] = `r"${i}`; break;
        case 'unclosed': cells[3] = `"${p.prompt.replace(/"/g, '').replace(/[\r\n]/g, ' ')}z`; break;
        case 'cells': cells = cells.slice(0, 3); break;
        case 'bad-number': cells[1] = 'low'; break;
        case 'bad-json': cells[2] = '"[-1,"'; break;
        case 'no-id': cells[0] = ''; break;
        default: break;
      }
      const row = cells.join(',');
      line++;
      out.push(row);
      lines.push(line);
      valid.push(breaking === null);
      if (breaking === null) ids.push(id);
      line += breaks(row);
    });
    const content = (lay.bom ? '\ufeff' : '') + out.join(lay.eol) + (lay.finalEol ? lay.eol : '');
    return { name: 'run.csv', content, expect: expectedOf(valid, lines) };
  });

/** lm-evaluation-harness v0.4.3+ samples: one doc a line, one record per choice; generate_until docs are skipped. */
export const lmEvalSamples: fc.Arbitrary<FileCase> = fc
  .array(fc.record({ choices: fc.integer({ min: 1, max: 4 }), generation: fc.boolean(), lls: fc.array(fc.double({ min: -40, max: 0, noNaN: true }), { minLength: 4, maxLength: 4 }) }), { minLength: 1, maxLength: 8 })
  .map((docs) => {
    let records = 0;
    let skipped = 0;
    const out = docs.map((d, i) => {
      if (d.generation && i > 0) {
        skipped++;
        records++;
        return JSON.stringify({ doc_id: i, doc: {}, target: 'x', arguments: { gen_args_0: { arg_0: 'Q?', arg_1: { until: ['\n'] } } }, resps: [['text']], filtered_resps: ['text'] });
      }
      const n = d.choices === 1 ? 2 : d.choices;
      records += n;
      const args: Record<string, unknown> = {};
      for (let c = 0; c < n; c++) args[`gen_args_${c}`] = { arg_0: 'Question?', arg_1: ` choice ${c}` };
      return JSON.stringify({
        doc_id: i,
        doc: { choices: Array.from({ length: n }, (_v, c) => `choice ${c}`) },
        target: '0',
        arguments: args,
        resps: Array.from({ length: n }, (_v, c) => [[String(d.lls[c]), 'False']]),
        filtered_resps: Array.from({ length: n }, (_v, c) => [String(d.lls[c]), 'False']),
        acc: 1,
      });
    });
    return { name: 'samples_task_2024-01-01T00-00-00.jsonl', content: out.join('\n') + '\n', expect: { records, invalid: 0, skipped, invalidLines: [] } };
  });

/** OpenAI chat completions in an eval script's wrapper, one record a row. */
export const openaiChat: fc.Arbitrary<FileCase> = fc
  .array(fc.array(fc.record({ token: text, logprob: fc.oneof(fc.double({ min: -20, max: 0, noNaN: true }), fc.constant(-9999)) }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 })
  .map((rowsOf) => {
    const out = rowsOf.map((content, i) =>
      JSON.stringify({ id: `c${i}`, group: `g${i >> 1}`, gold: i % 2 === 0, selected: i % 2 === 1, score: content.reduce((a, b) => a + b.logprob, 0), response: { choices: [{ message: { content: 'x' }, logprobs: { content: content.map((e) => ({ ...e, top_logprobs: [e] })) } }] } }),
    );
    return { name: 'chat.jsonl', content: out.join('\n') + '\n', expect: { records: rowsOf.length, invalid: 0, skipped: 0, invalidLines: [] } };
  });

/** Bare OpenAI legacy completions with echo: one record per choice. */
export const openaiCompletions: fc.Arbitrary<FileCase> = fc
  .array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 6 })
  .map((choiceCounts) => {
    let records = 0;
    const out = choiceCounts.map((n, i) => {
      records += n;
      const choice = (c: number) => ({ index: c, text: 'ab', logprobs: { tokens: ['a', 'b'], token_logprobs: [null, -1.5 - c], top_logprobs: [null, { b: -1.5 - c }], text_offset: [0, 1] } });
      return JSON.stringify({ id: `cmpl-${i}`, object: 'text_completion', choices: Array.from({ length: n }, (_v, c) => choice(c)) });
    });
    return { name: 'completions.jsonl', content: out.join('\n') + '\n', expect: { records, invalid: 0, skipped: 0, invalidLines: [] } };
  });

/** vLLM RequestOutput dicts with prompt_logprobs. */
export const vllm: fc.Arbitrary<FileCase> = fc
  .array(fc.array(fc.double({ min: -20, max: 0, noNaN: true }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 })
  .map((seqs) => {
    const out = seqs.map((lps, i) => {
      const ids = [1, ...lps.map((_v, j) => 10 + j)];
      return pyJson({ request_id: `v${i}`, prompt: 'p', prompt_token_ids: ids, prompt_logprobs: [null, ...lps.map((v, j) => ({ [String(10 + j)]: { logprob: v, rank: 1, decoded_token: 't' } }))], outputs: [] });
    });
    return { name: 'vllm.jsonl', content: out.join('\n') + '\n', expect: { records: seqs.length, invalid: 0, skipped: 0, invalidLines: [] } };
  });

/** An lm-eval results file: aggregates only. */
export const lmEvalResults: fc.Arbitrary<FileCase> = fc.double({ min: 0, max: 1, noNaN: true }).map((acc) => ({
  name: 'results_2024-01-01T00-00-00.json',
  content: JSON.stringify({ results: { task: { 'acc,none': acc, 'acc_stderr,none': 'N/A', alias: 'task' } }, versions: { task: 1 } }, null, 2),
  expect: { records: 0, invalid: 0, skipped: 0, invalidLines: [] },
}));

/** Native payloads with one field of one row given a wrong type: the adapter must say so, never crash. */
export const nativeWrongType: fc.Arbitrary<FileCase> = fc
  .tuple(fc.oneof(lmEvalSamples, openaiChat, openaiCompletions, vllm), fc.nat(), fc.constantFrom<Json>(null, 5, NaN, 'x', [], {}, true, [[[[[]]]]], { __proto__: 1 } as unknown as Json, -1e999))
  .map(([base, pick, wrong]) => {
    const lines = String(base.content).split('\n');
    const li = pick % Math.max(1, lines.length - 1);
    const value = JSON.parse(lines[li]) as Record<string, unknown>;
    const paths: string[][] = [];
    const walk = (v: unknown, path: string[]) => {
      paths.push(path);
      if (v !== null && typeof v === 'object' && path.length < 6) for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], [...path, k]);
    };
    walk(value, []);
    const path = paths[1 + (pick % Math.max(1, paths.length - 1))] ?? [];
    let target: Record<string, unknown> = value;
    for (const k of path.slice(0, -1)) target = target[k] as Record<string, unknown>;
    if (path.length > 0) target[path[path.length - 1]] = wrong;
    lines[li] = pyJson(value);
    return { ...base, content: lines.join('\n'), expect: null };
  });

/** Byte-level damage of any file: the model cannot say row by row what survives. */
export const damaged: fc.Arbitrary<FileCase> = fc
  .tuple(
    fc.oneof(canonicalJsonl, canonicalCsv, canonicalJson, lmEvalSamples, openaiChat, vllm),
    fc.constantFrom('flip', 'cut', 'nul', 'bad-utf8', 'utf16', 'insert-quote', 'nonfinite-token'),
    fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
  )
  .map(([base, how, at]) => {
    let bytes = Buffer.from(base.content);
    const pos = (k: number) => (bytes.length === 0 ? 0 : at[k % at.length] % bytes.length);
    switch (how) {
      case 'flip': for (let k = 0; k < at.length; k++) if (bytes.length) bytes[pos(k)] ^= 1 << (at[k] % 8); break;
      case 'cut': bytes = bytes.subarray(0, pos(0)); break;
      case 'nul': bytes = Buffer.concat([bytes.subarray(0, pos(0)), Buffer.from([0]), bytes.subarray(pos(0))]); break;
      case 'bad-utf8': bytes = Buffer.concat([bytes.subarray(0, pos(0)), Buffer.from([0xc3, 0x28, 0xff, 0xe2, 0x82]), bytes.subarray(pos(0))]); break;
      case 'utf16': bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bytes.toString('utf8'), 'utf16le')]); break;
      case 'insert-quote': bytes = Buffer.concat([bytes.subarray(0, pos(0)), Buffer.from('"'), bytes.subarray(pos(0))]); break;
      case 'nonfinite-token': bytes = Buffer.concat([bytes.subarray(0, pos(0)), Buffer.from(['NaN', 'Infinity', '-1e999', 'nan'][at[0] % 4]), bytes.subarray(pos(0))]); break;
    }
    return { name: base.name, content: bytes, expect: null };
  });

/** Several files at once (a run directory); distinct names. */
export const runFiles: fc.Arbitrary<FileCase[]> = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: canonicalJsonl },
      { weight: 2, arbitrary: canonicalCsv },
      { weight: 2, arbitrary: canonicalJson },
      { weight: 1, arbitrary: lmEvalSamples },
      { weight: 1, arbitrary: lmEvalResults },
      { weight: 1, arbitrary: openaiChat },
      { weight: 1, arbitrary: openaiCompletions },
      { weight: 1, arbitrary: vllm },
      { weight: 2, arbitrary: nativeWrongType },
      { weight: 3, arbitrary: damaged },
    ),
    { minLength: 1, maxLength: 5 },
  )
  .map((files) => files.map((f, i) => ({ ...f, name: `${String(i).padStart(2, '0')}/${f.name}` })));
