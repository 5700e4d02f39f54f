/**
 * `npm run bench`: how fast is the audit next to the floor (a bare readline + JSON.parse loop)
 * and next to a plain Python/numpy auditor, on one thread and two, how does it scale with file
 * size and file count, and how much memory does it need?
 *
 *     node dist/bench/run.js [--runs 5] [--quick] [--only topk,score,…] [--cli BIN] [--list]
 *
 * --quick leaves out the 440 MB and 1M-record inputs; --only runs the named scenarios (--list
 * names them); --cli measures another build's bin/evalaudit.js against the same inputs.
 *
 * Each scenario runs its contenders interleaved (A B C A B C …), each run its own child process,
 * and prints medians, ratios to the bare loop on the same input, records/s, MB/s and peak RSS;
 * then the issue's targets as PASS / FAIL / SKIP lines. Every audit run's JSON report is checked
 * against what the generator put in (records, findings per rule), so a fast wrong audit fails
 * instead of winning. Inputs are generated into bench/out/ (see inputs.ts). Informational: the
 * exit code is 0 whatever the numbers say, 1 only when the bench itself broke.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectedFindings } from './generate.js';
import { rules } from '../rules/index.js';
import { haveInput, type Input } from './inputs.js';
import { haveTime, interleaved, type Contender, type RunOutput } from './measure.js';
import { targetLines, type Row, type Who } from './targets.js';
import { cpuTicks, stealShare } from './machine.js';

/** A scenario's steal share above which its timings are flagged (a share of all cores' time). */
const STEAL_WARN = 0.05;

/** dist/bench/run.js → the package root, two levels up. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'bench', 'out');
const REPORTS = join(OUT, 'reports');

interface Options {
  runs: number;
  quick: boolean;
  only: string[] | null;
  list: boolean;
  /** The evalaudit bin to measure (default this package's bin/evalaudit.js). */
  cli: string;
}

/** What runs on which inputs; `full` scenarios and inputs are left out by --quick. */
interface Scenario {
  name: string;
  title: string;
  /** [input, contenders on it]; a contender kind: bare, audit, audit --jobs N, audit with no rule, python. */
  plan: { input: string; who: Who[]; full?: boolean }[];
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'topk', title: 'top-k rows: audit vs bare vs Python, 1 vs 2 threads', plan: [{ input: 'topk-110', who: ['bare', 'audit', 'jobs1', 'jobs2', 'norules', 'python'] }] },
  { name: 'score', title: 'score-only rows: audit vs bare vs Python', plan: [{ input: 'score-110', who: ['bare', 'audit', 'norules', 'python'] }] },
  { name: 'logits', title: 'logits rows: audit vs bare vs Python', plan: [{ input: 'logits-110', who: ['bare', 'audit', 'python'] }] },
  {
    name: 'scaling',
    title: 'file size: 10 / 110 / 440 MB of top-k rows',
    plan: [
      { input: 'topk-10', who: ['bare', 'audit'] },
      { input: 'topk-110', who: ['bare', 'audit'] },
      { input: 'topk-440', who: ['bare', 'audit'], full: true },
    ],
  },
  {
    name: 'files',
    title: 'file count: the same 110 MB in 1 file and in 100 files',
    plan: [
      { input: 'topk-110', who: ['bare', 'audit'] },
      { input: 'topk-110-x100', who: ['bare', 'audit'] },
    ],
  },
  {
    name: 'memory',
    title: 'peak RSS on 440 MB of score rows, and on 1M records in 250k groups',
    plan: [
      { input: 'score-440', who: ['bare', 'audit'], full: true },
      { input: 'groups-1m', who: ['bare', 'audit'], full: true },
    ],
  },
];

