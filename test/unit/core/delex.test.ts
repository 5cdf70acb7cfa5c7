import { describe, expect, it } from 'vitest';
import { hasHistoryClaim, historyClaims } from '../../../src/core/claims.ts';
import { delexicalize, delexicalizeDetailed, splitSentences } from '../../../src/core/delex.ts';
import { createFactMatcher } from '../../../src/core/facts.ts';
import { contentPlan } from '../../../src/core/plan.ts';
import { buildPlanPrompt } from '../../../src/core/plan-prompt.ts';
import { fillSlots } from '../../../src/core/slots.ts';
import type { UserContext } from '../../../src/types.ts';

const item = { title: 'Portal 2', attributes: { tags: ['Puzzle', 'Co-op', 'RPG', 'Strategy'] } };
const context: UserContext = {
  domain: 'game',
  history: [
    { title: 'Quake', attributes: { tags: ['Gore'] } },
    { title: 'The Talos Principle', attributes: { tags: ['Puzzle', 'RPG', 'Strategy'] } },
  ],
};
const plan = contentPlan(item, context);

describe('delexicalize', () => {
  it('slots the item, a planned history title, planned facts and domain words; the plan is restricted', () => {
    const r = delexicalize('Since you played The Talos Principle, Portal 2 is another puzzle game for you.', item, context, plan);
    expect(r?.text).toBe('Since you <|@did|> <|@h1|>, <|@item|> is another <|@f1|> <|@noun|> for you.');
    expect(r?.plan.mode).toBe('history');
    expect(r?.plan.history.map((h) => h.title)).toEqual(['The Talos Principle']);
    expect(r?.plan.facts.map((f) => [f.slot, f.value])).toEqual([['f1', 'Puzzle']]);
    expect(buildPlanPrompt(r!.plan)).toBe('<|domain|>game<|history|><|@h1|><|facts|><|@f1|>Puzzle<|reason|>');
  });

  it('renumbers facts by first use', () => {
    const r = delexicalize('Portal 2 mixes strategy with puzzle rooms, much like The Talos Principle did.', item, context, plan);
    expect(r?.text).toBe('<|@item|> mixes <|@f1|> with <|@f2|> rooms, much like <|@h1|> did.');
    expect(r?.plan.facts.map((f) => f.value)).toEqual(['Strategy', 'Puzzle']);
  });

  it('plural facts via the matcher become the slot and the plural noun; possessive titles keep "s', () => {
    const r = delexicalize("Portal 2's puzzles and RPGs will please anyone.", item, context, plan);
    expect(r?.text).toBe("<|@item|>'s <|@f1|> <|@nouns|> and <|@f2|> <|@nouns|> will please anyone.");
    const s = delexicalize('Portal 2 has strategies that fans of The Talos Principle know.', item, context, plan);
    expect(s?.text).toContain('<|@f1|> <|@nouns|>');
  });

  it('collapses fact lists into adjacent slots (filled as a list)', () => {
    const r = delexicalize('Portal 2 is a puzzle, RPG and strategy game like The Talos Principle.', item, context, plan);
    expect(r?.text).toBe('<|@item|> is a <|@f1|><|@f2|><|@f3|> <|@noun|> like <|@h1|>.');
    expect(fillSlots(r!.text, r!.plan).text).toBe('Portal 2 is a puzzle, RPG and strategy game like The Talos Principle.');
  });

  it('a planned fact in an "-packed" compound becomes the slot', () => {
    const p = contentPlan({ title: 'TF2', attributes: { tags: ['Action'] } }, { domain: 'game' });
    const r = delexicalize('TF2 is an action-packed shooter with lots of fun.', { title: 'TF2', attributes: { tags: ['Action'] } }, { domain: 'game' }, p);
    expect(r?.text).toBe('<|@item|> is an <|@f1|> shooter with lots of fun.');
  });

  it('drops a sentence naming a history title the plan does not have', () => {
    const d = delexicalizeDetailed('You liked Quake, so Portal 2 is for you. Portal 2 is a great puzzle game for anyone.', item, context, plan);
    expect(d.sentences[0]?.dropped).toBe('unplanned-title');
    expect(d.result?.text).toBe('<|@item|> is a great <|@f1|> <|@noun|> for anyone.');
  });

  it('drops a sentence with an unplanned fact (history fact) and one with a vocabulary term', () => {
    const vocab = createFactMatcher({ facts: ['Open World'], titles: ['Half-Life 2'] });
    const d = delexicalizeDetailed('Portal 2 has gore everywhere. Portal 2 is an open world game. Portal 2 beats Half-Life 2 easily. Portal 2 is a fine puzzle game indeed.', item, context, plan, { vocabulary: vocab });
    expect(d.sentences.map((s) => s.dropped)).toEqual(['unplanned-fact', 'vocabulary-term', 'vocabulary-term', undefined]);
  });

  it('drops capitalized names and quoted spans that are no slot', () => {
    const d = delexicalizeDetailed('Portal 2 was made by Valve in Seattle. Portal 2 is called "the best" puzzle game. Portal 2 is a puzzle game you can share.', item, context, plan);
    expect(d.sentences.map((s) => s.dropped)).toEqual(['unslotted-name', 'unslotted-name', undefined]);
  });

  it('new-visitor plan: history claims and history titles are dropped', () => {
    const fresh = contentPlan(item, { domain: 'game' });
    const d = delexicalizeDetailed('Based on your history, Portal 2 is a match. Since you enjoyed The Talos Principle, try it. Portal 2 is a clever co-op puzzle game to share.', item, context, fresh);
    expect(d.sentences.map((s) => s.dropped)).toEqual(['history-claim', 'unplanned-title', undefined]);
    expect(d.result?.plan.mode).toBe('new');
    expect(d.result?.text).toBe('<|@item|> is a clever <|@f1|> <|@f2|> <|@noun|> to share.');
    expect(d.result?.plan.facts.map((f) => f.value)).toEqual(['Co-op', 'Puzzle']);
  });

  it('a history plan whose sentence speaks of the history without a title keeps h1', () => {
    const r = delexicalize('Based on your gaming history, Portal 2 is a puzzle game you will love.', item, context, plan);
    expect(r?.plan.mode).toBe('history');
    expect(r?.plan.history.map((h) => h.slot)).toEqual(['h1']);
  });

  it('a short first sentence takes the next one; an opener is stripped', () => {
    const r = delexicalize('Furthermore, try Portal 2. It is a puzzle game for everyone.', item, context, contentPlan(item, { domain: 'game' }));
    expect(r?.text).toBe('Try <|@item|>. It is a <|@f1|> <|@noun|> for everyone.');
  });

  it('finds titles by alias and MovieLens "Title, The" order', () => {
    const movie = { title: 'Lion King, The', attributes: { genres: ['Animation'] } };
    const r = delexicalize('The Lion King is a classic animation for the whole family.', movie, { domain: 'movie' }, contentPlan(movie, { domain: 'movie' }));
    expect(r?.text).toBe('<|@item|> is a classic <|@f1|> for the whole family.');
    const batman = { title: 'Batman: Arkham Asylum Game of the Year Edition', attributes: { tags: ['Action'] } };
    const b = delexicalize('Batman is a dark action game with a lot to do.', batman, { domain: 'game' }, contentPlan(batman, { domain: 'game' }));
    expect(b?.text).toBe('<|@item|> is a dark <|@f1|> <|@noun|> with a lot to do.');
  });

  it('synonyms: "science fiction" is the Sci-Fi slot; unplanned synonyms drop the sentence', () => {
    const movie = { title: 'Contact', attributes: { genres: ['Drama', 'Sci-Fi'] } };
    const p = contentPlan(movie, { domain: 'movie' });
    expect(delexicalize('Contact is a drama with science fiction at its heart.', movie, { domain: 'movie' }, p)?.text).toBe('<|@item|> is a <|@f1|> with <|@f2|> at its heart.');
    const onlyDrama = { ...p, facts: p.facts.slice(0, 1) };
    expect(delexicalize('Contact is a drama with science fiction at its heart.', movie, { domain: 'movie' }, onlyDrama)).toBeNull();
  });

  it('returns null when nothing survives; a word-prefix of a headline is not slotted', () => {
    expect(delexicalize('You played Quake a lot.', item, context, plan)).toBeNull();
    const news = { title: 'Taylor Swift Rep Hits Back at Big Machine', attributes: { category: 'music' } };
    const p = contentPlan(news, { domain: 'news' });
    expect(delexicalize('It is about Taylor Swift and her music rights, a big story.', news, { domain: 'news' }, p)).toBeNull();
  });

  it('every kept target fills back with no unknown slot', () => {
    const refs = ['Since you played The Talos Principle, Portal 2 is another puzzle game for you.', 'Portal 2 is a puzzle, RPG and strategy game like The Talos Principle.'];
    for (const ref of refs) {
      const r = delexicalize(ref, item, context, plan)!;
      expect(fillSlots(r.text, r.plan).unknown).toEqual([]);
    }
  });
});

