/**
 * `evalaudit audit --shard INDEX/COUNT`: audits this shard's share of the input files
 * (shard/assign.ts) and writes its partial report (shard/partial-report.ts) to --output or
 * stdout, for `evalaudit merge` to finish. A shard gates nothing and writes no other report:
 * the gate and report flags belong to merge, which sees the whole run. Exit 0 once written.
 */
import type { RuleSet } from '../engine/rule-set.js';
import { auditFiles, engineConfig } from '../engine/index.js';
import { STDIN } from '../ingest/index.js';
import { toolVersion } from '../project.js';
import { threadsOf, type Settings } from '../config/settings.js';
import { checkTarget, writeReport, type OutputTarget } from '../output/write.js';
import { parseShard, ShardKeys, shardOfKey } from '../shard/assign.js';
import { inputsOf, PARTIAL_FORMAT, PARTIAL_VERSION, partialPieces, type PassSettings } from '../shard/partial-report.js';
import { Spool } from '../engine/finding-spool.js';
import { inputFiles, readOptionsOf, settingsOf, type AuditArgs } from './audit-command.js';
import type { Io } from './report-run.js';
import { openProgress } from './terminal.js';
import { UsageError } from './usage-error.js';

/** Flags that gate or render the whole run: merge takes them. */
const MERGE_FLAGS = ['format', 'report', 'step-summary', 'fail-on', 'max-warnings', 'max-accuracy-change', 'baseline', 'update-baseline', 'max-findings', 'allow-empty', 'color'];

export async function runShard(args: AuditArgs, rules: RuleSet, io: Io, workerModule?: URL): Promise<number> {
  const shard = parseShard(String(args.shard));
  if (typeof shard === 'string') throw new UsageError(shard);
  const misplaced = MERGE_FLAGS.filter((f) => args[f] !== undefined && !(Array.isArray(args[f]) && (args[f] as unknown[]).length === 0));
  if (misplaced.length > 0) throw new UsageError(`--shard writes a partial report (to --output or stdout); ${misplaced.map((f) => `--${f}`).join(', ')} belong${misplaced.length === 1 ? 's' : ''} to evalaudit merge`);
  const paths = args.paths ?? [];
  if (paths.length === 0) throw new UsageError('name the files or directories to audit');
  if (paths.some((p) => p === '-' || p === STDIN)) throw new UsageError('standard input (-) cannot be sharded: name files or directories');
  const settings = settingsOf(args, rules, io.cwd);
  const files = await inputFiles(paths, settings.ignore, io.cwd);
  const target: OutputTarget = args.output === undefined || args.output === '-' ? { kind: 'stdout' } : { kind: 'file', path: args.output };
  await checkTarget(target, files);

  const keys = new ShardKeys(paths);
  const share = files.flatMap((file, index) => (shardOfKey(keys.of(file), shard.count) === shard.index ? [{ file, index }] : []));
  const config = engineConfig(rules, settings.rules, settings.precision);
  const progress = await openProgress();
  // The findings wait in a spool, as audit's do, and are written out from it.
  const spool = new Spool();
  try {
    let passes;
    try {
      passes = await auditFiles(
        share.map((s) => s.file),
        config,
        // Always listed: merge cannot know whether a JUnit report will be asked for.
        {
          concurrency: settings.concurrency,
          ...threadsOf(settings),
          ...(workerModule !== undefined ? { workerModule } : {}),
          read: readOptionsOf(settings),
          onProgress: progress?.update,
          listAudited: true,
        },
        spool,
      );
    } finally {
      progress?.stop();
    }
    const header = { format: PARTIAL_FORMAT, version: PARTIAL_VERSION, tool: { name: 'evalaudit', version: toolVersion }, shard, settings: passSettings(rules, settings), inputs: inputsOf(files) } as const;
    await writeReport(target, partialPieces(header, passes.map((pass, i) => ({ index: share[i].index, pass })), spool));
  } finally {
    // Done with, written or not.
    spool.discard();
  }
  return 0;
}

/** The settings that shape a file's pass, keys sorted so that their order in a config file does not matter. */
export function passSettings(rules: RuleSet, settings: Settings): PassSettings {
  const read = readOptionsOf(settings);
  return {
    rules: rules.catalogue.map((m) => m.id),
    overrides: sortedRecord(settings.rules),
    precision: settings.precision ?? 'auto',
    inputFormat: read.inputFormat ?? null,
    map: sortedRecord(read.fieldMap ?? {}),
  };
}

function sortedRecord<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
