// The check's rules added with sampled decoding (docs/quality.md, "v2 decoding"): fragments left by a
// masked token, feature words the item lacks, the item's title where it cannot stand.
import { describe, expect, it } from 'vitest';
import { checkFilledReason, misplacedItem, type ReasonCheckInput } from '../../../src/core/check.ts';
import { featureWords, unsupportedFeatures } from '../../../src/core/claim-support.ts';
import { lexiconWords, parseLexicon } from '../../../src/core/dictionary.ts';
import { createFactMatcher } from '../../../src/core/facts.ts';

const words = 'you should play it because offers a unique combination of action multiplayer and elements games game role with its gameplay diverse character classes offers immersive environment interact other players an indie rpg it is le la de y'.split(' ');
// Like the shipped lexicon: the corpus' titles bring 1–2 letter strings ('le', 'y') into `words`.
const lexicon = parseLexicon({ version: 1, minCount: 2, words, domainWords: {} });
const vocabulary = createFactMatcher({ facts: ['Action', 'RPG', 'Indie', 'Multiplayer', 'Class-Based', 'Character Customization', 'Alternate History'] });
const smite = { id: 's', title: 'SMITE', attributes: { genre: ['Action', 'Multiplayer'] } };
const dishonored = { id: 'd', title: 'Dishonored 2', attributes: { genre: ['Action'] } };
const undertale = { id: 'u', title: 'Undertale', attributes: { genre: ['Indie', 'RPG'] } };
const input = (item: ReasonCheckInput['item'], extra: Partial<ReasonCheckInput> = {}): ReasonCheckInput => ({ item, context: { domain: 'game' }, lexicon, vocabulary, ...extra });
const problems = (text: string, i: ReasonCheckInput) => checkFilledReason(text, i).problems.map((p) => `${p.kind}:${p.text ?? ''}`);

describe('fragments the lexicon lets through', () => {
  it("rejects 'le-play' and a stray 'y': a 1–2 letter word must be English, not a title fragment", () => {
    expect(problems('You should play SMITE because it offers a unique combination of action, multiplayer, and le-play elements.', input(smite))).toContain('non-word:le');
    expect(problems('You should play SMITE because it offers a unique combination of action, multiplayer, and y games.', input(smite))).toContain('non-word:y');
  });
  it('keeps short English words and the page own short words', () => {
    expect(problems('You should play it because it is an action game.', input(smite))).toEqual([]);
    const tale = { id: 't', title: 'Le Tour', attributes: { genre: ['Action'] } };
    expect(problems('Le Tour is an action game.', input(tale)).filter((p) => p.startsWith('non-word'))).toEqual([]);
  });
});

describe('feature words (data-derived claim support)', () => {
  it('derives them from the fact vocabulary, without everyday and generic words', () => {
    const f = featureWords(['Class-Based', 'Character Customization', 'Alternate History', 'Action', 'Free to Play']);
    expect([...f].sort()).toEqual(['alternate', 'character', 'class', 'customization']);
  });
  it('rejects a feature the item lacks, in any inflection; accepts it when a fact or the description has it', () => {
    const text = 'With its action gameplay and diverse character classes, Dishonored 2 offers an immersive environment.';
    expect(problems(text, input(dishonored))).toEqual(['unsupported-claim:character', 'unsupported-claim:classes']);
    const tagged = { ...dishonored, attributes: { genre: ['Action', 'Class-Based', 'Character Customization'] } };
    expect(problems(text, input(tagged))).toEqual([]);
    const described = { ...dishonored, description: 'Pick your character and a class.' };
    expect(problems(text, input(described))).toEqual([]);
  });
  it("is no claim in everyday use ('based on', 'history')", () => {
    const plain = unsupportedFeatures(lexiconWords('Based on your history, a game.'), featureWords(['Class-Based', 'Alternate History']), new Set());
    expect(plain).toEqual([]);
  });
});

describe('the item title where it cannot stand', () => {
  it('rejects "with <item>", "like <item>", "and <item>"', () => {
    expect(problems("It's an indie RPG game with Undertale.", input(undertale))).toEqual(['misplaced-item:with Undertale']);
    expect(misplacedItem('Fans of games like Undertale will enjoy it.', undertale)).toBe('like Undertale');
    expect(misplacedItem('It offers indie, RPG, and Undertale.', undertale)).toBe('and Undertale');
    expect(misplacedItem('A game similar to "Undertale" in spirit.', undertale)).toBe('similar to "Undertale');
    expect(misplacedItem('It plays like Undertaleish games.', undertale)).toBeNull(); // not the name: a longer word
  });
  it('accepts the title as the subject or object', () => {
    expect(misplacedItem('Undertale is an indie RPG game.', undertale)).toBeNull();
    expect(misplacedItem('You should play Undertale because it is an indie game.', undertale)).toBeNull();
    expect(misplacedItem('An indie game, Undertale offers charm.', undertale)).toBeNull();
  });
});
