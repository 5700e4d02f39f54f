import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../src/engine/result.js';
import { displayPath, formatNumber, formatValuePair } from '../src/report/format.js';
import { DEFAULT_FORMAT, findReporter, reporters } from '../src/report/index.js';
import { buildJsonReport, encodeEvidence, renderJson, toolVersion } from '../src/report/json.js';
import { MAX_ROWS_PER_RULE, digestFindings, renderMarkdown } from '../src/report/markdown.js';
import { renderSummary } from '../src/report/summary.js';
import { IN_REPORT_ORDER, sortFindings } from '../src/engine/order.js';
import { escapeCell } from '../src/report/format.js';
import { renderMessage } from '../src/engine/messages.js';
import { renderText } from '../src/report/text.js';
import { displayWidth as width } from '../src/report/layout.js';
import type { Finding } from '../src/types.js';
import { AWKWARD_TOKEN, FIXTURE_CWD, makeRunResult } from './fixtures/report/run-result.js';
import { cellDelimiters, tables } from './helpers/markdown.js';

const require = createRequire(import.meta.url);
const reportSchema = require('../schema/report.schema.json') as Record<string, unknown>;
const pkg = require('../package.json') as { version: string };

const options = { color: false, cwd: FIXTURE_CWD };
const ESC = '\u001b';


function withFindings(findings: Finding[], base: RunResult = makeRunResult()): RunResult {
  return { ...base, findings };
}

/** A fixed permutation, so a failure reproduces. */
function scramble<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = (i * 7 + 3) % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('reporter registry', () => {
  it('registers markdown (the default), json, text, summary, github, sarif and junit', () => {
    expect(Object.keys(reporters).sort()).toEqual(['github', 'json', 'junit', 'markdown', 'sarif', 'summary', 'text']);
    expect(reporters[DEFAULT_FORMAT]).toBe(renderMarkdown);
    expect(findReporter('json')).toBe(renderJson);
    expect(findReporter('toString')).toBeUndefined();
  });

  it.each(Object.keys(reporters))('%s ends with exactly one newline', (format) => {
    const out = reporters[format](makeRunResult(), options);
    expect(out.endsWith('\n')).toBe(true);
    expect(out.endsWith('\n\n')).toBe(false);
  });
});

