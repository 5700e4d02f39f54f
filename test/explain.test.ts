import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { explain, ExplainError } from '../src/explain/index.js';
import { defaultRuleSet as rules } from '../rules/index.js';
import { InputError } from '../src/ingest/index.js';
import { cellDelimiters, tables } from './helpers/markdown.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/explain/${name}`, import.meta.url));
const CAT = fixture('cat.jsonl');
const CAT_PAIR = fixture('cat-pair.jsonl');
const TOKENS = fixture('tokens.jsonl');
const LENGTHS = fixture('lengths.jsonl');
const MANY = fixture('many.jsonl');
const INVALID = fixture('invalid.jsonl');
const TWO_GROUPS = fixture('two-groups.jsonl');

const text = (file: string, id: string) => explain(file, id, { rules, format: 'text' });
const markdown = (file: string, id: string) => explain(file, id, { rules, format: 'markdown' });

/** A text section: from its heading (a title over a dashes line) to the next heading. */
function section(out: string, title: string): string[] {
  const lines = out.split('\n');
  const isHeading = (i: number) => lines[i] !== '' && /^-+$/.test(lines[i + 1] ?? '');
  const start = lines.findIndex((l, i) => l.startsWith(title) && isHeading(i));
  expect(start, `section ${title}`).toBeGreaterThanOrEqual(0);
  let end = start + 2;
  while (end < lines.length && !isHeading(end)) end++;
  return lines.slice(start + 2, end);
}

/** Text table data rows: the lines after the dashes row, up to the first blank line. */
function textRows(lines: string[]): string[] {
  const dashes = lines.findIndex((l) => /^-+( +-+)+$/.test(l.trim()));
  const rows: string[] = [];
  for (const l of lines.slice(dashes + 1)) {
    if (l === '') break;
    rows.push(l);
  }
  return rows;
}


describe('explain: a multiple-choice candidate (the cat example)', () => {
  it('shows both totals, both continuations and names greedy-choice', async () => {
    const out = await text(CAT, 'A');
    expect(out).toContain('record "A"');
    expect(out).toContain('-2.4');
    expect(out).toContain('-2.3');
    // A's own tokens, one row each, and B's continuation in the group table.
    const rows = textRows(section(out, 'Tokens'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^\s*0\s+" warm"\s+-0\.9\s+-0\.9\s+" warm" -0\.9 ✓\s+0\s+± [\d.e-]+$/);
    expect(rows[1]).toMatch(/^\s*1\s+" mat"\s+-1\.5\s+-1\.5\s+" mat" -1\.5 ✓\s+0\s+± [\d.e-]+$/);
    expect(out).toContain('" warm mat"');
    expect(out).toContain('" plush rug"');
    expect(out).toMatch(/^rule: +greedy-choice \(error\)$/m);
    expect(out).toMatch(/^picked by the pipeline: +"A" \(total -2\.4\)$/m);
    expect(out).toMatch(/^picked by the sequence objective \(highest total\): +"B" \(total -2\.3\)$/m);
    // A itself is consistent with the reference: the fault is the group's pick, not its numbers.
    expect(section(out, 'Diagnosis').join('\n')).toContain('no finding: the numbers agree with the reference within float32 tolerance');
  });

  it('lists every candidate with its first-token and total log-probs, marking the record explained', async () => {
    const rows = textRows(section(await text(CAT, 'B'), 'Group "cat"'));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^\s+"A"\s+yes\s+no\s+-0\.9\s+-2\.4\s+2\s+" warm mat"/);
    expect(rows[1]).toMatch(/^▶\s+"B"\s+no\s+yes\s+-1\.2\s+-2\.3\s+2\s+" plush rug"/);
    expect(rows[2]).toMatch(/^\s+"C"\s+no\s+no\s+-2\s+-3\.3\s+2\s+" soft bed"/);
  });

  it('the two-candidate cat example of the issue names greedy-choice and shows both totals and continuations', async () => {
    // With two candidates every wrong pick is the worst total, so only the first-token policy is informative.
    const out = await text(CAT_PAIR, 'A');
    expect(out).toContain('-2.4');
    expect(out).toContain('-2.3');
    expect(out).toContain('" warm mat"');
    expect(out).toContain('" plush rug"');
    expect(out).toMatch(/^rule: +greedy-choice \(error\)$/m);
  });
});

