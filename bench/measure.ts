/**
 * Timing and memory of benchmark contenders: each run is its own child process, timed from spawn
 * to exit, its peak RSS read from `/usr/bin/time -v` where that exists, else from the
 * {"maxRssKb": …} line the child prints itself. The contenders of one scenario are run
 * interleaved (A B C A B C …) so that a load that comes and goes on a shared machine falls on all
 * of them alike; each gets the median of its times and the largest of its peaks. Where
 * `/usr/bin/time` runs, each run's CPU time (user + system, every thread of the child) is read
 * too: on a shared machine it moves less than wall time, and it shows what a second thread costs.
 * A contender's input is read through before each of its runs (machine.ts), so that no run pays
 * for a page-cache miss another did not.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { warm } from './machine.js';

const TIME = '/usr/bin/time';
/** BENCH_NO_TIME=1 takes the path of machines without /usr/bin/time (each child reports its own peak). */
export const haveTime = existsSync(TIME) && !process.env.BENCH_NO_TIME;

export interface Contender {
  /** Unique in its scenario. */
  name: string;
  command: string;
  args: string[];
  /** Exit codes that mean the run worked (the audit exits 1 when findings reach --fail-on). */
  okCodes: number[];
  /** Checks a finished run (its output, a report it wrote); returns what is wrong, or null. */
  check?: (run: RunOutput) => string | null;
  /** The input (a file or a directory), read through before each run, untimed: every run starts from the page cache. */
  input?: string;
}

export interface RunOutput {
  code: number | null;
  seconds: number;
  /** Peak resident set size of the child, in kB. */
  rssKb: number | null;
  /** User + system CPU seconds of the child (null without /usr/bin/time). */
  cpuSeconds: number | null;
  stdout: string;
  stderr: string;
}

export interface Measurement {
  name: string;
  /** Median wall time; null when the contender failed (`why` says how). */
  seconds: number | null;
  /** All the run times, in run order. */
  times: number[];
  /** The largest peak RSS over the runs, in MB (10^6 bytes). */
  rssMb: number | null;
  /** Median CPU seconds (user + system), null where not measured. */
  cpu: number | null;
  why?: string;
}

/** Runs one command in a child process. */
export function runOnce(command: string, args: string[], cwd: string): Promise<RunOutput> {
  const [cmd, argv] = haveTime ? [TIME, ['-v', command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      resolve({ code, seconds, rssKb: peakRss(stdout, stderr), cpuSeconds: cpuTime(stderr), stdout, stderr });
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

/** User + system seconds from `/usr/bin/time -v` (stderr), or null. */
function cpuTime(stderr: string): number | null {
  const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
  const system = /System time \(seconds\): ([\d.]+)/.exec(stderr);
  return user && system ? Number(user[1]) + Number(system[1]) : null;
}

/** The child's own complaint: the last lines of stderr that are not /usr/bin/time's report. */
function complaint(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => l.trim() && !/^\s+\S.*: /.test(l) && !l.startsWith('\tCommand'))
    .slice(-3)
    .join(' | ');
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Runs the contenders `runs` rounds, each round every contender once in order. A contender that
 * fails (exit code, check) is dropped from later rounds and reported with why.
 */
export async function interleaved(contenders: readonly Contender[], runs: number, cwd: string, log: (line: string) => void): Promise<Measurement[]> {
  const state = contenders.map((c) => ({ c, times: [] as number[], rss: [] as number[], cpu: [] as number[], why: undefined as string | undefined }));
  for (let round = 1; round <= runs; round++) {
    for (const s of state) {
      if (s.why) continue;
      if (s.c.input) warm(s.c.input);
      const r = await runOnce(s.c.command, s.c.args, cwd);
      if (r.code === null || !s.c.okCodes.includes(r.code)) {
        const tail = complaint(r.stderr);
        s.why = `exit code ${r.code}${tail ? `: ${tail}` : ''}`;
        continue;
      }
      const wrong = s.c.check?.(r) ?? null;
      if (wrong) {
        s.why = wrong;
        continue;
      }
      s.times.push(r.seconds);
      if (r.rssKb !== null) s.rss.push(r.rssKb);
      if (r.cpuSeconds !== null) s.cpu.push(r.cpuSeconds);
      const cpu = r.cpuSeconds === null ? '' : ` (CPU ${r.cpuSeconds.toFixed(2)} s)`;
      log(`  round ${round}/${runs} ${s.c.name}: ${r.seconds.toFixed(2)} s${cpu}${r.rssKb === null ? '' : `, ${((r.rssKb * 1024) / 1e6).toFixed(0)} MB`}`);
    }
  }
  return state.map(({ c, times, rss, cpu, why }) =>
    why
      ? { name: c.name, seconds: null, times, rssMb: null, cpu: null, why }
      : { name: c.name, seconds: median(times), times, rssMb: rss.length ? (Math.max(...rss) * 1024) / 1e6 : null, cpu: cpu.length ? median(cpu) : null },
  );
}