describe('markdown report', () => {
  const md = renderMarkdown(makeRunResult(), options);

  it('matches the snapshot', async () => {
    await expect(md).toMatchFileSnapshot('__snapshots__/report.markdown.md');
  });

  it('opens with a title, then metric impact, files, rules, findings', () => {
    expect(md.split('\n')[0]).toBe('# evalaudit: 8 findings (5 errors, 2 warnings, 1 info)');
    const order = ['## Metric impact', '## Files', '## Findings by rule', '### '].map((h) => md.indexOf(h));
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('states accuracy recorded vs recomputed, overall and per file with groups', () => {
    expect(md).toContain('goes from **75.0%** (recorded) to **50.0%** (-25.0 pp): the answer changes in 1 of 4 groups.');
    expect(md).toContain('| All files | 4 | 75.0% | 50.0% | -25.0 pp | 1 |');
    expect(md).toContain('| runs/mmlu\\_samples.jsonl | 2 | 100.0% | 50.0% | -50.0 pp | 1 |');
    expect(md).toContain('| /tmp/scratch/arc\\_easy.jsonl | 2 | 50.0% | 50.0% | 0.0 pp | 0 |');
    // A file without groups has no accuracy row.
    expect(md.slice(0, md.indexOf('## Files'))).not.toContain('openai-echo');
  });

  it('omits metric impact when no group has a pick, and per-file rows for a single file', () => {
    const none = makeRunResult();
    none.summary.accuracy = { groups: 0, recorded: null, recomputed: null, changed: 0 };
    expect(renderMarkdown(none, options)).not.toContain('Metric impact');

    const single = makeRunResult();
    single.files = single.files.slice(0, 1);
    const impact = tables(renderMarkdown(single, options))[0];
    expect(impact.slice(2)).toEqual(['| All files | 4 | 75.0% | 50.0% | -25.0 pp | 1 |']);
  });

  it('lists files with their detected format, or says none was', () => {
    expect(md).toContain('| runs/notes.csv | (not detected) | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 1 |');
    expect(md).toContain('| runs/openai-echo.jsonl | openai-echo | 5 | 0 | 3 | 0 | 0 | 0 | 1 | 1 |');
    expect(md).toContain('| **Total** (4 files) |  | 20 | 0 | 3 | 0 | 6 | 8 | 1 | 2 |');
  });

  it('says what could be checked, by evidence level', () => {
    expect(md).toContain(
      "Audited 17 of 20 rows: 3 recomputed from the server's own log-probs; 6 per-token values only: their sum and form checked, not their truth; 8 score only: its range checked; 1 skipped (nothing to audit), 2 unreadable.",
    );
  });

  it('summarises rules most severe first, linked to their docs, with the one-line summary', () => {
    const rules = tables(md)[2];
    expect(rules[0]).toBe('| Rule | Severity | Findings | Summary |');
    expect(rules.slice(2).map((row) => row.split(' | ')[0])).toEqual([
      '| [invalid-record](https://github.com/evalaudit/evalaudit/blob/main/rules/invalid-record.md)',
      '| [non-finite-logprob](https://github.com/evalaudit/evalaudit/blob/main/rules/non-finite-logprob.md)',
      '| [sentinel-summed](https://github.com/evalaudit/evalaudit/blob/main/rules/sentinel-summed.md)',
      '| [acc-norm-length](https://github.com/evalaudit/evalaudit/blob/main/rules/acc-norm-length.md)',
      '| [pick-not-argmax](https://github.com/evalaudit/evalaudit/blob/main/rules/pick-not-argmax.md)',
      '| [float16-tolerance](https://github.com/evalaudit/evalaudit/blob/main/rules/float16-tolerance.md)',
    ]);
    expect(md).toContain('| error | 2 | A recorded log-prob is NaN or ±Infinity. |');
    // An enabled rule that found nothing is not listed.
    expect(md).not.toContain('off-by-one-alignment');
  });

  it('shows recorded vs expected: NaN and -Infinity by name, 6 digits, apart when they round alike', () => {
    expect(md).toContain('| runs/mmlu\\_samples.jsonl:3 | q17-c (group q17) | NaN | -4.21875 |');
    expect(md).toContain('| runs/openai-echo.jsonl:2 | echo-2 | -Infinity | -13.8155 |');
    expect(md).toContain('| -2.5 | -2.499999 |');
    expect(md).toContain('| runs/openai-echo.jsonl:6 | echo-6 | null | — |');
    expect(md).toContain('| runs/notes.csv:1 | — | — | — |');
    expect(md).toContain('| 7 (group 42) | 0.25 | 0.333333 |');
  });

  it('keeps every table row to its columns despite pipes, backticks and newlines in tokens', () => {
    expect(md).toContain(escapeCell(AWKWARD_TOKEN));
    expect(md).toContain('Mercury\\_\\[2\\]\\*');
    for (const t of tables(md)) {
      const columns = cellDelimiters(t[0]);
      for (const row of t) expect(cellDelimiters(row), row).toBe(columns);
    }
  });

  it('says so plainly when there are no findings', () => {
    const clean = renderMarkdown(withFindings([]), options);
    expect(clean.split('\n')[0]).toBe('# evalaudit: no findings');
    expect(clean).toContain('No findings: 6 rules checked 17 records in 4 files and found nothing to report. 1 row held nothing to audit (skipped).');
    expect(clean).not.toContain('###');
  });

  it(`caps a rule's table at ${MAX_ROWS_PER_RULE} rows and points to the JSON report`, () => {
    const template = makeRunResult().findings[0];
    const many = Array.from({ length: MAX_ROWS_PER_RULE + 5 }, (_, i) => ({ ...template, line: i + 1, recordId: `r${i}` }));
    const out = renderMarkdown(withFindings(many), options);
    const findingsTable = tables(out).at(-1)!;
    expect(findingsTable).toHaveLength(MAX_ROWS_PER_RULE + 2);
    expect(out).toContain(`(error, ${MAX_ROWS_PER_RULE + 5})`);
    expect(out).toContain('…and 5 more not shown here; `--format json` lists them all.');

    const exact = renderMarkdown(withFindings(many.slice(0, MAX_ROWS_PER_RULE)), options);
    expect(exact).not.toContain('more not shown');
  });
});

describe('escapeCell', () => {
  it.each([
    ['plain -1.5 text', 'plain -1.5 text'],
    ['a|b', 'a\\|b'],
    ['a\nb', 'a\\nb'],
    ['a\r\nb', 'a\\r\\nb'],
    ['`code`', '\\`code\\`'],
    ['<b>x</b>', '\\<b\\>x\\</b\\>'],
    ['*_[link]_*', '\\*\\_\\[link\\]\\_\\*'],
    ['$x$ ~y~ &amp;', '\\$x\\$ \\~y\\~ \\&amp;'],
    // A backslash before a pipe must not turn our `\|` into an escaped backslash and a bare pipe.
    ['\\|', '\\\\\\|'],
    ['\u001b[31mred', '\\u001b\\[31mred'],
    ['tab\there', 'tab\\there'],
    ['\u202eevil', '\\u202eevil'],
  ])('escapes %j', (input, escaped) => {
    expect(escapeCell(input)).toBe(escaped);
  });

  it('never lets a string end a row or split a cell', () => {
    const awkward = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.array(fc.constantFrom('|', '\\', '`', '\n', '\r', '<', '>', '*', '_', '[', ']', 'a', ' ')).map((cs) => cs.join('')),
    );
    fc.assert(
      fc.property(awkward, (text) => {
        const cell = escapeCell(text);
        return !/[\r\n]/.test(cell) && cellDelimiters(`| ${cell} |`) === 2;
      }),
    );
  });
});

describe('JSON report', () => {
  const json = renderJson(makeRunResult(), options);
  const report = JSON.parse(json) as ReturnType<typeof buildJsonReport>;

  it('matches the snapshot', async () => {
    await expect(json).toMatchFileSnapshot('__snapshots__/report.json.json');
  });

  it('is valid against schema/report.schema.json', () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
    const validate = ajv.compile(reportSchema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);

    // The schema is not vacuous: a misspelt non-finite name or a missing count is rejected.
    const misspelt = structuredClone(report);
    misspelt.findings[0].recorded = 'nan' as never;
    expect(validate(misspelt)).toBe(false);
    const missing = structuredClone(report) as Partial<typeof report>;
    delete (missing.summary as Partial<typeof report.summary>).records;
    expect(validate(missing)).toBe(false);
  });

  it('names non-finite numbers instead of writing null', () => {
    const byRecord = new Map([...report.findings].map((f) => [f.recordId, f]));
    expect(byRecord.get('q17-c')?.recorded).toBe('NaN');
    expect(byRecord.get('q17-c')?.evidence).toEqual({ tokenIndex: 3, logprobs: [-0.25, -1.5, -2.46875, 'NaN'] });
    expect(byRecord.get('echo-2')?.recorded).toBe('-Infinity');
    expect(byRecord.get('echo-2')?.evidence).toEqual({ logprobs: [-0.5, '-Infinity', 'Infinity'] });
    // A recorded null stays null; an absent value stays absent.
    expect(byRecord.get('echo-6')?.recorded).toBeNull();
    expect([...report.findings].find((f) => f.file === 'runs/notes.csv')).not.toHaveProperty('recorded');
  });

  it('has a fixed key order, sorted byRule, the package version and all counts', () => {
    expect(Object.keys(report)).toEqual(['schemaVersion', 'tool', 'summary', 'files', 'findings']);
    expect(Object.keys(report.findings[0])).toEqual([
      'ruleId', 'messageId', 'severity', 'file', 'line', 'recordId', 'group', 'message', 'recorded', 'expected', 'evidence',
    ]);
    expect(Object.keys(report.summary.byRule)).toEqual([...Object.keys(report.summary.byRule)].sort());
    expect(report.tool).toEqual({ name: 'evalaudit', version: pkg.version });
    expect(toolVersion).toBe(pkg.version);
    expect(report.summary.records).toBe(20);
    expect(report.files.map((f) => f.format)).toEqual(['lm-eval-harness', 'openai-echo', null, 'canonical']);
  });

  it('makes any evidence JSON-safe', () => {
    expect(
      encodeEvidence({ row: new Float64Array([1, NaN]), big: 2n ** 70n, small: 5n, gone: undefined, nested: [{ x: -Infinity }] }),
    ).toEqual({ row: [1, 'NaN'], big: '1180591620717411303424', small: 5, nested: [{ x: '-Infinity' }] });
  });
});

