/**
 * Issue 12, one test per case it found: nothing lost, nothing crashes, every row accounted for,
 * under any input and any output failure. The fuzz suite (test/fuzz/) looks for more of the same.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AccountingError, audit, checkAccounting } from '../src/engine/index.js';
import { defaultRuleSet } from '../rules/index.js';
import type { RunResult } from '../src/engine/result.js';
import { buildJsonReport } from '../src/report/json.js';
import { readFileItems } from '../src/ingest/index.js';
import { MAX_LINE_CHARS } from '../src/ingest/rows.js';
import { show } from '../src/ingest/formats/values.js';
import { parseJsonText } from '../src/ingest/json-text.js';
import type { RawItem } from '../src/types.js';
import { reportValidator } from './helpers/report-schema.js';
import { runCli, runShell } from './helpers/cli-process.js';
import { auditedEntries, auditedListOf } from '../src/engine/audited-list.js';

const root = mkdtempSync(join(tmpdir(), 'evalaudit-reliability-'));
let n = 0;

function write(name: string, content: string | Buffer): string {
  const dir = join(root, String(n++));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

async function items(file: string): Promise<RawItem[]> {
  const out: RawItem[] = [];
  for await (const item of (await readFileItems(file)).items) out.push(item);
  return out;
}

/** [line, what] for each item: `record <id>`, `invalid`, `skipped`. */
async function shape(file: string): Promise<[number, string][]> {
  return (await items(file)).map((i) => [i.line, i.kind === 'record' ? `record ${i.record.id}` : i.kind]);
}

async function invalidMessages(file: string): Promise<[number, string][]> {
  return (await items(file)).flatMap((i) => (i.kind === 'invalid' ? [[i.line, i.message] as [number, string]] : []));
}

/** The run, after checking its JSON report against the published schema. */
async function auditChecked(paths: string[]): Promise<RunResult> {
  const result = await audit(paths, { rules: defaultRuleSet });
  const validate = reportValidator();
  expect(validate(buildJsonReport(result)), JSON.stringify(validate.errors)).toBe(true);
  return result;
}

const rec = (id: string, extra: Record<string, unknown> = {}) => JSON.stringify({ id, tokens: ['a', 'b'], logprobs: [-1.5, -0.25], score: -1.75, ...extra });

describe('1. CSV: a broken row costs that row only', () => {
  const csvRows = (count: number, from = 0) => Array.from({ length: count }, (_, i) => `r${from + i},-1.5`);

  it.each([10, 3000])('a stray quote after %i rows: those rows, and the ones after, are all read', async (before) => {
    const file = write('stray.csv', ['id,score', ...csvRows(before), 'bad,"-1"x', ...csvRows(5, before)].join('\n') + '\n');
    const list = await items(file);
    expect(list.filter((i) => i.kind === 'record')).toHaveLength(before + 5);
    expect(await invalidMessages(file)).toEqual([[before + 2, expect.stringMatching(/^malformed CSV row: "x" follows a closing quote/)]]);
    const result = await auditChecked([file]);
    expect(result.summary).toMatchObject({ records: before + 6, audited: before + 5, invalid: 1 });
  });

  it('an opening quote never closed gives back the lines it swallowed', async () => {
    const file = write('open.csv', 'id,score,logprobs\nr1,-1,\nr2,"-1,\nr3,-1,\nr4,-2,"[-2]"\nr5,-1,\n');
    expect(await shape(file)).toEqual([
      [2, 'record r1'],
      [3, 'invalid'],
      [4, 'record r3'],
      [5, 'record r4'],
      [6, 'record r5'],
    ]);
    expect((await invalidMessages(file))[0][1]).toMatch(/found at line 5/);
  });

  it('a quote inside an unquoted cell is reported at its line', async () => {
    const file = write('mid.csv', 'id,score\nr1,-1\nr"2,-1\nr3,-1\n');
    expect(await shape(file)).toEqual([
      [2, 'record r1'],
      [3, 'invalid'],
      [4, 'record r3'],
    ]);
  });

  it('a lone CR inside a quoted cell is one line break: later lines stay exact', async () => {
    const file = write('cr-cell.csv', 'id,score,prompt\nr1,-1,"a\rb"\nr2,-1,x\r\nr3,-1,"c\r\nd"\nr4,-1,y\n');
    expect(await shape(file)).toEqual([
      [2, 'record r1'],
      [4, 'record r2'],
      [5, 'record r3'],
      [7, 'record r4'],
    ]);
    const r1 = (await items(file))[0] as Extract<RawItem, { kind: 'record' }>;
    expect(r1.record.prompt).toBe('a\rb');
  });
});

