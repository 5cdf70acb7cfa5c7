// Hand-computed cases for scripts/eval/metrics.ts. Each expected value is worked out in the comment above it.
import { describe, expect, it } from 'vitest';
import {
  bleuFromStats,
  bleuStats,
  corpusBleu,
  distinctN,
  factualScores,
  featureDiversity,
  lcsLength,
  meanRouge,
  rougeL,
  rougeN,
  scoreSystem,
  sentences,
  tokenize,
  uniqueSentenceRatio,
  uniqueSentenceRatioBySentence,
} from '../../../scripts/eval/metrics.ts';
import { mulberry32 } from '../../../src/core/random.ts';
import { compareSystems, pairedBootstrap } from '../../../scripts/eval/significance.ts';

const t = (s: string) => s.split(' ').filter(Boolean);
const cat = t('the cat sat on the mat');
const catRef = t('the cat is on the mat');

describe('tokenize', () => {
  it('lower-cases, drops punctuation, keeps inner apostrophes, NFKC-folds', () => {
    expect(tokenize('Don’t STOP—it\'s 2 Good! Café')).toEqual(["don't", 'stop', "it's", '2', 'good', 'café']);
    expect(tokenize('ﬁne, co-op')).toEqual(['fine', 'co', 'op']);
    expect(tokenize(' ... ')).toEqual([]);
  });
  it('splits sentences at . ! ? followed by space', () => {
    expect(sentences('You like RPGs. Try Rust! Why not? 3.5 stars')).toEqual(['You like RPGs.', 'Try Rust!', 'Why not?', '3.5 stars']);
  });
});

describe('corpusBleu', () => {
  it('BLEU-1 of one pair: clipped unigram precision 5/6, equal lengths so no brevity penalty', () => {
    // cand unigrams the×2 cat sat on mat; ref the×2 cat is on mat → clipped 2+1+0+1+1 = 5 of 6.
    expect(corpusBleu([cat], [catRef], 1)).toBeCloseTo(5 / 6, 10);
  });
  it('BLEU-4 is 0 without smoothing when no 4-gram matches', () => {
    expect(corpusBleu([cat], [catRef], 4)).toBe(0);
  });
  it('BLEU-4 with add-one smoothing', () => {
    // p1 = 6/7, p2 = 4/6, p3 = 2/5, p4 = 1/4 → (48/840)^(1/4)
    expect(corpusBleu([cat], [catRef], 4, { smooth: true })).toBeCloseTo(Math.pow(48 / 840, 0.25), 10);
    expect(corpusBleu([cat], [catRef], 4, { smooth: true })).toBeCloseTo(0.488923, 5);
  });
  it('BLEU-4 geometric mean of 4/5, 3/4, 2/3, 1/2', () => {
    expect(corpusBleu([t('a b c d e')], [t('a b c d f')], 4)).toBeCloseTo(Math.pow(0.2, 0.25), 10);
  });
  it('applies the brevity penalty exp(1 - r/c) for short output', () => {
    // p1 = p2 = 1, c = 2, r = 4 → exp(1 - 2)
    expect(corpusBleu([t('a b')], [t('a b c d')], 2)).toBeCloseTo(Math.exp(-1), 10);
    // longer than the reference: no penalty, p1 = 4/6
    expect(corpusBleu([t('a b c d x y')], [t('a b c d')], 1)).toBeCloseTo(4 / 6, 10);
  });
  it('is corpus-level: counts are summed before dividing (not a mean of sentence scores)', () => {
    // matches 2 + 0 of 3 unigrams; c = 3, r = 5 → BP = exp(1 - 5/3)
    const score = corpusBleu([t('a b'), t('c')], [t('a b'), t('d e f')], 1);
    expect(score).toBeCloseTo((2 / 3) * Math.exp(-2 / 3), 10);
    expect(score).not.toBeCloseTo(0.5, 2);
  });
  it('clips repeated n-grams to the reference count', () => {
    // "the the the" vs "the cat": clipped 1 of 3; c = 3 > r = 2 → no penalty
    expect(corpusBleu([t('the the the')], [t('the cat')], 1)).toBeCloseTo(1 / 3, 10);
  });
  it('gives 0 for empty output and rejects mismatched inputs', () => {
    expect(corpusBleu([[]], [t('a')], 1)).toBe(0);
    expect(() => corpusBleu([[]], [], 1)).toThrow();
  });
});

describe('ROUGE', () => {
  it('ROUGE-1/2/L on the cat pair', () => {
    expect(rougeN(cat, catRef, 1).f1).toBeCloseTo(5 / 6, 10);
    // bigram overlap: "the cat", "on the", "the mat" = 3 of 5 each side
    expect(rougeN(cat, catRef, 2).f1).toBeCloseTo(0.6, 10);
    // LCS "the cat on the mat" = 5
    expect(lcsLength(cat, catRef)).toBe(5);
    expect(rougeL(cat, catRef).f1).toBeCloseTo(5 / 6, 10);
  });
  it('asymmetric pair: precision and recall differ', () => {
    const c = t('a b c');
    const r = t('a x c b y');
    const r1 = rougeN(c, r, 1);
    expect(r1.precision).toBe(1);
    expect(r1.recall).toBeCloseTo(0.6, 10);
    expect(r1.f1).toBeCloseTo(0.75, 10);
    expect(rougeN(c, r, 2).f1).toBe(0);
    // LCS 2 → P 2/3, R 2/5, F = 0.5
    expect(rougeL(c, r).f1).toBeCloseTo(0.5, 10);
  });
  it('averages F1 over pairs', () => {
    const m = meanRouge([cat, t('a b c')], [catRef, t('a x c b y')]);
    expect(m.rouge1).toBeCloseTo((5 / 6 + 0.75) / 2, 10);
    expect(m.rouge2).toBeCloseTo((0.6 + 0) / 2, 10);
    expect(m.rougeL).toBeCloseTo((5 / 6 + 0.5) / 2, 10);
  });
});

