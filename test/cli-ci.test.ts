/**
 * The CLI as a CI gate, end to end on the sample runs: several reports in one run, the step
 * summary, the config file (same bytes as the flags), the baseline round trip, accuracy
 * thresholds, --max-warnings, ignore globs, and the terminal (width, colour, suggestions).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WriteStream } from 'node:tty';
import { Ajv } from 'ajv';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main, useColor } from '../src/cli.js';
import { progressLine, startProgress } from '../src/cli/progress.js';
import { openProgress } from '../src/cli/terminal.js';
import { displayWidth } from '../src/report/layout.js';
import { toolVersion } from '../src/project.js';
import { junitErrors, sarifErrors } from './helpers/ci-schemas.js';

const root = join(__dirname, '..');
let out = '';
let err = '';
let cwd = '';
beforeEach(() => {
  out = '';
  err = '';
  cwd = process.cwd();
  process.chdir(root);
  vi.stubEnv('COLUMNS', '80');
  vi.stubEnv('FORCE_COLOR', '0');
  vi.stubEnv('GITHUB_ACTIONS', '');
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  process.chdir(cwd);
});

const tmp = () => mkdtempSync(join(tmpdir(), 'evalaudit-ci-'));

/** Runs the CLI and returns its exit code with what it wrote (stdout and stderr reset first). */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  out = '';
  err = '';
  const code = await main(argv);
  return { code, out, err };
}

describe('several reports in one run', () => {
  it('writes each --report to its file (folders created) and one to stdout, as the single-report runs would', async () => {
    const dir = join(tmp(), 'new', 'folder');
    const r = await run('audit', 'sample-runs', '--report', `json=${dir}/r.json`, '--report', `sarif=${dir}/r.sarif`, '--report', `junit=${dir}/r.xml`, '--report', `summary=${dir}/s.md`, '--report', 'github');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^::error file=sample-runs\/cat\.jsonl,line=1,title=greedy-choice::/);
    const json = readFileSync(join(dir, 'r.json'), 'utf8');
    expect((await run('audit', 'sample-runs', '--format', 'json')).out).toBe(json);
    expect(sarifErrors(JSON.parse(readFileSync(join(dir, 'r.sarif'), 'utf8')))).toEqual([]);
    const xml = readFileSync(join(dir, 'r.xml'), 'utf8');
    expect(await junitErrors(xml)).toEqual([]);
    // One testcase per audited record or group: 249 rows, of which the grouped ones count once per group.
    expect(Number(/<testsuites name="evalaudit" tests="(\d+)"/.exec(xml)![1])).toBeGreaterThan(50);
    expect(readFileSync(join(dir, 's.md'), 'utf8').length).toBeLessThan(65_536);
  });

  it('keeps --format / --output as the single-report case, alone or beside --report', async () => {
    const dir = tmp();
    expect((await run('audit', 'sample-runs', '-f', 'json', '-o', join(dir, 'a.json'), '--report', 'text')).code).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')).schemaVersion).toBe(2);
    expect(out).toContain('✖ 103 problems');
  });

  it.each([
    [['--report', 'json', '--report', 'text'], /only one report can go to stdout, but json and text would/],
    [['--report', 'sarf=x.sarif'], /unknown report format "sarf" \(did you mean "sarif"\?\)/],
    [['--format', 'mardown'], /^evalaudit: --format: unknown value "mardown" \(did you mean "markdown"\?\); choices: markdown, json, text, summary, github, sarif, junit\n/],
    [['--fail-on', 'warnng'], /--fail-on: unknown value "warnng" \(did you mean "warning"\?\); choices: error, warning, info, none/],
    [['--precision', 'q"x'], /--precision: unknown value "q\\"x"; choices: auto, fp32, bf16, fp16\n/],
    [['--report', 'json=/tmp/same.json', '--report', 'sarif=/tmp/same.json'], /two reports would be written to \/tmp\/same.json/],
  ])('refuses %j with exit 2', async (args, message) => {
    const r = await run('audit', 'sample-runs', ...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message as RegExp);
  });

  it('appends the summary to $GITHUB_STEP_SUMMARY on GitHub Actions, and says why not elsewhere', async () => {
    const file = join(tmp(), 'step-summary.md');
    writeFileSync(file, '# earlier step\n');
    vi.stubEnv('GITHUB_ACTIONS', 'true');
    vi.stubEnv('GITHUB_STEP_SUMMARY', file);
    expect((await run('audit', 'sample-runs', '--report', 'github', '--step-summary')).code).toBe(1);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('# earlier step\n## evalaudit: ❌ failed: 103 findings')).toBe(true);
    vi.stubEnv('GITHUB_ACTIONS', '');
    const r = await run('audit', 'sample-runs', '--format', 'json', '--step-summary');
    expect(r.code).toBe(1);
    expect(r.err).toContain('--step-summary: not running on GitHub Actions');
  });
});

