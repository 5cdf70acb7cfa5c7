// Per-scenario and overall numbers of the audit, from the audited reasons. Pure.
import { uniqueSentenceRatio, tokenize } from '../eval/metrics.ts';
import type { AuditedReason, Findings } from './findings.ts';
import { distinctShare } from './skeleton.ts';

/** The counters: how many shown reasons have at least one finding of each kind. */
export const COUNTERS = ['history_claims', 'foreign_titles', 'other_card_titles', 'quoted_not_titles', 'unsupported_names', 'misnamed_item', 'non_words', 'cut', 'off_domain_words'] as const;
export type Counter = (typeof COUNTERS)[number];
/** The counters issue 7 wants at 0 (unsupported_names and misnamed_item are reported, not targets: their rules are coarse). */
export const TARGET_COUNTERS: readonly Counter[] = COUNTERS.filter((c) => c !== 'unsupported_names' && c !== 'misnamed_item');

export interface Count {
  /** Shown reasons with at least one (model and fallback together). */
  reasons: number;
  model: number;
  fallback: number;
  /** Up to 5 distinct offending strings, for reading. */
  examples: string[];
}

export interface Tally {
  reasons: number;
  model: number;
  fallback: number;
  /** Share of `source: 'model'`; null without reasons. */
  model_share: number | null;
  fallback_reasons: Record<string, number>;
  /** null where not measurable (non_words without a dictionary). */
  counts: Record<Counter, Count | null>;
  /** Reasons with a plan that leave out at least one planned title/fact, and the share of planned citations omitted; null: no plans. */
  planned_omitted: { reasons: number; omitted: number; planned: number; share: number | null; examples: string[] } | null;
  /** Share of shown reasons that name a history title (0 without a history, by the check). */
  names_history: number | null;
  /** Unique-sentence ratio of the shown texts (PETER's USR, one reason = one sentence). */
  usr: number | null;
  /** Distinct delexicalized skeletons / reasons. */
  distinct_skeletons: number | null;
  skeletons: number;
  /** The engine's own check on the same shown reasons: reasons with each problem kind (null without it). */
  engine_check: Record<string, number> | null;
}

function hits(f: Findings, c: Counter): string[] | null {
  if (c === 'cut') return f.cut ? ['…'] : [];
  return f[c];
}

export function tally(rows: readonly AuditedReason[]): Tally {
  const counts = {} as Record<Counter, Count | null>;
  for (const c of COUNTERS) {
    if (rows.length > 0 && rows.every((r) => hits(r.findings, c) === null)) {
      counts[c] = null;
      continue;
    }
    const count: Count = { reasons: 0, model: 0, fallback: 0, examples: [] };
    for (const r of rows) {
      const found = hits(r.findings, c) ?? [];
      if (found.length === 0) continue;
      count.reasons++;
      count[r.source]++;
      for (const e of found) if (count.examples.length < 5 && !count.examples.includes(e)) count.examples.push(e);
    }
    counts[c] = count;
  }
  const planned = rows.filter((r) => r.findings.planned_omitted !== null);
  const omittedCount = planned.reduce((a, r) => a + r.findings.planned_omitted!.length, 0);
  const plannedCount = planned.reduce((a, r) => a + r.findings.planned, 0);
  const examples: string[] = [];
  for (const r of planned) for (const e of r.findings.planned_omitted!) if (examples.length < 5 && !examples.includes(e)) examples.push(e);
  const fallbackReasons: Record<string, number> = {};
  for (const r of rows) if (r.source === 'fallback') fallbackReasons[r.fallbackReason ?? 'unknown'] = (fallbackReasons[r.fallbackReason ?? 'unknown'] ?? 0) + 1;
  const model = rows.filter((r) => r.source === 'model').length;
  const skeletons = rows.map((r) => r.findings.skeleton);
  return {
    reasons: rows.length,
    model,
    fallback: rows.length - model,
    model_share: rows.length ? model / rows.length : null,
    fallback_reasons: fallbackReasons,
    counts,
    planned_omitted: planned.length
      ? { reasons: planned.filter((r) => r.findings.planned_omitted!.length > 0).length, omitted: omittedCount, planned: plannedCount, share: plannedCount ? omittedCount / plannedCount : null, examples }
      : null,
    names_history: rows.length ? rows.filter((r) => r.namesHistory).length / rows.length : null,
    usr: rows.length ? uniqueSentenceRatio(rows.map((r) => tokenize(r.text))) : null,
    distinct_skeletons: distinctShare(skeletons),
    skeletons: new Set(skeletons).size,
    engine_check: engineCheckCounts(rows),
  };
}

function engineCheckCounts(rows: readonly AuditedReason[]): Record<string, number> | null {
  if (rows.length === 0 || rows.some((r) => r.findings.engine_check === null)) return null;
  const out: Record<string, number> = {};
  for (const r of rows) for (const kind of new Set(r.findings.engine_check!.map((p) => p.split(':')[0]!))) out[kind] = (out[kind] ?? 0) + 1;
  return out;
}

/** The targets (issue 7), checked on a tally: ≥ 90 % model with a history, ≥ 80 % new visitor; every count 0; omission ≤ 3 %. */
export function targetFailures(t: Tally, hasHistory: boolean): string[] {
  const out: string[] = [];
  const want = hasHistory ? 0.9 : 0.8;
  if (t.model_share !== null && t.model_share < want) out.push(`model share ${(t.model_share * 100).toFixed(0)}% < ${want * 100}%`);
  for (const c of TARGET_COUNTERS) {
    const n = t.counts[c];
    if (n && n.reasons > 0) out.push(`${c}: ${n.reasons}`);
  }
  if (t.planned_omitted?.share != null && t.planned_omitted.share > 0.03) out.push(`planned omitted ${(t.planned_omitted.share * 100).toFixed(1)}% > 3%`);
  return out;
}
