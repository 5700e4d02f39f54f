/**
 * `evalaudit merge PARTIAL...`: the shards' partial reports (audit --shard) made into the report
 * one machine would have written: their passes put back in file order, then the same run-level
 * finish (finishRun: run rules on the whole run, sort, totals) and the same gate, reports and
 * exit codes as audit (report-run.ts). The rules' severities and the precision are the shards'
 * (they shaped the passes); the gate and the reports are merge's.
 */
import type { SeveritySetting } from '../types.js';
import type { RuleSet } from '../engine/rule-set.js';
import { engineConfig, finishRun } from '../engine/index.js';
import type { PrecisionSetting } from '../reference/precision.js';
import { toolVersion } from '../project.js';
import { checkShards, MergeError, mergedPasses, openPartial, type OpenPartial } from '../shard/partial-report.js';
import { Spool } from '../engine/finding-spool.js';
import { settingsOf, type AuditArgs } from './audit-command.js';
import { checkPlan, planReports, reportRun, type Io, type ReportArgs } from './report-run.js';
import { UsageError } from './usage-error.js';

export interface MergeArgs extends ReportArgs {
  partials?: string[];
  config?: string | false;
  [flag: string]: unknown;
}

export async function runMerge(args: MergeArgs, rules: RuleSet, io: Io): Promise<number> {
  const settings = settingsOf({ ...args, rule: [], map: [], ignore: [] } as AuditArgs, rules, io.cwd);
  const paths = args.partials ?? [];
  if (paths.length === 0) throw new UsageError('name the partial reports to merge (written by evalaudit audit --shard INDEX/COUNT)');
  const plan = planReports(args, settings, io);
  await checkPlan(plan, args, paths);
  // One after another: a regular file is closed after its header; a pipe stays open (openPartial).
  const partials: OpenPartial[] = [];
  const spool = new Spool();
  let passes;
  let config;
  try {
    for (const path of paths) partials.push(await openPartial(path));
    const header = checkShards(partials, toolVersion);
    const ids = rules.catalogue.map((m) => m.id);
    if (JSON.stringify(header.settings.rules) !== JSON.stringify(ids)) throw new MergeError(`${paths[0]} was audited with another rule set than this evalaudit's (${ids.length} rules)`);
    config = engineConfig(rules, header.settings.overrides as Record<string, SeveritySetting>, header.settings.precision as PrecisionSetting);
    // The findings go into a spool as they are read, as audit's do; each file's audited items are
    // kept, as audit keeps them, only when the JUnit report needs them.
    passes = await mergedPasses(partials, spool, plan.requests.some((r) => r.format === 'junit'));
  } catch (err) {
    spool.discard();
    // A pipe left open would keep the process waiting for its writer.
    await Promise.all(partials.map((p) => p.close().catch(() => undefined)));
    throw err;
  }
  return reportRun(finishRun(passes, config, spool), plan, settings, args, io);
}
