/**
 * The performance issue's targets, judged from the benchmark's rows: one PASS / FAIL / SKIP line
 * each, with the measured value and where it was measured. A target is SKIP when what it needs
 * was not measured (left out by --only or --quick, or a contender that cannot run here).
 */
import type { Input } from './inputs.js';
import type { Measurement } from './measure.js';

/**
 * A contender kind: the bare loop, the audit (default threads, or --jobs 1 / 2), the audit with
 * every rule off (what reading, checking and reporting cost without any rule: not a target, a
 * floor for them), the Python auditor.
 */
export type Who = 'bare' | 'audit' | 'jobs1' | 'jobs2' | 'norules' | 'python';

/** One measured (or skipped) contender of a scenario. */
export interface Row {
  scenario: string;
  input: Input;
  who: Who;
  m: Measurement;
}

/** A measured row: the median seconds and peak RSS of `who` on `input` in `scenario` (the first scenario that has it when none is given). */
function find(rows: readonly Row[], input: string, who: Who, scenario?: string): Row | null {
  return rows.find((r) => r.input.def.name === input && r.who === who && (scenario === undefined || r.scenario === scenario) && r.m.seconds !== null) ?? null;
}

/** The ratio of two medians of one scenario (numerator / denominator), or null. */
function ratio(rows: readonly Row[], input: string, num: Who, den: Who): number | null {
  for (const scenario of new Set(rows.map((r) => r.scenario))) {
    const a = find(rows, input, num, scenario);
    const b = find(rows, input, den, scenario);
    if (a && b) return a.m.seconds! / b.m.seconds!;
  }
  return null;
}

function line(ok: boolean | null, text: string, value: string | null, why?: string): string {
  const verdict = ok === null ? 'SKIP' : ok ? 'PASS' : 'FAIL';
  return `${verdict} ${text}${value === null ? (why ? ` (${why})` : ' (not measured)') : ` (${value})`}`;
}

const x = (v: number) => `${v.toFixed(2)}×`;

/** The worst peak RSS of any audit on `input`, in MB. */
function auditRss(rows: readonly Row[], input: string): number | null {
  const peaks = rows.filter((r) => r.input.def.name === input && r.who !== 'bare' && r.who !== 'python' && r.who !== 'norules' && r.m.rssMb !== null).map((r) => r.m.rssMb!);
  return peaks.length ? Math.max(...peaks) : null;
}

/** Why a contender was not measured, if it was skipped. */
function skipped(rows: readonly Row[], who: Who): string | undefined {
  return rows.find((r) => r.who === who && r.m.seconds === null)?.m.why;
}

export function targetLines(rows: readonly Row[], quick: boolean): string[] {
  const out = ['targets (issue 13):'];
  const topk = ratio(rows, 'topk-110', 'audit', 'bare');
  out.push(line(topk === null ? null : topk <= 1.0, 'audit ≤ 1.0× the bare loop on 110 MB of top-k rows', topk === null ? null : x(topk), skipped(rows, 'audit')));
  const py = ratio(rows, 'topk-110', 'python', 'audit');
  out.push(line(py === null ? null : py >= 2.5, 'audit ≥ 2.5× faster than Python on 110 MB of top-k rows', py === null ? null : `Python takes ${x(py)} the audit's time`, skipped(rows, 'python')));
  const jobs = ratio(rows, 'topk-110', 'jobs1', 'jobs2');
  out.push(line(jobs === null ? null : jobs >= 1.4, '--jobs 2 ≥ 1.4× faster than --jobs 1 on 110 MB of top-k rows', jobs === null ? null : `--jobs 1 takes ${x(jobs)} the time of --jobs 2`, skipped(rows, 'jobs1')));
  const score = ratio(rows, 'score-110', 'audit', 'bare');
  out.push(line(score === null ? null : score <= 1.5, 'audit ≤ 1.5× the bare loop on 110 MB of score-only rows', score === null ? null : x(score)));
  const scorePy = ratio(rows, 'score-110', 'python', 'audit');
  out.push(line(scorePy === null ? null : scorePy > 1, 'audit faster than Python on 110 MB of score-only rows', scorePy === null ? null : `Python takes ${x(scorePy)} the audit's time`, skipped(rows, 'python')));
  const full = quick ? '--quick leaves it out' : undefined;
  for (const [input, limit, text] of [
    ['topk-110', 200, 'peak RSS < 200 MB on 110 MB of top-k rows'],
    ['score-110', 200, 'peak RSS < 200 MB on 110 MB of score-only rows'],
    ['topk-440', 200, 'peak RSS < 200 MB on 440 MB of top-k rows'],
    ['score-440', 200, 'peak RSS < 200 MB on 440 MB of score-only rows'],
    ['groups-1m', 250, 'peak RSS < 250 MB on 1M records in 250k groups'],
  ] as const) {
    const rss = auditRss(rows, input);
    out.push(line(rss === null ? null : rss < limit, text, rss === null ? null : `${rss.toFixed(0)} MB, the worst audit run`, input.endsWith('440') || input === 'groups-1m' ? full : undefined));
  }
  return out;
}
