/**
 * The command line: yargs commands wired to their handlers, and the mapping of every error to
 * exit code 2 with one line (and "did you mean" for a misspelt flag). It is handed the rule set
 * by src/cli.ts, the composition root. A plain audit command line is read without yargs
 * (fast-args.ts), and what only other commands use (yargs, explain, the rule table) is loaded
 * when they run: a small audit then starts in about half the time.
 */
import type { Argv } from 'yargs';
import type { RuleSet } from '../engine/rule-set.js';
import { ConfigError } from '../engine/index.js';
import { ExplainError } from '../explain/locate.js';
import { SettingsError } from '../config/errors.js';
import { OutputError, watchStandardStreams, writeReport } from '../output/write.js';
import { SpoolReadError } from '../engine/spool-runs.js';
import { InputError, STDIN } from '../ingest/index.js';
import { toolVersion } from '../project.js';
import { didYouMean } from '../suggest.js';
import { AUDIT_OPTIONS, KNOWN_FLAGS, MERGE_OPTIONS, READ_OPTIONS } from './options.js';
import { fastAuditArgs } from './fast-args.js';
import { printConfig, readOptionsOf, runAudit, settingsOf, type AuditArgs } from './audit-command.js';
import { runMerge, type MergeArgs } from './merge-command.js';
import { runShard } from './shard-command.js';
import { MergeError } from '../shard/partial-report.js';
import { UsageError } from './usage-error.js';

/** yargs' own words for an unknown flag: `Unknown argument: forma` / `Unknown arguments: a, b`. */
function withSuggestions(message: string, argv: readonly string[]): string {
  if (message.startsWith('Did you mean')) return `unknown command ${JSON.stringify(argv[0])}: ${message.replace(/^Did/, 'did')}`;
  // `Invalid values:\n  Argument: format, Given: "mardown", Choices: "markdown", "json", …`: one line, with the closest choice.
  const bad = /^Invalid values:\s+Argument: ([\w-]+), Given: ("(?:[^"\\]|\\.)*"), Choices: (.+)$/s.exec(message);
  if (bad) {
    const given = JSON.parse(bad[2]) as string;
    const choices = [...bad[3].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
    return `--${bad[1]}: unknown value ${JSON.stringify(given)}${didYouMean(given, choices)}; choices: ${choices.join(', ')}`;
  }
  const m = /^Unknown arguments?: (.+)$/.exec(message);
  if (!m) return message;
  // yargs lists a misspelt kebab-case flag twice, as given and camel-cased; name it once.
  const given = m[1].split(', ');
  const names = given.filter((n) => !given.includes(n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)) || !/[A-Z]/.test(n));
  return names
    .map((name) => `unknown flag --${name}${didYouMean(name, KNOWN_FLAGS).replace(/"(.+)"/, '"--$1"')}`)
    .join('; ');
}

/** The audit command's positionals and flags, as yargs is told them (test/fast-args.test.ts reads it too). */
export function auditCommand<T>(y: Argv<T>) {
  return y
    .positional('paths', { type: 'string', array: true, describe: 'files or directories' })
    .options(AUDIT_OPTIONS)
    .options(READ_OPTIONS);
}

const KNOWN_ERRORS = [UsageError, InputError, ConfigError, ExplainError, SettingsError, OutputError, MergeError, SpoolReadError];

/** `workerModule`: the worker threads' entry, which runs `rules` (see AuditOptions); without it, one thread. */
export async function runCli(argv: readonly string[], rules: RuleSet, workerModule?: URL): Promise<number> {
  // Printed here rather than by yargs (console.log), so it goes where every other output goes.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    await writeReport({ kind: 'stdout' }, `${toolVersion}\n`);
    return 0;
  }
  watchStandardStreams();
  const err = (s: string) => void process.stderr.write(s);
  const io = { cwd: process.cwd(), env: process.env, err };
  // yargs drops a lone `-`: it names standard input, passed on as <stdin>.
  const given = argv.map((a) => (a === '-' ? STDIN : a));
  try {
    const simple = fastAuditArgs(given);
    if (simple !== null) return await auditCommandRun(simple, rules, io, workerModule);
    return await runYargs(given, argv, rules, io, workerModule);
  } catch (e) {
    const yargsError = (e as Error)?.name === 'YError';
    if (yargsError || KNOWN_ERRORS.some((k) => e instanceof k)) {
      err(`evalaudit: ${yargsError ? withSuggestions((e as Error).message, argv) : (e as Error).message}\n`);
      if (yargsError || e instanceof UsageError) err('Run evalaudit --help for usage.\n');
      return 2;
    }
    throw e;
  }
}

