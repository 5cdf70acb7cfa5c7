// Factual precision plumbing (scripts/eval/factuality.ts) over the engine's fact matcher.
import { describe, expect, it } from 'vitest';
import type { EvalPair } from '../../../scripts/eval/data.ts';
import { buildVocabularies, createFactChecker } from '../../../scripts/eval/factuality.ts';
import { factualScores } from '../../../scripts/eval/metrics.ts';

function pair(id: string, domain: string, title: string, tags: string[], history: [string, string[]][]): EvalPair {
  return {
    id,
    domain,
    source: domain,
    item: { id, title, attributes: { tags } },
    context: { domain, history: history.map(([t, f]) => ({ title: t, attributes: { tags: f } })) },
    reason: 'r',
  };
}

const data = [
  pair('a', 'game', 'Rust', ['Survival', 'Open World'], [['DayZ', ['Survival', 'Zombies']]]),
  pair('b', 'game', 'Stardew Valley', ['Farming Sim', 'Pixel Graphics'], [['Harvest Moon', ['Farming Sim']]]),
  pair('c', 'business', 'The Friendly Diner', [], []),
];
const vocab = buildVocabularies(data, ['Roguelike']);
const checker = createFactChecker(vocab, ['Roguelike']);
const rust = data[0]!;

describe('fact checker', () => {
  it('builds one vocabulary per domain plus facts_vocab.json', () => {
    expect(vocab.get('game')!.titles.sort()).toEqual(['DayZ', 'Harvest Moon', 'Rust', 'Stardew Valley']);
    expect(vocab.get('game')!.facts).toEqual(expect.arrayContaining(['Roguelike', 'Survival', 'Farming Sim', 'Zombies']));
    expect(vocab.get('business')!.titles).toEqual(['The Friendly Diner']);
  });

  it('counts facts true of the item or history as grounded, others from the vocabulary as ungrounded', () => {
    const ok = checker.check('Since you played DayZ, Rust brings more Survival in an Open World.', rust);
    expect(ok.grounded).toBe(4);
    expect(ok.ungrounded).toBe(0);
    const bad = checker.check('Rust is a Roguelike Farming Sim like Stardew Valley.', rust);
    expect(bad.grounded).toBe(1);
    expect(bad.ungroundedTerms.sort()).toEqual(['Farming Sim', 'Roguelike', 'Stardew Valley']);
    expect(factualScores([ok, bad]).factual_precision).toBeCloseTo(5 / 8, 10);
  });

  it('does not treat titles from another domain as claims', () => {
    expect(checker.check('Rust has the friendly diner vibe of The Friendly Diner.', rust).ungrounded).toBe(0);
  });

  it('reports the mentioned facts as DIV features', () => {
    expect(checker.check('Rust: Survival!', rust).features.sort()).toEqual(['rust', 'survival']);
  });
});
