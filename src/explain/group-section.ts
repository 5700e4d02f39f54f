/** The group section of explain: every candidate, both picks, and the group's finding as audit reports it. */
import type { Candidate, GroupContext } from '../engine/group-context.js';
import { KEYS } from '../engine/group-context.js';
import { groupFinding } from '../engine/groups.js';
import { formatNumber } from '../report/format.js';
import type { Style } from '../report/layout.js';
import type { GroupView, Member } from './locate.js';
import { findingLines } from './diagnosis.js';

export function groupSection(group: GroupView | null, s: Style): string[] {
  if (!group) return [];
  const g = group.outcome.context;
  const n = g.candidates.length;
  return [
    ...s.heading(`Group ${s.text(JSON.stringify(g.group))} (${n} candidate${n === 1 ? '' : 's'})`, 2),
    ...s.table(
      ['', 'id', 'selected', 'gold', 'first-token log-prob', 'total log-prob', 'tokens', 'completion', 'record finding'],
      'llllrrrll',
      g.candidates.map((c, i) => candidateRow(c, group.members[i], s)),
    ),
    '',
    ...s.items(pickPairs(group, s)),
    '',
    ...groupFindingLines(group, s),
  ];
}

function candidateRow(c: Candidate, m: Member, s: Style): string[] {
  return [
    m.isTarget ? '▶' : '',
    s.text(JSON.stringify(c.id)),
    c.selected ? 'yes' : 'no',
    c.gold === undefined ? '?' : c.gold ? 'yes' : 'no',
    sourced(c.first, m.firstIsReference),
    sourced(c.total, m.totalIsReference),
    String(c.tokens),
    m.completion === undefined ? '?' : s.quote(m.completion),
    m.finding ? s.text(m.finding.ruleId) : '—',
  ];
}

function sourced(x: number, isReference: boolean): string {
  if (Number.isNaN(x)) return '?';
  return isReference ? formatNumber(x) : `${formatNumber(x)} (recorded)`;
}

function pickPairs(group: GroupView, s: Style): [string, string][] {
  const g = group.outcome.context;
  const recorded = group.members.some((m, i) => !m.totalIsReference && !Number.isNaN(g.candidates[i].total));
  const pairs: [string, string][] = [
    ['picked by the pipeline', s.text(pipelinePick(g))],
    // Without a reference the objective can only be applied to the recorded numbers.
    ['picked by the sequence objective (highest total)', s.text(objectivePick(g) + (recorded && g.best ? ', using recorded totals where there is no reference' : ''))],
  ];
  const gold = g.candidates.filter((c) => c.gold === true);
  if (gold.length > 0) pairs.push(['gold', s.text(gold.map((c) => JSON.stringify(c.id)).join(', '))]);
  return pairs;
}

function describe(c: Candidate): string {
  return `${JSON.stringify(c.id)} (total ${formatNumber(c.total)})`;
}

function pipelinePick(g: GroupContext): string {
  if (g.selected) return describe(g.selected);
  if (g.selectedCount === 0) return 'none: no candidate is marked selected';
  const ids = g.candidates.filter((c) => c.selected).map((c) => JSON.stringify(c.id));
  return `ambiguous: ${g.selectedCount} candidates are marked selected (${ids.join(', ')})`;
}

function objectivePick(g: GroupContext): string {
  if (!g.best) {
    const unknown = g.candidates.filter((c) => Number.isNaN(c.total)).map((c) => JSON.stringify(c.id));
    return `unknown: no known total for ${unknown.join(', ')}`;
  }
  const tie = g.tieWith(g.best, KEYS.total) ? ' (tied with another candidate within their tolerances: either pick is fine)' : '';
  return `${describe(g.best)}${tie}`;
}

function groupFindingLines(group: GroupView, s: Style): string[] {
  const f = groupFinding(group.outcome);
  if (!f) return ['no group finding'];
  // The candidates' numbers are the table above; repeating them as JSON would only bury the rest.
  const lines = [...s.heading('Group finding', 3), ...findingLines(f, s, ['candidates'])];
  if (f.recordId !== undefined) lines.push(...s.items([['concerns record', s.text(JSON.stringify(f.recordId))]]));
  return lines;
}