/** `audit`: one machine's audit, or with --shard one shard's partial report. */
function auditCommandRun(args: AuditArgs, rules: RuleSet, io: Parameters<typeof runAudit>[2], workerModule: URL | undefined): Promise<number> {
  return args.shard !== undefined && !args['print-config'] ? runShard(args, rules, io, workerModule) : runAudit(args, rules, io, workerModule);
}

/** Every command line the fast path leaves: yargs, loaded now. */
async function runYargs(given: string[], argv: readonly string[], rules: RuleSet, io: Parameters<typeof runAudit>[2], workerModule: URL | undefined): Promise<number> {
  const { default: yargs } = await import('yargs');
  const out = (s: string) => writeReport({ kind: 'stdout' }, s);
  let code = 0;
  const parser = yargs(given)
    .scriptName('evalaudit')
    .usage('$0 <command> [options]')
    .command(
      'audit [paths..]',
      'audit eval runs (files or directories of .jsonl, .json, .csv, .parquet, .eval)',
      (y) => auditCommand(y),
      async (args) => {
        code = await auditCommandRun(args as unknown as AuditArgs, rules, io, workerModule);
      },
    )
    .command(
      'merge [partials..]',
      'merge the partial reports of audit --shard into the report one audit of every file would write',
      (y) => y.positional('partials', { type: 'string', array: true, describe: 'partial report files' }).options(MERGE_OPTIONS),
      async (args) => {
        code = await runMerge(args as unknown as MergeArgs, rules, io);
      },
    )
    .command(
      'explain [file]',
      "show one record's numbers step by step, and its diagnosis",
      (y) =>
        y
          .positional('file', { type: 'string' })
          .option('record', { type: 'string', describe: 'the record id' })
          .option('format', { alias: 'f', type: 'string', default: 'text', choices: ['text', 'markdown'] })
          .options(READ_OPTIONS),
      async (args) => {
        const settings = settingsOf({ ...(args as unknown as AuditArgs), ignore: [], report: [] }, rules, io.cwd);
        if (args['print-config']) return void (await out(printConfig(settings, io.cwd)));
        if (args.file === undefined || args.record === undefined) throw new UsageError('explain takes a file and --record <id>');
        const read = readOptionsOf(settings);
        const { explain } = await import('../explain/index.js');
        const text = await explain(args.file, args.record, {
          rules,
          format: args.format as 'text' | 'markdown',
          inputFormat: read.inputFormat,
          fieldMap: read.fieldMap,
          severities: settings.rules,
          ...(settings.precision !== undefined ? { precision: settings.precision } : {}),
        });
        await out(text);
      },
    )
    .command(
      'rules',
      'list the rules',
      (y) => y.option('format', { alias: 'f', type: 'string', default: 'text', choices: ['text', 'markdown'] }),
      async (args) => {
        const { ruleTable } = await import('../report/rule-table.js');
        await out(ruleTable(rules.catalogue, args.format as 'text' | 'markdown'));
      },
    )
    .demandCommand(1, 'name a command: audit, merge, explain or rules')
    .recommendCommands()
    .strict()
    .help()
    // The tool's own version: yargs would read the package.json nearest the working directory (the consumer's).
    .version(toolVersion)
    .exitProcess(false)
    .fail((msg, e) => {
      throw e ?? new UsageError(withSuggestions(msg, argv));
    });
  await parser.parseAsync();
  return code;
}
