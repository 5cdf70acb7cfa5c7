import { describe, expect, it } from 'vitest';
import { buildCorpus, historyWeights, rankItems, relevantHistory, titleWords } from '../../../src/core/rank.ts';
import type { HistoryEntry, Item } from '../../../src/types.ts';

const portal: HistoryEntry = { id: 'h1', title: 'Portal 2', attributes: { tags: ['Puzzle', 'Co-op', 'First-Person'] } };
const trine: HistoryEntry = { id: 'h2', title: 'Trine', attributes: { tags: ['Puzzle', 'Platformer', 'Co-op'] } };

const items: Item[] = [
  { id: 'shooter', title: 'Deadly Guns', attributes: { tags: ['Shooter', 'Violent'] } },
  { id: 'puzzle', title: 'The Talos Principle', attributes: { tags: ['Puzzle', 'First-Person', 'Philosophical'] } },
  { id: 'racing', title: 'Fast Cars', attributes: { tags: ['Racing'] } },
  { id: 'coop', title: 'It Takes Two', attributes: { tags: ['Co-op', 'Platformer'] } },
];

describe('rankItems', () => {
  it('puts items sharing the visitor\'s facts first and names those facts', () => {
    const ranked = rankItems(items, { history: [portal, trine] });
    expect(ranked.map((r) => r.itemId).slice(0, 2).sort()).toEqual(['coop', 'puzzle']);
    const top = ranked[0]!;
    const shared = top.features.find((f) => f.name === 'shared-facts');
    expect(shared?.value).toBeGreaterThan(0);
    expect(shared?.facts?.length).toBeGreaterThan(0);
    // Facts are reported in the item's own spelling, and only facts the history really has.
    for (const fact of shared!.facts!) expect(['Puzzle', 'First-Person', 'Co-op', 'Platformer']).toContain(fact);
    expect(ranked.at(-1)!.score).toBeLessThan(top.score);
  });

  it('is a pure function of its input: same input, same output; input not mutated', () => {
    const copy = JSON.parse(JSON.stringify(items));
    const a = rankItems(items, { history: [portal] });
    const b = rankItems(items, { history: [portal] });
    expect(a).toEqual(b);
    expect(items).toEqual(copy);
  });

  it('without history ranks by the prior only, ties keep page order', () => {
    const plain = rankItems(items, {});
    expect(plain.map((r) => r.itemId)).toEqual(items.map((i) => i.id));
    const withPrior = rankItems(
      [
        { id: 'a', title: 'A', attributes: { popularity: 3 } },
        { id: 'b', title: 'B', attributes: { popularity: 3000 } },
        { id: 'c', title: 'C', attributes: { rating: 4.9, ratingCount: 500 } },
      ],
      {},
    );
    expect(withPrior[0]!.itemId).toBe('b');
    expect(withPrior.find((r) => r.itemId === 'c')!.features.map((f) => f.name).sort()).toEqual(['popularity', 'rating']);
  });

  it('a higher smoothed rating wins between equally popular items; few ratings are pulled to the mean', () => {
    const ranked = rankItems(
      [
        { id: 'low', title: 'Low', attributes: { rating: 3.1, ratingCount: 200 } },
        { id: 'high', title: 'High', attributes: { rating: 4.8, ratingCount: 200 } },
      ],
      {},
      { weights: { popularity: 0 } },
    );
    expect(ranked.map((r) => r.itemId)).toEqual(['high', 'low']);
    const one = rankItems(
      [
        { id: 'many', title: 'Many', attributes: { rating: 4.6, ratingCount: 1000 } },
        { id: 'single', title: 'Single', attributes: { rating: 5, ratingCount: 1 } },
      ],
      {},
      { weights: { popularity: 0 } },
    );
    expect(one[0]!.itemId).toBe('many');
  });

  it('counts recent history more than old history', () => {
    const old: HistoryEntry = { title: 'Old Racer', attributes: { tags: ['Racing'] } };
    const recent: HistoryEntry = { title: 'New Shooter', attributes: { tags: ['Shooter'] } };
    const pair: Item[] = [
      { id: 'racing', title: 'Fast Cars', attributes: { tags: ['Racing'] } },
      { id: 'shooter', title: 'Deadly Guns', attributes: { tags: ['Shooter'] } },
    ];
    expect(rankItems(pair, { history: [old, recent] }, { recencyHalfLife: 1 })[0]!.itemId).toBe('shooter');
    expect(rankItems(pair, { history: [recent, old] }, { recencyHalfLife: 1 })[0]!.itemId).toBe('racing');
    // Explicit weights (event type × decay from the profile) override position.
    expect(rankItems(pair, { history: [{ ...old, weight: 5 }, { ...recent, weight: 0.1 }] })[0]!.itemId).toBe('racing');
  });

  it('does not let an item be similar to itself through the history', () => {
    const seen: HistoryEntry = { id: 'puzzle', title: 'The Talos Principle', attributes: { tags: ['Puzzle', 'First-Person', 'Philosophical'] } };
    const ranked = rankItems(items, { history: [seen] });
    const self = ranked.find((r) => r.itemId === 'puzzle')!;
    expect(self.features.find((f) => f.name === 'shared-facts')).toBeUndefined();
    expect(self.features.find((f) => f.name === 'similar-titles')).toBeUndefined();
  });

  it('verbalizable title evidence: history titles sharing words', () => {
    const ranked = rankItems(
      [
        { id: 'p3', title: 'Portal 3' },
        { id: 'x', title: 'Unrelated Thing' },
      ],
      { history: [portal, trine] },
    );
    expect(ranked[0]!.itemId).toBe('p3');
    expect(ranked[0]!.features.find((f) => f.name === 'similar-titles')?.facts).toEqual(['Portal 2']);
  });

  it('never throws on hostile input', () => {
    const hostile = [
      null,
      { id: 'x' },
      { id: 'y', title: 42, attributes: { tags: [null, 5, { a: 1 }, 'ok'], rating: 'NaN', popularity: -5 } },
      { id: 'z', title: '<|reason|>', attributes: 'nope' },
    ] as unknown as Item[];
    expect(() => rankItems(hostile, { history: [null, { title: 5 }] as unknown as HistoryEntry[] })).not.toThrow();
    expect(rankItems(hostile, {}).length).toBe(3);
    expect(() => rankItems(undefined as unknown as Item[], undefined as never)).not.toThrow();
    for (const r of rankItems(hostile, { history: [portal] })) expect(Number.isFinite(r.score)).toBe(true);
  });

  it('handles a big page quickly enough to run on every profile change', () => {
    const many: Item[] = Array.from({ length: 1000 }, (_, i) => ({ id: `i${i}`, title: `Game ${i}`, attributes: { tags: [`t${i % 37}`, `t${i % 11}`], popularity: i } }));
    const history = Array.from({ length: 50 }, (_, i) => ({ title: `Played ${i}`, attributes: { tags: [`t${i % 37}`] } }));
    const ranked = rankItems(many, { history });
    expect(ranked).toHaveLength(1000);
    expect(new Set(ranked.map((r) => r.itemId)).size).toBe(1000);
  });
});