describe('config file', () => {
  it('its schema names every input format, mappable field and fail-on level the code has', async () => {
    const schema = JSON.parse(readFileSync(join(root, 'schema', 'config.schema.json'), 'utf8'));
    const { adapters } = await import('../src/ingest/index.js');
    const { MAPPABLE_FIELDS } = await import('../src/ingest/mapping.js');
    const { FAIL_ON } = await import('../src/gate/outcome.js');
    expect(schema.properties.inputFormat.enum).toEqual(adapters.map((a) => a.name));
    expect(schema.properties.map.propertyNames.enum).toEqual([...MAPPABLE_FIELDS]);
    expect(schema.properties.failOn.enum).toEqual([...FAIL_ON]);
    const { PRECISION_SETTINGS } = await import('../src/reference/precision.js');
    expect(schema.properties.precision.enum).toEqual([...PRECISION_SETTINGS]);
  });

  /** A working directory holding the sample runs (as `runs`) and the given config. */
  function project(config?: unknown): string {
    const dir = tmp();
    cpSync(join(root, 'sample-runs'), join(dir, 'runs'), { recursive: true });
    if (config !== undefined) writeFileSync(join(dir, 'evalaudit.config.json'), typeof config === 'string' ? config : JSON.stringify(config));
    return dir;
  }

  it.each(['json', 'markdown', 'text', 'sarif', 'summary', 'junit', 'github'])('gives the same %s report, byte for byte, as the same settings as flags', async (format) => {
    const config = { rules: { 'low-precision': 'off', 'temperature-scaled': 'info', 'softmax-skipped': 'warn' }, failOn: 'warning', maxWarnings: 50, thresholds: { maxAccuracyChange: 20 }, ignore: ['runs/formats/vllm*/**'], concurrency: 2, maxFindings: 3 };
    const dir = project(config);
    process.chdir(dir);
    const fromConfig = await run('audit', 'runs', '--format', format);
    const fromFlags = await run('audit', 'runs', '--format', format, '--no-config', '--rule', 'low-precision=off', '--rule', 'temperature-scaled=info', '--rule', 'softmax-skipped=warn', '--fail-on', 'warning', '--max-warnings', '50', '--max-accuracy-change', '20', '--ignore', 'runs/formats/vllm*/**', '--concurrency', '2', '--max-findings', '3');
    expect(fromConfig.code).toBe(fromFlags.code);
    expect(fromConfig.out).toBe(fromFlags.out);
    expect(fromConfig.out).not.toContain('vllm');
    expect(fromConfig.out).not.toContain('low-precision');
    const plain = await run('audit', 'runs', '--format', format, '--no-config');
    expect(plain.out).not.toBe(fromConfig.out);
  });

  it.each([
    [{ failon: 'error' }, /config evalaudit\.config\.json: config: unknown key "failon" \(did you mean "failOn"\?\)/],
    [{ rules: { 'low-precision': 'loud' } }, /config evalaudit\.config\.json: rules\.low-precision must be one of off, info, warn, warning, error, got the string "loud"/],
    [{ rules: { 'low-precison': 'off' } }, /rules\.low-precison: unknown rule low-precison \(did you mean "low-precision"\?\)/],
    [{ thresholds: { tasks: { hellaswag: '1' } } }, /thresholds\.tasks\.hellaswag must be a number, got the string "1"/],
    [{ map: { scroe: 'x' } }, /map: key "scroe" is not allowed \(did you mean "score"\?\)/],
    ['{ "failOn": "error", }', /config evalaudit\.config\.json is not valid JSON/],
  ])('exits 2 naming the key for %j', async (config, message) => {
    process.chdir(project(config));
    const r = await run('audit', 'runs');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('--print-config prints the settings in effect as a valid config; --config names another file; flags win', async () => {
    const dir = project({ rules: { 'low-precision': 'warn' }, failOn: 'info' });
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ maxWarnings: 3 }));
    process.chdir(dir);
    const printed = JSON.parse((await run('audit', '--print-config', '--fail-on', 'warning')).out);
    expect(printed).toEqual({ rules: { 'low-precision': 'warning' }, failOn: 'warning', concurrency: 4, allowEmpty: false });
    const schema = JSON.parse(readFileSync(join(root, 'schema', 'config.schema.json'), 'utf8'));
    expect(new Ajv({ strict: false }).validate(schema, printed)).toBe(true);
    expect(JSON.parse((await run('audit', '--print-config', '--config', 'other.json')).out)).toMatchObject({ failOn: 'error', maxWarnings: 3 });
    expect((await run('audit', '--print-config', '--config', 'missing.json')).err).toMatch(/cannot read config missing\.json: ENOENT/);
  });

  it('is read by explain too (rule severities, field maps)', async () => {
    const dir = project({ map: { id: 'uid', score: 'metrics.seq_lp' }, rules: { 'probability-product': 'warn' } });
    writeFileSync(join(dir, 'custom.jsonl'), `${JSON.stringify({ uid: 'r1', metrics: { seq_lp: 0.25 } })}\n`);
    process.chdir(dir);
    const r = await run('explain', 'custom.jsonl', '--record', 'r1');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/rule: +probability-product \(warning\)/);
    expect((await run('explain', 'custom.jsonl', '--record', 'r1', '--no-config')).code).toBe(2);
  });
});

