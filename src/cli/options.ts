/**
 * The flags, defined once: shared by audit and explain where they mean the same, and listed for
 * "did you mean" on a misspelt one. Flags a config file can also set have no yargs default:
 * config/settings.ts applies defaults after merging, so an absent flag never hides a key.
 */
import type { SeveritySetting } from '../types.js';
import { adapters } from '../ingest/index.js';
import { REPORT_FORMATS } from '../report/load.js';
import { FAIL_ON } from '../gate/outcome.js';
import { AUTO_PARALLEL_BYTES, MAX_DEFAULT_JOBS, normaliseSeverity, type FlagSettings } from '../config/settings.js';
import { loadMappingConfig, parseMapArgs } from '../ingest/mapping.js';
import { UsageError } from './usage-error.js';
import { PRECISION_SETTINGS } from '../reference/precision.js';

export const READ_OPTIONS = {
  'input-format': { type: 'string', choices: adapters.map((a) => a.name), describe: 'skip detection: read every file in this format' },
  map: { type: 'string', array: true, default: [] as string[], describe: 'map a canonical field to a dotted path in each row: field=path (repeatable)' },
  'map-config': { type: 'string', describe: 'JSON file with {"map": {field: path}}' },
  rule: { type: 'string', array: true, default: [] as string[], describe: 'set a rule severity: id=off|info|warn|warning|error (repeatable)' },
  config: { type: 'string', describe: 'config file (default: evalaudit.config.json in the working directory; --no-config for none)' },
  'print-config': { type: 'boolean', describe: 'print the settings in effect (config file and flags) as a config file, and exit' },
  precision: {
    type: 'string',
    choices: PRECISION_SETTINGS,
    describe: 'precision the pipeline ran in (default auto: inferred from the evidence); fp32 keeps float32 tolerances; bf16/fp16 allow that format and report it as info',
  },
} as const;

export const AUDIT_OPTIONS = {
  format: { alias: 'f', type: 'string', choices: REPORT_FORMATS, describe: 'report format (default markdown)' },
  output: { alias: 'o', type: 'string', describe: 'write the --format report to this file instead of stdout' },
  report: { type: 'string', array: true, default: [] as string[], describe: 'write a report: FORMAT or FORMAT=PATH (repeatable; no PATH or - is stdout)' },
  'step-summary': { type: 'boolean', describe: 'on GitHub Actions, append the summary report to $GITHUB_STEP_SUMMARY' },
  'max-findings': { type: 'number', describe: 'findings listed per rule in the summary report (default 5)' },
  'fail-on': { type: 'string', choices: FAIL_ON, describe: 'lowest severity that makes the exit code 1 (default error)' },
  'max-warnings': { type: 'number', describe: 'exit 1 when there are more warnings than this' },
  'max-accuracy-change': { type: 'number', describe: 'exit 1 when recomputed accuracy differs from the recorded one by more than this many percentage points' },
  baseline: { type: 'string', describe: 'baseline file: its accepted findings are suppressed' },
  'update-baseline': { type: 'boolean', describe: "write every current finding to the baseline file (--baseline, default evalaudit.baseline.json)" },
  ignore: { type: 'string', array: true, default: [] as string[], describe: 'glob of input files not to audit (repeatable)' },
  concurrency: { type: 'number', describe: 'files read at once on one thread (default 4; with --jobs above 1, one file or range per thread)' },
  jobs: { type: 'number', describe: `threads to audit on, the main one included (default: the available cores, at most ${MAX_DEFAULT_JOBS}, for an input of ${AUTO_PARALLEL_BYTES >> 20} MiB or more, else 1; see README, Both cores)` },
  'allow-empty': { type: 'boolean', describe: 'exit 0 even when nothing could be audited (no record, no headline against its samples)' },
  color: { type: 'boolean', describe: 'colour the text report (--no-color: never); default: as the terminal supports' },
  shard: { type: 'string', describe: "audit shard INDEX/COUNT of the files (INDEX from 0, as JOB_COMPLETION_INDEX) and write its partial report for evalaudit merge" },
} as const;

/** merge's flags: audit's reports and gate, and the config file; what shaped the passes is the shards'. */
export const MERGE_OPTIONS = {
  ...pick(AUDIT_OPTIONS, ['format', 'output', 'report', 'step-summary', 'max-findings', 'fail-on', 'max-warnings', 'max-accuracy-change', 'baseline', 'update-baseline', 'allow-empty', 'color']),
  config: READ_OPTIONS.config,
} as const;

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}

/** Every flag name and alias, for "did you mean". */
export const KNOWN_FLAGS: readonly string[] = [
  ...Object.keys(READ_OPTIONS),
  ...Object.keys(AUDIT_OPTIONS),
  ...Object.values(AUDIT_OPTIONS).flatMap((o) => ('alias' in o ? [o.alias] : [])),
  'record',
  'help',
  'version',
];

/** Parses `id=severity` pairs from --rule (`warn` as ESLint spells `warning`). */
export function parseRuleArgs(args: readonly string[]): Record<string, SeveritySetting> {
  const out: Record<string, SeveritySetting> = {};
  for (const a of args) {
    const m = /^([a-z0-9-]+)=([a-z]+)$/.exec(a.trim());
    const severity = m ? normaliseSeverity(m[2]) : undefined;
    if (!m || !severity) throw new UsageError(`--rule takes id=off|info|warn|warning|error, got ${JSON.stringify(a)}`);
    out[m[1]] = severity;
  }
  return out;
}

function count(value: number | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min) throw new UsageError(`${flag} takes a whole number ≥ ${min}`);
  return value;
}

interface ReadArgs {
  rule: string[];
  map: string[];
  'map-config'?: string;
  'input-format'?: string;
  precision?: string;
}

type AuditArgs = ReadArgs & {
  'fail-on'?: string;
  'max-warnings'?: number;
  'max-accuracy-change'?: number;
  baseline?: string;
  ignore: string[];
  concurrency?: number;
  jobs?: number;
  'allow-empty'?: boolean;
  'max-findings'?: number;
};

/** The flags of a command as settings (audit's, or explain's subset). */
export function flagSettings(args: ReadArgs & Partial<AuditArgs>): FlagSettings {
  let map: Record<string, string>;
  try {
    map = { ...(args['map-config'] ? loadMappingConfig(args['map-config']) : {}), ...parseMapArgs(args.map) };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const change = args['max-accuracy-change'];
  if (change !== undefined && !(Number.isFinite(change) && change >= 0)) throw new UsageError('--max-accuracy-change takes percentage points ≥ 0');
  const flags: FlagSettings = {
    rules: parseRuleArgs(args.rule),
    map,
    ignore: args.ignore ?? [],
    failOn: args['fail-on'],
    maxWarnings: count(args['max-warnings'], '--max-warnings', 0),
    maxAccuracyChange: change,
    inputFormat: args['input-format'],
    precision: args.precision,
    concurrency: count(args.concurrency, '--concurrency', 1),
    jobs: count(args.jobs, '--jobs', 1),
    baseline: args.baseline,
    allowEmpty: args['allow-empty'],
    maxFindings: count(args['max-findings'], '--max-findings', 0),
  };
  for (const k of Object.keys(flags) as (keyof FlagSettings)[]) if (flags[k] === undefined) delete flags[k];
  return flags;
}
