/**
 * The CI reporters (github, sarif, junit, summary) on the shared synthetic run, with and without
 * a gate outcome: snapshots, GitHub's escaping, SARIF against the OASIS schema, JUnit against a
 * JUnit XSD, and the summary's size bound.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../src/engine/result.js';
import type { GateOutcome } from '../src/gate/outcome.js';
import type { Finding } from '../src/types.js';
import { ANNOTATIONS_PER_SEVERITY, escapeData, escapeProperty, renderGithub } from '../src/report/github.js';
import { buildSarif, FINGERPRINT, messageArguments, renderSarif, sarifTemplate } from '../src/report/sarif.js';
import { renderJunit, xmlEscape } from '../src/report/junit.js';
import { DEFAULT_MAX_FINDINGS, renderSummary, SUMMARY_MAX_CHARS } from '../src/report/summary.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { renderJson } from '../src/report/json.js';
import { AWKWARD_TOKEN, FIXTURE_CWD, makeRunResult } from './fixtures/report/run-result.js';
import { junitErrors, sarifErrors } from './helpers/ci-schemas.js';

const options = { color: false, cwd: FIXTURE_CWD };

/** A gate that failed a task threshold, passed the run one, and suppressed one finding with a stale entry left. */
function makeGate(result: RunResult): GateOutcome {
  return {
    failOn: 'error',
    failing: [...result.findings].filter((f) => f.severity === 'error').length,
    maxWarnings: { limit: 1, warnings: 2, passed: false },
    accuracy: [
      { scope: 'run', name: 'all files', source: '--max-accuracy-change', limit: 30, groups: 4, recorded: 0.75, recomputed: 0.5, change: -25, passed: true },
      { scope: 'task', name: 'arc_easy', source: 'arc_easy', limit: 1, groups: 0, recorded: null, recomputed: null, change: null, passed: false, note: 'no multiple-choice group could be scored' },
    ],
    baseline: {
      file: 'evalaudit.baseline.json',
      suppressed: [{ ...[...result.findings][0], recordId: 'q18-b', line: 9, message: 'an accepted finding' }],
      stale: [{ file: 'runs/mmlu_samples.jsonl', recordId: 'q02-a', ruleId: 'pick-not-argmax', messageId: 'example' }],
      updated: false,
    },
    passed: false,
  };
}

const withGate = () => {
  const result = makeRunResult();
  return { result, options: { ...options, gate: makeGate(result) } };
};

/** Reads a workflow command back as GitHub's runner does: `::name k=v,k=v::message`, values unescaped. */
function parseCommand(line: string): { name: string; props: Record<string, string>; message: string } | null {
  const m = /^::(\w+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!m) return null;
  const unescape = (s: string) => s.replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');
  const props: Record<string, string> = {};
  for (const kv of (m[2] ?? '').split(',').filter((x) => x !== '')) {
    const eq = kv.indexOf('=');
    props[kv.slice(0, eq)] = unescape(kv.slice(eq + 1));
  }
  return { name: m[1], props, message: unescape(m[3]) };
}

