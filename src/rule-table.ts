/** The rule table, generated from rule metadata (the README's table is this output). */
import type { RuleMeta } from './engine/rule.js';

export function ruleTable(rules: readonly RuleMeta[], format: 'text' | 'markdown'): string {
  if (format === 'markdown') {
    const esc = (s: string) => s.replace(/\|/g, '\\|');
    const rows = rules.map((r) => `| [\`${r.id}\`](${r.docs}) | ${r.defaultSeverity} | ${r.scope} | ${esc(r.summary)} | ${esc(r.evidence)} |`);
    return ['| rule | default severity | scope | what it finds | evidence it needs |', '|---|---|---|---|---|', ...rows].join('\n') + '\n';
  }
  const w = Math.max(...rules.map((r) => r.id.length));
  return rules.map((r) => `${r.id.padEnd(w)}  ${r.defaultSeverity.padEnd(7)}  ${r.scope.padEnd(6)}  ${r.summary}`).join('\n') + '\n';
}