describe('2. deep nesting never overflows the stack', () => {
  const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

  it.each([3_000, 100_000])('a NaN score beside a value nested %i deep is an invalid-record, not a crash', async (depth) => {
    const file = write('deep.jsonl', `{"id": "a", "score": NaN, "prompt": ${deep(depth)}}\n${rec('b')}\n`);
    expect(await invalidMessages(file)).toEqual([[1, 'prompt must be a string, got an array of 1 item']]);
    expect(parseJsonText(`{"x": ${deep(depth).replace('[]', '[NaN]')}}`)).toBeTypeOf('object');
  });

  it('a deep value quoted by an adapter message is shown short', async () => {
    const d = deep(20_000);
    const chat = write('chat.jsonl', `{"id": "w", "group": ${d}, "response": {"choices": [{"logprobs": {"content": [{"token": "a", "logprob": -1}]}}]}}\n`);
    expect((await invalidMessages(chat))[0][1]).toMatch(/^group must be a string or number, found \[\[\[/);
    const lm = write('samples_t_2024-01-01T00-00-00.jsonl', `{"doc_id": ${d}, "arguments": [["a", " b"]], "resps": [[["-1", "False"]]]}\n`);
    expect((await invalidMessages(lm))[0][1]).toMatch(/^doc_id must be a number or string/);
    expect(show(JSON.parse(d))).toBe(`${'['.repeat(40)}…`);
    expect(show({ a: NaN, b: 'x'.repeat(100) })).toBe(`{"a":NaN,"b":"${'x'.repeat(26)}…`);
  });
});

describe('3. validation cannot be bypassed by key names', () => {
  it('a __proto__ member is data, never the prototype: a row without id stays invalid', async () => {
    const file = write(
      'proto.jsonl',
      [
        rec('ok'),
        '{"__proto__": {"id": "x", "score": 1}, "score": NaN}',
        '{"id": "c", "constructor": {"id": 1}, "__proto__": {"logprobs": [1]}, "score": NaN}',
        '{"id": "m", "score": -1, "metrics": {"__proto__": 1, "constructor": 2}}',
        '{"__proto__": null, "id": "n"}',
      ].join('\n'),
    );
    expect(await shape(file)).toEqual([
      [1, 'record ok'],
      [2, 'invalid'],
      [3, 'record c'],
      [4, 'record m'],
      [5, 'invalid'],
    ]);
    expect((await invalidMessages(file))[0][1]).toMatch(/record is missing "id", which is required/);
    const result = await auditChecked([file]);
    expect([...result.findings].some((f) => /duplicate id undefined/.test(f.message))).toBe(false);
  });

  it('{NaN: 1} is not JSON (nor Python JSON); a string equal to the old marker stays a string', async () => {
    const file = write('keys.jsonl', ['{NaN: 1}', '{"id": "s", "score": NaN, "prompt": "\\u0000nonfinite:NaN"}'].join('\n'));
    const list = await items(file);
    expect(list[0]).toMatchObject({ kind: 'invalid', line: 1, message: expect.stringMatching(/^not valid JSON/) });
    expect(list[1]).toMatchObject({ kind: 'record', record: { prompt: '\u0000nonfinite:NaN' } });
  });
});

describe('4. non-finite integers are refused like a non-finite length', () => {
  it.each([
    ['token_ids: [NaN]', '{"id": "a", "tokens": ["x"], "token_ids": [NaN], "logprobs": [-1]}', 'token_ids[0] must be finite, found NaN'],
    ['a top-k id of NaN', '{"id": "a", "logprobs": [-1], "top_logprobs": [[{"token": "x", "logprob": -1, "id": NaN}]]}', 'top_logprobs[0][0].id must be finite, found NaN'],
    ['choice_index: Infinity', '{"id": "a", "score": -1, "choice_index": Infinity}', 'choice_index must be finite, found Infinity'],
    ['norm_length: -1e999', '{"id": "a", "score": -1, "norm_length": -1e999}', 'norm_length must be finite, found -Infinity'],
    ['norm_length: NaN', '{"id": "a", "score": -1, "norm_length": NaN}', 'norm_length must be finite, found NaN'],
    ['token_ids: [1e999]', '{"id": "a", "tokens": ["x"], "token_ids": [1e999], "logprobs": [-1]}', 'token_ids[0] must be finite, found Infinity'],
    ['a NaN group', '{"id": "a", "score": -1, "group": NaN}', 'group is NaN'],
  ])('%s', async (_name, line, message) => {
    expect(await invalidMessages(write('int.jsonl', `${line}\n`))).toEqual([[1, message]]);
  });

  it('a non-finite id from a native payload makes its row invalid and is not quoted as null', async () => {
    const vllm = (id: string) => `{"request_id": ${id}, "prompt_token_ids": [1, 10], "prompt_logprobs": [null, {"10": {"logprob": -1, "rank": 1}}]}`;
    const file = write('v.jsonl', `${vllm('"ok"')}\n${vllm('-Infinity')}\n`);
    const result = await auditChecked([file]);
    expect([...result.findings].map((f) => [f.line, f.recordId, f.message])).toEqual([[2, undefined, 'vllm adapter: id is -Infinity']]);
  });

  it('a non-finite group from a native wrapper never reaches the report as null', async () => {
    const file = write('w.jsonl', '{"id": "w", "group": -Infinity, "response": {"choices": [{"logprobs": {"content": [{"token": "a", "logprob": -1}]}}]}}\n');
    const result = await auditChecked([file]);
    expect(result.summary.invalid).toBe(1);
    expect([...result.findings].every((f) => f.group === undefined || Number.isFinite(f.group) || typeof f.group === 'string')).toBe(true);
  });
});

describe('5. sniffing loses no line, and line numbers stay exact', () => {
  it.each([10, 6000])('a .jsonl whose first line is a %i-character array is JSONL: its later lines are read', async (size) => {
    const array = JSON.stringify(Array.from({ length: Math.ceil(size / 2) }, () => 1)).slice(0, size - 1) + ']';
    const file = write('first-array.jsonl', [array.length > 3 ? array.replace(/,?1?]$/, ']') : '[1]', rec('a'), rec('b')].join('\n') + '\n');
    expect(await shape(file)).toEqual([
      [1, 'invalid'],
      [2, 'record a'],
      [3, 'record b'],
    ]);
  });

  it('a pretty-printed array in a .jsonl (lm-eval ≤ 0.4.2) is still a document', async () => {
    const file = write('old.jsonl', `[\n  ${rec('a')},\n  ${rec('b')}\n]\n`);
    expect(await shape(file)).toEqual([
      [2, 'record a'],
      [3, 'record b'],
    ]);
  });

  it('{"records": …} with an escaped key and a duplicate: elements at their own lines, the duplicate reported', async () => {
    const file = write('records.json', `{\n  "meta": {"records": [1]},\n  "rec\\u006frds": [\n    ${rec('a')},\n    ${rec('b')}\n  ],\n  "records": [${rec('c')}]\n}\n`);
    expect(await shape(file)).toEqual([
      [4, 'record a'],
      [5, 'record b'],
      [7, 'invalid'],
    ]);
    expect((await invalidMessages(file))[0][1]).toMatch(/a second "records" key/);
  });

  it('a truncated JSON array still yields every element before the cut', async () => {
    const file = write('cut.json', `[\n${rec('a')},\n${rec('b')},\n{"id": "c", "sco`);
    expect(await shape(file)).toEqual([
      [2, 'record a'],
      [3, 'record b'],
      [4, 'invalid'],
    ]);
  });

  it('a .json file holding JSON lines reads each line as a row', async () => {
    const file = write('lines.json', `${rec('a')}\nTraceback (most recent call last):\n${rec('b')}\n`);
    expect(await shape(file)).toEqual([
      [1, 'record a'],
      [2, 'invalid'],
      [3, 'record b'],
    ]);
  });
});

describe('7. line endings, encodings, caps and odd files', () => {
  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['lone CR (old Mac)', '\r'],
  ])('JSONL and CSV with %s line endings keep their line numbers', async (_name, eol) => {
    const jsonl = write('eol.jsonl', [rec('a'), '', rec('b'), rec('c')].join(eol) + eol);
    expect(await shape(jsonl)).toEqual([
      [1, 'record a'],
      [3, 'record b'],
      [4, 'record c'],
    ]);
    const csv = write('eol.csv', ['id,score', 'a,-1', '', 'b,-2'].join(eol) + eol);
    expect(await shape(csv)).toEqual([
      [2, 'record a'],
      [4, 'record b'],
    ]);
  });

  it('UTF-16 with a BOM (what PowerShell > writes) is read', async () => {
    const text = `${rec('a')}\r\n${rec('é')}\r\n`;
    const le = write('le.jsonl', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    expect(await shape(le)).toEqual([
      [1, 'record a'],
      [2, 'record é'],
    ]);
    const be = write('be.jsonl', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]));
    expect(await shape(be)).toEqual(await shape(le));
  });

  it('the line cap is exact: a line of MAX_LINE_CHARS characters is read, one more is refused', async () => {
    const line = (chars: number) => {
      const head = '{"id": "x", "score": -1, "prompt": "';
      return `${head}${'p'.repeat(chars - head.length - 2)}"}`;
    };
    const atCap = line(MAX_LINE_CHARS);
    expect(atCap.length).toBe(MAX_LINE_CHARS);
    expect(await shape(write('cap.jsonl', `${atCap}\n${rec('b')}\n`))).toEqual([
      [1, 'record x'],
      [2, 'record b'],
    ]);
    const over = write('over.jsonl', `${line(MAX_LINE_CHARS + 1)}\n${rec('b')}\n`);
    expect(await invalidMessages(over)).toEqual([[1, 'line longer than 64 Mi characters: not read']]);
  });

  it('a FIFO nobody writes to reads as empty instead of blocking', async () => {
    const fifo = join(root, 'nobody.jsonl');
    execFileSync('mkfifo', [fifo]);
    const result = await audit([fifo], { rules: defaultRuleSet });
    expect([...result.findings].map((f) => f.message)).toEqual(['the file holds no records']);
  });

  it('audit <(cat run.jsonl) reads JSONL lines as lines', () => {
    const file = write('run.jsonl', [rec('a'), rec('b', { score: 3 })].join('\n') + '\n');
    const r = runShell(`"$NODE" "$BIN" audit <(cat ${JSON.stringify(file)}) --format json`, root);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).summary).toMatchObject({ records: 2, audited: 2 });
  });

  it('a file reached through a symbolic link is named by the path the user gave', async () => {
    const file = write('target.jsonl', `${rec('a')}\n`);
    const link = join(root, 'latest.jsonl');
    symlinkSync(file, link);
    expect((await audit([link], { rules: defaultRuleSet })).files.map((f) => f.file)).toEqual([link]);
    const dir = join(root, 'linkdir');
    mkdirSync(dir);
    symlinkSync(file, join(dir, 'outside.jsonl'));
    expect((await audit([dir], { rules: defaultRuleSet })).files.map((f) => f.file)).toEqual([join(dir, 'outside.jsonl')]);
  });
});

