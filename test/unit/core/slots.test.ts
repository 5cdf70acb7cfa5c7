import { describe, expect, it } from 'vitest';
import { domainWords, pluralize, singularize } from '../../../src/core/domains.ts';
import { contentPlan, type ContentPlan } from '../../../src/core/plan.ts';
import { addedTokensV2, factCase, fillSlots, indefiniteArticle, listPhrase, planSlots, planSlotTokens, slotTokens } from '../../../src/core/slots.ts';

function plan(partial: Partial<ContentPlan>): ContentPlan {
  return { domain: 'game', mode: 'new', hasHistory: false, item: { title: 'Portal 2' }, history: [], facts: [], ...partial };
}

const FACTS: ContentPlan['facts'] = [
  { slot: 'f1', value: 'FPS', kind: 'tags', from: 'shared' },
  { slot: 'f2', value: 'Open World', kind: 'tags', from: 'shared' },
  { slot: 'f3', value: 'Co-op', kind: 'tags', from: 'shared' },
];

describe('slot tokens', () => {
  it('one list, in tokenizer order, all starting with <|', () => {
    expect(slotTokens()).toEqual(['<|@item|>', '<|@h1|>', '<|@h2|>', '<|@f1|>', '<|@f2|>', '<|@f3|>', '<|@noun|>', '<|@nouns|>', '<|@did|>']);
    expect(addedTokensV2().slice(0, 2)).toEqual(['<|new|>', '<|facts|>']);
    expect(addedTokensV2()).toHaveLength(11);
  });

  it('planSlots: only what the plan defines', () => {
    const p = plan({ mode: 'history', history: [{ slot: 'h1', title: 'Half-Life 2', shared: ['FPS'] }], facts: FACTS.slice(0, 1) });
    expect(planSlots(p)).toEqual(['item', 'h1', 'f1', 'noun', 'nouns', 'did']);
    expect(planSlotTokens(p)).toContain('<|@h1|>');
    expect(planSlotTokens(p)).not.toContain('<|@h2|>');
  });
});

describe('indefiniteArticle', () => {
  it.each([
    ['FPS', 'an'],
    ['RPG', 'an'],
    ['MMO', 'an'],
    ['VR', 'a'],
    ['open world', 'an'],
    ['unique', 'a'],
    ['umbrella', 'an'],
    ['user-friendly', 'a'],
    ['one-off', 'a'],
    ['hour-long', 'an'],
    ['8-bit', 'an'],
    ['18th-century', 'an'],
    ['2D', 'a'],
    ['puzzle', 'a'],
    ['indie', 'an'],
    ['European', 'a'],
    ['underground', 'an'],
  ])('%s → %s', (phrase, article) => {
    expect(indefiniteArticle(phrase)).toBe(article);
  });
});

describe('factCase', () => {
  it('lower-cases Capitalized words, keeps acronyms, mixed case and names', () => {
    expect(factCase('Open World', 'tags')).toBe('open world');
    expect(factCase('FPS', 'tags')).toBe('FPS');
    expect(factCase('Co-op', 'tags')).toBe('co-op');
    expect(factCase('PvP', 'tags')).toBe('PvP');
    expect(factCase('2D Platformer', 'tags')).toBe('2D platformer');
    expect(factCase('Fender', 'brand')).toBe('Fender');
    expect(factCase('Open World', 'developer')).toBe('Open World');
    expect(factCase('World War II', 'tags')).toBe('World War II');
    expect(factCase('World War I', 'tags')).toBe('World War I');
    expect(factCase('Action RPG', 'tags')).toBe('action RPG');
  });
});

describe('lists and domain words', () => {
  it('listPhrase', () => {
    expect(listPhrase(['a'])).toBe('a');
    expect(listPhrase(['a', 'b'])).toBe('a and b');
    expect(listPhrase(['a', 'b', 'c'])).toBe('a, b and c');
  });
  it('domainWords: known domains and a generic rule', () => {
    expect(domainWords('game')).toEqual({ noun: 'game', nouns: 'games', did: 'played' });
    expect(domainWords('music').did).toBe('listened to');
    expect(domainWords('guitar')).toEqual({ noun: 'guitar', nouns: 'guitars', did: 'bought' });
    expect(domainWords('instruments')).toEqual({ noun: 'instrument', nouns: 'instruments', did: 'bought' });
    expect(domainWords('Books').noun).toBe('book');
    expect(domainWords('123').noun).toBe('product');
    expect(pluralize('accessory')).toBe('accessories');
    expect(pluralize('box')).toBe('boxes');
    expect(singularize('accessories')).toBe('accessory');
    expect(singularize('glass')).toBe('glass');
  });
});

