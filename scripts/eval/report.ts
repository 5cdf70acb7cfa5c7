// Plain-text tables of eval results (the `--json` output carries the same numbers unrounded).
import type { SystemScores } from './metrics.ts';

const COLUMNS: { head: string; value: (s: SystemScores) => number | null; digits: number }[] = [
  { head: 'n', value: (s) => s.n, digits: 0 },
  { head: 'BLEU-1', value: (s) => s.bleu1, digits: 4 },
  { head: 'BLEU-4', value: (s) => s.bleu4, digits: 4 },
  { head: 'ROUGE-1', value: (s) => s.rouge1, digits: 4 },
  { head: 'ROUGE-2', value: (s) => s.rouge2, digits: 4 },
  { head: 'ROUGE-L', value: (s) => s.rougeL, digits: 4 },
  { head: 'USR', value: (s) => s.usr, digits: 3 },
  { head: 'USR-sent', value: (s) => s.usr_sentence, digits: 3 },
  { head: 'DIV(d-2)', value: (s) => s.div, digits: 3 },
  { head: 'DIV-feat', value: (s) => s.div_features, digits: 3 },
  { head: 'FactPrec', value: (s) => s.factual_precision, digits: 3 },
  { head: 'facts', value: (s) => s.facts_mentioned, digits: 0 },
  { head: 'OpenFP', value: (s) => s.open_factual_precision ?? null, digits: 3 },
  { head: 'OpenPass', value: (s) => s.open_check_pass ?? null, digits: 3 },
  { head: 'Skel', value: (s) => s.distinct_skeletons ?? null, digits: 3 },
  { head: 'words', value: (s) => s.mean_words, digits: 1 },
];

/** A fixed-width table, one row per system. */
export function formatTable(title: string, systems: Record<string, SystemScores | undefined>): string {
  const rows = Object.entries(systems).filter((e): e is [string, SystemScores] => e[1] !== undefined);
  const cells = rows.map(([name, s]) => [name, ...COLUMNS.map((c) => {
    const v = c.value(s);
    return v === null ? '-' : v.toFixed(c.digits);
  })]);
  const head = ['system', ...COLUMNS.map((c) => c.head)];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [title, line(head), ...cells.map(line)].join('\n');
}

/** The same table as Markdown (for docs/quality.md). */
export function formatMarkdown(systems: Record<string, SystemScores | undefined>): string {
  const rows = Object.entries(systems).filter((e): e is [string, SystemScores] => e[1] !== undefined);
  const head = ['system', ...COLUMNS.map((c) => c.head)];
  const out = [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`];
  for (const [name, s] of rows) {
    out.push(`| ${[name, ...COLUMNS.map((c) => { const v = c.value(s); return v === null ? '–' : v.toFixed(c.digits); })].join(' | ')} |`);
  }
  return out.join('\n');
}
