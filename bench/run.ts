/**
 * `npm run bench`: how fast is the audit next to the floor (a bare readline + JSON.parse loop)
 * and next to a plain Python/numpy auditor, and how much memory does it need?
 *
 *     node dist/bench/run.js [--runs 3] [--file bench/out/run-topk.jsonl] [--bytes 110000000]
 *
 * Generates the input if it is absent (delete it to regenerate after changing generate.ts),
 * then runs each contender `--runs` times, each run in its
 * own child process so peak RSS is that run's alone (read from `/usr/bin/time -v` where it
 * exists, else reported by the child itself), and prints medians, ratios and the targets as
 * PASS / FAIL lines. Informational: the exit code is 0 whatever the numbers say.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { devNull } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, TARGET_BYTES } from './generate.js';

/** dist/bench/run.js → the package root, two levels up. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TIME = '/usr/bin/time';

/** The targets of the performance issue. */
const TARGETS = { auditOverBare: 1.5, pythonOverAudit: 1.5, auditRssMb: 300 };

interface Options {
  runs: number;
  file: string;
  bytes: number;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { runs: 3, file: join(ROOT, 'bench', 'out', 'run-topk.jsonl'), bytes: TARGET_BYTES };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--runs') opts.runs = Math.max(1, Math.floor(Number(value)) || 1);
    else if (flag === '--file') opts.file = value;
    else if (flag === '--bytes') opts.bytes = Number(value);
    else throw new Error(`unknown argument ${flag} (expected --runs N, --file PATH, --bytes N)`);
  }
  return opts;
}

interface RunResult {
  code: number | null;
  seconds: number;
  /** Peak resident set size of the child, in kB. */
  rssKb: number | null;
  stdout: string;
  stderr: string;
}

const haveTime = existsSync(TIME);

/** Runs one command in a child process, timing it from spawn to exit. */
function runOnce(command: string, args: string[]): Promise<RunResult> {
  const [cmd, argv] = haveTime ? [TIME, ['-v', command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      resolve({ code, seconds, rssKb: peakRss(stdout, stderr), stdout, stderr });
    });
  });
}

/** From `/usr/bin/time -v` (stderr), else from the child's own {"maxRssKb": …} line (stdout). */
function peakRss(stdout: string, stderr: string): number | null {
  const fromTime = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  if (fromTime) return Number(fromTime[1]);
  const fromChild = /"maxRssKb":\s*(\d+)/.exec(stdout);
  return fromChild ? Number(fromChild[1]) : null;
}

interface Contender {
  name: string;
  command: string;
  args: string[];
  /** Exit codes that mean the run worked (the audit exits 1 when findings reach --fail-on). */
  okCodes: number[];
}

interface Measurement {
  name: string;
  /** Null when the contender could not run; `why` says why. */
  seconds: number | null;
  rssMb: number | null;
  why?: string;
}

async function measure(c: Contender, runs: number): Promise<Measurement> {
  const times: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await runOnce(c.command, c.args);
    if (r.code === null || !c.okCodes.includes(r.code)) {
      const tail = r.stderr.split('\n').filter((l) => l.trim() && !/^\s+\S.*: /.test(l)).slice(-3).join(' | ');
      return { name: c.name, seconds: null, rssMb: null, why: `exit code ${r.code}${tail ? `: ${tail}` : ''}` };
    }
    times.push(r.seconds);
    if (r.rssKb !== null) rss.push(r.rssKb);
    process.stderr.write(`  ${c.name} run ${i + 1}/${runs}: ${r.seconds.toFixed(2)} s\n`);
  }
  times.sort((a, b) => a - b);
  // Memory targets are about the worst run; time about the typical one.
  return { name: c.name, seconds: times[Math.floor(times.length / 2)], rssMb: rss.length ? (Math.max(...rss) * 1024) / 1e6 : null };
}

function countLines(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let n = 0;
    createReadStream(file)
      .on('data', (chunk: Buffer | string) => {
        const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
      })
      .on('end', () => resolve(n))
      .on('error', reject);
  });
}

function pythonAvailable(): string | null {
  const probe = spawnSync('python3', ['-c', 'import numpy, sys; print(numpy.__version__)'], { encoding: 'utf8' });
  if (probe.error) return 'python3 not found';
  if (probe.status !== 0) return 'numpy is not installed for python3';
  return null;
}