describe('explain: groups', () => {
  it('shows only the record\'s own group, and says when totals are recorded numbers rather than the reference', async () => {
    const out = await text(TWO_GROUPS, 'y1');
    const rows = textRows(section(out, 'Group "g2"'));
    expect(rows).toHaveLength(2);
    expect(out).not.toContain('"x1"');
    expect(rows[0]).toMatch(/^▶\s+"y1"\s+yes\s+no\s+\?\s+-3 \(recorded\)\s+0\s+" three"/);
    expect(out).toMatch(/^picked by the sequence objective \(highest total\): +"y2" \(total -0\.5\), using recorded totals where there is no reference$/m);
    expect(out).toMatch(/^rule: +selection-mismatch \(error\)$/m);
  });

  it('honours severity overrides like audit: with greedy-choice off, the cat group has no finding', async () => {
    const out = await explain(CAT, 'A', { rules, format: 'text', severities: { 'greedy-choice': 'off' } });
    expect(out).toContain('no group finding');
    expect(out).not.toContain('greedy-choice');
  });
});

describe('explain: a record-level root cause', () => {
  it('prints one row per token and names high-confidence-wrong-token', async () => {
    const out = await text(TOKENS, 'fav');
    const rows = textRows(section(out, 'Tokens'));
    expect(rows).toHaveLength(3);
    // The target is not the favourite at step 0; the recorded value is the favourite's.
    expect(rows[0]).toMatch(/^\s*0\s+" a"\s+-0\.7\s+-1\.4\s+" the" -0\.7\s+\+0\.7 ✗\s+± [\d.e-]+$/);
    expect(rows[2]).toContain('" day" -0.2 ✓');
    const diagnosis = section(out, 'Diagnosis').join('\n');
    expect(diagnosis).toContain('high-confidence-wrong-token (error)');
    expect(diagnosis).toMatch(/^ {2}step: +0$/m);
    expect(diagnosis).toMatch(/^ {2}favourite: +" the"$/m);
    expect(out).toMatch(/reference total log-prob: +-3\.9/);
    expect(out).not.toContain('Group');
  });

  it('shows the extra value of a length mismatch as a row without a token', async () => {
    const out = await text(LENGTHS, 'extra');
    const rows = textRows(section(out, 'Tokens'));
    expect(rows).toHaveLength(3);
    expect(rows[2]).toMatch(/^\s*2\s+\(no token\)\s+-0\.05\s+—/);
    expect(out).toContain('3 recorded values for 2 tokens, shown by position: step 2 has no token.');
    expect(out).toContain('length-mismatch');
  });

  it('shows the missing value of a length mismatch as a row without a recorded value', async () => {
    const out = await text(LENGTHS, 'missing');
    const rows = textRows(section(out, 'Tokens'));
    expect(rows).toHaveLength(3);
    expect(rows[2]).toMatch(/^\s*2\s+"\\n"\s+\(missing\)\s+-0\.3/);
    expect(out).toContain('2 recorded values for 3 tokens, shown by position: step 2 has no recorded value.');
  });

  it('shows an upper bound where the target is not in the top-k list, and a numeric id as given', async () => {
    const out = await text(TOKENS, '7');
    const rows = textRows(section(out, 'Tokens'));
    expect(rows[1]).toMatch(/" friend"\s+-2\.5\s+≤ -2\.348\d+\s+" !" -0\.7\s+≥ -0\.15\d+\s+± [\d.e-]+$/);
    expect(out).toMatch(/reference total log-prob: +≤ -2\.748\d+ \(1 of 2 steps known\)/);
    expect(out).toContain('where only a bound is known, the recorded values respect it');
  });

  it('does not claim agreement with a reference the record lacks', async () => {
    const out = await text(MANY, 'r3');
    expect(out).toContain('(no per-token data: the record has no tokens');
    expect(out).toContain('carries no reference');
  });

  it('explains an unreadable record by its invalid-record finding', async () => {
    const out = await text(INVALID, 'bad');
    expect(out).toContain('line 2');
    expect(out).toContain('invalid-record (error)');
    expect(out).toContain('logprobs must be an array, got the string "oops"');
  });
});

