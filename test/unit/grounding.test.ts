import { describe, expect, it } from 'vitest';
import { createFactMatcher, termKey } from '../../src/core/facts.ts';
import { checkReason, fallbackReason, isRepetitive, MIN_REASON_WORDS, reasonWords } from '../../src/core/grounding.ts';
import type { Item, UserContext } from '../../src/types.ts';

const VOCAB = ['Action', 'Adventure', 'Puzzle', 'Co-op', 'First-Person', 'RPG', 'Roguelike', 'Indie', 'Strategy', 'Free to Play', 'Philosophical', 'Crime', 'Drama'];
const matcher = createFactMatcher({ facts: VOCAB, titles: ['Doom', 'Half-Life 2', 'Portal 2', 'Hades'] });

const talos: Item = { id: 't', title: 'The Talos Principle', attributes: { genres: ['Puzzle', 'First-Person'], tags: ['Philosophical'] } };
const history: UserContext['history'] = [
  { title: 'Portal 2', attributes: { tags: ['Puzzle', 'Co-op', 'First-Person'] } },
  { title: 'Half-Life 2', attributes: { tags: ['First-Person', 'Puzzle'] } },
  { title: 'Doom', attributes: { tags: ['Action'] } },
];

describe('checkReason', () => {
  const ctx: UserContext = { domain: 'game', history };

  it('accepts a grounded reason and lists what it cites', () => {
    const r = checkReason('Because you loved Portal 2, this first-person puzzle game will make you think.', talos, ctx, matcher);
    expect(r.ok).toBe(true);
    expect(r.problem).toBeUndefined();
    expect(r.cited.map((f) => f.value)).toEqual(['Portal 2', 'First-Person', 'Puzzle']);
  });

  it('rejects empty, whitespace-only and non-string text', () => {
    for (const text of ['', '   \n\t', '\u202E\u200B', undefined as never]) expect(checkReason(text, talos, ctx, matcher).problem).toBe('empty');
  });

  it(`rejects text under ${MIN_REASON_WORDS} words`, () => {
    expect(checkReason('Great puzzle game', talos, ctx, matcher).problem).toBe('too-short');
    expect(checkReason('A great puzzle game', talos, ctx, matcher).ok).toBe(true);
    // CJK: a character counts as half a word.
    expect(checkReason('最高', talos, ctx, matcher).problem).toBe('too-short');
    expect(checkReason('これは最高のパズルです', talos, ctx, matcher).ok).toBe(true);
  });

  it('rejects degenerate repetition', () => {
    expect(checkReason('puzzle puzzle puzzle everywhere you look', talos, ctx, matcher).problem).toBe('repetitive');
    expect(checkReason('a puzzle game, a puzzle game, a puzzle game for you', talos, ctx, matcher).problem).toBe('repetitive');
    expect(isRepetitive('Because you played Portal 2, another puzzle game: it is a puzzle game with heart.')).toBe(false);
    expect(isRepetitive('the the the')).toBe(true);
    expect(isRepetitive('game is fun game is fun game is fun game is fun')).toBe(true);
  });

  it('rejects a reason citing facts neither the item nor the history has', () => {
    const r = checkReason('A roguelike with Co-op, just like Hades.', talos, ctx, matcher);
    expect(r).toMatchObject({ ok: false, problem: 'ungrounded', ungrounded: ['Roguelike', 'Hades'] });
    expect(r.cited.map((f) => f.value)).toEqual(['Co-op']);
  });

  it('checks in the documented order: too-short before ungrounded', () => {
    expect(checkReason('Roguelike fun', talos, ctx, matcher).problem).toBe('too-short');
  });

  it('accepts a plain vocabulary instead of a matcher', () => {
    expect(checkReason('A roguelike you will enjoy a lot.', talos, ctx, ['Roguelike']).problem).toBe('ungrounded');
  });

  it('splits words of spaced and unspaced scripts', () => {
    expect(reasonWords("It's a co-op RPG!")).toEqual(["it's", 'a', 'co-op', 'rpg']);
    expect(reasonWords('最高のRPG')).toEqual(['最', '高', 'の', 'rpg']);
  });
});