describe('baseline', () => {
  it('round trip on the sample runs: accepted findings pass; a fixed-one-added-one swap of one rule fails naming only the new one, the fixed one stale', async () => {
    const dir = tmp();
    cpSync(join(root, 'sample-runs'), join(dir, 'runs'), { recursive: true });
    process.chdir(dir);
    const update = await run('audit', 'runs', '--update-baseline', '--baseline', 'baseline.json', '--format', 'json');
    expect(update.code).toBe(0);
    expect(update.err).toContain('baseline baseline.json written: 103 findings accepted');
    const written = readFileSync('baseline.json', 'utf8');
    // Sorted and stable: a second update writes the same bytes.
    await run('audit', 'runs', '--update-baseline', '--baseline', 'baseline.json');
    expect(readFileSync('baseline.json', 'utf8')).toBe(written);
    const entries = JSON.parse(written).findings as { file: string }[];
    expect(entries.map((e) => e.file)).toEqual([...entries.map((e) => e.file)].sort());

    const again = await run('audit', 'runs', '--baseline', 'baseline.json', '--format', 'json');
    expect(again.code).toBe(0);
    expect(again.err).toContain('103 suppressed by the baseline baseline.json');
    expect(JSON.parse(again.out).summary).toMatchObject({ suppressed: 103, findings: { error: 0, warning: 0, info: 0 } });

    // Fix t21-long's planted bug (its row goes) and plant the same bug in a new record, t22-long.
    const file = join('runs', 'choice-topk.jsonl');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const i = lines.findIndex((l) => l.includes('"t21-long"'));
    lines[i] = lines[i].replace('"t21-long"', '"t22-long"');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const swapped = await run('audit', 'runs', '--baseline', 'baseline.json', '--format', 'json');
    expect(swapped.code).toBe(1);
    const report = JSON.parse(swapped.out);
    expect([...report.findings].map((f: { recordId: string; ruleId: string }) => [f.recordId, f.ruleId])).toEqual([['t22-long', 'probability-product']]);
    expect(report.gate.baseline.stale).toEqual([{ file: 'runs/choice-topk.jsonl', recordId: 't21-long', ruleId: 'probability-product', messageId: 'logOfZero' }]);
    expect(swapped.err).toContain('1 stale baseline entry');
    expect(swapped.err).toContain('runs/choice-topk.jsonl record "t21-long" probability-product/logOfZero');
  });

  it('a missing or malformed baseline is a usage error before the audit', async () => {
    const dir = tmp();
    expect((await run('audit', 'sample-runs', '--baseline', join(dir, 'none.json'))).err).toMatch(/cannot read baseline .*none\.json: ENOENT \(write one with --update-baseline\)/);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ baselineVersion: 1, findings: [{ file: 'x', ruleId: 'y' }] }));
    const r = await run('audit', 'sample-runs', '--baseline', join(dir, 'bad.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/must have required property 'messageId'/);
  });
});

