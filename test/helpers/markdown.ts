/** Reading Markdown tables back in tests: cells and tables as a renderer must produce them. */

/** The pipes that delimit cells: those not escaped by an odd run of backslashes. */
export function cellDelimiters(line: string): number {
  let count = 0;
  let backslashes = 0;
  for (const c of line) {
    if (c === '|' && backslashes % 2 === 0) count++;
    backslashes = c === '\\' ? backslashes + 1 : 0;
  }
  return count;
}

/** Consecutive lines starting with `|`: the Markdown tables. */
export function tables(markdown: string): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  for (const line of markdown.split('\n')) {
    if (line.startsWith('|')) current.push(line);
    else if (current.length > 0) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}
