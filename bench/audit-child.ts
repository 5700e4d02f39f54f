/**
 * The audit CLI run in-process, followed by this process's peak RSS as {"maxRssKb": …} on
 * stdout: what bench/run.ts measures on machines without /usr/bin/time. The report itself must
 * go to --output so that stdout carries only that line.
 */

// A computed specifier: the bench compiles (and reports a clear skip) before the CLI exists.
const cliModule = '../src/cli.js';

async function run(): Promise<void> {
  const { main } = (await import(cliModule)) as { main(argv: string[]): Promise<number> };
  process.exitCode = await main(process.argv.slice(2));
  process.stdout.write(`${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS })}\n`);
}

run().catch((err) => {
  process.stderr.write(`audit-child: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 2;
});
