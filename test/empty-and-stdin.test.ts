/**
 * Issue 9: an audit that checked nothing is no pass (exit 2, one line per file saying why,
 * unless --allow-empty), and `-` reads standard input with its format detected.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runShell } from './helpers/cli-process.js';

const root = join(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'evalaudit-empty-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('an audit that checked nothing', () => {
  it.each([
    ['a file no format recognises', () => file('predictions.jsonl', '{"question": "q", "answer": "a"}\n'), /nothing audited in .*predictions\.jsonl: no input format recognises it/],
    ['only unreadable rows', () => file('broken.jsonl', 'not json\n{"id": 1, "score": "x"}\n'), /nothing audited in .*broken\.jsonl: 2 unreadable rows \(invalid-record\)/],
    [
      'only generative samples',
      () =>
        file(
          'samples_gen_2026-01-01T00-00-00.000000.jsonl',
          JSON.stringify({ doc_id: 0, doc: {}, target: 'x', arguments: { gen_args_0: { arg_0: 'Q', arg_1: { until: ['\n'] } } }, resps: [['a']], filtered_resps: ['a'] }) + '\n',
        ),
      /nothing audited in .*samples_gen.*: 1 row skipped: generate_until sample/,
    ],
    [
      'a results file without its samples',
      () => file('results_2026-02-02T00-00-00.000000.json', JSON.stringify({ results: { t: { 'acc,none': 0.5 } }, versions: { t: 1 }, config: {} })),
      /nothing audited in .*results_.*\.json: skipped: no samples for this results file/,
    ],
  ])('exits 2 and says why: %s', (_name, make, why) => {
    const r = runCli(['audit', make(), '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(r.stderr).toMatch(/no record was audited \(--allow-empty accepts that\)/);
    // The report is still written, and says nothing was audited.
    expect(JSON.parse(r.stdout).summary.audited).toBe(0);
  });

  it('turning invalid-record off does not make unreadable input a pass', () => {
    const r = runCli(['audit', file('broken2.jsonl', 'not json\n'), '--rule', 'invalid-record=off', '--format', 'text']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^✖ Nothing audited/m);
    expect(r.stdout).not.toMatch(/✔/);
  });

  it('--allow-empty accepts it', () => {
    const r = runCli(['audit', file('predictions2.jsonl', '{"question": "q"}\n'), '--allow-empty', '--fail-on', 'none']);
    expect(r.code).toBe(0);
  });

  it('names at most 20 files, then how many more (a HELM suite without log-probs has hundreds)', () => {
    const many = mkdtempSync(join(dir, 'many-'));
    for (let i = 0; i < 25; i++) writeFileSync(join(many, `p${String(i).padStart(2, '0')}.jsonl`), '{"question": "q"}\n');
    const r = runCli(['audit', many, '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr.match(/nothing audited in /g)).toHaveLength(20);
    expect(r.stderr).toMatch(/nothing audited in .*p19\.jsonl/);
    expect(r.stderr).not.toMatch(/p20\.jsonl/);
    expect(r.stderr).toMatch(/…and in 5 more files \(the JSON report's files\[\] says why for each\)/);
    expect(JSON.parse(r.stdout).files).toHaveLength(25);
  });

  it('one audited record is enough: the other files are not reasons to fail', () => {
    const r = runCli(['audit', join(root, 'sample-runs', 'cat.jsonl'), file('predictions3.jsonl', '{"question": "q"}\n'), '--fail-on', 'none']);
    expect(r.code).toBe(0);
  });
});

describe('standard input', () => {
  it('`-` reads JSONL from stdin, named <stdin> in the report', () => {
    const r = runCli(['audit', '-', '--format', 'json'], { input: readFileSync(join(root, 'sample-runs', 'cat.jsonl')) });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.files.map((f: { file: string; format: string }) => [f.file, f.format])).toEqual([['<stdin>', 'canonical']]);
    expect([...report.findings].map((f: { ruleId: string; file: string }) => [f.ruleId, f.file])).toEqual([['greedy-choice', '<stdin>']]);
  });

  it('a UTF-8 byte-order mark that arrives in two reads of a pipe is removed, the whole text fitting in a peek or not', () => {
    const whole = JSON.parse(runCli(['audit', 'sample-runs/cat.jsonl', '--format', 'json']).stdout);
    for (const more of ['', 'cat sample-runs/cat.jsonl >/dev/null; head -c 300000 /dev/zero | tr "\\0" "\\n";']) {
      const r = runShell(`{ printf '\\xef\\xbb'; sleep 0.3; printf '\\xbf'; cat sample-runs/cat.jsonl; ${more} } | "$NODE" "$BIN" audit - --format json`, root);
      const report = JSON.parse(r.stdout);
      expect(report.summary.invalid, more || 'short').toBe(0);
      expect(report.summary.records).toBe(whole.summary.records);
      expect(report.findings.map((f: { ruleId: string; line: number }) => [f.ruleId, f.line])).toEqual(whole.findings.map((f: { ruleId: string; line: number }) => [f.ruleId, f.line]));
    }
  });

  it('CSV on stdin is told from its content and typed like a .csv file', () => {
    const csv = readFileSync(join(root, 'sample-runs', 'choice-pertoken.csv'));
    const fromStdin = JSON.parse(runCli(['audit', '-', '--format', 'json', '--fail-on', 'none'], { input: csv }).stdout);
    const fromFile = JSON.parse(runCli(['audit', join(root, 'sample-runs', 'choice-pertoken.csv'), '--format', 'json', '--fail-on', 'none']).stdout);
    expect(fromStdin.summary).toEqual(fromFile.summary);
    expect([...fromStdin.findings].map((f: { ruleId: string; line: number }) => [f.ruleId, f.line])).toEqual([...fromFile.findings].map((f: { ruleId: string; line: number }) => [f.ruleId, f.line]));
  });

  it('empty stdin is an audit that checked nothing', () => {
    const r = runCli(['audit', '-'], { input: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing audited in <stdin>: it holds no records/);
  });
});