describe('text report', () => {
  const plain = renderText(makeRunResult(), options);
  const colored = renderText(makeRunResult(), { ...options, color: true });

  it('matches the snapshots, without and with colour', async () => {
    await expect(plain).toMatchFileSnapshot('__snapshots__/report.text.txt');
    await expect(colored).toMatchFileSnapshot('__snapshots__/report.text-color.txt');
  });

  it('uses ANSI colour only when asked, without changing the layout', () => {
    expect(plain).not.toContain(ESC);
    expect(colored).toContain(`${ESC}[31merror${ESC}[39m`);
    expect(colored.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });

  it('gives each finding a file:line record line with the rule id at its end, then severity and message', () => {
    const lines = plain.split('\n');
    // Sorted by the full path, so /home/ci/evals/… comes before /tmp/….
    expect(lines.filter((l) => /^\S/.test(l) && !l.startsWith('✖')).map((l) => l.split(/\s{2,}/))).toEqual([
      ['runs/mmlu_samples.jsonl:3 q17-c', 'non-finite-logprob'],
      ['runs/mmlu_samples.jsonl:5 q17-a', 'pick-not-argmax'],
      ['runs/mmlu_samples.jsonl:7 7', 'acc-norm-length'],
      ['runs/notes.csv:1', 'invalid-record'],
      ['runs/openai-echo.jsonl:2 echo-2', 'non-finite-logprob'],
      ['runs/openai-echo.jsonl:4 echo-4', 'sentinel-summed'],
      ['runs/openai-echo.jsonl:6 echo-6', 'invalid-record'],
      ['/tmp/scratch/arc_easy.jsonl:2 Mercury_[2]*', 'float16-tolerance'],
    ]);
    // Rule ids end at the width; messages wrap under the severity, escaped onto their lines.
    for (const l of lines.filter((x) => /^\S/.test(x) && !x.startsWith('✖'))) expect(width(l)).toBe(80);
    const sentinel = lines.indexOf(lines.find((l) => l.startsWith('runs/openai-echo.jsonl:4'))!);
    expect(lines[sentinel + 1]).toMatch(/^ {2}error {4}Token '<\|im_end\|>\\n```' carries/);
    expect(lines[sentinel + 2]).toMatch(/^ {11}\S/);
    expect(plain).toContain('  accuracy 75.0% recorded, 50.0% recomputed (-25.0 pp); 1 of 4 groups change');
    expect(plain).toContain('  rule docs: https://github.com/evalaudit/evalaudit/blob/main/rules/<rule>.md');
  });

  it.each([40, 60, 80, 132])('fits %i columns (no line longer), wrapping messages and the closing notes', (columns) => {
    const out = renderText(makeRunResult(), { ...options, width: columns });
    for (const l of out.split('\n')) if (!l.includes('https://')) expect(width(l), l).toBeLessThanOrEqual(columns);
    // Nothing lost in the wrapping: the words of every message are all there, in order.
    const words = out.replace(/\s+/g, ' ');
    for (const f of makeRunResult().findings) expect(words.replace(/ /g, '')).toContain(f.message.replace(/\n/g, '\\n').replace(/\s+/g, ''));
  });

  it('measures CJK and emoji by display width (two columns each)', () => {
    const result = withFindings([{ ...makeRunResult().findings[0], recordId: '問題-7', message: '記録された値 🙂 は対数確率ではない' }]);
    const out = renderText(result, options);
    const head = out.split('\n')[0];
    expect(head.startsWith('runs/mmlu_samples.jsonl:3 問題-7')).toBe(true);
    expect(width(head)).toBe(80);
    expect(head.length).toBeLessThan(80);
  });

  it('counts in the singular and says when there is nothing', () => {
    const one = renderText(withFindings([...makeRunResult().findings].slice(0, 1)), options);
    expect(one).toContain('✖ 1 problem (1 error, 0 warnings, 0 info)');
    const clean = renderText(withFindings([]), options);
    expect(clean.startsWith('✔ No problems (17 records audited in 4 files, 1 skipped)')).toBe(true);
    const nothing = withFindings([]);
    nothing.summary.coverage = { logits: 0, server: 0, topk: 0, values: 0, score: 0 };
    nothing.summary.audited = 0;
    nothing.summary.invalid = 19;
    expect(renderText(nothing, options).startsWith('✖ Nothing audited (20 rows in 4 files)')).toBe(true);
  });
});

describe('determinism', () => {
  it.each(Object.keys(reporters))('%s gives the same bytes twice and whatever order findings arrive in', (format) => {
    const render = reporters[format];
    const first = render(makeRunResult(), options);
    expect(render(makeRunResult(), options)).toBe(first);

    const shuffled = makeRunResult();
    shuffled.findings = scramble([...shuffled.findings]);
    shuffled.rules = [...shuffled.rules].reverse();
    expect([...shuffled.findings].map((f) => f.line)).not.toEqual([...makeRunResult().findings].map((f) => f.line));
    expect(render(shuffled, options)).toBe(first);
  });
});

describe('paths', () => {
  it.each(Object.keys(reporters))('%s shows files under cwd relative to it, others as given', (format) => {
    const out = reporters[format](makeRunResult(), options);
    expect(out).not.toContain(FIXTURE_CWD);
    const md = format === 'markdown' || format === 'summary';
    expect(out).toContain('runs/mmlu_samples.jsonl'.replace('_', md ? '\\_' : '_'));
    expect(out).toContain(md ? '/tmp/scratch/arc\\_easy.jsonl' : format === 'sarif' ? 'file:///tmp/scratch/arc_easy.jsonl' : '/tmp/scratch/arc_easy.jsonl');

    const absolute = reporters[format](makeRunResult(), { color: false });
    expect(absolute).toContain(FIXTURE_CWD);
  });

  it('does not mistake a sibling directory for a subdirectory', () => {
    expect(displayPath('/home/ci/evals/runs/a.jsonl', '/home/ci/evals/')).toBe('runs/a.jsonl');
    expect(displayPath('/home/ci/evals-old/a.jsonl', '/home/ci/evals')).toBe('/home/ci/evals-old/a.jsonl');
    expect(displayPath('/home/ci/a.jsonl', '/home/ci/evals')).toBe('/home/ci/a.jsonl');
    expect(displayPath('runs/a.jsonl', '/home/ci/evals')).toBe('runs/a.jsonl');
  });
});

describe('number formatting', () => {
  it.each([
    ['-9999', -9999],
    ['123456789', 123456789],
    ['-12.3457', -12.345678901],
    ['0.5', 0.5],
    ['1.23457e-7', 1.234567e-7],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['-0', -0],
  ])('formats %s', (text, n) => {
    expect(formatNumber(n)).toBe(text);
  });

  it('adds digits until two different values look different', () => {
    expect(formatValuePair(-2.5, -2.4999991)).toEqual(['-2.5', '-2.499999']);
    expect(formatValuePair(1, 1 + Number.EPSILON)).toEqual(['1', '1.0000000000000002']);
    expect(formatValuePair(NaN, -1)).toEqual(['NaN', '-1']);
  });

  it("a message's numbers that differ but read alike show the digits that tell them apart; others keep six", () => {
    const template = 'the score {{score|apart}} is not the {{kind}} of the recorded per-token values ({{expected|apart}}), over {{n}} steps';
    expect(renderMessage(template, { score: -27.6250057220459, kind: 'logprob', expected: -27.625, n: 1 })).toBe(
      'the score -27.62501 is not the logprob of the recorded per-token values (-27.625), over 1 steps',
    );
    expect(renderMessage(template, { score: -27.6, kind: 'logprob', expected: -27.625, n: 1 })).toBe(
      'the score -27.6 is not the logprob of the recorded per-token values (-27.625), over 1 steps',
    );
    // The same number twice is no look-alike; numbers not marked |apart keep six digits (a message that says two are equal).
    expect(renderMessage('{{a|apart}} and {{b|apart}}', { a: -1.23456789, b: -1.23456789 })).toBe('-1.23457 and -1.23457');
    expect(renderMessage('{{a}} is {{b}}', { a: -1.1131697, b: -1.1131696 })).toBe('-1.11317 is -1.11317');
  });
});

describe('layout', () => {
  it('pads tables by display width: CJK and emoji take two columns, combining marks none', async () => {
    const { textTable, padToWidth } = await import('../src/report/layout.js');
    const rows = textTable(['token', 'logprob'], 'lr', [['猫', '-1.5'], ['🙂', '-2'], ['e\u0301', '-0.25'], ['cat', '-3']]);
    // The last column is right-aligned, so every row ends in the same terminal column.
    expect(rows.map((r) => width(r))).toEqual(rows.map(() => width(rows[0])));
    expect(rows[2]).toBe('猫        -1.5');
    expect(width('猫🙂')).toBe(4);
    expect(width('e\u0301')).toBe(1);
    expect(padToWidth('猫', 4)).toBe('猫  ');
  });
});

describe('Markdown and summary reports of a large run', () => {
  /** A spooled-like list: in report order, branded as such, new objects each pass, passes counted. */
  function spooledList(findings: readonly Finding[]) {
    const list = {
      passes: 0,
      length: findings.length,
      [IN_REPORT_ORDER]: true,
      *[Symbol.iterator]() {
        list.passes++;
        for (const f of findings) yield { ...f };
      },
    };
    return list;
  }

  it('read the findings once and keep only what they show of each rule, with the same text as from an array', () => {
    const base = makeRunResult();
    const many = sortFindings(Array.from({ length: 3 * MAX_ROWS_PER_RULE + 7 }, (_, i) => ({ ...base.findings[i % base.findings.length], line: i + 1 })));
    const list = spooledList(many);
    const lazy = { ...base, findings: list } as unknown as RunResult;
    expect(renderMarkdown(lazy, options)).toBe(renderMarkdown(withFindings(many, base), options));
    expect(list.passes).toBe(1);
    expect(renderSummary(lazy, { ...options, maxFindings: 3 })).toBe(renderSummary(withFindings(many, base), { ...options, maxFindings: 3 }));
    expect(list.passes).toBe(2);

    const digest = digestFindings(withFindings(many, base), 4);
    expect(digest.total).toBe(many.length);
    expect(digest.rules.reduce((n, r) => n + r.count, 0)).toBe(many.length);
    for (const r of digest.rules) {
      const own = many.filter((f) => f.ruleId === r.id);
      expect(r.count).toBe(own.length);
      expect(digest.shown.get(r.id)).toEqual(own.slice(0, 4));
    }
    expect(digestFindings(withFindings(many, base), 0).shown.get(digest.rules[0].id)).toEqual([]);
  });

  it("a rule's row: its configured severity, raised by a more severe finding; a rule without metadata takes its findings' worst", () => {
    const base = makeRunResult();
    const meta = base.rules[0];
    const f0 = base.findings[0];
    const mixed: Finding[] = [
      { ...f0, ruleId: meta.id, severity: 'info', line: 1 },
      { ...f0, ruleId: meta.id, severity: 'error', line: 2 },
      { ...f0, ruleId: 'no-meta-rule', severity: 'info', line: 3 },
      { ...f0, ruleId: 'no-meta-rule', severity: 'warning', line: 4 },
      { ...f0, ruleId: 'no-meta-rule', severity: 'info', line: 5 },
    ];
    const { rules } = digestFindings(withFindings(mixed, base), 10);
    expect(rules.map((r) => [r.id, r.severity, r.count])).toEqual([
      [meta.id, 'error', 2],
      ['no-meta-rule', 'warning', 3],
    ]);
  });
});
