/**
 * The floor the audit is measured against: stream the file line by line and JSON.parse each
 * line, doing nothing else. Prints {records, maxRssKb} as JSON (maxRSS for machines without
 * /usr/bin/time). Usage: node dist/bench/bare.js <file.jsonl>
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

async function main(file: string): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  let records = 0;
  let tokens = 0;
  for await (const line of lines) {
    if (line.length === 0) continue;
    const value = JSON.parse(line) as { tokens?: unknown[] };
    records++;
    // Touch the parsed value so the parse cannot be optimised away.
    tokens += value.tokens?.length ?? 0;
  }
  process.stdout.write(`${JSON.stringify({ records, tokens, maxRssKb: process.resourceUsage().maxRSS })}\n`);
}

main(process.argv[2]).catch((err) => {
  process.stderr.write(`bare: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