describe('github reporter', () => {
  it('matches the snapshots, without and with a gate', async () => {
    await expect(renderGithub(makeRunResult(), options)).toMatchFileSnapshot('__snapshots__/report.github.txt');
    const { result, options: gated } = withGate();
    await expect(renderGithub(result, gated)).toMatchFileSnapshot('__snapshots__/report.github-gate.txt');
  });

  it.each([
    ['100% sure', '100%25 sure', '100%25 sure'],
    ['a:b,c', 'a:b,c', 'a%3Ab%2Cc'],
    ['line\nbreak\r\n', 'line%0Abreak%0D%0A', 'line%0Abreak%0D%0A'],
    ['%0A is not a newline', '%250A is not a newline', '%250A is not a newline'],
  ])('escapes %j as data and as a property', (raw, data, property) => {
    expect(escapeData(raw)).toBe(data);
    expect(escapeProperty(raw)).toBe(property);
  });

  it('keeps a token with %, :, , and a newline intact through the runner (file, title and message)', () => {
    const token = 'p=50%: a,b\nc';
    const f: Finding = { ruleId: 'sentinel-summed', messageId: 'example', severity: 'error', file: `${FIXTURE_CWD}/runs/odd:name,1.jsonl`, line: 4, recordId: 'r1', message: `token ${JSON.stringify(token)} with 100% of\nthe mass` };
    const out = renderGithub({ ...makeRunResult(), findings: [f] }, options);
    const line = out.split('\n')[0];
    // One command on one line: every newline of the message is encoded.
    expect(line).toMatch(/^::error file=runs\/odd%3Aname%2C1\.jsonl,line=4,title=sentinel-summed::/);
    const parsed = parseCommand(line)!;
    expect(parsed.props).toEqual({ file: 'runs/odd:name,1.jsonl', line: '4', title: 'sentinel-summed' });
    expect(parsed.message).toBe(`record "r1": token "p=50%: a,b\\nc" with 100% of\\nthe mass\nhttps://github.com/evalaudit/evalaudit/blob/main/rules/sentinel-summed.md`);
  });

  it(`annotates at most ${ANNOTATIONS_PER_SEVERITY} findings of each severity, then says how many were left out`, () => {
    const template = makeRunResult().findings[0];
    const many = Array.from({ length: 25 }, (_, i) => ({ ...template, line: i + 1, recordId: `r${i}` }));
    const warnings = Array.from({ length: 3 }, (_, i) => ({ ...template, severity: 'warning' as const, line: 100 + i, recordId: `w${i}` }));
    const result = { ...makeRunResult(), findings: [...many, ...warnings] };
    result.summary = { ...result.summary, findings: { error: 25, warning: 3, info: 0 } };
    const lines = renderGithub(result, options).trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('::error '))).toHaveLength(ANNOTATIONS_PER_SEVERITY);
    expect(lines.filter((l) => l.startsWith('::warning '))).toHaveLength(3);
    expect(lines.at(-1)).toMatch(/^evalaudit: 28 findings \(25 errors, 3 warnings, 0 info\); 15 not annotated/);
  });

  it("annotates the gate's failures (uncapped) and notes stale baseline entries", () => {
    const { result, options: gated } = withGate();
    const commands = renderGithub(result, gated).split('\n').map(parseCommand).filter((c) => c !== null);
    expect(commands.filter((c) => c.props.title === 'evalaudit accuracy').map((c) => c.message)).toEqual([
      'accuracy of task arc_easy: cannot be checked against the limit of 1 pp: no multiple-choice group could be scored',
    ]);
    expect(commands.find((c) => c.props.title === 'evalaudit --max-warnings')?.message).toBe('2 warnings, more than --max-warnings 1');
    expect(commands.find((c) => c.name === 'notice' && c.props.title === 'evalaudit baseline')?.message).toContain('runs/mmlu_samples.jsonl record "q02-a" pick-not-argmax/example');
  });
});

