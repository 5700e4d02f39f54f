/**
 * The command line: parse arguments, call the library, choose the exit code. Exit codes follow
 * ESLint: 0 nothing reached --fail-on, 1 something did, 2 usage error or unreadable input.
 */
import { PRECISION_SETTINGS, type PrecisionSetting } from './reference/precision.js';
import yargs from 'yargs';
import type { Severity, SeveritySetting } from './types.js';
import { audit, ConfigError, nothingAudited } from './engine/index.js';
import { displayPath } from './report/format.js';
import { InputError, STDIN, adapters, listInputFiles, type ReadOptions } from './ingest/index.js';
import { OutputError, checkOutputTarget, watchStandardStreams, writeReportFile } from './output.js';
import { findReporter, reporters, DEFAULT_FORMAT } from './report/index.js';
import { defaultRuleSet } from '../rules/index.js';
import { ruleTable } from './report/rule-table.js';
import { explain, ExplainError } from './explain/index.js';
import { reaches } from './engine/severity.js';
import { loadMappingConfig, parseMapArgs } from './ingest/mapping.js';

const FAIL_ON = ['error', 'warning', 'info', 'none'] as const;
type FailOn = (typeof FAIL_ON)[number];

export class UsageError extends Error {}

/** Parses `id=severity` pairs from --rule. */
export function parseRuleArgs(args: readonly string[]): Record<string, SeveritySetting> {
  const out: Record<string, SeveritySetting> = {};
  for (const a of args) {
    const m = /^([a-z0-9-]+)=(off|info|warning|error)$/.exec(a.trim());
    if (!m) throw new UsageError(`--rule takes id=off|info|warning|error, got ${JSON.stringify(a)}`);
    out[m[1]] = m[2] as SeveritySetting;
  }
  return out;
}

/** Whether any finding reaches the --fail-on threshold. */
export function exitCodeFor(counts: Record<Severity, number>, failOn: FailOn): 0 | 1 {
  if (failOn === 'none') return 0;
  for (const sev of Object.keys(counts) as Severity[]) if (counts[sev] > 0 && reaches(sev, failOn)) return 1;
  return 0;
}

/** Colour on a TTY unless NO_COLOR; FORCE_COLOR forces it (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream, env = process.env): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

/** Progress only for a person watching: stderr is a TTY and we are not in CI. */
function progressReporter(env = process.env): ((n: number, file: string) => void) | undefined {
  if (!process.stderr.isTTY || env.CI) return undefined;
  let last = 0;
  return (n, file) => {
    const now = Date.now();
    if (now - last < 100) return;
    last = now;
    process.stderr.write(`\r\x1b[2Kevalaudit: ${n} records… ${file}`);
  };
}

/** `--map` / `--map-config` and `--precision`, shared by audit and explain. */
const MAP_OPTIONS = {
  map: { type: 'string', array: true, default: [] as string[], describe: 'map a canonical field to a dotted path in each row: field=path (repeatable)' },
  'map-config': { type: 'string', describe: 'JSON file with {"map": {field: path}}' },
  precision: {
    type: 'string',
    default: 'auto',
    choices: PRECISION_SETTINGS,
    describe: 'precision the pipeline ran in: auto infers it; fp32 keeps float32 tolerances; bf16/fp16 allow that format and report it as info',
  },
} as const;

