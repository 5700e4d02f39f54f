/**
 * JUnit XML, for the test panels of GitLab, Jenkins, Azure and the like: one testsuite per file,
 * one testcase per audited record (ungrouped) or multiple-choice group, a failure for each
 * testcase with a finding at or above --fail-on (findings below it are the testcase's
 * system-out). Unreadable rows and file-level findings are testcases of their own line; skipped
 * rows one skipped testcase per reason. Valid against the JUnit XSD of Jenkins' xunit plugin.
 */
import type { Finding } from '../types.js';
import type { FileSummary, RunResult } from '../engine/result.js';
import { inReportOrder } from '../engine/order.js';
import { auditedEntries } from '../engine/audited-list.js';
import type { FailOn } from '../gate/outcome.js';
import { countOf, displayPath } from './format.js';
import { accuracyCheckLine, maxWarningsLine } from './gate-text.js';
import { joined } from './json-pieces.js';
import type { ReportOptions } from './reporter.js';
import { countCases, heldCases, itemKey, StreamedCases, xmlEscape, type Cases, type FileCounts, type TestCase } from './junit-cases.js';

export { xmlEscape };

export function renderJunit(result: RunResult, options: ReportOptions): string {
  return joined(renderJunitChunks(result, options));
}

/**
 * The same text as `renderJunit`, piece by piece. The counts in the `testsuites` and `testsuite`
 * elements come before their test cases, so the findings are read twice (a spooled run's are
 * read back from disk each time): once for the counts, once for the text. Neither pass holds a
 * test case per audited record: per file, the keys of the audited items that have findings (and
 * their counts) are held, and a passing record's test case is written from its audited item.
 * The text pass writes a file's test cases as it reads the file's findings (StreamedCases): what
 * it holds is the text of the findings read ahead of their test case, which, as test cases and
 * findings both go in line order, is little. A file whose testsuite cannot be written yet (the
 * files' order differs from the findings') has its findings' text held until it can.
 */
export function* renderJunitChunks(result: RunResult, options: ReportOptions): Generator<string> {
  const failOn: FailOn = options.gate?.failOn ?? 'error';
  const docs = new Map(result.rules.map((r) => [r.id, r.docs]));
  const findings = inReportOrder(result.findings);
  const files = new Map(result.files.map((f) => [f.file, f]));
  const counts = new Map<string, FileCounts>();
  for (const [file, block] of fileBlocks(findings)) counts.set(file, countCases(files.get(file), block, failOn));
  const suites = result.files.map((file) => suiteOf(file, counts.get(file.file), options.cwd));
  const gateCases = gateTestCases(options);
  const failed = (c: TestCase) => c.failing.length > 0 || c.failure !== undefined;
  const out = new Pieces();
  out.line('<?xml version="1.0" encoding="UTF-8"?>');
  const tests = suites.reduce((n, s) => n + s.tests, gateCases.length);
  const failures = suites.reduce((n, s) => n + s.failures, gateCases.filter(failed).length);
  out.line(`<testsuites name="evalaudit" tests="${tests}" failures="${failures}" errors="0">`);
  // Suites in the files' order, each once its findings are read (at once, when it has none);
  // after the last finding, every suite left (`all`).
  const last = new Map(suites.map((s, i) => [s.file.file, i]));
  const ready = new Map<string, Cases>();
  let next = 0;
  function* flush(all = false): Generator<string> {
    for (; next < suites.length; next++) {
      const s = suites[next];
      const key = s.file.file;
      if (!all && counts.has(key) && !ready.has(key)) return;
      yield* suiteXml(out, s, ready.get(key), failOn);
      if (last.get(key) === next) ready.delete(key);
    }
  }
  for (const [file, block] of fileBlocks(findings)) {
    if (!last.has(file)) continue; // a file the run does not list has no testsuite
    yield* flush();
    // flush stopped at this file's first testsuite or before it (the file has findings not read
    // yet): when that suite is next and the file's last, it is written as its findings are read.
    if (last.get(file) === next) {
      yield* suiteXml(out, suites[next++], new StreamedCases(counts.get(file)!, block, failOn, docs), failOn);
      continue;
    }
    ready.set(file, heldCases(counts.get(file)!, block, failOn, docs));
  }
  yield* flush(true);
  if (gateCases.length > 0) {
    out.line(`  <testsuite name="evalaudit gate" tests="${gateCases.length}" failures="${gateCases.filter(failed).length}" errors="0">`);
    for (const c of gateCases) testCaseXml(out, c, 'evalaudit gate');
    out.line('  </testsuite>');
  }
  out.line('</testsuites>');
  yield* out.take(true);
}

