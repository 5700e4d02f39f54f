/**
 * The bin's entry and a composition root: hands the default rule set to the command line
 * (src/cli/), which parses arguments, calls the library and chooses the exit code. Exit codes
 * follow ESLint: 0 nothing reached --fail-on, 1 something did (or a threshold failed), 2 usage
 * error, unreadable input or an audit that checked nothing.
 */
import type { Severity } from './types.js';
import { defaultRuleSet } from '../rules/index.js';
import { reaches } from './engine/severity.js';
import type { FailOn } from './gate/outcome.js';
import { runCli } from './cli/program.js';
import { defaultWorkerModule } from './parallel/worker-module.js';

export { parseRuleArgs } from './cli/options.js';
export { useColor } from './cli/terminal.js';
export { UsageError } from './cli/usage-error.js';
export { finalExitCode } from './output/write.js';

export function main(argv: readonly string[]): Promise<number> {
  return runCli(argv, defaultRuleSet, defaultWorkerModule());
}

/** Whether any finding count reaches the --fail-on threshold. */
export function exitCodeFor(counts: Record<Severity, number>, failOn: FailOn): 0 | 1 {
  if (failOn === 'none') return 0;
  for (const sev of Object.keys(counts) as Severity[]) if (counts[sev] > 0 && reaches(sev, failOn)) return 1;
  return 0;
}