describe('fallbackReason', () => {
  it('names facts shared with the most recent matching history titles', () => {
    const r = fallbackReason(talos, { domain: 'game', history });
    expect(r.text).toBe('Because you played Half-Life 2 and Portal 2: The Talos Principle is also Puzzle and First-Person.');
    expect(r.facts).toEqual([
      { value: 'Half-Life 2', from: 'history', kind: 'title' },
      { value: 'Portal 2', from: 'history', kind: 'title' },
      { value: 'Puzzle', from: 'item', kind: 'genres' },
      { value: 'First-Person', from: 'item', kind: 'genres' },
    ]);
  });

  it('speaks per domain', () => {
    const h = [{ title: 'Heat', attributes: { genres: ['Crime'] } }];
    const item: Item = { id: 'm', title: 'Collateral', attributes: { genres: ['Crime', 'Drama'] } };
    expect(fallbackReason(item, { domain: 'movie', history: h }).text).toBe('Because you watched Heat: Collateral is also Crime.');
    expect(fallbackReason(item, { domain: 'product', history: h }).text).toBe('Like Heat in your history, Collateral is Crime.');
    expect(fallbackReason(item, { history: h }).text).toBe('Like Heat in your history, Collateral is Crime.');
  });

  it('says so when nothing is shared', () => {
    const r = fallbackReason(talos, { domain: 'game', history: [{ title: 'Doom', attributes: { tags: ['Action'] } }] });
    expect(r.text).toBe('Something different from your usual picks: a Puzzle, First-Person and Philosophical game.');
    expect(r.facts.map((f) => f.value)).toEqual(['Puzzle', 'First-Person', 'Philosophical']);
  });

  it('describes the item alone without a history', () => {
    expect(fallbackReason({ title: 'It Takes Two', attributes: { tags: ['Co-op', 'Adventure'] } }, { domain: 'game' }).text).toBe('A Co-op and Adventure game.');
    expect(fallbackReason({ title: 'Hades', attributes: { tags: ['Action', 'Roguelike'] } }, { domain: 'game' }).text).toBe('An Action and Roguelike game.');
    expect(fallbackReason(talos, {}).text).toBe('The Talos Principle: Puzzle, First-Person and Philosophical.');
    expect(fallbackReason(talos).text).toBe('The Talos Principle: Puzzle, First-Person and Philosophical.');
  });

  it('falls back to the title when there are no facts', () => {
    expect(fallbackReason({ title: 'Rust' }, { domain: 'game', history })).toEqual({ text: 'Rust is worth a look.', facts: [{ value: 'Rust', from: 'item', kind: 'title' }] });
    expect(fallbackReason({ title: '' }, {}).text).toBe('This item is worth a look.');
  });

  it('keeps page text as plain text (never markup to render)', () => {
    const r = fallbackReason({ title: '<img src=x onerror=alert(1)>', attributes: { tags: ['<b>Co-op</b>'] } }, { domain: 'game' });
    expect(r.text).toBe('A <b>Co-op</b> game.');
    expect(r.facts[0]?.value).toBe('<b>Co-op</b>');
  });

  it('only ever names real facts: every fallback passes the grounding check', () => {
    // Deterministic pseudo-random catalogs and histories.
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = (): string[] => Array.from({ length: rand(4) }, () => VOCAB[rand(VOCAB.length)] as string);
    const titles = ['Doom', 'Half-Life 2', 'Portal 2', 'Hades', 'Celeste', 'Hollow Knight'];
    const domains = ['game', 'movie', 'product', undefined];
    for (let n = 0; n < 300; n++) {
      const item: Item = { id: String(n), title: titles[rand(titles.length)] as string, attributes: { tags: pick() } };
      const context: UserContext = { domain: domains[rand(4)], history: Array.from({ length: rand(4) }, () => ({ title: titles[rand(titles.length)] as string, attributes: { tags: pick() } })) };
      const { text, facts } = fallbackReason(item, context);
      const check = matcher.citedFacts(text, item, context);
      expect(check.ungrounded, text).toEqual([]);
      const cited = new Set(check.cited.map((f) => termKey(f.value)));
      for (const f of facts) expect(cited.has(termKey(f.value)), `${text} should cite ${f.value}`).toBe(true);
    }
  });
});
