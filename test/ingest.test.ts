/**
 * Ingest: files → rows → canonical items, with the 1-based line every finding will point at.
 * Each test writes real files to a temp directory and goes through the public entry points,
 * because line numbers depend on the readers' byte-level handling (BOM, CRLF, quoted cells).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawItem } from '../src/types.js';
import { parseJsonText, parseJsonTextEx } from '../src/ingest/json-text.js';
import { readCsvRows, readJsonDocument, readJsonLines } from '../src/ingest/rows.js';
import { canonicalAdapter, typeCsvRow } from '../src/ingest/canonical.js';
import { InputError, containerOf, listInputFiles, readFileItems } from '../src/ingest/index.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evalaudit-ingest-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string): Promise<string> {
  const file = join(dir, name);
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, content, 'utf8');
  return file;
}

async function collect<T>(gen: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

async function items(file: string): Promise<RawItem[]> {
  return collect((await readFileItems(file)).items);
}

/** line → short description of each item, the shape most assertions care about. */
function summary(list: RawItem[]): [number, string][] {
  return list.map((it) => [it.line, it.kind === 'record' ? `record ${it.record.id}` : it.kind === 'invalid' ? `invalid` : it.kind]);
}

function invalidAt(list: RawItem[], line: number): Extract<RawItem, { kind: 'invalid' }> {
  const found = list.find((it) => it.line === line);
  if (found?.kind !== 'invalid') throw new Error(`no invalid item at line ${line}: ${JSON.stringify(summary(list))}`);
  return found;
}

function recordAt(list: RawItem[], line: number): Extract<RawItem, { kind: 'record' }>['record'] {
  const found = list.find((it) => it.line === line);
  if (found?.kind !== 'record') throw new Error(`no record at line ${line}: ${JSON.stringify(summary(list))}`);
  return found.record;
}

// ---------------------------------------------------------------------------------------------

describe('parseJsonText: JSON as Python writes it', () => {
  it('reads bare NaN, Infinity and -Infinity as numbers', () => {
    const v = parseJsonText('{"a": NaN, "b": Infinity, "c": -Infinity, "d": [1, NaN, -Infinity]}') as Record<string, unknown>;
    expect(Number.isNaN(v.a)).toBe(true);
    expect(v.b).toBe(Infinity);
    expect(v.c).toBe(-Infinity);
    expect(v.d).toEqual([1, NaN, -Infinity]);
  });

  it('leaves the same words alone inside strings, including after escaped quotes and backslashes', () => {
    const v = parseJsonText('{"s": "NaN", "t": "x\\"NaN -Infinity", "u": "\\\\", "n": NaN, "k": ["Infinity", Infinity]}') as Record<string, unknown>;
    expect(v.s).toBe('NaN');
    expect(v.t).toBe('x"NaN -Infinity');
    expect(v.u).toBe('\\');
    expect(Number.isNaN(v.n)).toBe(true);
    expect(v.k).toEqual(['Infinity', Infinity]);
    // The fast path (plain JSON) never rewrites anything, so "NaN" text stays text there too.
    expect(parseJsonTextEx('{"s": "NaN"}')).toEqual({ value: { s: 'NaN' }, nonFinite: false });
  });

  it('says whether non-finite numbers were read', () => {
    expect(parseJsonTextEx('[1, 2]').nonFinite).toBe(false);
    expect(parseJsonTextEx('[1, -Infinity]').nonFinite).toBe(true);
  });

  it('still rejects what is not JSON with a SyntaxError', () => {
    expect(() => parseJsonText('{"a": NaNx}')).toThrow(SyntaxError);
    expect(() => parseJsonText('{"a": nan}')).toThrow(SyntaxError); // Python never writes this
    expect(() => parseJsonText('{"a": -1.')).toThrow(SyntaxError);
    expect(() => parseJsonText("{'a': 1}")).toThrow(SyntaxError);
  });
});

// ---------------------------------------------------------------------------------------------

