/**
 * Accuracy thresholds: a release gate fails when the accuracy recomputed from the reference
 * differs from the recorded one by more than a limit in percentage points, over the whole run
 * (`--max-accuracy-change`), per file (globs) or per task. A threshold that measures nothing
 * (no group with a recorded pick, a glob or task that matches none) fails too: a gate that
 * checked nothing must not pass.
 */
import picomatch from 'picomatch';
import type { Accuracy, RunResult } from '../engine/result.js';
import { displayPath } from '../report/format.js';
import type { AccuracyCheck } from './outcome.js';

export interface AccuracyThresholds {
  /** Over the whole run, in percentage points. */
  maxAccuracyChange?: number;
  /** Glob (matched against the path reports show, relative to the working directory) → limit. */
  files?: Record<string, number>;
  /** Task name → limit. */
  tasks?: Record<string, number>;
}

/** Recomputed minus recorded in pp, rounded off below 1e-9 pp so that 0.1 + 0.2 style noise never decides. */
function changeOf(a: Accuracy): number | null {
  if (a.recorded === null || a.recomputed === null) return null;
  return Math.round((a.recomputed - a.recorded) * 100 * 1e9) / 1e9;
}

function check(scope: AccuracyCheck['scope'], name: string, source: string, limit: number, a: Accuracy | undefined): AccuracyCheck {
  const base = { scope, name, source, limit, groups: a?.groups ?? 0, recorded: a?.recorded ?? null, recomputed: a?.recomputed ?? null };
  if (a === undefined || a.groups === 0) return { ...base, change: null, passed: false, note: 'no multiple-choice group could be scored' };
  const change = changeOf(a);
  if (change === null) return { ...base, change, passed: false, note: 'no group records a pick to compare with' };
  return { ...base, change, passed: Math.abs(change) <= limit };
}

export function checkAccuracy(result: RunResult, thresholds: AccuracyThresholds, cwd?: string): AccuracyCheck[] {
  const out: AccuracyCheck[] = [];
  if (thresholds.maxAccuracyChange !== undefined) {
    out.push(check('run', 'all files', '--max-accuracy-change', thresholds.maxAccuracyChange, result.summary.accuracy));
  }
  for (const [glob, limit] of Object.entries(thresholds.files ?? {})) {
    const matches = picomatch(glob, { dot: true });
    const files = result.files.filter((f) => f.accuracy.groups > 0 && matches(displayPath(f.file, cwd)));
    if (files.length === 0) out.push({ ...check('file', glob, glob, limit, undefined), note: 'no file matching it has a scored multiple-choice group' });
    for (const f of files) out.push(check('file', displayPath(f.file, cwd), glob, limit, f.accuracy));
  }
  for (const [task, limit] of Object.entries(thresholds.tasks ?? {})) {
    out.push(check('task', task, task, limit, result.summary.tasks?.[task]));
  }
  return out;
}