function fmt(n: number | null, digits = 1): string {
  return n === null ? '—' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(opts.file)) {
    process.stderr.write(`generating ${relative(ROOT, opts.file)} (~${Math.round(opts.bytes / 1e6)} MB)…\n`);
    const g = generate(opts.file, opts.bytes);
    process.stderr.write(`  ${g.records} records, ${(g.bytes / 1e6).toFixed(1)} MB\n`);
  }
  const bytes = statSync(opts.file).size;
  const records = await countLines(opts.file);
  const node = process.execPath;

  const contenders: (Contender | Measurement)[] = [
    { name: 'bare (readline + JSON.parse)', command: node, args: [join(ROOT, 'dist', 'bench', 'bare.js'), opts.file], okCodes: [0] },
  ];
  // The audit is measured through its real entry point once the CLI is built.
  const cli = join(ROOT, 'dist', 'src', 'cli.js');
  if (existsSync(cli)) {
    // Without /usr/bin/time the child must report its own peak RSS, so go through a wrapper.
    const entry = haveTime ? [join(ROOT, 'bin', 'evalaudit.js')] : [join(ROOT, 'dist', 'bench', 'audit-child.js')];
    contenders.push({
      name: 'evalaudit audit',
      command: node,
      args: [...entry, 'audit', opts.file, '--format', 'json', '--output', devNull, '--fail-on', 'none'],
      okCodes: [0, 1],
    });
  } else {
    contenders.push({ name: 'evalaudit audit', seconds: null, rssMb: null, why: `${relative(ROOT, cli)} does not exist yet (build the CLI first)` });
  }
  const noPython = pythonAvailable();
  contenders.push(
    noPython === null
      ? { name: 'python/numpy auditor', command: 'python3', args: [join(ROOT, 'bench', 'py_auditor.py'), opts.file], okCodes: [0] }
      : { name: 'python/numpy auditor', seconds: null, rssMb: null, why: noPython },
  );

  process.stderr.write(`measuring, ${opts.runs} run(s) each${haveTime ? ' (peak RSS from /usr/bin/time -v)' : ' (peak RSS reported by each child)'}…\n`);
  const results: Measurement[] = [];
  for (const c of contenders) results.push('command' in c ? await measure(c, opts.runs) : c);
  const [bare, audit, python] = results;

  const lines: string[] = [];
  lines.push(`evalaudit benchmark: ${relative(ROOT, opts.file)} (${fmt(bytes / 1e6)} MB, ${records.toLocaleString('en-US')} records), median of ${opts.runs} run(s)`);
  lines.push('');
  lines.push(`${'contender'.padEnd(30)}${'median s'.padStart(10)}${'records/s'.padStart(12)}${'MB/s'.padStart(9)}${'peak RSS MB'.padStart(13)}`);
  for (const m of results) {
    if (m.seconds === null) {
      lines.push(`${m.name.padEnd(30)}  skipped: ${m.why}`);
      continue;
    }
    lines.push(
      `${m.name.padEnd(30)}${fmt(m.seconds, 2).padStart(10)}${fmt(records / m.seconds, 0).padStart(12)}${fmt(bytes / 1e6 / m.seconds).padStart(9)}${fmt(m.rssMb).padStart(13)}`,
    );
  }
  lines.push('');
  const auditOverBare = audit.seconds !== null && bare.seconds !== null ? audit.seconds / bare.seconds : null;
  const pythonOverAudit = audit.seconds !== null && python.seconds !== null ? python.seconds / audit.seconds : null;
  lines.push(`audit / bare time:    ${auditOverBare === null ? '—' : `${auditOverBare.toFixed(2)}×`}`);
  lines.push(`python / audit time:  ${pythonOverAudit === null ? '—' : `${pythonOverAudit.toFixed(2)}×`}`);
  lines.push('');
  const verdict = (ok: boolean | null) => (ok === null ? 'SKIP' : ok ? 'PASS' : 'FAIL');
  lines.push(`${verdict(auditOverBare === null ? null : auditOverBare <= TARGETS.auditOverBare)} audit within ${TARGETS.auditOverBare}× of the bare loop${auditOverBare === null ? '' : ` (${auditOverBare.toFixed(2)}×)`}`);
  lines.push(`${verdict(pythonOverAudit === null ? null : pythonOverAudit >= TARGETS.pythonOverAudit)} audit at least ${TARGETS.pythonOverAudit}× faster than Python${pythonOverAudit === null ? '' : ` (${pythonOverAudit.toFixed(2)}×)`}`);
  lines.push(`${verdict(audit.rssMb === null ? null : audit.rssMb <= TARGETS.auditRssMb)} audit peak RSS ≤ ${TARGETS.auditRssMb} MB${audit.rssMb === null ? '' : ` (${fmt(audit.rssMb)} MB)`}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