describe('explain --format markdown', () => {
  it('has one table row per token and escapes | in tokens', async () => {
    const md = await markdown(TOKENS, 'pipe');
    const [tokens] = tables(md);
    expect(tokens[0]).toBe('| step | token | recorded | reference | top alternative | recorded − reference | tolerance |');
    const rows = tokens.slice(2);
    expect(rows).toHaveLength(3);
    // Six columns: seven unescaped pipes on every row, whatever the tokens hold.
    for (const row of tokens) expect(cellDelimiters(row)).toBe(8);
    expect(rows[0]).toContain('" a\\|b"');
    expect(rows[1]).toContain('" \\`c\\`"');
    expect(rows[2]).toContain('| "\\|" |');
    expect(rows[2]).toContain('"\\|\\|" -0.4');
  });

  it('is paste-ready for the cat example: token table, group table, the group finding', async () => {
    const md = await markdown(CAT, 'A');
    const [tokens, group] = tables(md);
    expect(tokens.slice(2)).toHaveLength(2);
    expect(group.slice(2)).toHaveLength(3);
    for (const row of tokens) expect(cellDelimiters(row)).toBe(8);
    for (const row of group) expect(cellDelimiters(row)).toBe(10);
    expect(md).toContain('## Group "cat" (3 candidates)');
    expect(md).toContain('- **picked by the pipeline:** "A" (total -2.4)');
    expect(md).toContain('- **picked by the sequence objective (highest total):** "B" (total -2.3)');
    expect(md).toContain('- **rule:** greedy-choice (error)');
    // Markdown specials in messages are escaped (`>` would start a quote or HTML).
    expect(md).toContain('(-0.9 \\> -1.2)');
  });
});

describe('explain: a record that is not there', () => {
  it('throws ExplainError naming the file and the id and listing the ids', async () => {
    const err = await explain(CAT, 'Z', { rules, format: 'text' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExplainError);
    const message = (err as Error).message;
    expect(message).toContain(CAT);
    expect(message).toContain('"Z"');
    expect(message).toContain('"A", "B", "C"');
  });

  it('lists at most 10 ids and says how many more there are', async () => {
    const err = await explain(MANY, 'r0', { rules, format: 'text' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExplainError);
    const message = (err as Error).message;
    expect(message).toContain('"r10"');
    expect(message).not.toContain('"r11"');
    expect(message).toContain('(2 more)');
  });

  it('a skipped row says so, with its line and reason', async () => {
    const gen = fileURLToPath(new URL('./fixtures/formats/lm-eval/malformed/samples_arith_2024-06-01T12-00-00.123456.jsonl', import.meta.url));
    const out = await explain(gen, '14', { rules, format: 'text' });
    expect(out).toContain(`file: ${gen}, line 6`);
    expect(out).toMatch(/^skipped: +the row holds nothing to audit: generate_until sample: generated text, no log-likelihoods$/m);
  });

  it('a missing file is an InputError, as for audit', async () => {
    await expect(explain(fixture('nope.jsonl'), 'A', { rules, format: 'text' })).rejects.toBeInstanceOf(InputError);
  });
});

describe('explain: precision', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evalaudit-explain-precision-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // Two tokens of a top-k record whose values were stored in bfloat16: float32 misses them, bfloat16 does not.
  const lists = [
    [{ token: ' a', logprob: -0.31326169, id: 1 }, { token: ' b', logprob: -1.31326169, id: 2 }],
    [{ token: ' c', logprob: -0.12692801, id: 3 }, { token: ' d', logprob: -2.12692801, id: 4 }],
  ];
  const values = [-0.3125, -0.126953125];
  const file = join(dir, 'bf16.jsonl');
  writeFileSync(file, JSON.stringify({ id: 'h', tokens: [' a', ' c'], token_ids: [1, 3], logprobs: values, top_logprobs: lists, score: -0.439453125 }) + '\n');

  it('names the precision the record was judged at and why, and each step its tolerance', async () => {
    const out = await text(file, 'h');
    const precision = section(out, 'Precision').join('\n');
    expect(precision).toMatch(/setting:\s+auto/);
    expect(precision).toMatch(/judged at:\s+bfloat16: the numbers miss float32/);
    expect(precision).toMatch(/values stored as:\s+bfloat16/);
    for (const row of textRows(section(out, 'Tokens'))) expect(row).toMatch(/± [\d.e-]+$/);
    expect(section(out, 'Diagnosis').join('\n')).toMatch(/low-precision \(warning\)[\s\S]*file's low-precision summary/);
  });

  it('says so when the precision is declared, and keeps float32 when told to', async () => {
    const declared = await explain(file, 'h', { rules, format: 'text', precision: 'bf16' });
    expect(section(declared, 'Precision').join('\n')).toMatch(/setting:\s+declared bf16/);
    expect(section(declared, 'Diagnosis').join('\n')).toMatch(/low-precision \(info\)/);
    const strict = await explain(file, 'h', { rules, format: 'text', precision: 'fp32' });
    expect(section(strict, 'Precision').join('\n')).toMatch(/judged at:\s+float32: float32 only, as declared/);
    expect(section(strict, 'Diagnosis').join('\n')).toMatch(/score-mismatch \(error\)/);
  });
});
