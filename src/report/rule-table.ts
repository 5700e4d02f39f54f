/** The rule table, generated from rule metadata (`evalaudit rules`; the README's table is this output). */
import type { RuleMeta } from '../engine/rule.js';
import { markdownTable, textTable } from './layout.js';

export function ruleTable(rules: readonly RuleMeta[], format: 'text' | 'markdown'): string {
  if (format === 'markdown') {
    const esc = (s: string) => s.replace(/\|/g, '\\|');
    const rows = rules.map((r) => [`[\`${r.id}\`](${r.docs})`, r.defaultSeverity, r.scopes.join(', '), esc(r.summary), esc(r.evidence)]);
    return markdownTable(['rule', 'default severity', 'scope', 'what it finds', 'evidence it needs'], 'lllll', rows).join('\n') + '\n';
  }
  return textTable(['rule', 'severity', 'scope', 'what it finds'], 'llll', rules.map((r) => [r.id, r.defaultSeverity, r.scopes.join(', '), r.summary])).join('\n') + '\n';
}