describe('JSONL', () => {
  it('accepts CRLF, a UTF-8 BOM and blank lines, and keeps 1-based physical line numbers', async () => {
    const file = await write(
      'crlf.jsonl',
      '\ufeff{"id": "a", "score": -1.5}\r\n\r\n   \t\r\n{"id": "b", "logprobs": [-0.5, -1]}\r\n\r\n{"id": "c", "logits": [[1, 2]]}\r\n',
    );
    const rows = await collect(readJsonLines(file));
    expect(rows.map((r) => r.line)).toEqual([1, 4, 6]);
    const list = await items(file);
    expect(summary(list)).toEqual([
      [1, 'record a'],
      [4, 'record b'],
      [6, 'record c'],
    ]);
    expect(recordAt(list, 4).logprobs).toEqual([-0.5, -1]);
  });

  it('does not split a line at U+2028 / U+2029 inside a string (valid in JSON, a line break to JS)', async () => {
    const file = await write('ls.jsonl', '{"id": "a", "completion": "x\u2028y\u2029z", "score": 1}\n{"id": "b", "score": 2}\n');
    const list = await items(file);
    expect(summary(list)).toEqual([
      [1, 'record a'],
      [2, 'record b'],
    ]);
    expect(recordAt(list, 1).completion).toBe('x\u2028y\u2029z');
  });

  describe('lines that straddle a read chunk (the reader works 1 MiB at a time)', () => {
    const CHUNK = 1 << 20;
    /** A padding record that fills the file up to `bytes` (ASCII, so characters are bytes). */
    const pad = (bytes: number) => `{"id": "pad", "score": -1, "note": "${'x'.repeat(bytes - '{"id": "pad", "score": -1, "note": ""}'.length)}"}`;

    it('a CRLF split between chunks ends one line, not two', async () => {
      // Line 1 ends with "\r" as the chunk's last byte and "\n" as the next chunk's first.
      const first = pad(CHUNK - 1);
      expect(first.length).toBe(CHUNK - 1);
      const file = await write('chunk-crlf.jsonl', `${first}\r\n{"id": "b", "score": -2}\r\n\r\n{"id": "c", "score": -3}\r\n`);
      expect(summary(await items(file))).toEqual([
        [1, 'record pad'],
        [2, 'record b'],
        [4, 'record c'],
      ]);
    });

    it('a multi-byte character split between chunks is decoded whole', async () => {
      // "é" is two bytes in UTF-8: put its first byte last in the chunk.
      const head = `{"id": "a", "score": -1, "completion": "${'y'.repeat(CHUNK - 41)}`;
      expect(Buffer.byteLength(head)).toBe(CHUNK - 1);
      const file = await write('chunk-utf8.jsonl', `${head}é ü"}\n{"id": "b", "score": -2}\n`);
      const list = await items(file);
      expect(summary(list)).toEqual([
        [1, 'record a'],
        [2, 'record b'],
      ]);
      expect(recordAt(list, 1).completion?.slice(-3)).toBe('é ü');
    });

    it('the last line may lack its newline', async () => {
      const file = await write('no-final-newline.jsonl', `${pad(CHUNK + 10)}\n{"id": "z", "score": -9}`);
      expect(summary(await items(file))).toEqual([
        [1, 'record pad'],
        [2, 'record z'],
      ]);
    });
  });

  it('reads Python non-finite numbers as numbers and keeps "NaN" text a string', async () => {
    const file = await write(
      'nonfinite.jsonl',
      [
        '{"id": "a", "completion": "NaN", "tokens": ["NaN", "Infinity"], "logprobs": [NaN, -Infinity], "score": NaN}',
        '{"id": "b", "logprobs": [-1.0, -2.0], "score": -Infinity}',
        '{"id": "c", "top_logprobs": [[{"token": "-Infinity", "logprob": -Infinity}]], "logprobs": [Infinity]}',
      ].join('\n'),
    );
    const list = await items(file);
    expect(list.every((it) => it.kind === 'record')).toBe(true);
    const a = recordAt(list, 1);
    expect(a.completion).toBe('NaN');
    expect(a.tokens).toEqual(['NaN', 'Infinity']);
    expect(a.logprobs).toEqual([NaN, -Infinity]);
    expect(Number.isNaN(a.score)).toBe(true);
    expect(recordAt(list, 2).score).toBe(-Infinity);
    expect(recordAt(list, 3).top_logprobs).toEqual([[{ token: '-Infinity', logprob: -Infinity }]]);
  });

  describe('a line that cannot be a record becomes an invalid item at its line', () => {
    const lines = [
      '{"id": "ok1", "score": -1}', // 1
      '{"id": "trunc", "logprobs": [-1.25, -0.', // 2 truncated (a killed writer)
      'Traceback (most recent call last):', // 3 not JSON (stray log output)
      '[{"id": "x", "score": 1}]', // 4 a JSON array, not an object
      '{"id": "bare", "prompt": "p", "completion": " c"}', // 5 no evidence
      '{"id": "ok1", "score": -2}', // 6 duplicate id
      '{"id": "kind", "score": -1, "score_kind": "logits"}', // 7 schema violation
      '', // 8 blank: skipped
      '{"id": "ok2", "score": -3}', // 9
      '42', // 10 a JSON scalar
      '{"score": -1}', // 11 no id
    ];
    let list: RawItem[];
    beforeAll(async () => {
      list = await items(await write('invalid.jsonl', lines.join('\n') + '\n'));
    });

    it('keeps the good records and reports every bad line, in order', () => {
      expect(summary(list)).toEqual([
        [1, 'record ok1'],
        [2, 'invalid'],
        [3, 'invalid'],
        [4, 'invalid'],
        [5, 'invalid'],
        [6, 'invalid'],
        [7, 'invalid'],
        [9, 'record ok2'],
        [10, 'invalid'],
        [11, 'invalid'],
      ]);
    });

    it('truncated and non-JSON lines say they are not valid JSON', () => {
      expect(invalidAt(list, 2).message).toMatch(/^not valid JSON: /);
      expect(invalidAt(list, 3).message).toMatch(/^not valid JSON: /);
    });

    it('an array or scalar line says what was found instead of a record', () => {
      expect(invalidAt(list, 4).message).toBe('expected a record object, found an array');
      expect(invalidAt(list, 10).message).toBe('expected a record object, found number');
    });

    it('a record with no evidence names its id and every kind of evidence it could carry', () => {
      const bad = invalidAt(list, 5);
      expect(bad.recordId).toBe('bare');
      // Not ajv's first anyOf branch ("must have required property 'score'"), which would
      // wrongly suggest that a score in particular is required.
      expect(bad.message).toMatch(/no evidence/);
      expect(bad.message).toMatch(/score.*logprobs.*logits/);
    });

    it('a duplicate id is reported at the second occurrence; the first stays a record', () => {
      const dup = invalidAt(list, 6);
      expect(dup.recordId).toBe('ok1');
      expect(dup.message).toBe('duplicate id "ok1" in this file');
      expect(recordAt(list, 1).score).toBe(-1);
    });

    it('schema violations name the field', () => {
      expect(invalidAt(list, 7).message).toMatch(/score_kind/);
      expect(invalidAt(list, 7).recordId).toBe('kind');
      expect(invalidAt(list, 11).message).toMatch(/id/);
    });
  });

  it('detects the format past a broken first line, and still reports that line', async () => {
    const list = await items(await write('broken-first.jsonl', '{"id": "a", "sco\n{"id": "b", "score": -1}\n'));
    expect(summary(list)).toEqual([
      [1, 'invalid'],
      [2, 'record b'],
    ]);
  });

  it('a file no adapter recognises yields one invalid item naming the supported formats', async () => {
    const reading = await readFileItems(await write('other.jsonl', '\n{"question": "q", "answer": "a"}\n{"question": "r"}\n'));
    expect(reading.format).toBeNull();
    const list = await collect(reading.items);
    expect(list).toHaveLength(1);
    expect(invalidAt(list, 2).message).toMatch(/unsupported input format.*canonical/);
  });

  it('reports duplicate ids per file, not across files', async () => {
    const a = await items(await write('dup-a.jsonl', '{"id": 1, "score": -1}\n'));
    const b = await items(await write('dup-b.jsonl', '{"id": 1, "score": -1}\n'));
    expect(summary(a)).toEqual([[1, 'record 1']]);
    expect(summary(b)).toEqual([[1, 'record 1']]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('CSV', () => {
  const header = 'id,group,prompt,completion,tokens,token_ids,logprobs,score,selected,gold';

  it('reports the line where a row starts when a quoted cell spans lines (LF)', async () => {
    const file = await write(
      'multi.csv',
      [
        header, // 1
        'a,g1,"The cat', // 2  row a starts here
        'sat on', // 3
        'the"," mat","["" mat""]",[7],[-1.5],-1.5,true,false', // 4
        '', // 5 blank: skipped
        'b,g1,short," rug","["" rug""]",[8],[-1.25],-1.25,false,true', // 6
        'c,g1,"two', // 7
        'lines"," x","["" x""]",[9],[-3],-3,false,false', // 8
      ].join('\n') + '\n',
    );
    const list = await items(file);
    expect(summary(list)).toEqual([
      [2, 'record a'],
      [6, 'record b'],
      [7, 'record c'],
    ]);
    expect(recordAt(list, 2).prompt).toBe('The cat\nsat on\nthe');
  });

  it('also with CRLF row ends and LF inside cells (what Python csv.writer produces)', async () => {
    const file = await write(
      'python.csv',
      `${header}\r\na,g1,"The cat\nsat on\nthe"," mat","[""m""]",[7],[-1.5],-1.5,True,False\r\nb,g1,p," rug","[""r""]",[8],[-1.25],-1.25,False,True\r\n`,
    );
    expect(summary(await items(file))).toEqual([
      [2, 'record a'],
      [5, 'record b'],
    ]);
  });

  // A CRLF inside a quoted cell is one line break, as everywhere (csv-parse, the reader before
  // ours, counted it as two).
  it('reports start lines in an all-CRLF file with CRLF inside quoted cells', async () => {
    const file = await write(
      'windows.csv',
      [header, 'a,g1,"The cat', 'sat on', 'the"," mat","[""m""]",[7],[-1.5],-1.5,true,false', 'b,g1,p," rug","[""r""]",[8],[-1.25],-1.25,false,true'].join('\r\n') + '\r\n',
    );
    expect(summary(await items(file))).toEqual([
      [2, 'record a'],
      [5, 'record b'],
    ]);
  });

  it('types cells: JSON arrays, booleans, and NaN / ±inf numbers; an empty cell is an absent field', async () => {
    const file = await write(
      'typed.csv',
      '\ufeff' +
        [
          `${header},top_logprobs`,
          'a,g,p," a b","["" a"", "" b""]","[3, 4]","[-0.5, NaN]",nan,True,0,',
          'b,g,p, c,"["" c""]",[5],"[-Infinity]",-inf,false,1,"[[{""token"": "" c"", ""logprob"": -0.1, ""id"": 5}]]"',
          'c,g,p,,,,,-2.5,,,',
          'd,7,p,,,,,Infinity,1,FALSE,',
        ].join('\n') + '\n',
    );
    const list = await items(file);
    expect(summary(list)).toEqual([
      [2, 'record a'],
      [3, 'record b'],
      [4, 'record c'],
      [5, 'record d'],
    ]);
    const a = recordAt(list, 2);
    expect(a).toMatchObject({ id: 'a', group: 'g', completion: ' a b', tokens: [' a', ' b'], token_ids: [3, 4], selected: true, gold: false });
    expect(a.logprobs).toEqual([-0.5, NaN]);
    expect(Number.isNaN(a.score)).toBe(true);
    const b = recordAt(list, 3);
    expect(b.completion).toBe(' c'); // leading space is part of the text, never trimmed
    expect(b.logprobs).toEqual([-Infinity]);
    expect(b.score).toBe(-Infinity);
    expect(b.gold).toBe(true);
    expect(b.top_logprobs).toEqual([[{ token: ' c', logprob: -0.1, id: 5 }]]);
    const c = recordAt(list, 4);
    expect(c).toEqual({ id: 'c', group: 'g', prompt: 'p', score: -2.5 });
    const d = recordAt(list, 5);
    expect(d).toMatchObject({ id: 'd', group: '7', score: Infinity, selected: true, gold: false });
  });

  it('a cell that cannot be typed, or a row with the wrong cell count, is invalid at its line', async () => {
    const file = await write(
      'badcells.csv',
      [
        header,
        'a,g,p,c,"[""c""]",[1],[-1],-1,maybe,false', // 2 bad boolean
        'b,g,p,c,"[""c""]",[1],"[-1,",-1,false,false', // 3 bad JSON cell
        'c,g,p,c,"[""c""]",[1],[-1],minus one,false,false', // 4 bad number
        'd,g,p,c', // 5 too few cells
        'e,g,p,c,"[""c""]",[1],[-1],-1,false,false', // 6 fine
        'f,g,p,c,"[""c""]",[1],[-1],,false,false', // 7 no evidence left once the empty score is dropped
      ].join('\n') + '\n',
    );
    const list = await items(file);
    expect(summary(list)).toEqual([
      [2, 'invalid'],
      [3, 'invalid'],
      [4, 'invalid'],
      [5, 'invalid'],
      [6, 'record e'],
      [7, 'record f'],
    ]);
    expect(invalidAt(list, 2)).toMatchObject({ recordId: 'a', message: 'column selected: not a boolean: "maybe"' });
    expect(invalidAt(list, 3).message).toMatch(/^column logprobs: not valid JSON/);
    expect(invalidAt(list, 4).message).toBe('column score: not a number: "minus one"');
    expect(invalidAt(list, 5).message).toBe('CSV row has 4 cells, the header has 10');
    expect(recordAt(list, 7).logprobs).toEqual([-1]);
  });

  it('an unclosed quote costs its row only: the rows after it are read again', async () => {
    const list = await items(await write('unclosed.csv', `${header}\na,g,p,c,,,[-1],-1,,\nb,g,"p,c,,,[-1],-1,,\nc,g,p,c,,,[-1],-1,,\n`));
    expect(summary(list)).toEqual([
      [2, 'record a'],
      [3, 'invalid'],
      [4, 'record c'],
    ]);
    expect(invalidAt(list, 3).message).toMatch(/malformed CSV row: a quoted cell is not closed/);
  });

  it('typeCsvRow is usable on its own', () => {
    expect(typeCsvRow({ id: 'x', score: ' -1.5 ', selected: '1' })).toEqual({ value: { id: 'x', score: -1.5, selected: true }, nonFinite: false });
    expect(typeCsvRow({ id: 'x', score: 'NaN' })).toMatchObject({ nonFinite: true });
    expect(typeCsvRow({ id: 'x', metrics: '{"acc": 1}' })).toEqual({ value: { id: 'x', metrics: { acc: 1 } }, nonFinite: false });
  });

  it('reads a header-only file as no rows', async () => {
    expect(await collect(readCsvRows(await write('empty.csv', `${header}\n`)))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('JSON documents', () => {
  it('a top-level array yields each element at the line where it starts', async () => {
    const file = await write(
      'array.json',
      [
        '[', // 1
        '  {"id": "a", "score": -1},', // 2
        '  {', // 3
        '    "id": "b",', // 4
        '    "logprobs": [-1, NaN]', // 5
        '  },', // 6
        '', // 7
        '  {"id": "c", "score": -Infinity}, {"id": "d", "score": -2}', // 8
        ']', // 9
      ].join('\n'),
    );
    const list = await items(file);
    expect(summary(list)).toEqual([
      [2, 'record a'],
      [3, 'record b'],
      [8, 'record c'],
      [8, 'record d'],
    ]);
    expect(recordAt(list, 3).logprobs).toEqual([-1, NaN]);
  });

  it('{"records": [...]} yields each element at its start line; other fields are ignored', async () => {
    const file = await write(
      'records.json',
      '\ufeff{\n  "model": "toy",\n  "meta": {"tags": ["x", "y"]},\n  "records": [\n    {"id": 1, "score": -1},\n    {"id": 2, "score": -2}\n  ]\n}\n',
    );
    expect(summary(await items(file))).toEqual([
      [5, 'record 1'],
      [6, 'record 2'],
    ]);
  });

  // The line numbers come from the array under the "records" key, not the first array value.
  it('{"records": [...]} after another top-level array still gives the records\' lines', async () => {
    const file = await write('records-after-array.json', '{"tasks": ["a", "b"],\n "records": [\n  {"id": 1, "score": -1},\n  {"id": 2, "score": -2}\n]}\n');
    expect(summary(await items(file))).toEqual([
      [3, 'record 1'],
      [4, 'record 2'],
    ]);
  });

  it('a single record object is one row at its first line', async () => {
    const rows = await collect(readJsonDocument(await write('one.json', '\n\n  {"id": "solo", "score": -1}\n')));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ line: 3, value: { id: 'solo', score: -1 } });
  });

  it('an unparsable element is one invalid row at its line; the others are read', async () => {
    const rows = await collect(readJsonDocument(await write('bad.json', '[\n {"id": 1, "score": 1},\n {"id": 2,, "score": 2}\n]\n')));
    expect(rows.map((r) => [r.line, r.error === undefined])).toEqual([
      [2, true],
      [3, false],
    ]);
    expect(rows[1].error).toMatch(/^not valid JSON/);
  });

  it('elements that are not objects are invalid at their own line', async () => {
    const list = await items(await write('mixed.json', '[\n {"id": 1, "score": 1},\n "text",\n null\n]'));
    expect(summary(list)).toEqual([
      [1 + 1, 'record 1'],
      [3, 'invalid'],
      [4, 'invalid'],
    ]);
    expect(invalidAt(list, 4).message).toBe('expected a record object, found null');
  });
});

// ---------------------------------------------------------------------------------------------

describe('listing input files', () => {
  it('walks a directory recursively: .jsonl/.json/.csv only, sorted, no hidden dirs or node_modules', async () => {
    const root = join(dir, 'tree');
    for (const f of ['b.jsonl', 'a.csv', 'notes.txt', 'sub/z.json', 'sub/deeper/y.JSONL', 'sub/a.jsonl', '.hidden/x.jsonl', 'node_modules/m.jsonl', 'c.json']) {
      await write(join('tree', f), '{}\n');
    }
    const files = await listInputFiles([root]);
    expect(files.map((f) => f.slice(root.length + 1))).toEqual(['a.csv', 'b.jsonl', 'c.json', 'sub/a.jsonl', 'sub/deeper/y.JSONL', 'sub/z.json']);
    expect([...files].sort()).toEqual(files);
  });

  it('keeps an explicitly named file whatever its extension, once', async () => {
    const txt = await write('explicit.txt', '{}\n');
    const jsonl = await write('explicit.jsonl', '{}\n');
    expect(await listInputFiles([txt, jsonl, txt])).toEqual([jsonl, txt].sort());
  });

  it('a missing path throws InputError naming the path', async () => {
    const missing = join(dir, 'no-such-run.jsonl');
    await expect(listInputFiles([missing])).rejects.toBeInstanceOf(InputError);
    await expect(listInputFiles([missing])).rejects.toThrow(missing);
  });

  it('maps extensions to containers', () => {
    expect(containerOf('x.CSV')).toBe('csv');
    expect(containerOf('x.jsonl')).toBe('jsonl');
    expect(containerOf('x.ndjson')).toBe('jsonl');
    expect(containerOf('x.json')).toBe('json');
  });

  it('an unknown --input-format throws InputError listing the formats', async () => {
    const file = await write('fmt.jsonl', '{"id": 1, "score": 1}\n');
    await expect(readFileItems(file, { inputFormat: 'nope' })).rejects.toThrow(/unknown --input-format nope; supported: .*canonical/);
  });
});

describe('directory walk and links', () => {
  it('follows links to files and directories, reads each real file once, and ends on a link loop', async () => {
    const { symlink } = await import('node:fs/promises');
    const root = join(dir, 'links');
    const run = await write('links/run-1/a.jsonl', '{"id": 1, "score": -1}\n');
    await symlink('run-1', join(root, 'latest'));
    await symlink('.', join(root, 'run-1', 'self'));
    await symlink('..', join(root, 'run-1', 'up'));
    expect(await listInputFiles([root])).toEqual([run]);
  });
});

describe('canonical adapter', () => {
  it('detects canonical records by id plus some evidence', () => {
    expect(canonicalAdapter.detect({ id: 1, score: -1 }, 'x.jsonl')).toBe(true);
    expect(canonicalAdapter.detect({ id: 1, logits: [] }, 'x.jsonl')).toBe(true);
    expect(canonicalAdapter.detect({ id: 1, prompt: 'p' }, 'x.jsonl')).toBe(false);
    expect(canonicalAdapter.detect([{ id: 1, score: -1 }], 'x.jsonl')).toBe(false);
  });

  it('checks ids per file, for every format: a repeat is invalid in its file, not across files', async () => {
    const rec = JSON.stringify({ id: 'x', score: -1 });
    const f = await write('dup/f.jsonl', `${rec}\n${rec}\n`);
    const g = await write('dup/g.jsonl', `${rec}\n`);
    expect(summary(await items(f))).toEqual([
      [1, 'record x'],
      [2, 'invalid'],
    ]);
    expect(invalidAt(await items(f), 2).message).toMatch(/duplicate id "x"/);
    expect(summary(await items(g))).toEqual([[1, 'record x']]);
  });
});