/** Lines gathered into pieces of about PIECE_LINES lines. */
class Pieces {
  private lines: string[] = [];
  line(line: string): void {
    this.lines.push(line);
  }
  *take(all = false): Generator<string> {
    if (this.lines.length >= PIECE_LINES || (all && this.lines.length > 0)) {
      yield `${this.lines.join('\n')}\n`;
      this.lines = [];
    }
  }
}

const PIECE_LINES = 512;

/** A file's findings as consecutive runs (report order puts a file's findings together). */
function* fileBlocks(findings: Iterable<Finding>): Generator<[string, Iterable<Finding>]> {
  const it = findings[Symbol.iterator]();
  let at = it.next();
  while (!at.done) {
    const file = at.value.file;
    const block = {
      *[Symbol.iterator]() {
        while (!at.done && at.value.file === file) {
          yield at.value;
          at = it.next();
        }
      },
    };
    yield [file, block];
    for (const _ of block); // what the caller left of the block
  }
}

/** A file's testsuite before its findings' text: an audited item's test case each, a line's for findings on none, a skipped one per reason. */
interface Suite {
  name: string;
  file: FileSummary;
  skips: TestCase[];
  tests: number;
  failures: number;
  skipped: number;
}

function suiteOf(file: FileSummary, counts: FileCounts | undefined, cwd: string | undefined): Suite {
  const skips = skipCases(file);
  return {
    name: displayPath(file.file, cwd),
    file,
    skips,
    tests: (file.auditedItems?.length ?? 0) + (counts?.lineCases ?? 0) + skips.length,
    failures: counts?.failures ?? 0,
    skipped: skips.filter((c) => c.skipped).length,
  };
}

function skipCases(file: FileSummary): TestCase[] {
  return Object.entries(file.skipReasons).map(([reason, n]) => ({ name: `skipped: ${reason}`, failing: [], passing: [], skipped: file.skipped === 0 ? reason : `${countOf(n, 'row')}: ${reason}` }));
}

const NO_FINDINGS: TestCase = { name: '', failing: [], passing: [] };

/** A file's testsuite: its audited items' test cases in their order, then its lines', then its skipped rows'. */
function* suiteXml(out: Pieces, s: Suite, cases: Cases | undefined, failOn: FailOn): Generator<string> {
  const classname = xmlEscape(s.name);
  out.line(`  <testsuite name="${xmlEscape(s.name)}" tests="${s.tests}" failures="${s.failures}" errors="0" skipped="${s.skipped}" file="${xmlEscape(s.name)}">`);
  out.line('    <properties>');
  out.line(`      <property name="format" value="${xmlEscape(s.file.format ?? '(not detected)')}"/>`);
  out.line(`      <property name="fail-on" value="${failOn}"/>`);
  out.line('    </properties>');
  if (s.file.auditedItems) {
    for (const item of auditedEntries(s.file.auditedItems)) {
      testCaseXml(out, cases?.item(itemKey(item.kind, item.id)) ?? NO_FINDINGS, classname, `${item.kind} ${JSON.stringify(item.id)}`);
      yield* out.take();
    }
  }
  if (cases) {
    for (const c of cases.lines()) {
      testCaseXml(out, c, classname);
      yield* out.take();
    }
  }
  for (const c of s.skips) testCaseXml(out, c, classname);
  out.line('  </testsuite>');
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

/** A test case; `classname` XML-escaped already, `name` (an audited item's) in place of the case's. */
function testCaseXml(out: Pieces, c: TestCase, classname: string, name = c.name): void {
  const open = `    <testcase name="${xmlEscape(name)}" classname="${classname}"`;
  if (c.skipped === undefined && !c.failure && c.failing.length === 0 && c.passing.length === 0) {
    out.line(`${open}/>`);
    return;
  }
  out.line(`${open}>`);
  if (c.skipped !== undefined) out.line(`      <skipped message="${xmlEscape(c.skipped)}"/>`);
  if (c.failure) out.line(`      <failure type="${xmlEscape(c.failure.type)}" message="${xmlEscape(c.failure.message)}"/>`);
  if (c.first) out.line(`      <failure type="${xmlEscape(c.first.type)}" message="${xmlEscape(c.first.message)}">${c.failing.join('\n')}</failure>`);
  if (c.passing.length > 0) out.line(`      <system-out>${c.passing.join('\n')}</system-out>`);
  out.line('    </testcase>');
}
