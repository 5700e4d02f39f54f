/**
 * The shape of the code, checked: data flows one way (rules depend on the engine, never the
 * reverse; only the composition roots src/cli.ts and src/index.ts hand the default rule set in),
 * no module imports itself back through a cycle, and no source file grows past what a reader
 * takes in at once.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const COMPOSITION_ROOTS = new Set(['src/cli.ts', 'src/index.ts', 'src/parallel/worker.ts']);
/** A file longer than this is doing several things; split it. */
const MAX_LINES = 360;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

const files = [...sources(join(root, 'src')), ...sources(join(root, 'rules'))];
const rel = (p: string) => relative(root, p).split('\\').join('/');

/** The modules a file imports or re-exports from, type-only ones included (they shape the design too). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s+'(\.{1,2}\/[^']+)'/gms)) {
    out.push(rel(resolve(dirname(file), m[1].replace(/\.js$/, '.ts'))));
  }
  return out;
}

const graph = new Map(files.map((f) => [rel(f), importsOf(f)]));

/** What loading a file loads at once: its static value imports (not `import type`, not `import()`), modules and packages. */
function loadsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\b(?!\s+type\b)[^'";]*?\bfrom\s+'([^']+)'|^\s*import\s+'([^']+)'/gms)) {
    const spec = m[2] ?? m[3];
    out.push(spec.startsWith('.') ? rel(resolve(dirname(join(root, file)), spec.replace(/\.js$/, '.ts'))) : spec);
  }
  return out;
}

/** Every module and package loaded with `file`, before any dynamic import. */
function loadedWith(file: string): Set<string> {
  const seen = new Set<string>([file]);
  const todo = [file];
  while (todo.length > 0) {
    for (const d of loadsOf(todo.pop()!)) {
      if (seen.has(d)) continue;
      seen.add(d);
      if (graph.has(d)) todo.push(d);
    }
  }
  return seen;
}

describe('architecture', () => {
  it('every relative import resolves to a source file', () => {
    for (const [file, deps] of graph) for (const d of deps) expect(graph.has(d), `${file} imports ${d}`).toBe(true);
  });

  it('nothing in src/ but the composition roots imports rules/', () => {
    const offenders = [...graph].filter(([f, deps]) => f.startsWith('src/') && !COMPOSITION_ROOTS.has(f) && deps.some((d) => d.startsWith('rules/')));
    expect(offenders.map(([f]) => f)).toEqual([]);
  });

  it('rules import the engine and reference, never the CLI, the reports or each other but through the registry', () => {
    for (const [f, deps] of graph) {
      if (!f.startsWith('rules/') || f === 'rules/index.ts') continue;
      for (const d of deps) expect(d, f).toMatch(/^src\/(engine\/|reference\/|types\.ts$)/);
    }
  });

  it("the CLI's start loads no package and no report a run may not need (each is imported when asked for)", () => {
    const loaded = loadedWith('src/cli.ts');
    expect(loaded.has('src/engine/index.ts')).toBe(true); // the walk follows what it should
    // Measured: string-width, wrap-ansi and cli-truncate ~35 ms, yargs ~70 ms, ajv ~50 ms.
    const lazy = ['string-width', 'wrap-ansi', 'cli-truncate', 'yargs', 'ajv', 'csv-parse', 'hyparquet', 'hyparquet-compressors', 'yauzl', 'fzstd'];
    expect(lazy.filter((p) => loaded.has(p))).toEqual([]);
    const reports = [...graph.keys()].filter((f) => /^src\/report\/(markdown|text|summary|github|junit|sarif|json|layout)\.ts$/.test(f));
    expect(reports.length).toBe(8);
    expect(reports.filter((f) => loaded.has(f))).toEqual([]);
    expect([...loaded].filter((f) => f.startsWith('src/explain/') && f !== 'src/explain/locate.ts')).toEqual([]);
  });

  it('no import cycle', () => {
    expect(cyclesOf(graph)).toEqual([]);
  });

  it('the cycle check finds cycles (of two modules, of three, and a self-import)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['a', 'c']],
      ['c', []],
      ['d', ['e']],
      ['e', ['f']],
      ['f', ['d']],
      ['g', ['g']],
    ]);
    expect(cyclesOf(g)).toEqual([['a', 'b'], ['d', 'e', 'f'], ['g']]);
  });

  it(`no source file in src/ or rules/ is longer than ${MAX_LINES} lines`, () => {
    const long = files.map((f) => [rel(f), readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > MAX_LINES);
    expect(long).toEqual([]);
  });
});

/** Tarjan's strongly connected components: every component of more than one module (or a module importing itself) is a cycle. */
function cyclesOf(g: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (g.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return cycles.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}
