/**
 * The settings a run uses: the config file's keys, overridden by the flags given on the command
 * line (maps and rule severities merge key by key; ignore globs add up). Defaults apply last,
 * here and nowhere else, so a setting means the same from a flag and from the file.
 */
import { availableParallelism } from 'node:os';
import type { PrecisionSetting } from '../reference/precision.js';
import type { SeveritySetting } from '../types.js';
import type { AccuracyThresholds } from '../gate/thresholds.js';
import { FAIL_ON, type FailOn } from '../gate/outcome.js';
import { didYouMean } from '../suggest.js';
import { configPath, type ConfigFile, type LoadedConfig } from './load.js';
import { SettingsError } from './errors.js';

export const DEFAULT_CONCURRENCY = 4;
/**
 * `--jobs` when neither the flag nor the file sets it: the cores this process may run on, at most
 * this many. The cap is for containers, which see the host's cores (not their CPU quota), and
 * for memory: each thread is a heap of its own (README, Both cores).
 */
export const MAX_DEFAULT_JOBS = 4;

/**
 * With `jobs` not set, the input size below which the run stays on one thread. A second thread
 * costs ~0.6 s of CPU (its start, and V8 compiling the hot code again for its isolate), which a
 * small input does not earn back: on 2 vCPUs `--jobs 2` took 1.36× the time of `--jobs 1` on
 * 12 MB in 1,140 files, 1.13–1.17× on 40 MB, ~1.0× on 110 MB in one file and 0.87× on 110 MB
 * in 100 files (README, Both cores). A `--jobs` given keeps the engine's own, lower threshold.
 */
export const AUTO_PARALLEL_BYTES = 96 << 20;

/** The threads a run audits on: its `jobs`, else the available cores (at most MAX_DEFAULT_JOBS) for an input of AUTO_PARALLEL_BYTES or more. */
export function threadsOf(s: Pick<Settings, 'jobs'>): { jobs: number; parallel?: { minBytes: number } } {
  if (s.jobs !== undefined) return { jobs: s.jobs };
  return { jobs: Math.min(availableParallelism(), MAX_DEFAULT_JOBS), parallel: { minBytes: AUTO_PARALLEL_BYTES } };
}

/** What the command line gave; undefined (or empty) where a flag was not given. */
export interface FlagSettings {
  rules: Record<string, SeveritySetting>;
  failOn?: string;
  maxWarnings?: number;
  maxAccuracyChange?: number;
  inputFormat?: string;
  map: Record<string, string>;
  precision?: string;
  ignore: string[];
  concurrency?: number;
  jobs?: number;
  baseline?: string;
  allowEmpty?: boolean;
  maxFindings?: number;
}

export interface Settings {
  rules: Record<string, SeveritySetting>;
  failOn: FailOn;
  maxWarnings?: number;
  thresholds: AccuracyThresholds;
  inputFormat?: string;
  map: Record<string, string>;
  /** `--precision` / `precision`: the pipeline's floating-point precision (default auto). */
  precision?: PrecisionSetting;
  ignore: string[];
  concurrency: number;
  /** `--jobs` / `jobs`: threads to audit on; absent: the available cores on a large input (threadsOf). */
  jobs?: number;
  baseline?: string;
  allowEmpty: boolean;
  maxFindings?: number;
}

/** `warn` is ESLint's spelling of `warning`. */
export function normaliseSeverity(s: string): SeveritySetting | undefined {
  if (s === 'warn') return 'warning';
  return s === 'off' || s === 'info' || s === 'warning' || s === 'error' ? s : undefined;
}

export function resolveSettings(flags: FlagSettings, loaded: LoadedConfig | null, ruleIds: readonly string[]): Settings {
  const file: ConfigFile = loaded?.config ?? {};
  const rules: Record<string, SeveritySetting> = {};
  for (const [id, sev] of Object.entries(file.rules ?? {})) rules[id] = normaliseSeverity(sev)!;
  Object.assign(rules, flags.rules);
  for (const id of Object.keys(rules)) {
    if (!ruleIds.includes(id)) {
      const where = Object.hasOwn(flags.rules, id) ? `--rule ${id}` : `config ${loaded!.path}: rules.${id}`;
      throw new SettingsError(`${where}: unknown rule ${id}${didYouMean(id, ruleIds)}; rules: ${ruleIds.join(', ')}`);
    }
  }
  const failOn = flags.failOn ?? file.failOn ?? 'error';
  if (!FAIL_ON.includes(failOn as FailOn)) throw new SettingsError(`--fail-on takes ${FAIL_ON.join(', ')}, got ${JSON.stringify(failOn)}`);
  const thresholds: AccuracyThresholds = { ...file.thresholds };
  if (flags.maxAccuracyChange !== undefined) thresholds.maxAccuracyChange = flags.maxAccuracyChange;
  const baseline = flags.baseline ?? (file.baseline !== undefined ? configPath(loaded!, file.baseline) : undefined);
  const settings: Settings = {
    rules,
    failOn: failOn as FailOn,
    thresholds,
    map: { ...file.map, ...flags.map },
    ignore: [...(file.ignore ?? []), ...flags.ignore],
    concurrency: flags.concurrency ?? file.concurrency ?? DEFAULT_CONCURRENCY,
    allowEmpty: flags.allowEmpty ?? file.allowEmpty ?? false,
  };
  const maxWarnings = flags.maxWarnings ?? file.maxWarnings;
  if (maxWarnings !== undefined) settings.maxWarnings = maxWarnings;
  const inputFormat = flags.inputFormat ?? file.inputFormat;
  if (inputFormat !== undefined) settings.inputFormat = inputFormat;
  // The flag's choices and the config schema's enum both hold PRECISION_SETTINGS.
  const precision = flags.precision ?? file.precision;
  if (precision !== undefined) settings.precision = precision as PrecisionSetting;
  if (baseline !== undefined) settings.baseline = baseline;
  const jobs = flags.jobs ?? file.jobs;
  if (jobs !== undefined) settings.jobs = jobs;
  const maxFindings = flags.maxFindings ?? file.maxFindings;
  if (maxFindings !== undefined) settings.maxFindings = maxFindings;
  return settings;
}

/** The settings as a config file would hold them (`--print-config`): valid against schema/config.schema.json. */
export function settingsAsConfig(s: Settings, cwd: string, relative: (from: string, to: string) => string): ConfigFile {
  const out: ConfigFile = {};
  if (Object.keys(s.rules).length > 0) out.rules = sortedKeys(s.rules) as ConfigFile['rules'];
  out.failOn = s.failOn;
  if (s.maxWarnings !== undefined) out.maxWarnings = s.maxWarnings;
  if (Object.keys(s.thresholds).length > 0) out.thresholds = s.thresholds;
  if (s.inputFormat !== undefined) out.inputFormat = s.inputFormat;
  if (Object.keys(s.map).length > 0) out.map = sortedKeys(s.map);
  if (s.precision !== undefined) out.precision = s.precision;
  if (s.ignore.length > 0) out.ignore = s.ignore;
  out.concurrency = s.concurrency;
  if (s.jobs !== undefined) out.jobs = s.jobs;
  if (s.baseline !== undefined) out.baseline = relative(cwd, s.baseline) || s.baseline;
  out.allowEmpty = s.allowEmpty;
  if (s.maxFindings !== undefined) out.maxFindings = s.maxFindings;
  return out;
}

function sortedKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
