/**
 * JUnit XML, for the test panels of GitLab, Jenkins, Azure and the like: one testsuite per file,
 * one testcase per audited record (ungrouped) or multiple-choice group, a failure for each
 * testcase with a finding at or above --fail-on (findings below it are the testcase's
 * system-out). Unreadable rows and file-level findings are testcases of their own line; skipped
 * rows one skipped testcase per reason. Valid against the JUnit XSD of Jenkins' xunit plugin.
 */
import type { Finding } from '../types.js';
import type { FileSummary, RunResult } from '../engine/result.js';
import { sortFindings } from '../engine/order.js';
import { reaches } from '../engine/severity.js';
import { absoluteDocsUrl } from '../project.js';
import type { FailOn } from '../gate/outcome.js';
import { countOf, displayPath, escapeUnprintable } from './format.js';
import { accuracyCheckLine, maxWarningsLine } from './gate-text.js';
import type { ReportOptions } from './reporter.js';

interface TestCase {
  name: string;
  failing: Finding[];
  passing: Finding[];
  skipped?: string;
  /** A gate check's failure, not a finding's. */
  failure?: { type: string; message: string };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** XML text: unprintable characters as escape text first (XML 1.0 cannot hold most controls at all), lone surrogates replaced. */
export function xmlEscape(text: string): string {
  return escapeUnprintable(text.replace(LONE_SURROGATE, '\uFFFD'))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export function renderJunit(result: RunResult, options: ReportOptions): string {
  const failOn: FailOn = options.gate?.failOn ?? 'error';
  const docs = new Map(result.rules.map((r) => [r.id, r.docs]));
  const byFile = new Map<string, Finding[]>();
  for (const f of sortFindings(result.findings)) {
    if (!byFile.has(f.file)) byFile.set(f.file, []);
    byFile.get(f.file)!.push(f);
  }
  const suites = result.files.map((file) => ({ name: displayPath(file.file, options.cwd), file, cases: casesOf(file, byFile.get(file.file) ?? [], failOn) }));
  const gateCases = gateTestCases(options);
  const all = [...suites.flatMap((s) => s.cases), ...gateCases];
  const failed = (c: TestCase) => c.failing.length > 0 || c.failure !== undefined;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="evalaudit" tests="${all.length}" failures="${all.filter(failed).length}" errors="0">`,
  ];
  // Test cases are pushed one by one, not spread into push(): a file has one per record or group.
  const pushCases = (cases: readonly TestCase[], suite: string) => {
    for (const c of cases) for (const line of testCaseXml(c, suite, docs)) lines.push(line);
  };
  for (const s of suites) {
    lines.push(
      `  <testsuite name="${xmlEscape(s.name)}" tests="${s.cases.length}" failures="${s.cases.filter(failed).length}" errors="0" skipped="${s.cases.filter((c) => c.skipped).length}" file="${xmlEscape(s.name)}">`,
      '    <properties>',
      `      <property name="format" value="${xmlEscape(s.file.format ?? '(not detected)')}"/>`,
      `      <property name="fail-on" value="${failOn}"/>`,
      '    </properties>',
    );
    pushCases(s.cases, s.name);
    lines.push('  </testsuite>');
  }
  if (gateCases.length > 0) {
    lines.push(`  <testsuite name="evalaudit gate" tests="${gateCases.length}" failures="${gateCases.filter(failed).length}" errors="0">`);
    pushCases(gateCases, 'evalaudit gate');
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function casesOf(file: FileSummary, findings: readonly Finding[], failOn: FailOn): TestCase[] {
  const cases = new Map<string, TestCase>();
  for (const item of file.auditedItems ?? []) cases.set(`${item.kind}:${JSON.stringify(item.id)}`, { name: `${item.kind} ${JSON.stringify(item.id)}`, failing: [], passing: [] });
  for (const f of findings) {
    const own = f.group !== undefined ? `group:${JSON.stringify(f.group)}` : f.recordId !== undefined ? `record:${JSON.stringify(f.recordId)}` : null;
    // A finding on no audited item (an unreadable row, a file-level finding) is a testcase of its line.
    const key = own !== null && cases.has(own) ? own : `line:${f.line}`;
    if (!cases.has(key)) cases.set(key, { name: f.line >= 1 ? `line ${f.line}${f.recordId !== undefined ? ` (record ${JSON.stringify(f.recordId)})` : ''}` : 'whole file', failing: [], passing: [] });
    const c = cases.get(key)!;
    (failOn !== 'none' && reaches(f.severity, failOn) ? c.failing : c.passing).push(f);
  }
  for (const [reason, n] of Object.entries(file.skipReasons)) {
    cases.set(`skipped:${reason}`, { name: `skipped: ${reason}`, failing: [], passing: [], skipped: file.skipped === 0 ? reason : `${countOf(n, 'row')}: ${reason}` });
  }
  return [...cases.values()];
}

function gateTestCases(options: ReportOptions): TestCase[] {
  const gate = options.gate;
  if (!gate) return [];
  const cases: TestCase[] = gate.accuracy.map((c) => ({
    name: `accuracy: ${c.scope === 'run' ? 'all files' : c.name}`,
    failing: [],
    passing: [],
    ...(c.passed ? {} : { failure: { type: 'accuracy-threshold', message: accuracyCheckLine(c) } }),
  }));
  if (gate.maxWarnings) {
    cases.push({ name: '--max-warnings', failing: [], passing: [], ...(gate.maxWarnings.passed ? {} : { failure: { type: 'max-warnings', message: maxWarningsLine(gate.maxWarnings) } }) });
  }
  return cases;
}

function findingText(f: Finding, docs: ReadonlyMap<string, string>): string {
  const record = f.recordId === undefined ? '' : `, record ${JSON.stringify(f.recordId)}`;
  return `${f.severity} ${f.ruleId} (line ${f.line}${record}): ${f.message}\n${absoluteDocsUrl(docs.get(f.ruleId), f.ruleId)}`;
}

function testCaseXml(c: TestCase, classname: string, docs: ReadonlyMap<string, string>): string[] {
  const open = `    <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(classname)}"`;
  const body: string[] = [];
  if (c.skipped !== undefined) body.push(`      <skipped message="${xmlEscape(c.skipped)}"/>`);
  if (c.failure) body.push(`      <failure type="${xmlEscape(c.failure.type)}" message="${xmlEscape(c.failure.message)}"/>`);
  if (c.failing.length > 0) {
    const first = c.failing[0];
    const text = c.failing.map((f) => findingText(f, docs).split('\n').map(xmlEscape).join('\n')).join('\n');
    body.push(`      <failure type="${xmlEscape(first.ruleId)}" message="${xmlEscape(first.message)}">${text}</failure>`);
  }
  if (c.passing.length > 0) body.push(`      <system-out>${c.passing.map((f) => findingText(f, docs).split('\n').map(xmlEscape).join('\n')).join('\n')}</system-out>`);
  return body.length === 0 ? [`${open}/>`] : [`${open}>`, ...body, '    </testcase>'];
}