describe('helpers', () => {
  it('titleWords drops stopwords, short Latin tokens and numbers; keeps CJK', () => {
    expect([...titleWords('The Legend of Zelda 2')]).toEqual(['legend', 'zelda']);
    expect([...titleWords('塞尔达')]).toEqual(['塞尔达']);
  });

  it('historyWeights: given weights win, else recency by position', () => {
    const w = historyWeights([{ title: 'a' }, { title: 'b' }, { title: 'c', weight: 3 }, { title: 'd', weight: -1 }], 1);
    expect(w[0]).toBeCloseTo(0.125);
    expect(w[1]).toBeCloseTo(0.25);
    expect(w[2]).toBe(3);
    expect(w[3]).toBe(0);
  });

  it('buildCorpus counts documents per fact and word', () => {
    const corpus = buildCorpus([portal, trine]);
    expect(corpus.documents).toBe(2);
    expect(corpus.frequency.get('f:puzzle')).toBe(2);
    expect(corpus.frequency.get('f:platformer')).toBe(1);
    expect(corpus.frequency.get('t:portal')).toBe(1);
  });

  it('relevantHistory picks the entries that share facts, in chronological order, never the item itself', () => {
    const history: HistoryEntry[] = [
      portal,
      { title: 'Racer', attributes: { tags: ['Racing'] } },
      trine,
      { id: 'coop', title: 'It Takes Two', attributes: { tags: ['Co-op'] } },
      { title: 'Shooter X', attributes: { tags: ['Shooter'] } },
    ];
    const picked = relevantHistory(items[3]!, history, 2);
    expect(picked.map((h) => h.title)).toEqual(['Portal 2', 'Trine']);
    expect(relevantHistory(items[3]!, history, 10).map((h) => h.title)).not.toContain('It Takes Two');
    expect(relevantHistory(items[0]!, undefined)).toEqual([]);
  });
});