describe('thresholds', () => {
  it('--max-accuracy-change fails when the recomputed accuracy moved by more (sample runs: +9.4 pp)', async () => {
    expect((await run('audit', 'sample-runs', '--fail-on', 'none', '--max-accuracy-change', '10')).code).toBe(0);
    const r = await run('audit', 'sample-runs', '--fail-on', 'none', '--max-accuracy-change', '9', '--format', 'json');
    expect(r.code).toBe(1);
    expect(r.err).toContain('accuracy over all files changed +9.434 pp (69.8% recorded → 79.2% recomputed, 53 groups), over the limit of 9 pp');
    expect(JSON.parse(r.out).gate.accuracy[0]).toMatchObject({ scope: 'run', limit: 9, passed: false });
  });

  it('per file (globs) and per task from the config; a threshold that measures nothing fails', async () => {
    const dir = tmp();
    cpSync(join(root, 'sample-runs'), join(dir, 'runs'), { recursive: true });
    process.chdir(dir);
    const gate = async (thresholds: unknown) => {
      writeFileSync('evalaudit.config.json', JSON.stringify({ failOn: 'none', thresholds }));
      const r = await run('audit', 'runs', '--format', 'json');
      return { code: r.code, checks: JSON.parse(r.out).gate.accuracy as { name: string; passed: boolean; note?: string }[] };
    };
    expect((await gate({ tasks: { toy_mc: 25 } })).code).toBe(0); // toy_mc: -20 pp
    expect((await gate({ tasks: { toy_mc: 10 } })).code).toBe(1);
    const files = await gate({ files: { 'runs/formats/**': 25 } });
    expect(files.checks.map((c) => [c.name, c.passed])).toEqual([
      // HELM's exact_match is its pick by the mean log-prob, tallied as an acc_norm: one of 4 is wrong (-25 pp).
      ['runs/formats/helm/scenario_state.json', true],
      ['runs/formats/lighteval/details_leaderboard|toy_mc|0_2026-01-15T09-30-00.000000.parquet', true],
      ['runs/formats/lm-eval-v03/toy_mc_write_out_info.json', true],
      ['runs/formats/lm-eval/samples_synth_mc_2026-01-15T09-30-00.000000.jsonl', true],
      ['runs/formats/openai-completions-echo/responses.jsonl', true],
      ['runs/formats/tgi/generate.jsonl', true],
      ['runs/formats/vllm-server/completions.jsonl', true],
      ['runs/formats/vllm/request_outputs.jsonl', false],
    ]);
    const nothing = await gate({ tasks: { hellaswag: 5 }, files: { 'nowhere/**': 5 } });
    expect(nothing.code).toBe(1);
    expect(nothing.checks.map((c) => c.note)).toEqual(['no file matching it has a scored multiple-choice group', 'no multiple-choice group could be scored']);
  });

  it('--max-warnings N fails with more than N warnings, as ESLint (sample runs: 12)', async () => {
    expect((await run('audit', 'sample-runs', '--fail-on', 'none', '--max-warnings', '12')).code).toBe(0);
    const r = await run('audit', 'sample-runs', '--fail-on', 'none', '--max-warnings', '11');
    expect(r.code).toBe(1);
    expect(r.err).toContain('12 warnings, more than --max-warnings 11');
  });
});

describe('inputs and flags', () => {
  it('--ignore drops matching files; ignoring every file is a usage error', async () => {
    const json = JSON.parse((await run('audit', 'sample-runs', '--ignore', 'sample-runs/formats/**', '--format', 'json')).out);
    expect(json.files.map((f: { file: string }) => f.file)).toEqual(['sample-runs/cat.jsonl', 'sample-runs/choice-pertoken.csv', 'sample-runs/choice-topk.jsonl', 'sample-runs/logits.jsonl']);
    const r = await run('audit', 'sample-runs', '--ignore', '**/*');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/every input file is ignored/);
  });

  it('accepts warn for warning in --rule; suggests the flag or rule meant', async () => {
    expect((await run('audit', 'sample-runs/cat.jsonl', '--rule', 'greedy-choice=warn')).code).toBe(0);
    const flag = await run('audit', 'sample-runs', '--fail-onn', 'error');
    expect(flag.code).toBe(2);
    expect(flag.err).toContain('unknown flag --fail-onn (did you mean "--fail-on"?)');
    expect((await run('audit', 'sample-runs', '--rule', 'greedy-choise=off')).err).toContain('unknown rule greedy-choise (did you mean "greedy-choice"?)');
  });

  it("--version prints the tool's own version, whatever package.json the working directory has", async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '9.9.9' }));
    process.chdir(dir);
    expect((await run('--version')).out.trim()).toBe(toolVersion);
  });
});

