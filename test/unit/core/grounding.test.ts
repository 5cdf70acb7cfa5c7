import { describe, expect, it } from 'vitest';
import { createFactMatcher, termKey } from '../../../src/core/facts.ts';
import { checkReason, templateReason, isRepetitive, MIN_REASON_WORDS, reasonWords } from '../../../src/core/grounding.ts';
import { contentPlan, restrictPlan } from '../../../src/core/plan.ts';
import type { Item, UserContext } from '../../../src/types.ts';

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

describe('templateReason', () => {
  it('history with shared facts: names the closest history titles and what they share', () => {
    const r = templateReason(talos, { domain: 'game', history });
    expect(r.text).toBe('Since you played Half-Life 2 and Portal 2, here is another puzzle and first-person game.');
    expect(r.facts).toEqual([
      { value: 'Half-Life 2', from: 'history', kind: 'title' },
      { value: 'Portal 2', from: 'history', kind: 'title' },
      { value: 'Puzzle', from: 'item', kind: 'genres' },
      { value: 'First-Person', from: 'item', kind: 'genres' },
    ]);
  });

  it('speaks per domain, in two wordings (chosen by the title)', () => {
    const h = [{ title: 'Heat', attributes: { genres: ['Crime'] } }];
    const item = (title: string): Item => ({ id: title, title, attributes: { genres: ['Crime', 'Drama'] } });
    expect(templateReason(item('Thief'), { domain: 'movie', history: h }).text).toBe('Since you watched Heat, here is another crime movie.');
    expect(templateReason(item('Collateral'), { domain: 'movie', history: h }).text).toBe('Another crime movie, like Heat, which you watched.');
    expect(templateReason(item('Collateral'), { domain: 'book', history: h }).text).toBe('Another crime book, like Heat, which you read.');
    // A storefront: we do not know what the visitor did with a history entry, so no verb.
    expect(templateReason(item('Thief'), { domain: 'product', history: h }).text).toBe('It has crime in common with Heat from your history.');
    expect(templateReason(item('Collateral'), { domain: 'product', history: h }).text).toBe('Like Heat in your history, it is listed under crime.');
    expect(templateReason(item('Collateral'), { history: h }).text).toBe('Like Heat in your history, it is listed under crime.');
  });

  it('a name among the facts says who made it, after the noun (not "hip hop and Nas albums")', () => {
    const illmatic = { title: 'Illmatic', attributes: { genres: ['Hip Hop'], artist: 'Nas' } };
    const texts = [templateReason(illmatic, { domain: 'music' }).text, templateReason({ ...illmatic, title: 'Illmatic (Remaster)' }, { domain: 'music' }).text];
    for (const t of texts) expect(t).toMatch(/hip hop album(s)? by Nas/);
    expect(texts.join(' ')).not.toMatch(/and Nas/);
  });

  it('history without shared facts: what the item is, as something new', () => {
    const doom = [{ title: 'Doom', attributes: { tags: ['Action'] } }];
    const r = templateReason(talos, { domain: 'game', history: doom });
    expect(r.text).toBe('Something new for you: a puzzle, first-person and philosophical game.');
    expect(r.facts.map((f) => f.value)).toEqual(['Puzzle', 'First-Person', 'Philosophical']);
    expect(templateReason({ title: 'Strat', attributes: { category: ['Guitars'], brand: 'Fender' } }, { domain: 'product', history: doom }).text).toBe(
      'Something new for you, listed under guitars, from Fender.',
    );
    // Not "new" when the visitor has the item itself in the history.
    expect(templateReason(talos, { domain: 'game', history: [...doom, { title: 'The Talos Principle' }] }).text).toBe(
      'Worth a look if you like puzzle, first-person and philosophical games.',
    );
  });

  it('new visitor: an invitation, never a claim about the visitor', () => {
    expect(templateReason({ title: 'It Takes Two', attributes: { tags: ['Co-op', 'Adventure'] } }, { domain: 'game' }).text).toBe('A co-op and adventure game worth a look.');
    expect(templateReason({ title: 'Hades', attributes: { tags: ['Action', 'Roguelike'] } }, { domain: 'game' }).text).toBe('An action and roguelike game worth a look.');
    expect(templateReason({ title: 'Portal', attributes: { tags: ['Puzzle'] } }, { domain: 'game' }).text).toBe('Worth a look if you like puzzle games.');
    // Storefronts and unknown domains: the page's own labels (a brand keeps its spelling).
    expect(templateReason(talos, {}).text).toBe('The Talos Principle is listed under puzzle, first-person and philosophical.');
    expect(templateReason(talos).text).toBe('The Talos Principle is listed under puzzle, first-person and philosophical.');
    expect(templateReason({ title: 'Strat', attributes: { category: ['Guitars'], brand: 'Fender' } }, { domain: 'guitar' }).text).toBe('Strat is listed under guitars, from Fender.');
    expect(templateReason({ title: '', attributes: { tags: ['Puzzle'] } }, {}).text).toBe('This item is listed under puzzle.');
    // A name alone is no category: an album by its artist.
    expect(templateReason({ title: 'Kid A', attributes: { artist: 'Radiohead' } }, { domain: 'store' }).text).toMatch(/from Radiohead\.$/);
  });

  it('no facts: the title alone', () => {
    expect(templateReason({ title: 'Rust' }, { domain: 'game', history })).toEqual({ text: 'Rust is worth a look.', facts: [{ value: 'Rust', from: 'item', kind: 'title' }] });
    expect(templateReason({ title: 'Rust' }, { domain: 'game' }).text).toBe('Rust is worth a look.');
    expect(templateReason({ title: '' }, {})).toEqual({ text: 'This item is worth a look.', facts: [] });
  });

  it('uses the plan it is given', () => {
    const plan = contentPlan(talos, { domain: 'game', history });
    expect(templateReason(talos, { domain: 'game', history }, plan)).toEqual(templateReason(talos, { domain: 'game', history }));
    expect(templateReason(talos, { domain: 'game', history }, restrictPlan(plan, ['Portal 2'], ['Puzzle'])).text).toBe('Since you played Portal 2, here is another puzzle game.');
  });

  it('credits a fact only to the titles that share it', () => {
    // The Shining shares the director with 2001, Alien the genre: "another science fiction movie by
    // Stanley Kubrick, like The Shining" would be false.
    const odyssey = { title: '2001: A Space Odyssey', attributes: { genres: ['Science Fiction'], director: 'Stanley Kubrick' } };
    const movies = { domain: 'movie', history: [{ title: 'Alien', attributes: { genres: ['Science Fiction', 'Horror'] } }, { title: 'The Shining', attributes: { genres: ['Horror'], director: 'Stanley Kubrick' } }] };
    const text = templateReason(odyssey, movies).text;
    expect(text).toMatch(/The Shining/);
    expect(text).toMatch(/Stanley Kubrick/);
    expect(text).not.toMatch(/Alien|science fiction/i);
  });

  it('keeps page text as plain text (never markup to render)', () => {
    const r = templateReason({ title: '<img src=x onerror=alert(1)>', attributes: { tags: ['<b>Co-op</b>'] } }, { domain: 'game' });
    expect(r.text).toBe('Worth a look if you like <b>co-op</b> games.');
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
      const { text, facts } = templateReason(item, context);
      const check = matcher.citedFacts(text, item, context);
      expect(check.ungrounded, text).toEqual([]);
      const cited = new Set(check.cited.map((f) => termKey(f.value)));
      for (const f of facts) expect(cited.has(termKey(f.value)), `${text} should cite ${f.value}`).toBe(true);
    }
  });
});
