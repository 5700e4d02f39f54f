/**
 * Runs an evalaudit bin (bin/evalaudit.js, or another build's) in this process, then prints this
 * process's peak RSS as {"maxRssKb": …} on stdout when it exits: what bench/run.ts measures on
 * machines without /usr/bin/time. The report itself must go to --output so that stdout carries
 * only that line. Usage: node dist/bench/audit-child.js <path/to/bin/evalaudit.js> audit …
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const bin = process.argv[2];
if (!bin) {
  process.stderr.write('audit-child: usage: audit-child.js <bin/evalaudit.js> <arguments>\n');
  process.exit(2);
}
// The bin reads process.argv.slice(2): make it see its own path and arguments, as if run itself.
process.argv.splice(1, 2, resolve(bin));
process.on('exit', () => {
  process.stdout.write(`${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS })}\n`);
});
await import(pathToFileURL(resolve(bin)).href);