describe('terminal', () => {
  it('at COLUMNS=80 no line of the sample-runs text report is over 100 columns (and almost none over 80)', async () => {
    const { out: text } = await run('audit', 'sample-runs', '--format', 'text');
    const widths = text.split('\n').map(displayWidth);
    expect(Math.max(...widths)).toBeLessThanOrEqual(100);
    // Only lines that are a path alone (the lighteval and Inspect file names) may pass 80.
    const over = text.split('\n').filter((l) => displayWidth(l) > 80);
    for (const l of over) expect(l).toMatch(/^sample-runs\/\S+:\d+$/);
  });

  it('colours by hasColors() semantics: FORCE_COLOR=0/false and NO_COLOR and TERM=dumb off, --color/--no-color win', () => {
    const tty = Object.assign(Object.create(WriteStream.prototype) as NodeJS.WriteStream, { isTTY: true });
    const pipe = { isTTY: false } as NodeJS.WriteStream;
    expect(useColor(tty, { TERM: 'xterm-256color' })).toBe(true);
    expect(useColor(tty, { TERM: 'dumb' })).toBe(false);
    expect(useColor(tty, { TERM: 'xterm', NO_COLOR: '' })).toBe(false);
    expect(useColor(tty, { TERM: 'xterm', FORCE_COLOR: 'false' })).toBe(false);
    expect(useColor(tty, { TERM: 'xterm', FORCE_COLOR: '0' })).toBe(false);
    expect(useColor(pipe, { FORCE_COLOR: 'false' })).toBe(false);
    expect(useColor(pipe, { FORCE_COLOR: '0' })).toBe(false);
    expect(useColor(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColor(pipe, { FORCE_COLOR: 'true' })).toBe(true);
    expect(useColor(pipe, {})).toBe(false);
    expect(useColor(pipe, {}, true)).toBe(true);
    expect(useColor(tty, { TERM: 'xterm-256color' }, false)).toBe(false);
  });

  it('--color forces colour in the text report on stdout; never in a file', async () => {
    const dir = tmp();
    const r = await run('audit', 'sample-runs/cat.jsonl', '--format', 'text', '--color', '--report', `text=${dir}/t.txt`);
    expect(r.out).toContain('\u001b[31merror\u001b[39m');
    expect(readFileSync(join(dir, 't.txt'), 'utf8')).not.toContain('\u001b');
  });

  it('the progress line fits the width, shows files done / total, and is cleared (also on Ctrl-C)', async () => {
    for (const columns of [20, 40, 80]) {
      const line = progressLine(4096, `/very/long/path/${'deep/'.repeat(30)}run.jsonl`, { done: 3, total: 12 }, columns);
      expect(displayWidth(line)).toBeLessThanOrEqual(columns - 1);
      if (columns >= 60) expect(line).toMatch(/^evalaudit: 3\/12 files, 4096 records {2}…\S*run\.jsonl$/);
    }
    let written = '';
    const stream = { isTTY: true, columns: 60, write: (s: string) => ((written += s), true) } as unknown as NodeJS.WriteStream;
    const before = process.listenerCount('SIGINT');
    const progress = startProgress(stream, {})!;
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    progress.update(10, 'a.jsonl', { done: 1, total: 1 });
    progress.stop();
    expect(written).toBe('\r\u001b[2Kevalaudit: 1/1 files, 10 records  a.jsonl\r\u001b[2K');
    expect(process.listenerCount('SIGINT')).toBe(before);
    expect(startProgress(stream, { CI: 'true' })).toBeUndefined();
    // The CLI's way in: the module is loaded only for a watched stream.
    expect(await openProgress({ ...stream, isTTY: false } as NodeJS.WriteStream, {})).toBeUndefined();
    expect(await openProgress(stream, { CI: '1' })).toBeUndefined();
    const opened = (await openProgress(stream, {}))!;
    written = '';
    opened.update(3, 'b.jsonl', { done: 1, total: 1 });
    opened.stop();
    expect(written).toBe('\r\u001b[2Kevalaudit: 1/1 files, 3 records  b.jsonl\r\u001b[2K');
  });

  it('creates the folders of an output path', async () => {
    const path = join(tmp(), 'a', 'b', 'report.md');
    expect((await run('audit', 'sample-runs/cat.jsonl', '-o', path)).code).toBe(1);
    expect(existsSync(path)).toBe(true);
    mkdirSync(join(tmp(), 'x'), { recursive: true });
  });
});