describe('splitSentences', () => {
  it('splits on sentence ends, not abbreviations or slots inside', () => {
    expect(splitSentences('It is good. <|@item|> is great! Mr. Smith agrees. Done')).toEqual(['It is good.', '<|@item|> is great!', 'Mr. Smith agrees.', 'Done']);
  });
});

describe('historyClaims', () => {
  it.each([
    'Based on your history, you will like it.',
    'Since you played Portal, try this.',
    "Since you've enjoyed puzzle games, try this.",
    'You enjoyed the first one.',
    'It matches your previous picks.',
    'As someone who loves co-op, you will like it.',
    'As a fan of lifestyle news, read this.',
    'You seem to enjoy strategy games.',
    'Given your interest in sports, read it.',
    "It's similar to the ones you have enjoyed in the past.",
    'You have not viewed any news about sports.',
    'You enjoy action games, so try it.',
    'It falls under the products you have previously.',
    "It is like the ones you've already.",
  ])('claims: %s', (text) => {
    expect(hasHistoryClaim(text)).toBe(true);
  });

  it.each([
    'Portal 2 is a clever co-op puzzle game.',
    'If you enjoy co-op games, this one is for you.',
    'You will love its humor.',
    "It's free to play, so you can try it without cost.",
    'A perfect pick for a rainy weekend.',
  ])('no claim: %s', (text) => {
    expect(historyClaims(text)).toEqual([]);
  });

  it('returns the phrases in order', () => {
    expect(historyClaims('Based on your history and since you played Portal, go.')[0]).toMatch(/^Based on your history/);
  });
});