/** How to read the inputs: a field map describes a custom layout, read with the mapped adapter unless told otherwise. */
function readOptionsOf(map: readonly string[], config: string | undefined, inputFormat: string | undefined): ReadOptions {
  let fieldMap: Record<string, string>;
  try {
    fieldMap = { ...(config ? loadMappingConfig(config) : {}), ...parseMapArgs(map) };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return Object.keys(fieldMap).length ? { inputFormat: inputFormat ?? 'mapped', fieldMap } : { inputFormat };
}

export async function main(argv: readonly string[]): Promise<number> {
  watchStandardStreams();
  let code = 0;
  const out = (s: string) => process.stdout.write(s);
  const err = (s: string) => process.stderr.write(s);
  const parser = yargs(argv.map((a) => (a === '-' ? STDIN : a)))
    .scriptName('evalaudit')
    .usage('$0 <command> [options]')
    .command(
      'audit <paths..>',
      'audit eval runs (files or directories of .jsonl, .json, .csv)',
      (y) =>
        y
          .positional('paths', { type: 'string', array: true, demandOption: true, describe: 'files or directories' })
          .option('format', { alias: 'f', type: 'string', default: DEFAULT_FORMAT, choices: Object.keys(reporters), describe: 'report format' })
          .option('output', { alias: 'o', type: 'string', describe: 'write the report to this file instead of stdout' })
          .option('fail-on', { type: 'string', default: 'error', choices: FAIL_ON, describe: 'lowest severity that makes the exit code 1' })
          .option('rule', { type: 'string', array: true, default: [] as string[], describe: 'set a rule severity: id=off|info|warning|error (repeatable)' })
          .option('concurrency', { type: 'number', default: 4, describe: 'files read at once' })
          .option('input-format', { type: 'string', choices: adapters.map((a) => a.name), describe: 'skip detection: read every file in this format' })
          .option('allow-empty', { type: 'boolean', default: false, describe: 'exit 0 even when no record could be audited' })
          .options(MAP_OPTIONS),
      async (args) => {
        const reporter = findReporter(args.format)!;
        if (!Number.isInteger(args.concurrency) || args.concurrency < 1) throw new UsageError('--concurrency takes a whole number ≥ 1');
        const read = readOptionsOf(args.map, args['map-config'], args['input-format']);
        if (args.output) await checkOutputTarget(args.output, await listInputFiles(args.paths as string[]));
        const result = await audit(args.paths as string[], {
          rules: defaultRuleSet,
          severities: parseRuleArgs(args.rule),
          concurrency: args.concurrency,
          read,
          precision: args.precision as PrecisionSetting,
          onProgress: progressReporter(),
        });
        if (process.stderr.isTTY && !process.env.CI) err('\r\x1b[2K');
        const text = reporter(result, { color: !args.output && useColor(process.stdout), cwd: process.cwd() });
        if (args.output) await writeReportFile(args.output, text);
        else out(text);
        code = exitCodeFor(result.summary.findings, args['fail-on'] as FailOn);
        // An audit that checked nothing is no pass (as ESLint's "no files matching"): say why, per file.
        const empty = nothingAudited(result);
        if (empty.length > 0 && !args['allow-empty']) {
          for (const e of empty) err(`evalaudit: nothing audited in ${displayPath(e.file, process.cwd())}: ${e.why}\n`);
          err('evalaudit: no record was audited (--allow-empty accepts that)\n');
          code = 2;
        }
      },
    )
    .command(
      'explain <file>',
      "show one record's numbers step by step, and its diagnosis",
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true })
          .option('record', { type: 'string', demandOption: true, describe: 'the record id' })
          .option('format', { alias: 'f', type: 'string', default: 'text', choices: ['text', 'markdown'] })
          .option('input-format', { type: 'string', choices: adapters.map((a) => a.name) })
          .option('rule', { type: 'string', array: true, default: [] as string[], describe: 'set a rule severity: id=off|info|warning|error' })
          .options(MAP_OPTIONS),
      async (args) => {
        const read = readOptionsOf(args.map, args['map-config'], args['input-format']);
        const text = await explain(args.file as string, args.record, {
          rules: defaultRuleSet,
          format: args.format as 'text' | 'markdown',
          inputFormat: read.inputFormat,
          fieldMap: read.fieldMap,
          severities: parseRuleArgs(args.rule),
          precision: args.precision as PrecisionSetting,
        });
        out(text);
      },
    )
    .command(
      'rules',
      'list the rules',
      (y) => y.option('format', { alias: 'f', type: 'string', default: 'text', choices: ['text', 'markdown'] }),
      (args) => {
        out(ruleTable(defaultRuleSet.catalogue, args.format as 'text' | 'markdown'));
      },
    )
    .demandCommand(1, 'name a command: audit, explain or rules')
    .strict()
    .help()
    .version()
    .exitProcess(false)
    .fail((msg, e) => {
      throw e ?? new UsageError(msg);
    });
  try {
    await parser.parseAsync();
    return code;
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError || e instanceof OutputError || e instanceof ConfigError || e instanceof ExplainError || (e as Error)?.name === 'YError') {
      err(`evalaudit: ${(e as Error).message}\n`);
      if ((e as Error)?.name === 'YError' || e instanceof UsageError) err('Run evalaudit --help for usage.\n');
      return 2;
    }
    throw e;
  }
}
