/**
 * `evalaudit audit`: settings from the config file and flags, the audit, then the gate and the
 * reports (report-run.ts). `audit --shard` is shard-command.ts.
 */
import { relative } from 'node:path';
import picomatch from 'picomatch';
import type { RuleSet } from '../engine/rule-set.js';
import { audit } from '../engine/index.js';
import { listInputFiles, type ReadOptions } from '../ingest/index.js';
import { displayPath } from '../report/format.js';
import { loadConfig } from '../config/load.js';
import { threadsOf, resolveSettings, settingsAsConfig, type Settings } from '../config/settings.js';
import { writeReport } from '../output/write.js';
import { flagSettings } from './options.js';
import { checkPlan, planReports, reportRun, type Io } from './report-run.js';
import { openProgress } from './terminal.js';
import { UsageError } from './usage-error.js';

export interface AuditArgs {
  paths?: string[];
  format?: string;
  output?: string;
  report: string[];
  'step-summary'?: boolean;
  'update-baseline'?: boolean;
  config?: string | false;
  'print-config'?: boolean;
  color?: boolean;
  rule: string[];
  map: string[];
  'map-config'?: string;
  'input-format'?: string;
  ignore: string[];
  shard?: string;
  [flag: string]: unknown;
}

/** Settings of audit or explain: the config file (unless --no-config) under the flags. */
export function settingsOf(args: AuditArgs, rules: RuleSet, cwd: string): Settings {
  const loaded = loadConfig(cwd, args.config);
  return resolveSettings(flagSettings(args), loaded, rules.catalogue.map((m) => m.id));
}

export function readOptionsOf(s: Settings): ReadOptions {
  // A field map describes a custom layout, read with the mapped adapter unless told otherwise.
  return Object.keys(s.map).length > 0 ? { inputFormat: s.inputFormat ?? 'mapped', fieldMap: s.map } : { inputFormat: s.inputFormat };
}

export function printConfig(s: Settings, cwd: string): string {
  return `${JSON.stringify(settingsAsConfig(s, cwd, relative), null, 2)}\n`;
}

export async function runAudit(args: AuditArgs, rules: RuleSet, io: Io, workerModule?: URL): Promise<number> {
  const settings = settingsOf(args, rules, io.cwd);
  if (args['print-config']) {
    await writeReport({ kind: 'stdout' }, printConfig(settings, io.cwd));
    return 0;
  }
  const paths = args.paths ?? [];
  if (paths.length === 0) throw new UsageError('name the files or directories to audit');
  const plan = planReports(args, settings, io);
  const files = await inputFiles(paths, settings.ignore, io.cwd);
  await checkPlan(plan, args, files);

  const progress = await openProgress();
  let result;
  try {
    result = await audit(files, {
      rules,
      severities: settings.rules,
      concurrency: settings.concurrency,
      ...threadsOf(settings),
      ...(workerModule !== undefined ? { workerModule } : {}),
      read: readOptionsOf(settings),
      onProgress: progress?.update,
      listAudited: plan.requests.some((r) => r.format === 'junit'),
      ...(settings.precision !== undefined ? { precision: settings.precision } : {}),
    });
  } finally {
    progress?.stop();
  }
  return reportRun(result, plan, settings, args, io);
}

/** The input files, less those an ignore glob matches (against the path reports show). */
export async function inputFiles(paths: readonly string[], ignore: readonly string[], cwd: string): Promise<string[]> {
  const files = await listInputFiles(paths);
  if (ignore.length === 0) return files;
  const ignored = picomatch([...ignore], { dot: true });
  const kept = files.filter((f) => !ignored(displayPath(f, cwd)));
  if (kept.length === 0) throw new UsageError(`every input file is ignored (${files.length} matched ${ignore.map((g) => JSON.stringify(g)).join(', ')})`);
  return kept;
}