describe('fillSlots', () => {
  const p = plan({ mode: 'history', history: [{ slot: 'h1', title: 'Half-Life 2', shared: ['FPS'] }, { slot: 'h2', title: 'inFAMOUS', shared: ['Open World'] }], facts: FACTS });

  it('titles verbatim, facts cased, a/an agreeing, domain words', () => {
    const r = fillSlots('Because you <|@did|> <|@h1|>, <|@item|> is a <|@f1|> <|@noun|> and a <|@f2|> one.<|end|>ignored', p);
    expect(r.text).toBe('Because you played Half-Life 2, Portal 2 is an FPS game and an open world one.');
    expect(r.used).toEqual(['did', 'h1', 'item', 'f1', 'noun', 'f2']);
    expect(r.unknown).toEqual([]);
  });

  it('cited facts are exactly the slots used', () => {
    const r = fillSlots('<|@item|> is <|@f3|>, like <|@h1|>.', p);
    expect(r.facts).toEqual([
      { value: 'Portal 2', from: 'item', kind: 'title' },
      { value: 'Co-op', from: 'item', kind: 'tags' },
      { value: 'Half-Life 2', from: 'history', kind: 'title' },
    ]);
  });

  it('adjacent fact slots become a list; spaced ones stay adjectives', () => {
    expect(fillSlots('It is <|@f1|><|@f2|><|@f3|>.', p).text).toBe('It is FPS, open world and co-op.');
    expect(fillSlots('An <|@f3|> <|@f1|> <|@noun|>.', p).text).toBe('A co-op FPS game.');
    expect(fillSlots('It is an <|@f2|><|@f3|> <|@noun|>.', p).text).toBe('It is an open world and co-op game.');
  });

  it('capitalizes at sentence starts, but never re-cases a title', () => {
    expect(fillSlots('<|@f2|> and more. <|@nouns|> like this are rare.', p).text).toBe('Open world and more. Games like this are rare.');
    expect(fillSlots('<|@h2|> fans will like it.', p).text).toBe('inFAMOUS fans will like it.');
    expect(fillSlots('a <|@f1|> <|@noun|>.', p).text).toBe('An FPS game.');
  });

  it('reports undefined and malformed markers and leaves them out', () => {
    const q = plan({ facts: FACTS.slice(0, 1) });
    const r = fillSlots('<|@item|> is <|@f2|> like <|@h1|> <|@bogus|><|reason|>.', q);
    expect(r.unknown).toEqual(['<|@f2|>', '<|@h1|>', '<|@bogus|>', '<|reason|>']);
    expect(r.text).not.toContain('<|');
    expect(r.used).toEqual(['item']);
  });

  it('"the <noun> "<title>"" is written as the title alone', () => {
    expect(fillSlots('You should try the <|@noun|> "<|@item|>" because it is <|@f3|>.', p).text).toBe('You should try Portal 2 because it is co-op.');
    expect(fillSlots('Like the <|@noun|> <|@h1|>, it is <|@f3|>.', p).text).toBe('Like Half-Life 2, it is co-op.');
    expect(fillSlots('The <|@noun|> is <|@f3|>.', p).text).toBe('The game is co-op.');
  });

  it('a title that ends in a period ends the sentence with one period', () => {
    const q = plan({ mode: 'history', history: [{ slot: 'h1', title: 'The Notorious B.I.G.', shared: ['FPS'] }], facts: FACTS });
    expect(fillSlots('It is <|@f1|>, like <|@h1|>.', q).text).toBe('It is FPS, like The Notorious B.I.G.');
    expect(fillSlots('Wait for it...', q).text).toBe('Wait for it...');
  });

  it('possessive and quotes around titles', () => {
    expect(fillSlots('"<|@item|>" is as good as <|@h1|>\'s sequel.', p).text).toBe('"Portal 2" is as good as Half-Life 2\'s sequel.');
  });

  it('a category fact before the noun takes its place (outside the training domains)', () => {
    const shop = contentPlan({ title: 'Player Strat', attributes: { category: ['Instruments', 'Electric Guitars'], brand: 'Fender' } }, { domain: 'product' });
    expect(fillSlots('<|@item|> is an <|@f1|> <|@noun|> by <|@f3|>.', shop).text).toBe('Player Strat is an electric guitar by Fender.');
    expect(fillSlots('More <|@f2|> <|@nouns|> soon.', shop).text).toBe('More instruments soon.');
    const news = contentPlan({ title: 'Match report', attributes: { category: 'sports' } }, { domain: 'news' });
    expect(fillSlots('A <|@f1|> <|@noun|>.', news).text).toBe('A sports article.');
  });

  it('a/an before a plural category that heads its phrase: the category in the singular ("a microphones." → "a microphone.")', () => {
    const mic = contentPlan({ title: 'Shure SM58', attributes: { category: ['Recording', 'Microphones'], brand: 'Shure' } }, { domain: 'product' });
    expect(fillSlots("It's a <|@f1|>.", mic).text).toBe("It's a microphone.");
    expect(fillSlots('<|@item|> is a <|@f1|> from <|@f3|>.', mic).text).toBe('Shure SM58 is a microphone from Shure.');
    const fx = contentPlan({ title: 'TS9', attributes: { category: ['Guitar Pedals', 'Effects'] } }, { domain: 'product' });
    expect(fillSlots('It is a <|@f1|>, built to last.', fx).text).toBe('It is an effect, built to last.');
    // Not the head (another word follows: "a microphones recording"), a list, or no plural: left as written (the check flags the first).
    expect(fillSlots("It's a <|@f1|> <|@f2|>.", mic).text).toBe("It's a microphones recording.");
    expect(fillSlots("It's a <|@f1|><|@f2|>.", mic).text).toBe("It's a microphones and recording.");
    const mass = contentPlan({ title: 'X', attributes: { category: ['Electronics'] } }, { domain: 'product' });
    expect(fillSlots("It's an <|@f1|>.", mass).text).toBe("It's an electronics.");
    // A genre or tag is no noun: unchanged.
    const game = contentPlan({ title: 'FIFA', attributes: { tags: ['Sports'] } }, { domain: 'game' });
    expect(fillSlots("It's a <|@f1|>.", game).text).toBe("It's a sports.");
  });

  it('a category path\'s value is called a category where the model wrote "genre" or "tag"', () => {
    const board = contentPlan({ title: 'Risk', attributes: { category: ['Board Games', 'Strategy Games'] } }, { domain: 'product' });
    const [f1, f2] = board.facts.map((f) => f.slot);
    expect(fillSlots(`It falls under the <|@${f1}|> genre.`, board).text).toBe(`It falls under the ${board.facts[0]!.value.toLowerCase()} category.`);
    expect(fillSlots(`It falls under the <|@${f1}|> and <|@${f2}|> genres.`, board).text).toMatch(/ and .* categories\.$/);
    expect(fillSlots(`It falls under the <|@${f1}|><|@${f2}|> tags.`, board).text).toMatch(/ categories\.$/);
    // Two values listed before one "category": "the cables and musical instruments categories".
    expect(fillSlots(`It falls under the <|@${f1}|><|@${f2}|> category.`, board).text).toMatch(/ and .* categories\.$/);
    expect(fillSlots(`It falls under the <|@${f1}|> category.`, board).text).toMatch(/ category\.$/);
    expect(fillSlots(`It falls under the <|@${f1}|> and <|@${f2}|> category.`, board).text).toMatch(/ and .* categories\.$/);
    // Genres too, where the noun ends its phrase; as a modifier it stays singular.
    const divinity = contentPlan({ title: 'Divinity', attributes: { genres: ['Adventure', 'RPG'] } }, { domain: 'game' });
    expect(fillSlots('It falls under the <|@f1|> and <|@f2|> genre.', divinity).text).toBe('It falls under the adventure and RPG genres.');
    expect(fillSlots('It falls under the <|@f1|><|@f2|> genre, like Rust.', divinity).text).toBe('It falls under the adventure and RPG genres, like Rust.');
    expect(fillSlots('It is an <|@f1|> and <|@f2|> genre game.', divinity).text).toBe('It is an adventure and RPG genre game.');
    expect(fillSlots('It falls under the <|@f1|> genre.', divinity).text).toBe('It falls under the adventure genre.');
    expect(fillSlots(`It falls under the genres of <|@${f1}|>.`, board).text).toMatch(/^It falls under the categories of /);
    expect(fillSlots(`It has genres such as <|@${f1}|>.`, board).text).toMatch(/^It has categories such as /);
    // Other words after the value, and a genre word that is part of another word: untouched.
    expect(fillSlots(`A <|@${f1}|> genreless pick.`, board).text).toContain('genreless');
    expect(fillSlots(`The <|@${f1}|> genre-bending pick.`, board).text).toContain(' genre-bending');
    // A game's genres and tags are genres and tags.
    const game = contentPlan({ title: 'FIFA', attributes: { genres: ['Sports'] } }, { domain: 'game' });
    expect(fillSlots('It falls under the <|@f1|> genre.', game).text).toBe('It falls under the sports genre.');
  });

  it('a noun listed as one more fact is written after the facts ("action, indie, and games" → "action and indie games")', () => {
    const game = contentPlan({ title: 'Rust', attributes: { genres: ['Action', 'Indie', 'Adventure'] } }, { domain: 'game' });
    expect(fillSlots('Based on your history, you enjoy <|@f1|>, <|@f2|>, and <|@nouns|>.', game).text).toBe('Based on your history, you enjoy action and indie games.');
    expect(fillSlots("You've shown a preference for <|@f1|>, <|@f2|>, <|@f3|> and <|@nouns|>.", game).text).toBe("You've shown a preference for action, indie and adventure games.");
    expect(fillSlots('You enjoy <|@f1|> and <|@nouns|>.', game).text).toBe('You enjoy action games.');
    expect(fillSlots('You should try <|@item|> because it is an <|@f1|>, <|@f2|>, and <|@noun|>.', game).text).toBe('You should try Rust because it is an action and indie game.');
    expect(fillSlots("It's a <|@f2|>, <|@f1|> and <|@noun|>.", game).text).toBe("It's an indie and action game.");
    // After a blend word the repair would make the item a mix of games: left for the check.
    expect(fillSlots('It combines <|@f1|>, <|@f2|>, and <|@nouns|>.', game).text).toBe('It combines action, indie, and games.');
    expect(fillSlots('You enjoy <|@nouns|> with <|@f1|>, <|@f2|>, and <|@nouns|>.', game).text).toBe('You enjoy games with action, indie, and games.');
    // Not a fact before the noun (a title), or more between them: left for the check.
    expect(fillSlots('Games like <|@item|> and <|@nouns|>.', game).text).toBe('Games like Rust and games.');
    expect(fillSlots('An <|@f1|> game and other <|@nouns|>.', game).text).toBe('An action game and other games.');
  });

  it('a comma splice after what the visitor likes gets its "so" ("…, so Aliens is a perfect choice"); other commas stay', () => {
    const movie = contentPlan({ title: 'Aliens', attributes: { genres: ['Science Fiction'] } }, { domain: 'movie' });
    expect(fillSlots('Based on your history, you enjoy <|@f1|>, <|@item|> is a perfect choice for you.', movie).text).toBe('Based on your history, you enjoy science fiction, so Aliens is a perfect choice for you.');
    expect(fillSlots('It is great. You seem to enjoy <|@f1|>, "<|@item|>" will be a hit.', movie).text).toBe('It is great. You seem to enjoy science fiction, so "Aliens" will be a hit.');
    // A subordinate clause before the comma, or a sentence that does not open with the visitor: unchanged.
    expect(fillSlots('Given that you enjoy <|@f1|>, <|@item|> is a great pick.', movie).text).toBe('Given that you enjoy science fiction, Aliens is a great pick.');
    expect(fillSlots('If you like <|@f1|>, <|@item|> is for you.', movie).text).toBe('If you like science fiction, Aliens is for you.');
    expect(fillSlots('It offers <|@f1|>, <|@item|> is fun.', movie).text).toBe('It offers science fiction, Aliens is fun.');
    // Joined already, or another clause between: unchanged.
    expect(fillSlots('You enjoy <|@f1|> <|@nouns|>, and <|@item|> is one.', movie).text).toBe('You enjoy science fiction movies, and Aliens is one.');
  });

  it('a mix of one fact after a verb of liking is that fact\'s things ("you seem to enjoy science fiction movies")', () => {
    const movie = contentPlan({ title: 'Aliens', attributes: { genres: ['Science Fiction'], director: 'James Cameron' } }, { domain: 'movie' });
    expect(fillSlots('Based on your history, you seem to enjoy a variety of <|@f1|>, <|@item|> is a perfect choice for you.', movie).text).toBe('Based on your history, you seem to enjoy science fiction movies, so Aliens is a perfect choice for you.');
    expect(fillSlots('You have a preference for a wide range of <|@f2|>.', movie).text).toBe('You have a preference for James Cameron movies.');
    const board = contentPlan({ title: 'Risk', attributes: { category: ['Board Games'] } }, { domain: 'product' });
    expect(fillSlots('You seem to enjoy a variety of <|@f1|>, so <|@item|> fits.', board).text).toBe('You seem to enjoy board games, so Risk fits.');
    // Two facts make a mix; after "offers" or "combines" the cut would say nothing: unchanged.
    expect(fillSlots('You enjoy a mix of <|@f1|> and <|@f2|>.', movie).text).toBe('You enjoy a mix of science fiction and James Cameron.');
    expect(fillSlots('It offers a unique blend of <|@f1|>.', movie).text).toBe('It offers a unique blend of science fiction.');
  });

  it('"falls under the <fact> movie", or a name\'s "genre", is what the item is ("it is a crime movie")', () => {
    const movie = contentPlan({ title: 'Fargo', attributes: { genres: ['Crime'], director: 'Joel Coen' } }, { domain: 'movie' });
    expect(fillSlots('It falls under the <|@f1|> <|@noun|>, similar to "<|@item|>".', movie).text).toBe('It is a crime movie, similar to "Fargo".');
    expect(fillSlots('You should try "<|@item|>" because it falls under the <|@f2|> genre.', movie).text).toBe('You should try "Fargo" because it is a Joel Coen movie.');
    expect(fillSlots('It falls under the <|@f2|> category.', movie).text).toBe('It is a Joel Coen movie.');
    // A genre's genre is right; a plural noun or more words after it: unchanged.
    expect(fillSlots('It falls under the <|@f1|> genre.', movie).text).toBe('It falls under the crime genre.');
    expect(fillSlots('It falls under the <|@f1|> <|@nouns|>.', movie).text).toBe('It falls under the crime movies.');
    // "which is a genre" after the repair would call a director a genre: unchanged, for the check.
    expect(fillSlots('It falls under the <|@f2|> genre, which is a genre you have enjoyed.', movie).text).toBe('It falls under the Joel Coen genre, which is a genre you have enjoyed.');
    const guitar = contentPlan({ title: 'Player Telecaster', attributes: { category: ['Electric Guitars'] } }, { domain: 'product' });
    expect(fillSlots('It falls under the <|@f1|> <|@noun|>.', guitar).text).toBe('It is an electric guitar.');
  });

  it('an article before a title that heads its phrase is left out ("just like the Team Fortress 2.")', () => {
    const game = contentPlan({ title: 'Rust', attributes: { genres: ['Action'] } }, { domain: 'game', history: [{ title: 'The Witcher', attributes: { genres: ['Action'] } }] });
    expect(fillSlots("It's an <|@f1|> <|@noun|>, just like the <|@h1|>.", game).text).toBe("It's an action game, just like The Witcher.");
    expect(fillSlots('It is like the "<|@h1|>" and more.', game).text).toBe('It is like "The Witcher" and more.');
    // The article of another noun stays: "the <|@h1|> community".
    expect(fillSlots('Fans of the <|@h1|> series will like <|@item|>.', game).text).toBe('Fans of the The Witcher series will like Rust.');
  });

  it('fills for an unknown domain from the generic rule', () => {
    const g = contentPlan({ title: 'Player Strat', attributes: { tags: ['Vintage'] } }, { domain: 'guitar', history: [{ title: 'Les Paul', attributes: { tags: ['Vintage'] } }] });
    expect(fillSlots('Since you <|@did|> <|@h1|>, another <|@f1|> <|@noun|>.', g).text).toBe('Since you bought Les Paul, another vintage guitar.');
  });

  it('plain text stays plain (no HTML interpretation)', () => {
    const q = plan({ item: { title: '<b>Bold</b>' } });
    expect(fillSlots('<|@item|> rocks.', q).text).toBe('<b>Bold</b> rocks.');
  });
});
