/**
 * The floor the audit is measured against: stream each input line by line and JSON.parse each
 * line, doing nothing else. The input is a file, or a directory whose files are read one after
 * another in name order (the 100-files row). A line JSON.parse refuses (Python's NaN, which the
 * audit reads) is counted, not read further. Prints {records, unparsed, tokens, maxRssKb} as JSON
 * (maxRssKb for machines without /usr/bin/time). Usage: node dist/bench/bare.js <file.jsonl | dir>
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

async function main(path: string): Promise<void> {
  const files = statSync(path).isDirectory() ? readdirSync(path).sort().map((name) => join(path, name)) : [path];
  let records = 0;
  let unparsed = 0;
  let tokens = 0;
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.length === 0) continue;
      let value: { tokens?: unknown[] };
      try {
        value = JSON.parse(line) as { tokens?: unknown[] };
      } catch {
        unparsed++;
        continue;
      }
      records++;
      // Touch the parsed value so the parse cannot be optimised away.
      tokens += value.tokens?.length ?? 0;
    }
  }
  process.stdout.write(`${JSON.stringify({ records, unparsed, tokens, maxRssKb: process.resourceUsage().maxRSS })}\n`);
}

main(process.argv[2]).catch((err) => {
  process.stderr.write(`bare: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