describe('sarif reporter', () => {
  it('matches the snapshot', async () => {
    const { result, options: gated } = withGate();
    await expect(renderSarif(result, gated)).toMatchFileSnapshot('__snapshots__/report.sarif.json');
  });

  it('is valid SARIF 2.1.0 (the OASIS schema), with and without suppressions; the schema is not vacuous', () => {
    const { result, options: gated } = withGate();
    expect(sarifErrors(buildSarif(makeRunResult(), options))).toEqual([]);
    const doc = buildSarif(result, gated) as { runs: { results: Record<string, unknown>[] }[] };
    expect(sarifErrors(doc)).toEqual([]);
    const broken = structuredClone(doc);
    broken.runs[0].results[0].level = 'fatal';
    expect(sarifErrors(broken).length).toBeGreaterThan(0);
  });

  it('describes each rule with its summary, absolute doc link and message strings; results point at their rule', () => {
    const { result, options: gated } = withGate();
    const run = (buildSarif(result, gated) as { runs: { tool: { driver: { rules: { id: string; helpUri: string }[] } }; results: { ruleId: string; ruleIndex: number; level: string; message: { id: string; text: string }; locations: unknown[]; partialFingerprints: Record<string, string>; suppressions?: unknown[] }[] }[] }).runs[0];
    const rules = run.tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(['acc-norm-length', 'float16-tolerance', 'non-finite-logprob', 'off-by-one-alignment', 'pick-not-argmax', 'sentinel-summed', 'invalid-record']);
    for (const r of rules) expect(r.helpUri).toBe(`https://github.com/evalaudit/evalaudit/blob/main/rules/${r.id}.md`);
    for (const res of run.results) {
      expect(rules[res.ruleIndex].id).toBe(res.ruleId);
      expect(res.message.id).toBe('example');
      expect(res.partialFingerprints[FINGERPRINT]).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(run.results.map((r) => r.level)).toContain('note');
    // The suppressed finding is kept, marked as the baseline's.
    expect(run.results.filter((r) => r.suppressions).map((r) => r.message.text)).toEqual(['an accepted finding']);
    expect(new Set(run.results.map((r) => r.partialFingerprints[FINGERPRINT])).size).toBe(run.results.length);
  });

  it('fingerprints by file, record, rule and message id: not by line or wording', () => {
    const f = makeRunResult().findings[0];
    const print = (g: Finding) => (buildSarif({ ...makeRunResult(), findings: [g] }, options) as { runs: { results: { partialFingerprints: Record<string, string> }[] }[] }).runs[0].results[0].partialFingerprints[FINGERPRINT];
    expect(print({ ...f, line: 99, message: 'reworded' })).toBe(print(f));
    expect(print({ ...f, recordId: 'other' })).not.toBe(print(f));
    expect(print({ ...f, messageId: 'other' })).not.toBe(print(f));
  });

  it('writes templates with SARIF placeholders and recovers their arguments from the message', () => {
    expect(sarifTemplate('the score {{score}} of {{id|json}} is {{score}} {x}')).toEqual({ text: 'the score {0} of {1} is {0} {{x}}', names: ['score', 'id'] });
    expect(messageArguments('the score {{score}} of {{id|json}} is above 0', 'the score 0.25 of "a b" is above 0')).toEqual(['0.25', '"a b"']);
    expect(messageArguments('the score {{score}} is above 0', 'reworded entirely')).toBeNull();
  });
});

describe('junit reporter', () => {
  it('matches the snapshot', async () => {
    const { result, options: gated } = withGate();
    await expect(renderJunit(result, gated)).toMatchFileSnapshot('__snapshots__/report.junit.xml');
  });

  it('validates against the JUnit XSD, awkward tokens and control characters included; the XSD is not vacuous', async () => {
    const { result, options: gated } = withGate();
    const xml = renderJunit(result, gated);
    expect(xml).toContain(xmlEscape(AWKWARD_TOKEN));
    expect(await junitErrors(xml)).toEqual([]);
    const control = { ...makeRunResult(), findings: [{ ...makeRunResult().findings[0], message: 'bell \u0007 esc \u001b lone \ud800 end' }] };
    expect(await junitErrors(renderJunit(control, options))).toEqual([]);
    expect((await junitErrors(xml.replace(/<testsuite name="[^"]*"/, '<testsuite'))).length).toBeGreaterThan(0);
  });

  it('has one testsuite per file and one testcase per audited group or record, failing at or above --fail-on', () => {
    const xml = renderJunit(makeRunResult(), options);
    expect([...xml.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1])).toEqual(['runs/mmlu_samples.jsonl', 'runs/openai-echo.jsonl', 'runs/notes.csv', '/tmp/scratch/arc_easy.jsonl']);
    const mmlu = xml.slice(xml.indexOf('<testsuite name="runs/mmlu_samples.jsonl"'), xml.indexOf('</testsuite>'));
    expect([...mmlu.matchAll(/<testcase name="([^"]+)"/g)].map((m) => m[1])).toEqual(['group &quot;q17&quot;', 'group 42', 'record &quot;q19&quot;']);
    // q17 has an error (failure) and a warning; group 42 only a warning (system-out, no failure at --fail-on error).
    expect(mmlu).toMatch(/tests="3" failures="1"/);
    const strict = renderJunit(makeRunResult(), { ...options, gate: { ...makeGate(makeRunResult()), failOn: 'warning', baseline: undefined, accuracy: [], maxWarnings: undefined } });
    expect(strict).toMatch(/<testsuite name="runs\/mmlu_samples.jsonl" tests="3" failures="2"/);
  });
});

describe('summary reporter', () => {
  it('matches the snapshot', async () => {
    const { result, options: gated } = withGate();
    await expect(renderSummary(result, gated)).toMatchFileSnapshot('__snapshots__/report.summary.md');
  });

  it('states the verdict, the gate, metric impact, coverage and findings by rule', () => {
    const { result, options: gated } = withGate();
    const md = renderSummary(result, gated);
    expect(md.split('\n')[0]).toBe('## evalaudit: ❌ failed: 8 findings (5 errors, 2 warnings, 1 info)');
    expect(md).toContain('- 2 warnings, more than --max-warnings 1');
    expect(md).toContain('- 1 suppressed by the baseline evalaudit.baseline.json; 1 stale entry');
    expect(md).toContain('**Metric impact:**');
    expect(md).toContain('**What was checked:** Audited 17 of 20 rows');
    expect(md).toContain('- runs/mmlu\\_samples.jsonl record "q02-a" pick-not-argmax/example');
  });

  it(`lists the first ${DEFAULT_MAX_FINDINGS} findings of a rule (or --max-findings) and counts the rest`, () => {
    const template = makeRunResult().findings[0];
    const many = Array.from({ length: 12 }, (_, i) => ({ ...template, line: i + 1, recordId: `r${i}` }));
    const result = { ...makeRunResult(), findings: many };
    const rows = (md: string) => md.split('\n').filter((l) => l.startsWith('| runs/')).length;
    expect(rows(renderSummary(result, options))).toBe(DEFAULT_MAX_FINDINGS + 1); // + the impact table's row of runs/mmlu_samples.jsonl
    expect(renderSummary(result, options)).toContain(`…and ${12 - DEFAULT_MAX_FINDINGS} more.`);
    expect(rows(renderSummary(result, { ...options, maxFindings: 2 }))).toBe(2 + 1);
  });

  it(`stays under ${SUMMARY_MAX_CHARS} characters for a run whose full Markdown report does not (10,000 findings, 40 rules)`, () => {
    const template = makeRunResult().findings[0];
    const rules = Array.from({ length: 40 }, (_, i) => ({ ...makeRunResult().rules[0], id: `rule-number-${i}`, summary: 'x'.repeat(200) }));
    const findings = Array.from({ length: 10_000 }, (_, i) => ({ ...template, ruleId: `rule-number-${i % 40}`, file: `${FIXTURE_CWD}/runs/${'deep/'.repeat(i % 7)}file-${i % 300}.jsonl`, line: i + 1, recordId: `record-${i}`, message: `message ${i} `.repeat(12) }));
    const files = Array.from({ length: 300 }, (_, i) => ({ ...makeRunResult().files[0], file: `${FIXTURE_CWD}/runs/file-${i}.jsonl` }));
    const big: RunResult = { ...makeRunResult(), findings, rules, files };
    expect(renderMarkdown(big, options).length).toBeGreaterThan(65_536);
    const md = renderSummary(big, { ...options, maxFindings: 1000 });
    expect(md.length).toBeLessThanOrEqual(SUMMARY_MAX_CHARS);
    expect(md).toMatch(/…and 2\d\d more\./);
    expect(md).toContain('…and 290 more files');
    // Even a summary with no room for any finding table says what is there.
    const huge: RunResult = { ...big, rules: Array.from({ length: 2000 }, (_, i) => ({ ...rules[0], id: `r${i}` })), findings: findings.map((f, i) => ({ ...f, ruleId: `r${i % 2000}` })) };
    const cut = renderSummary(huge, options);
    expect(cut.length).toBeLessThanOrEqual(SUMMARY_MAX_CHARS);
    expect(cut).toMatch(/summary cut at 60000 characters; the JSON report has everything\.\n$/);
  });
});

describe('JSON report with a gate', () => {
  it('adds the gate and the suppressed count, and stays valid against its schema', async () => {
    const { result, options: gated } = withGate();
    const report = JSON.parse(renderJson(result, gated));
    expect(Object.keys(report)).toEqual(['schemaVersion', 'tool', 'summary', 'gate', 'files', 'findings']);
    expect(report.summary.suppressed).toBe(1);
    expect(report.gate).toMatchObject({ passed: false, failOn: 'error', maxWarnings: { limit: 1, warnings: 2, passed: false }, baseline: { suppressed: 1, updated: false } });
    expect(report.gate.baseline.stale).toEqual([{ file: 'runs/mmlu_samples.jsonl', recordId: 'q02-a', ruleId: 'pick-not-argmax', messageId: 'example' }]);
    const { Ajv } = await import('ajv');
    const validate = new Ajv({ strict: true, allowUnionTypes: true }).compile((await import('../schema/report.schema.json', { with: { type: 'json' } })).default);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  });
});