function parseArgs(argv: string[]): Options {
  const opts: Options = { runs: 5, quick: false, only: null, list: false, cli: join(ROOT, 'bin', 'evalaudit.js') };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--quick') opts.quick = true;
    else if (flag === '--list') opts.list = true;
    else if (flag === '--runs' || flag === '--only' || flag === '--cli') {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${flag} needs a value`);
      if (flag === '--runs') opts.runs = Math.max(1, Math.floor(Number(value)) || 1);
      else if (flag === '--cli') opts.cli = resolve(value);
      else opts.only = value.split(',').map((s) => s.trim());
    } else throw new Error(`unknown argument ${flag} (expected --runs N, --quick, --only NAME[,NAME], --cli BIN, --list)`);
  }
  const unknown = (opts.only ?? []).filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) throw new Error(`no scenario ${unknown.join(', ')} (there are ${SCENARIOS.map((s) => s.name).join(', ')})`);
  return opts;
}

/** Why the Python auditor cannot run here, or null. */
function pythonMissing(): string | null {
  const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.error) return 'python3 not found';
  return probe.status === 0 ? null : 'numpy is not installed for python3';
}

/** Whether the audit has --jobs (added by the two-thread work; the bench runs before and after it). */
function hasJobsOption(cli: string): boolean {
  const help = spawnSync(process.execPath, [cli, 'audit', '--help'], { cwd: ROOT, encoding: 'utf8' });
  return /--jobs\b/.test(String(help.stdout));
}

/** Every rule off but invalid-record (which cannot be: rows must be read), as --rule flags. */
const NO_RULES = rules.filter((r) => r.meta.id !== 'invalid-record').flatMap((r) => ['--rule', `${r.meta.id}=off`]);

/** The first difference between a report's counts and what the generator put in (no finding at all with every rule off), or null. */
function reportProblem(reportPath: string, input: Input, noRules: boolean): string | null {
  let summary: { records: number; invalid: number; byRule: Record<string, number> };
  try {
    summary = (JSON.parse(readFileSync(reportPath, 'utf8')) as { summary: typeof summary }).summary;
  } catch (err) {
    return `no readable JSON report (${err instanceof Error ? err.message : String(err)})`;
  }
  if (summary.records !== input.manifest.records) return `report counts ${summary.records} records, the input has ${input.manifest.records}`;
  if (summary.invalid !== 0) return `report counts ${summary.invalid} invalid records, expected 0`;
  const want = JSON.stringify(noRules ? [] : Object.entries(expectedFindings(input.manifest)).sort());
  const got = JSON.stringify(Object.entries(summary.byRule).sort());
  return want === got ? null : `findings per rule ${got}, expected ${want}`;
}

/** A check that the child counted every record of the input on stdout ({"records": n, "unparsed"?: m}). */
function countedAll(input: Input): (r: RunOutput) => string | null {
  return (r) => {
    const m = /\{"records":\s*(\d+)(?:,\s*"unparsed":\s*(\d+))?/.exec(r.stdout);
    const n = m ? Number(m[1]) + Number(m[2] ?? 0) : NaN;
    return n === input.manifest.records ? null : `counted ${m ? n : 'no'} records, the input has ${input.manifest.records}`;
  };
}

interface Env {
  /** The evalaudit bin, and whether its build is there (dist/src/cli.js beside it). */
  cli: string;
  built: boolean;
  jobs: boolean;
  /** Why the Python auditor cannot run, or null. */
  python: string | null;
}

/** The contender `who` on `input`, or why it cannot run. */
function contender(who: Who, input: Input, env: Env, id: string): Contender | string {
  const node = process.execPath;
  if (who === 'bare') return { name: id, command: node, args: [join(ROOT, 'dist', 'bench', 'bare.js'), input.path], okCodes: [0], check: countedAll(input), input: input.path };
  if (who === 'python') {
    if (env.python) return env.python;
    return { name: id, command: 'python3', args: [join(ROOT, 'bench', 'py_auditor.py'), input.path], okCodes: [0], check: countedAll(input), input: input.path };
  }
  if (!env.built) return `${relative(ROOT, env.cli)} is not built (no dist/src/cli.js beside it)`;
  if ((who === 'jobs1' || who === 'jobs2') && !env.jobs) return 'this build of evalaudit has no --jobs option';
  // Without /usr/bin/time the child must report its own peak RSS, so go through a wrapper.
  const entry = haveTime ? [env.cli] : [join(ROOT, 'dist', 'bench', 'audit-child.js'), env.cli];
  const report = join(REPORTS, `${id.replace(/[^\w.-]+/g, '_')}.json`);
  const flags = who === 'jobs1' ? ['--jobs', '1'] : who === 'jobs2' ? ['--jobs', '2'] : who === 'norules' ? NO_RULES : [];
  return {
    name: id,
    command: node,
    args: [...entry, 'audit', input.path, '--format', 'json', '--output', report, '--fail-on', 'none', '--no-config', ...flags],
    okCodes: [0, 1],
    check: () => reportProblem(report, input, who === 'norules'),
    input: input.path,
  };
}

const WHO_LABEL: Record<Who, string> = { bare: 'bare loop', audit: 'audit', jobs1: 'audit --jobs 1', jobs2: 'audit --jobs 2', norules: 'audit, no rule', python: 'python/numpy' };

function fmt(n: number | null, digits = 1): string {
  return n === null || !Number.isFinite(n) ? '—' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** How far apart a contender's runs were: (slowest - fastest) / median, as a percentage. */
function spread(times: readonly number[], median: number): string {
  return times.length < 2 ? '—' : `${fmt((100 * (Math.max(...times) - Math.min(...times))) / median, 0)}%`;
}

function table(rows: Row[]): string[] {
  const head = `  ${'input'.padEnd(15)}${'contender'.padEnd(16)}${'median s'.padStart(9)}${'spread'.padStart(8)}${'CPU s'.padStart(7)}${'×bare'.padStart(7)}${'records/s'.padStart(11)}${'MB/s'.padStart(7)}${'peak RSS MB'.padStart(12)}`;
  const lines = [head];
  for (const r of rows) {
    const lead = `  ${r.input.def.name.padEnd(15)}${WHO_LABEL[r.who].padEnd(16)}`;
    if (r.m.seconds === null) {
      lines.push(`${lead}skipped: ${r.m.why}`);
      continue;
    }
    const bare = rows.find((b) => b.input === r.input && b.who === 'bare')?.m.seconds ?? null;
    const s = r.m.seconds;
    lines.push(
      `${lead}${fmt(s, 2).padStart(9)}${spread(r.m.times, s).padStart(8)}${fmt(r.m.cpu, 2).padStart(7)}${(bare ? fmt(s / bare, 2) : '—').padStart(7)}${fmt(r.input.manifest.records / s, 0).padStart(11)}` +
        `${fmt(r.input.manifest.bytes / 1e6 / s, 0).padStart(7)}${fmt(r.m.rssMb, 0).padStart(12)}`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.list) {
    for (const s of SCENARIOS) process.stdout.write(`${s.name.padEnd(9)}${s.title}\n`);
    return;
  }
  mkdirSync(REPORTS, { recursive: true });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const built = existsSync(join(dirname(opts.cli), '..', 'dist', 'src', 'cli.js'));
  const env: Env = { cli: opts.cli, built, jobs: built && hasJobsOption(opts.cli), python: pythonMissing() };
  const chosen = SCENARIOS.filter((s) => opts.only === null || opts.only.includes(s.name));
  const out: string[] = [];
  const rows: Row[] = [];
  const inputs = new Map<string, Input>();
  const steals: number[] = [];
  const input = (name: string) => inputs.get(name) ?? inputs.set(name, haveInput(OUT, name, log)).get(name)!;
  try {
    for (const s of chosen) {
      const plan = s.plan.filter((p) => !(opts.quick && p.full));
      const left = s.plan.filter((p) => opts.quick && p.full).map((p) => p.input);
      const mine: Row[] = [];
      const runnable: Contender[] = [];
      for (const p of plan) {
        for (const who of p.who) {
          const c = contender(who, input(p.input), env, `${s.name} ${p.input} ${who}`);
          const row: Row = { scenario: s.name, input: input(p.input), who, m: { name: typeof c === 'string' ? '' : c.name, seconds: null, times: [], rssMb: null, cpu: null, why: typeof c === 'string' ? c : undefined } };
          mine.push(row);
          if (typeof c !== 'string') runnable.push(c);
        }
      }
      log(`${s.name}: ${s.title} (${opts.runs} interleaved rounds of ${runnable.length})`);
      const before = cpuTicks();
      const measured = await interleaved(runnable, opts.runs, ROOT, log);
      const stolen = stealShare(before, cpuTicks());
      if (stolen !== null) steals.push(stolen);
      for (const row of mine) row.m = measured.find((m) => m.name === row.m.name) ?? row.m;
      rows.push(...mine);
      out.push(`${s.name}: ${s.title}`);
      for (const p of plan) {
        const i = input(p.input);
        out.push(`  ${i.def.name}: ${i.def.label}, ${i.manifest.records.toLocaleString('en-US')} records (~${fmt(i.manifest.bytes / i.manifest.records / 1e3, 2)} kB each), ${fmt(i.manifest.bytes / 1e6)} MB${i.manifest.files ? ` in ${i.manifest.files} files` : ''}`);
      }
      if (mine.length) out.push(...table(mine));
      if (left.length) out.push(`  (--quick: ${left.join(', ')} left out)`);
      if (stolen !== null) out.push(`  CPU time stolen by the hypervisor while this scenario ran: ${fmt(100 * stolen)}% of the machine's${stolen > STEAL_WARN ? ' (timings are not to be trusted)' : ''}`);
      out.push('');
    }
  } finally {
    rmSync(REPORTS, { recursive: true, force: true });
  }
  const lead = [
    `evalaudit benchmark: median of ${opts.runs} interleaved run(s) each, every run its own process; ${opts.quick ? '--quick (no 440 MB or 1M-record inputs); ' : ''}` +
      `peak RSS ${haveTime ? 'from /usr/bin/time -v' : 'as each child reports it'}; node ${process.version}, ${process.platform}`,
    `×bare: the contender's median over the bare readline + JSON.parse loop's on the same input (1.00 = as fast as reading). Audit reports checked against the generator's expected findings.`,
    `CPU s: median user + system seconds of the run, every thread counted (— without /usr/bin/time): steadier than wall time on a shared machine; above the wall time, threads ran at once.`,
    `spread: (slowest - fastest) / median of the contender's runs. Each run's input is read through first, untimed, so every run starts from the page cache.`,
    ...(steals.some((x) => x > STEAL_WARN)
      ? [`WARNING: the hypervisor took up to ${fmt(100 * Math.max(...steals))}% of this machine's CPU time during a scenario: compare ratios within one scenario only, and run again before believing a target's verdict.`]
      : []),
    '',
  ];
  process.stdout.write(`${[...lead, ...out, ...targetLines(rows, opts.quick)].join('\n')}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