describe('6. output failures', () => {
  const big = () => write('big.jsonl', Array.from({ length: 5000 }, (_, i) => rec(`r${i}`, i % 2 ? { score: 2 } : {})).join('\n') + '\n');

  it('`| head -1` (EPIPE) ends quietly with the exit code the audit earned', () => {
    const r = runShell(`"$NODE" "$BIN" audit ${JSON.stringify(big())} --format json | head -1; echo "exit=\${PIPESTATUS[0]}"`, root);
    expect(r.stdout).toBe('{\nexit=1\n');
    expect(r.stderr).toBe('');
  });

  it('a full disk (ENOSPC) is one line naming the target, exit 2', () => {
    const r = runShell(`"$NODE" "$BIN" audit ${JSON.stringify(big())} > /dev/full`, root);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('evalaudit: cannot write the report to stdout: ENOSPC\n');
  });

  it('--output never overwrites an input file, however it is named', () => {
    const file = big();
    const before = readFileSync(file, 'utf8');
    const link = join(root, 'alias.jsonl');
    symlinkSync(file, link);
    for (const target of [file, link]) {
      const r = runCli(['audit', file, '--output', target]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is one of the input files/);
    }
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('--output creates its folder, writes atomically and leaves no temporary file', () => {
    const file = big();
    const out = join(root, 'reports', 'deep', 'x.md');
    expect(runCli(['audit', file, '-o', out, '--fail-on', 'none']).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^# evalaudit/);
    expect(readdirSync(join(root, 'reports', 'deep'))).toEqual(['x.md']);
    // A failed run (an unreadable input) leaves the previous report as it was.
    const missing = runCli(['audit', join(root, 'nope.jsonl'), '-o', out]);
    expect(missing.code).toBe(2);
    expect(readFileSync(out, 'utf8')).toMatch(/^# evalaudit/);
  });

  it('a report that cannot be written leaves no half file', () => {
    const dir = join(root, 'ro');
    mkdirSync(dir);
    writeFileSync(join(dir, 'blocker'), '');
    // A folder where a file stands cannot be created: the write fails before any report exists.
    const r = runCli(['audit', big(), '-o', join(dir, 'blocker', 'x.md')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write/);
    expect(existsSync(join(dir, 'blocker', 'x.md'))).toBe(false);
    chmodSync(dir, 0o755);
  });
});

describe('accounting is an invariant the engine checks', () => {
  const summary = { file: 'run.jsonl', format: 'canonical', records: 3, audited: 2, invalid: 1, skipped: 0, skipReasons: {}, coverage: { logits: 0, server: 0, topk: 0, values: 0, score: 0 }, accuracy: { groups: 0, recorded: null, recomputed: null, changed: 0 } };
  const handed = { rows: 3, lost: [] as number[], items: { record: 2, invalid: 1, skipped: 0 } };

  it('holds for counts that add up', () => {
    expect(() => checkAccounting(summary, handed)).not.toThrow();
  });

  it.each([
    ['a record the engine did not count', { ...summary, records: 4 }, handed, /4 records ≠ 2 audited \+ 1 invalid \+ 0 skipped/],
    ['a record the readers handed on and the engine lost', summary, { ...handed, items: { record: 3, invalid: 1, skipped: 0 } }, /handed on 3 records/],
    ['a row an adapter turned into nothing', summary, { ...handed, lost: [7] }, /1 rows became nothing \(first at line 7\)/],
  ])('names the file when broken: %s', (_name, s, a, message) => {
    expect(() => checkAccounting(s, a)).toThrow(AccountingError);
    expect(() => checkAccounting(s, a)).toThrow(message);
    expect(() => checkAccounting(s, a)).toThrow(/accounting violation in run\.jsonl/);
  });
});

describe('the same input gives the same bytes under any --concurrency', () => {
  it('samples files of one task finishing in any order: the same sums and file lists (found by the fuzz suite)', async () => {
    const dir = join(root, 'concurrency');
    const doc = (i: number, ll: number) => JSON.stringify({ doc_id: i, doc: {}, target: '0', arguments: { gen_args_0: { arg_0: 'Q', arg_1: ' a' }, gen_args_1: { arg_0: 'Q', arg_1: ' b' } }, filtered_resps: [[String(ll), 'False'], ['-9', 'False']], acc: i % 2 });
    for (let f = 0; f < 4; f++) {
      mkdirSync(join(dir, String(f)), { recursive: true });
      // Files of different sizes finish in a different order from the one they start in.
      writeFileSync(join(dir, String(f), 'samples_task_2024-01-01T00-00-00.jsonl'), Array.from({ length: f === 0 ? 20_000 : 50 }, (_v, i) => doc(i, -0.1 - i / 7)).join('\n'));
    }
    writeFileSync(join(dir, 'results_2024-01-01T00-00-00.json'), JSON.stringify({ results: { task: { 'acc,none': 0.9 } }, versions: { task: 1 } }));
    const reports = new Set<string>();
    for (const concurrency of [1, 2, 5]) reports.add(JSON.stringify(buildJsonReport(await audit([dir], { rules: defaultRuleSet, concurrency }))));
    expect(reports.size).toBe(1);
    expect([...reports][0]).toMatch(/metric-mismatch/);
  });
});

describe('no count of records, candidates or test cases overflows the stack (no spread into a call)', () => {
  it('one group of 150,000 candidates with harness metrics, and a JUnit report of 150,000 test cases', async () => {
    const rows = Array.from({ length: 150_000 }, (_, i) => `{"id": "c${i}", "group": "g", "score": ${-1 - (i % 97) / 10}, "logprobs": [${-1 - (i % 97) / 10}], "selected": ${i === 5}, "gold": ${i === 7}, "task": "t", "metrics": {"acc": ${i === 5 ? 1 : 0}}}`);
    const file = write('one-group.jsonl', `${rows.join('\n')}\n`);
    const result = await audit([file], { rules: defaultRuleSet, listAudited: true });
    expect(result.summary.audited).toBe(150_000);
    expect([...auditedEntries(result.files[0].auditedItems!)]).toEqual([{ kind: 'group', id: 'g', line: 1 }]);
    const { renderJunit } = await import('../src/report/junit.js');
    const many = { ...result, files: [{ ...result.files[0], auditedItems: auditedListOf(rows.map((_, i) => ({ kind: 'record' as const, id: `c${i}`, line: i + 1 }))) }] };
    expect(renderJunit(many, { color: false }).match(/<testcase /g)!.length).toBeGreaterThanOrEqual(150_000);
  }, 60_000);
});
