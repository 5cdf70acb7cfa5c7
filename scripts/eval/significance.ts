// Whether one system beats another on the same pairs: paired bootstrap intervals of BLEU-4 and
// ROUGE-L differences (seeded, so reproducible). Definitions in docs/quality.md.
import { mulberry32 } from '../../src/core/random.ts';
import { bleuFromStats, bleuStats, rougeL, tokenize } from './metrics.ts';

export interface Comparison {
  /** score(A) − score(B) on all pairs. */
  diff: number;
  /** 2.5th and 97.5th percentiles of the difference over paired bootstrap resamples. */
  ci95: [number, number];
  /** Share of resamples in which A scores strictly higher than B. */
  win_share: number;
  resamples: number;
}

/**
 * Paired bootstrap (Koehn 2004): resample the n pairs with replacement, score both systems on the
 * same resample, and report the spread of the difference. `score(indices)` computes a corpus metric
 * on the selected pairs (corpus BLEU from BleuStats, or a mean of per-pair ROUGE).
 */
export function pairedBootstrap(
  n: number,
  scoreA: (indices: readonly number[]) => number,
  scoreB: (indices: readonly number[]) => number,
  resamples = 1000,
  seed = 1,
): Comparison {
  const all = Array.from({ length: n }, (_, i) => i);
  const diff = scoreA(all) - scoreB(all);
  if (n === 0) return { diff: 0, ci95: [0, 0], win_share: 0, resamples: 0 };
  const random = mulberry32(seed);
  const diffs: number[] = [];
  let wins = 0;
  const indices = new Array<number>(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) indices[i] = Math.floor(random() * n);
    const d = scoreA(indices) - scoreB(indices);
    diffs.push(d);
    if (d > 0) wins++;
  }
  diffs.sort((a, b) => a - b);
  const at = (q: number) => diffs[Math.min(diffs.length - 1, Math.max(0, Math.round(q * (diffs.length - 1))))]!;
  return { diff, ci95: [at(0.025), at(0.975)], win_share: wins / resamples, resamples };
}

/** Paired bootstrap of BLEU-4 and ROUGE-L between two systems' outputs on the same references. */
export function compareSystems(a: readonly string[], b: readonly string[], references: readonly string[], resamples = 1000, seed = 1): { bleu4: Comparison; rougeL: Comparison } {
  if (a.length !== references.length || b.length !== references.length) throw new Error('compareSystems: lengths differ');
  const refs = references.map(tokenize);
  const ta = a.map(tokenize);
  const tb = b.map(tokenize);
  const statsA = ta.map((t, i) => bleuStats(t, refs[i]!, 4));
  const statsB = tb.map((t, i) => bleuStats(t, refs[i]!, 4));
  const rlA = ta.map((t, i) => rougeL(t, refs[i]!).f1);
  const rlB = tb.map((t, i) => rougeL(t, refs[i]!).f1);
  const mean = (values: readonly number[]) => (idx: readonly number[]) => idx.reduce((sum, i) => sum + values[i]!, 0) / Math.max(idx.length, 1);
  return {
    bleu4: pairedBootstrap(references.length, (idx) => bleuFromStats(statsA, 4, {}, idx), (idx) => bleuFromStats(statsB, 4, {}, idx), resamples, seed),
    rougeL: pairedBootstrap(references.length, mean(rlA), mean(rlB), resamples, seed),
  };
}
