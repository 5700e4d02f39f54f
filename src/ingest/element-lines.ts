/**
 * Line numbers of the elements of a JSON document's array, for adapters that read a whole
 * document at once (HELM's scenario_state.json, an Inspect log) and must still point findings at
 * the element's line. A scan of the text, not a parse: strings are skipped, depth counted.
 *
 * Line of each element of the array whose opening bracket sits at `arrayDepth` (0: the document
 * is the array; 1: an array inside the top-level object under `key`, e.g. `records`).
 */
export function elementLines(text: string, arrayDepth: number, key: string | null): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let lastKey: string | null = null;
  let inArray = false;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      continue;
    }
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') {
        inString = false;
        if (depth === arrayDepth) lastKey = text.slice(stringStart + 1, i);
      }
      continue;
    }
    if (inArray && depth === arrayDepth + 1 && expectValue && c !== ' ' && c !== '\t' && c !== '\r' && c !== ']') {
      lines.push(line);
      expectValue = false;
    }
    if (c === '"') {
      inString = true;
      stringStart = i;
    } else if (c === '[' || c === '{') {
      if (!inArray && c === '[' && depth === arrayDepth && (key === null || lastKey === key)) {
        inArray = true;
        expectValue = true;
      }
      depth++;
    } else if (c === ']' || c === '}') {
      depth--;
      if (inArray && depth === arrayDepth) break;
    } else if (c === ',' && inArray && depth === arrayDepth + 1) expectValue = true;
  }
  return lines;
}
