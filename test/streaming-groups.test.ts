/**
 * Groups finished as soon as they are complete give what holding every group to the file's end
 * gives, contiguous or not (a group that comes back makes the pass read the file again).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { audit, engineConfig, passFile, type FilePass, type PassObserver } from '../src/engine/index.js';
import { sortFindings } from '../src/engine/order.js';
import { PendingGroups } from '../src/engine/pending-groups.js';
import type { Candidate } from '../src/engine/group-context.js';
import { readFileItems } from '../src/ingest/index.js';
import { defaultRuleSet } from '../rules/index.js';
import { auditedEntries } from '../src/engine/audited-list.js';

const config = engineConfig(defaultRuleSet);
const lines = readFileSync(new URL('../sample-runs/choice-topk.jsonl', import.meta.url), 'utf8').trim().split('\n');
// The sample holds NaN (as Python writes it), which JSON.parse refuses: read the two fields by pattern.
const groupOf = (line: string) => /"group": "([^"]*)"/.exec(line)?.[1];
const idOf = (line: string) => /"id": "([^"]*)"/.exec(line)![1];

function write(name: string, rows: readonly string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'evalaudit-groups-')), name);
  writeFileSync(file, `${rows.join('\n')}\n`);
  return file;
}

interface Watched {
  pass: FilePass;
  restarts: number;
  rows: number;
  /** Events in the order the pass told them: `r:<id>` per record, `g:<group>` per finished group. */
  events: string[];
}

/** `streaming`: the file can be read again (its groups streamed, its ids logged first); else it is read once, holding groups and checking ids. */
async function run(file: string, streaming: boolean): Promise<Watched> {
  const w = { restarts: 0, rows: 0, events: [] as string[] };
  const observer: PassObserver = {
    record: (r) => void w.events.push(`r:${r.id}`),
    group: (o) => void w.events.push(`g:${o.context.group}`),
    restart: () => {
      w.restarts++;
      w.events = [];
    },
  };
  const reopen = streaming ? () => readFileItems(file) : undefined;
  const pass = await passFile(file, await readFileItems(file, {}, streaming ? 'log' : 'check'), config, observer, { onRecord: () => w.rows++, reopen });
  return { ...w, pass };
}

/** Everything a pass returns, findings in report order (the only order the audit keeps). */
function comparable(p: FilePass): unknown {
  return { ...p, findings: sortFindings(p.findings), taskTallies: [...p.taskTallies], samples: [...p.samples] };
}

