// The audit's tables and its sample block, as Markdown (for docs/quality.md).
import type { AuditedReason } from './findings.ts';
import { COUNTERS } from './tally.ts';
import type { Tally } from './tally.ts';

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(0)}%`);
const num = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toFixed(2));

const HEAD: Record<string, string> = {
  history_claims: 'history claim, no history',
  foreign_titles: 'foreign title',
  other_card_titles: "other card's title",
  quoted_not_titles: 'quote, no title',
  unsupported_names: 'unsupported name',
  misnamed_item: 'recommends another name',
  non_words: 'non-word',
  cut: 'cut …',
  off_domain_words: 'off-domain word',
};

/** One row per scenario and one overall: model share, each counter as reasons (model/fallback), omission, USR, skeletons. */
export function summaryMarkdown(scenarios: Record<string, Tally>, overall: Tally): string {
  const header = ['scenario', 'n', 'model', ...COUNTERS.map((c) => HEAD[c]!), 'planned omitted', 'names history', 'USR', 'distinct skeletons'];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`];
  const row = (name: string, t: Tally) => {
    const cells = [
      name,
      String(t.reasons),
      pct(t.model_share),
      ...COUNTERS.map((c) => {
        const n = t.counts[c];
        return n ? (n.reasons === 0 ? '0' : `${n.reasons} (${n.model}/${n.fallback})`) : '–';
      }),
      t.planned_omitted ? `${pct(t.planned_omitted.share)} (${t.planned_omitted.reasons})` : '–',
      pct(t.names_history),
      num(t.usr),
      num(t.distinct_skeletons),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  };
  for (const [name, t] of Object.entries(scenarios)) row(name, t);
  row('**all**', overall);
  let text = lines.join('\n') + '\n\nCounts are shown reasons with at least one finding, (model/fallback).';
  if (overall.engine_check && Object.keys(overall.engine_check).length === 0) {
    text += "\n\nThe engine's own check (src/core/check.ts) passes every shown reason.";
  } else if (overall.engine_check) {
    const kinds = Object.keys(overall.engine_check).sort();
    const head = ['scenario', ...kinds];
    const rows = [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`];
    for (const [name, t] of [...Object.entries(scenarios), ['**all**', overall] as const]) rows.push(`| ${[name, ...kinds.map((k) => String(t.engine_check?.[k] ?? 0))].join(' | ')} |`);
    text += `\n\nThe engine's own check (src/core/check.ts) on the same shown reasons, reasons per problem kind:\n\n${rows.join('\n')}`;
  }
  return text;
}

/** The sample reasons exactly as shown, grouped by scenario, with their source. */
export function samplesMarkdown(rows: readonly AuditedReason[]): string {
  const out: string[] = [];
  let current = '';
  for (const r of rows) {
    if (r.scenario !== current) {
      current = r.scenario;
      out.push(`\n**${current}**\n`);
    }
    const label = r.source === 'model' ? 'model' : `fallback: ${r.fallbackReason ?? '?'}`;
    out.push(`- *${r.title}* (${label}): ${r.text.replace(/\s+/g, ' ')}`);
  }
  return out.join('\n').trim();
}