describe('diversity', () => {
  it('USR counts texts that are the same after tokenizing once', () => {
    expect(uniqueSentenceRatio([tokenize('Great game.'), tokenize('great game!'), tokenize('Other')])).toBeCloseTo(2 / 3, 10);
  });
  it('sentence-level USR', () => {
    expect(uniqueSentenceRatioBySentence(['A b. C d.', 'A b. E f.'])).toBeCloseTo(3 / 4, 10);
  });
  it('distinct-2', () => {
    // bigrams ab, bc, ab, bd → 3 distinct of 4
    expect(distinctN([t('a b c'), t('a b d')], 2)).toBeCloseTo(0.75, 10);
  });
  it('PETER feature DIV: mean shared features per pair', () => {
    // pairs (1,2) share x; (1,3), (2,3) share nothing → 1/3
    expect(featureDiversity([['x', 'y'], ['x'], ['z']])).toBeCloseTo(1 / 3, 10);
    expect(featureDiversity([['x', 'x'], ['x']])).toBe(1);
    expect(featureDiversity([['x']])).toBe(0);
  });
});

describe('factual precision', () => {
  it('micro-averages grounded mentions over all mentions', () => {
    const s = factualScores([
      { grounded: 3, ungrounded: 1 },
      { grounded: 0, ungrounded: 0 },
      { grounded: 1, ungrounded: 1 },
    ]);
    expect(s.factual_precision).toBeCloseTo(4 / 6, 10);
    expect(s.hallucination_rate).toBeCloseTo(2 / 6, 10);
    expect(s.reasons_with_ungrounded).toBeCloseTo(2 / 3, 10);
    expect(s.facts_mentioned).toBe(6);
  });
  it('is null when nothing is mentioned', () => {
    expect(factualScores([{ grounded: 0, ungrounded: 0 }]).factual_precision).toBeNull();
  });
});

describe('scoreSystem', () => {
  it('combines every metric over the same rows', () => {
    const s = scoreSystem([
      { generated: 'The cat sat on the mat.', reference: 'The cat is on the mat.', features: ['cat'], facts: { grounded: 1, ungrounded: 0 } },
      { generated: 'The cat sat on the mat.', reference: 'A dog.', features: ['cat'], facts: { grounded: 0, ungrounded: 1 } },
    ]);
    expect(s.n).toBe(2);
    expect(s.usr).toBe(0.5);
    expect(s.div_features).toBe(1);
    expect(s.factual_precision).toBe(0.5);
    expect(s.mean_words).toBe(6);
    // unigrams: 5 + 0 clipped of 12; c = 12 > r = 8 → no penalty
    expect(s.bleu1).toBeCloseTo(5 / 12, 10);
    expect(s.rougeL).toBeCloseTo(5 / 6 / 2, 10);
  });
});

describe('paired bootstrap', () => {
  it('BLEU from per-pair statistics equals corpus BLEU, and indices select pairs', () => {
    const stats = [bleuStats(cat, catRef, 1), bleuStats(t('c'), t('d e f'), 1)];
    expect(bleuFromStats(stats, 1)).toBeCloseTo(corpusBleu([cat, t('c')], [catRef, t('d e f')], 1), 12);
    // pair 0 twice: 10 of 12 clipped, c = r = 12
    expect(bleuFromStats(stats, 1, {}, [0, 0])).toBeCloseTo(10 / 12, 12);
  });
  it('is reproducible and brackets the observed difference', () => {
    const a = [1, 0.8, 0.9, 0.7, 1];
    const b = [0.5, 0.6, 0.4, 0.7, 0.5];
    const mean = (v: number[]) => (idx: readonly number[]) => idx.reduce((s, i) => s + v[i]!, 0) / idx.length;
    const r1 = pairedBootstrap(5, mean(a), mean(b), 500, 7);
    expect(r1).toEqual(pairedBootstrap(5, mean(a), mean(b), 500, 7));
    expect(r1.diff).toBeCloseTo(0.34, 10);
    expect(r1.ci95[0]).toBeLessThanOrEqual(r1.diff);
    expect(r1.ci95[1]).toBeGreaterThanOrEqual(r1.diff);
    // A is never worse on any pair, and better on 4 of 5: B wins no resample
    expect(r1.ci95[0]).toBeGreaterThan(0);
    expect(r1.win_share).toBeGreaterThan(0.99);
    const same = pairedBootstrap(5, mean(a), mean(a), 100, 7);
    expect(same).toMatchObject({ diff: 0, ci95: [0, 0], win_share: 0 });
  });
  it('compares two systems on BLEU-4 and ROUGE-L', () => {
    const refs = ['the cat sat on the mat today', 'a dog ran in the park today'];
    const c = compareSystems(refs, ['the cat', 'a dog'], refs, 200, 3);
    expect(c.bleu4.diff).toBeCloseTo(1, 10);
    expect(c.rougeL.diff).toBeGreaterThan(0);
    expect(c.rougeL.win_share).toBe(1);
  });
  it('mulberry32 is a deterministic uniform stream', () => {
    const r = mulberry32(42);
    const xs = Array.from({ length: 1000 }, r);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(xs.reduce((s, x) => s + x, 0) / 1000).toBeGreaterThan(0.45);
    expect(xs.reduce((s, x) => s + x, 0) / 1000).toBeLessThan(0.55);
    expect(mulberry32(42)()).toBe(xs[0]);
  });
});