describe('streaming groups', () => {
  it('finishes each contiguous group as soon as another starts, with the held result', async () => {
    const file = write('contiguous.jsonl', lines);
    const held = await run(file, false);
    const streamed = await run(file, true);
    expect(streamed.restarts).toBe(0);
    expect(comparable(streamed.pass)).toEqual(comparable(held.pass));
    expect(streamed.pass.findings.length).toBeGreaterThan(10);
    // Held, every group is told at the end; streamed, the first one before the second group's records.
    const firstGroup = groupOf(lines[0])!;
    const secondStart = lines.findIndex((l) => groupOf(l) !== firstGroup);
    expect(held.events.indexOf(`g:${firstGroup}`)).toBeGreaterThan(held.events.indexOf(`r:${idOf(lines.at(-1)!)}`));
    expect(streamed.events.indexOf(`g:${firstGroup}`)).toBe(streamed.events.indexOf(`r:${idOf(lines[secondStart])}`) + 1);
    // Groups are told in the same order (first appearance) both ways.
    expect(streamed.events.filter((e) => e.startsWith('g:'))).toEqual(held.events.filter((e) => e.startsWith('g:')));
  });

  it('keeps a group open across ungrouped records and unreadable rows', async () => {
    const rows = [...lines];
    rows.splice(1, 0, JSON.stringify({ id: 'loose', tokens: ['a', 'b'], logprobs: [-1.5, -0.25], score: -1.75 }), '{"broken');
    const file = write('interleaved.jsonl', rows);
    const streamed = await run(file, true);
    expect(streamed.restarts).toBe(0);
    expect(comparable(streamed.pass)).toEqual(comparable((await run(file, false)).pass));
  });

  it('reads a file again, holding every group, when a finished group comes back', async () => {
    // The first group's first candidate moved to the end: the group is not contiguous.
    const rows = [...lines.slice(1), lines[0]];
    const file = write('scattered.jsonl', rows);
    const held = await run(file, false);
    const streamed = await run(file, true);
    expect(streamed.restarts).toBe(1);
    expect(comparable(streamed.pass)).toEqual(comparable(held.pass));
    expect(streamed.events).toEqual(held.events);
    // Progress hears of each row once, though the file was read twice.
    expect(streamed.rows).toBe(rows.length);
    expect(held.rows).toBe(rows.length);
  });

  it('reads a file again, checking ids as they come, when a logged id repeats', async () => {
    const loose = (id: string) => JSON.stringify({ id, tokens: ['a', 'b'], logprobs: [-1.5, -0.25], score: -1.75 });
    const rows = [...lines, loose('twice'), loose('twice')];
    const file = write('repeated-id.jsonl', rows);
    const held = await run(file, false);
    const streamed = await run(file, true);
    expect(streamed.restarts).toBe(1);
    expect(comparable(streamed.pass)).toEqual(comparable(held.pass));
    expect(streamed.pass.findings.filter((f) => f.messageId === 'duplicateId')).toHaveLength(1);
    expect(streamed.rows).toBe(rows.length);
  });

  it('reads a file with a repeated id and a scattered group once more, holding its groups: dropping a duplicate never scatters a group', async () => {
    const loose = JSON.stringify({ id: idOf(lines[2]), tokens: ['a'], logprobs: [-1], score: -1 });
    const rows = [...lines.slice(1), loose, lines[0]];
    const file = write('repeated-and-scattered.jsonl', rows);
    const held = await run(file, false);
    const streamed = await run(file, true);
    expect(streamed.restarts).toBe(1);
    expect(comparable(streamed.pass)).toEqual(comparable(held.pass));
    expect(streamed.pass.findings.filter((f) => f.messageId === 'duplicateId')).toHaveLength(1);
    expect(streamed.events).toEqual(held.events);
    expect(streamed.rows).toBe(rows.length);
  });

  it('refuses a reopen that only logs ids (it would read the file for ever)', async () => {
    const file = write('repeated-id.jsonl', [...lines, lines[0]]);
    const log = () => readFileItems(file, {}, 'log');
    await expect(passFile(file, await log(), config, {}, { reopen: log })).rejects.toThrow(/ids checked/);
  });

  it('lists each group once in an audit of a file read twice', async () => {
    const file = write('scattered.jsonl', [...lines.slice(1), lines[0]]);
    const result = await audit([file], { rules: defaultRuleSet, listAudited: true });
    const items = [...auditedEntries(result.files[0].auditedItems!)];
    expect(items.filter((i) => i.kind === 'group').length).toBe(new Set(lines.map(groupOf).filter((g) => g !== undefined)).size);
    expect(new Set(items.map((i) => `${i.kind}:${i.id}`)).size).toBe(items.length);
  });
});

describe('PendingGroups', () => {
  const cand = (id: string) => ({ id }) as unknown as Candidate;

  it('streaming, finishes a group when another starts, and refuses a finished one', () => {
    const done: string[] = [];
    const g = new PendingGroups(true, (id, cands) => done.push(`${id}:${cands.map((c) => c.id).join(',')}`));
    expect(g.add('a', cand('a1'), null)).toBe(true);
    expect(g.add('a', cand('a2'), null)).toBe(true);
    expect(g.add(1, cand('x'), null)).toBe(true);
    expect(done).toEqual(['a:a1,a2']);
    // 1 and "1" are two groups, as in a Map.
    expect(g.add('1', cand('y'), null)).toBe(true);
    expect(done).toEqual(['a:a1,a2', '1:x']);
    expect(g.add('a', cand('a3'), null)).toBe(false);
  });

  it('holding, finishes every group at the end in first-appearance order', () => {
    const done: string[] = [];
    const g = new PendingGroups(false, (id, cands) => done.push(`${id}:${cands.map((c) => c.id).join(',')}`));
    for (const [group, id] of [['b', 'b1'], ['a', 'a1'], ['b', 'b2']]) expect(g.add(group, cand(id), null)).toBe(true);
    expect(done).toEqual([]);
    g.finishAll();
    expect(done).toEqual(['b:b1,b2', 'a:a1']);
  });
});
