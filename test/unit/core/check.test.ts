import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFilledReason, trainingDomainOf, type ProblemKind, type ReasonCheckInput } from '../../../src/core/check.ts';
import { Dictionary, lexiconWords, pageWords, parseLexicon } from '../../../src/core/dictionary.ts';
import { createFactMatcher } from '../../../src/core/facts.ts';
import { templateReason } from '../../../src/core/grounding.ts';
import { capitalizedRuns, quotedSpans, searchable } from '../../../src/core/names.ts';
import { DOMAIN_WORD_RULE, domainIndex, domainWordLists, foreignWordList, offDomainWords } from '../../../src/core/off-domain.ts';
import { contentPlan, jointlyShared } from '../../../src/core/plan.ts';
import { fillSlots } from '../../../src/core/slots.ts';
import { InvalidInputError } from '../../../src/errors.ts';
import { mulberry32 } from '../../../src/core/random.ts';
import type { Item, UserContext } from '../../../src/types.ts';

const root = join(import.meta.dirname, '../../..');
const small = parseLexicon(JSON.parse(readFileSync(join(root, 'test/fixtures/lexicon-small.json'), 'utf8')));
// The lexicon shipped with today's model (scripts/build-lexicon.ts on the v1 training rows).
const shipped = parseLexicon(JSON.parse(readFileSync(join(root, 'public/models/because-reason-v1/lexicon.json'), 'utf8')));

const kinds = (text: string, input: ReasonCheckInput): ProblemKind[] => checkFilledReason(text, input).problems.map((p) => p.kind);

// Pages of the scenarios.
const portal2 = { title: 'Portal 2', attributes: { tags: ['Puzzle', 'Co-op', 'First-Person'] } };
const halfLife2 = { title: 'Half-Life 2', attributes: { tags: ['First-Person', 'Action', 'FPS'] } };
const borderlands2 = { title: 'Borderlands 2', attributes: { tags: ['Action', 'RPG', 'Co-op'] } };
const played: UserContext = { domain: 'game', history: [portal2, halfLife2, borderlands2] };
const newGamer: UserContext = { domain: 'game' };
const csgo: Item = { id: 'csgo', title: 'Counter-Strike: Global Offensive', attributes: { tags: ['Action', 'Free to Play', 'FPS'] } };
const rust: Item = { id: 'rust', title: 'Rust', attributes: { tags: ['Survival', 'Crafting', 'Open World'] } };
const left4dead: Item = { id: 'l4d2', title: 'Left 4 Dead 2', attributes: { tags: ['Action', 'Co-op', 'Zombies'] } };
const strat: Item = {
  id: 'strat',
  title: 'Fender Player Stratocaster',
  attributes: { category: ['Musical Instruments', 'Guitars', 'Electric Guitars'], brand: 'Fender' },
};
const guitarShop: UserContext = { domain: 'product' };
const guitarFan: UserContext = { domain: 'product', history: [{ title: 'Fender Player Telecaster', attributes: { category: ['Electric Guitars'], brand: 'Fender' } }] };
const talos: Item = { id: 't', title: 'The Talos Principle', attributes: { genres: ['Puzzle', 'First-Person'], tags: ['Philosophical'] } };
const stardew: Item = { id: 's', title: 'Stardew Valley', attributes: { tags: ['Farming Sim', 'Relaxing', 'Pixel Graphics'] } };
const collateral: Item = { id: 'c', title: 'Collateral', attributes: { genres: ['Crime', 'Drama', 'Thriller'] } };
const movieFan: UserContext = { domain: 'movie', history: [{ title: 'Heat', attributes: { genres: ['Crime', 'Action', 'Thriller'] } }] };
const wind: Item = { id: 'w', title: 'The Name of the Wind', attributes: { genres: ['Fantasy'] } };
const reader: UserContext = { domain: 'book', history: [{ title: 'The Hobbit', attributes: { genres: ['Fantasy'] } }] };
const pageTitles = ['Portal 2', 'Rust', 'Counter-Strike: Global Offensive', 'Left 4 Dead 2', 'Dota 2', 'The Talos Principle'];
// The closed vocabulary as the engine passes it (facts_vocab.json plus catalog titles), in small.
const vocabulary = createFactMatcher({ facts: ['Action', 'Puzzle', 'Co-op', 'RPG', 'Survival', 'Roguelike', 'Open World'], titles: ['DARK SOULS III', 'Grand Theft Auto: San Andreas', 'Dota 2'] });

describe('checkFilledReason: the failures the issue saw are all rejected', () => {
  const cases: { text: string; item: Item; context: UserContext; expect: ProblemKind[] }[] = [
    {
      // Empty history.
      text: 'Based on your history, you enjoy action games like "DARK SOULS III", "DARK SOULS III", and "Counter-Strike: Global Offensive".',
      item: { id: 'hl2', title: 'Half-Life 2', attributes: { tags: ['Action', 'FPS'] } },
      context: newGamer,
      expect: ['quoted', 'unknown-name', 'ungrounded', 'page-title', 'history-claim'],
    },
    {
      // History Portal 2 / Half-Life 2 / Borderlands 2, on 8 cards.
      text: 'Based on your history, you enjoy action games like "Grand Theft Auto: San Andreas" and "Counter-Strike: Global Global Offensive".',
      item: left4dead,
      context: played,
      expect: ['quoted', 'unknown-name', 'repeated-word', 'ungrounded'],
    },
    {
      text: 'You should play The Fall Loco Add-On because it is an action-packed game that is free to playing.',
      item: csgo,
      context: played,
      expect: ['unknown-name'],
    },
    {
      text: 'Because you played Portal 2, you\'ll likely enjoy "The andSC-Strike: the opportunity to explore, similar to "Starbucks in the NecroDDDDDDDDDDDDDDD…',
      item: rust,
      context: played,
      expect: ['quoted', 'broken-word', 'repeated-chars'],
    },
    {
      // Guitar shop, new visitor.
      text: 'The user would enjoy the business because it offers a variety of delicious food options like the Bacon bacon and Mala …',
      item: strat,
      context: guitarShop,
      expect: ['repeated-word', 'non-word', 'off-domain'],
    },
    {
      text: 'Based on your previous news viewing history, …',
      item: strat,
      context: guitarShop,
      expect: ['history-claim', 'off-domain'],
    },
  ];
  for (const c of cases) {
    it(c.text.slice(0, 70), () => {
      const r = checkFilledReason(c.text, { item: c.item, context: c.context, lexicon: shipped, vocabulary, pageTitles });
      expect(r.ok).toBe(false);
      const found = new Set(r.problems.map((p) => p.kind));
      for (const k of c.expect) expect(found, `${k} in ${JSON.stringify(r.problems)}`).toContain(k);
      expect(r.banned.length).toBeGreaterThan(0);
    });
  }

  it('names the offenders and bans them for the regeneration', () => {
    const r = checkFilledReason(cases[0]?.text as string, { item: cases[0]?.item as Item, context: newGamer, lexicon: shipped, vocabulary, pageTitles });
    expect(r.banned).toEqual(expect.arrayContaining(['DARK SOULS III', 'Counter-Strike: Global Offensive', 'Based on your history']));
    const guitar = checkFilledReason(cases[4]?.text as string, { item: strat, context: guitarShop, lexicon: shipped });
    expect(guitar.problems).toEqual(expect.arrayContaining([{ kind: 'off-domain', text: 'delicious' }, { kind: 'non-word', text: 'Mala' }, { kind: 'repeated-word', text: 'Bacon bacon' }]));
    expect(guitar.banned).toEqual(expect.arrayContaining(['delicious', 'Mala']));
  });
});

describe('checkFilledReason: fluent, truthful reasons pass (shipped lexicon)', () => {
  const good: [string, Item, UserContext][] = [
    ['Because you played Portal 2, The Talos Principle is another first-person puzzle game that will make you think.', talos, played],
    ['If you enjoyed the puzzles in Portal 2 and Half-Life 2, this philosophical first-person game is a natural next step.', talos, played],
    ['Fans of Portal 2 will find the same clever puzzle design here, with a more philosophical story.', talos, played],
    ['The Talos Principle shares the first-person puzzle solving you liked in Half-Life 2.', talos, played],
    ['Since you played Portal 2, you will probably enjoy the thoughtful puzzles and calm pace of this game.', talos, played],
    ['Like Portal 2, it is a first-person puzzle game, but it asks bigger questions along the way.', talos, played],
    ['You have played Half-Life 2 and Portal 2, so a puzzle game built around first-person exploration is a good fit.', talos, played],
    ['Its puzzles start simple and grow more demanding, much like the later chambers of Portal 2.', talos, played],
    ['A relaxing farming sim with charming pixel graphics, perfect for winding down after a long day.', stardew, newGamer],
    ['Stardew Valley is a calm, relaxing game where you grow crops, raise animals and make friends in town.', stardew, newGamer],
    ['If you like relaxing games with pixel graphics, this farming sim is an easy one to recommend.', stardew, newGamer],
    ['A gentle game about farming and friendship, with simple controls and plenty to do each season.', stardew, newGamer],
    ['Plant a farm, fix up the old house and take your time: this is a game that never rushes you.', stardew, newGamer],
    ['Because you watched Heat, Collateral is another tense crime thriller with a strong drama at its heart.', collateral, movieFan],
    ['If you liked the crime and thriller mix of Heat, this one should be right up your alley.', collateral, movieFan],
    ['Collateral is a crime drama with the same slow-burning tension that made Heat work so well.', collateral, movieFan],
    ['Another crime thriller for your list, with a tight story and memorable performances.', collateral, movieFan],
    ['The Name of the Wind is a fantasy novel with rich world building, a good pick after The Hobbit.', wind, reader],
    ['Since you read The Hobbit, this sweeping fantasy story is a natural next book.', wind, reader],
    ['A beautifully written fantasy tale about a gifted young man telling his own story.', wind, reader],
    ['A classic electric guitar from Fender with a bright, clear sound that suits many styles.', strat, guitarShop],
    ['Since you bought the Fender Player Telecaster, the Stratocaster is a natural second electric guitar.', strat, guitarFan],
    ['This Fender is easy to play, stays in tune and looks great on stage.', strat, guitarShop],
    ['A versatile electric guitar for beginners and experienced players alike.', strat, guitarShop],
    ['Electric guitars like this one are a great way to explore new sounds and styles.', strat, guitarShop],
    ['A solid choice if you want a dependable guitar from a well known brand.', strat, guitarShop],
    ['With its comfortable neck and light body, it is a pleasure to play for hours.', strat, guitarShop],
    ['Great value for the price, and the Fender name means it should last for years.', strat, guitarShop],
    ['It has the same feel as the Fender Player Telecaster you already own, with a different voice.', strat, guitarFan],
    ['Whether you play blues, rock or pop, this guitar handles it with ease.', strat, guitarShop],
  ];
  it('has 30 sentences', () => expect(good).toHaveLength(30));
  for (const [text, item, context] of good) {
    it(text.slice(0, 70), () => {
      const r = checkFilledReason(text, { item, context, lexicon: shipped, vocabulary, pageTitles });
      expect(r.problems, text).toEqual([]);
      expect(r.ok).toBe(true);
    });
  }
});

describe('checkFilledReason: each rule', () => {
  const base: ReasonCheckInput = { item: talos, context: played, lexicon: small };

  it('rejects empty, too short and repetitive text as the closed check does', () => {
    expect(checkFilledReason('  ', base)).toEqual({ ok: false, problems: [{ kind: 'empty' }], banned: [], cited: [] });
    expect(kinds('A puzzle game', base)).toEqual(['too-short']);
    expect(kinds('a puzzle game, a puzzle game, a puzzle game for you', base)).toContain('repetitive');
  });

  it('quoted spans: only item and history titles (or their short forms)', () => {
    expect(kinds('Because you played "Portal 2", "The Talos Principle" is a puzzle game.', base)).toEqual([]);
    expect(kinds('Because you played \u201cHalf-Life 2\u201d, this is a first-person puzzle game.', base)).toEqual([]);
    expect(checkFilledReason('A puzzle game like "Portal" fans will love.', { ...base, item: { title: 'X', attributes: {} }, context: { history: [{ title: 'Portal: Still Alive' }] } }).ok).toBe(true);
    expect(checkFilledReason('This is a puzzle game, "just like one" you love.', base).problems).toContainEqual({ kind: 'quoted', text: 'just like one' });
    expect(checkFilledReason("A puzzle game with a 'mind bending' story.", base).problems).toContainEqual({ kind: 'quoted', text: 'mind bending' });
    // Apostrophes are not quotes.
    expect(kinds("It's a puzzle game the players' friends will love, and you'll think.", { ...base, lexicon: shipped })).toEqual([]);
    // A quote left open by a cut text.
    expect(checkFilledReason('A puzzle game like "Portal Three', base).problems).toContainEqual({ kind: 'quoted', text: 'Portal Three' });
    // A fact is no title: 'just like "The Notorious B.I.G."' under one of its albums.
    const album = { item: { title: 'Ready to Die', attributes: { genres: ['Hip Hop'], artist: 'The Notorious B.I.G.' } }, context: { domain: 'music' } };
    expect(checkFilledReason('It falls under the hip hop category, just like "The Notorious B.I.G."', album).problems.map((p) => p.kind)).toContain('quoted');
    expect(checkFilledReason('It falls under the hip hop category, just like The Notorious B.I.G.', album).problems.map((p) => p.kind)).not.toContain('quoted');
    expect(checkFilledReason('It falls under the hip hop category, just like The Notorious B.I.G.', { ...album, plan: contentPlan(album.item, album.context) }).problems.map((p) => p.kind)).toContain('self-comparison');
    expect(checkFilledReason('It is a hip hop album by The Notorious B.I.G.', { ...album, plan: contentPlan(album.item, album.context) }).problems.map((p) => p.kind)).not.toContain('self-comparison');
  });

  it('names and quotes may be parts of titles, whole long titles, catalog-order titles', () => {
    const names: ReasonCheckInput = { item: talos, lexicon: undefined, context: {} };
    const headline = 'Prince Andrew says he let the Royal Family down in his relationship with Jeffrey Epstein, the financier';
    const news: ReasonCheckInput = { ...names, item: { title: headline, attributes: { category: ['news'] } }, context: { domain: 'news' } };
    // "Jeffrey Epstein" lies past the prompt's 80 characters, and is a part of the title.
    expect(kinds('This story about Jeffrey Epstein and the Royal Family is worth reading.', news)).toEqual([]);
    expect(kinds(`You should read "${headline}" today.`, news)).toEqual([]);
    expect(checkFilledReason('This story about Prince Charles and the family.', news).problems).toEqual([{ kind: 'unknown-name', text: 'Prince Charles' }]);
    // Punctuation and quote marks inside a quoted title do not matter.
    const dog: ReasonCheckInput = { ...names, item: { title: "Please Don't Yell at Your Dog!", attributes: {} } };
    expect(kinds('You should read "Please Don\'t Yell at Your Dog" today.', dog)).toEqual([]);
    const awww: ReasonCheckInput = { ...names, context: { history: [{ title: '60 of the Most Adorable Animal Pictures That Will Make You Say "Awww"' }] } };
    expect(kinds('Since you read "60 of the Most Adorable Animal Pictures That Will Make You Say \'Awww\'", try this puzzle game.', awww)).toEqual([]);
    // Initials with the number.
    expect(kinds('GTA V has a huge open world to explore.', { ...names, item: { title: 'Grand Theft Auto V', attributes: {} } })).toEqual([]);
    // MovieLens' "Fugitive, The" is written "The Fugitive".
    expect(kinds('You should watch "The Fugitive", a tense thriller.', { ...names, item: { title: 'Fugitive, The', attributes: {} } })).toEqual([]);
    // A part of a title, not a new title made from it.
    const sequel = checkFilledReason('Try The Talos Principle 2 next.', names);
    expect(sequel.problems).toEqual([{ kind: 'unknown-name', text: 'Try The Talos Principle 2' }]);
    expect(sequel.banned).toEqual(['The Talos Principle 2']);
  });

  it('capitalized names: known titles, aliases and facts pass; others are named', () => {
    expect(kinds('Because you played Portal 2 and Half-Life 2, The Talos Principle is a Puzzle game.', base)).toEqual([]);
    const names: ReasonCheckInput = { ...base, lexicon: undefined };
    expect(checkFilledReason('A puzzle game for fans of Grand Theft Auto.', names).problems).toEqual([{ kind: 'unknown-name', text: 'Grand Theft Auto' }]);
    expect(checkFilledReason('Like Portal 2 and Half-Life 3, it is a puzzle game.', names).problems).toEqual([{ kind: 'unknown-name', text: 'Half Life 3' }]);
    // A sentence's first word is grammar ("In", "Because") or just capitalized ("Dark Souls": "Souls" must be known).
    expect(kinds('In Portal 2 you think; this puzzle game is more of that.', names)).toEqual([]);
    const souls = checkFilledReason('Dark Souls fans will love this puzzle game.', names);
    expect(souls.problems).toEqual([{ kind: 'unknown-name', text: 'Dark Souls' }]);
    expect(souls.banned).toEqual(['Souls']);
    // One capitalized word is not a name.
    expect(kinds('A puzzle game that Valve fans will love.', names)).toEqual([]);
  });

  it('words: in the corpus or on the page; repeated characters and glued tokens are named', () => {
    expect(kinds('A philosophical puzzle game you will love.', base)).toEqual([]);
    expect(checkFilledReason('A puzzle game with zorblax and more.', base).problems).toEqual([{ kind: 'non-word', text: 'zorblax' }]);
    expect(checkFilledReason('A puzzle game for you andSC more.', base).problems).toEqual([{ kind: 'broken-word', text: 'andSC' }]);
    expect(checkFilledReason('A puzzle game for you, NecroDDDDDDD.', base).problems).toEqual([{ kind: 'repeated-chars', text: 'NecroDDDDDDD' }]);
    // The page's own words are words, and so are inflections of known words and Roman numerals.
    expect(kinds('A puzzle game, Principle III, for players who love playing.', { ...base, item: { ...talos, attributes: { ...talos.attributes, tags: ['Principle III'] } } })).toEqual([]);
    expect(kinds('A zorblax puzzle game for you.', { ...base, item: { title: 'Zorblax', attributes: { tags: ['Puzzle'] } } })).toEqual([]);
    expect(kinds('A zorblax puzzle game for you.', { ...base, pageTitles: ['Zorblax Deluxe'] })).toEqual([]);
    // Without a lexicon, no dictionary check (repeated characters still count).
    expect(kinds('A zorblax puzzle game for you.', { ...base, lexicon: undefined })).toEqual([]);
    expect(kinds('A puzzle game for you, NecroDDDDDDD.', { ...base, lexicon: undefined })).toEqual(['repeated-chars']);
  });

  it('words written twice in a row, unless a title has them', () => {
    expect(checkFilledReason('A puzzle puzzle game for you.', base).problems).toEqual([{ kind: 'repeated-word', text: 'puzzle puzzle' }]);
    expect(kinds('A game for you: Bacon Bacon is a puzzle game.', { ...base, item: { title: 'Bacon Bacon', attributes: { tags: ['Puzzle'] } } })).toEqual([]);
    // Two words twice: "to try to try".
    expect(checkFilledReason('A puzzle game for you to try to try.', base).problems).toContainEqual({ kind: 'repeated-word', text: 'to try to try' });
    expect(kinds('A puzzle game for you to try, to try again.', base)).not.toContain('repeated-word');
  });

  it('history claims: only with a history the plan uses', () => {
    const claim = 'Based on your history, this is a puzzle game you will love.';
    expect(kinds(claim, base)).toEqual([]);
    expect(kinds(claim, { ...base, context: { domain: 'game' } })).toEqual(['history-claim', 'history-claim']);
    // A history that shares nothing with the item: the plan is 'new', so "you played" is not backed.
    const other: UserContext = { domain: 'game', history: [{ title: 'Dota 2', attributes: { tags: ['Strategy'] } }] };
    const plan = contentPlan(talos, other);
    expect(plan.mode).toBe('new');
    expect(kinds('Since you played Dota 2, here is a puzzle, first-person and philosophical game.', { ...base, context: other, plan })).toContain('history-claim');
    // A conditional is no claim.
    expect(kinds('If you like puzzle games, this one is for you.', { ...base, context: { domain: 'game' } })).toEqual([]);
  });

  it('another domain\'s words, unless the page uses them', () => {
    const guitar: ReasonCheckInput = { item: strat, context: guitarShop, lexicon: small };
    expect(checkFilledReason('A great guitar with delicious sound and more.', guitar).problems).toEqual([{ kind: 'off-domain', text: 'delicious' }]);
    expect(checkFilledReason('A great guitar with gameplay for you.', guitar).problems).toEqual([{ kind: 'off-domain', text: 'gameplay' }]);
    // The page's own domain words are fine: gameplay on a game page, 'film' on a film page (film → movie).
    expect(kinds('A great puzzle game with gameplay for you.', base)).toEqual([]);
    expect(kinds('A great film for you to enjoy.', { item: { title: 'Heat', attributes: {} }, context: { domain: 'film' }, lexicon: small })).toEqual([]);
    // A page fact or title naming the word makes it fair.
    expect(kinds('A great restaurant game for you.', { ...base, context: { domain: 'game', history: [{ title: 'Restaurant Empire' }] } })).toEqual([]);
    expect(kinds('A great guitar with delicious sound and more.', { ...guitar, domain: 'business' })).toEqual([]);
  });

  it('maps a page domain onto the training domain it speaks like', () => {
    const trained = ['book', 'business', 'game', 'movie', 'news'];
    expect(['game', 'games', 'film', 'tv', 'restaurant', 'article', 'news', 'product', 'guitar', 'music'].map((d) => trainingDomainOf(d, trained))).toEqual([
      'game', 'game', 'movie', 'movie', 'business', 'news', 'news', '', '', '',
    ]);
  });

  it('planned facts left out (a planned history title may stay unnamed)', () => {
    const plan = contentPlan(talos, played);
    expect(plan.history.map((h) => h.title)).toEqual(['Portal 2', 'Half-Life 2']);
    expect(plan.facts.map((f) => f.value)).toEqual(['Puzzle', 'First-Person']);
    expect(kinds('Since you played Half-Life 2 and Portal 2, here is another puzzle and first-person game.', { ...base, plan })).toEqual([]);
    expect(checkFilledReason('Since you played Half-Life 2, here is another puzzle game.', { ...base, plan }).problems).toEqual([
      { kind: 'omitted', text: 'First-Person' },
    ]);
    expect(kinds('Based on your gaming history, here is another puzzle and first-person game.', { ...base, plan })).toEqual([]);
    // Omissions are not banned (they are missing, not wrong).
    expect(checkFilledReason('Since you played Half-Life 2, here is another puzzle game.', { ...base, plan }).banned).toEqual([]);
  });

  it('the closed vocabulary and the page\'s other titles', () => {
    const r = checkFilledReason('A puzzle game with roguelike runs, like Dota 2 and Rust.', { ...base, vocabulary, pageTitles });
    expect(r.problems).toEqual(expect.arrayContaining([{ kind: 'ungrounded', text: 'Roguelike' }, { kind: 'ungrounded', text: 'Dota 2' }, { kind: 'page-title', text: 'Rust' }]));
    expect(r.cited.map((f) => f.value)).toEqual(['Puzzle']);
  });
});

describe('dictionary', () => {
  it('splits words as the matcher normalizes them', () => {
    expect(lexiconWords("Don't miss Pokémon's action-packed RPG 2 — 3D fun, привет")).toEqual([
      { word: 'dont', written: 'Dont' },
      { word: 'miss', written: 'miss' },
      { word: 'pokemons', written: 'Pokemons' },
      { word: 'action', written: 'action' },
      { word: 'packed', written: 'packed' },
      { word: 'rpg', written: 'RPG' },
      { word: '3d', written: '3D' },
      { word: 'fun', written: 'fun' },
    ]);
  });

  it('knows inflections and prefixes of its words, not arbitrary strings', () => {
    const d = new Dictionary(['game', 'play', 'stop', 'easy', 'story', 'playable']);
    for (const w of ['games', 'playing', 'played', 'player', 'players', 'stopped', 'easily', 'stories', 'replay', 'unplayable', 'replayed']) expect(d.has(w), w).toBe(true);
    for (const w of ['gam', 'plays2', 'andsc', 'zorblax']) expect(d.has(w), w).toBe(false);
    expect(d.has('zorblax', new Set(['zorblax']))).toBe(true);
  });

  it('page words: item and history titles, facts and description', () => {
    const words = pageWords({ title: 'Zorb Quest', attributes: { tags: ['Blorp'] }, description: 'Frobnicate it' }, { history: [{ title: 'Quux', attributes: { tags: ['Wibble'] } }] });
    expect([...words].sort()).toEqual(['blorp', 'frobnicate', 'it', 'quest', 'quux', 'wibble', 'zorb']);
  });

  it('parseLexicon rejects what is not a lexicon', () => {
    expect(() => parseLexicon({ words: [] })).toThrow(InvalidInputError);
    expect(() => parseLexicon(null)).toThrow(/build-lexicon/);
    expect(parseLexicon({ version: 1, words: ['a'], domainWords: {} }).minCount).toBe(1);
  });

  it('the shipped lexicon is small and holds domain words of each training domain', () => {
    const bytes = readFileSync(join(root, 'public/models/because-reason-v1/lexicon.json')).length;
    expect(bytes).toBeLessThan(300 * 1024);
    expect(shipped.words.length).toBeGreaterThan(10_000);
    expect(Object.keys(shipped.domainWords).sort()).toEqual(['book', 'business', 'game', 'movie', 'news']);
    expect(shipped.domainWords.game).toContain('gameplay');
    expect(shipped.domainWords.business).toEqual(expect.arrayContaining(['restaurant', 'delicious']));
    expect(shipped.domainWords.news).toContain('news');
    // Everyday shop words are nobody's: a guitar is played and has a price.
    for (const w of ['play', 'price', 'affordable', 'read', 'buy']) for (const list of Object.values(shipped.domainWords)) expect(list).not.toContain(w);
  });
});

describe('off-domain word lists', () => {
  const counts = {
    game: new Map([['gameplay', 50], ['the', 1000], ['play', 60], ['fun', 40]]),
    business: new Map([['delicious', 30], ['the', 500], ['fun', 20], ['rare', 5]]),
  };
  it('keeps words of one domain, by share of size-normalized use and count', () => {
    expect(domainWordLists(counts).domainWords).toEqual({ business: ['delicious'], game: ['gameplay', 'play'] });
    // 'fun' (40 of 1100 game words, 20 of 550 business words) is shared: nobody's.
    expect(domainWordLists({ ...counts, game: new Map([...counts.game, ['fun', 80]]) }).domainWords.game).toEqual(['gameplay', 'play']);
    // Strong: share ≥ 0.98 and count ≥ 200 by default.
    const rule = { ...DOMAIN_WORD_RULE, strongCount: 40 };
    expect(domainWordLists(counts, new Map(), rule).strongWords).toEqual({ business: [], game: ['gameplay', 'play'] });
    expect(domainWordLists(counts).strongWords).toEqual({ business: [], game: [] });
  });
  it('foreign words: used in the references, never in everyday (background) text', () => {
    const background = new Map([['the', 5000], ['fun', 300], ['play', 200], ['storyline', 0]]);
    const refs = { movie: new Map([['storyline', 25], ['the', 900], ['fun', 30]]), game: new Map([['gameplay', 30], ['play', 40], ['rare', 3]]) };
    expect(foreignWordList(refs, background)).toEqual(['gameplay', 'storyline']);
    // Without a background nothing is foreign (every word would be).
    expect(foreignWordList(refs, new Map())).toEqual([]);
  });
  it('flags a foreign word only on a page whose domain training does not have', () => {
    const lexicon = { ...small, foreignWords: ['storyline'] };
    const lexiconWith = { ...lexicon, words: [...lexicon.words, 'engaging', 'storyline', 'player', 'any', 'for', 'an', 'a', 'with', 'guitar', 'puzzle', 'game'] };
    expect(checkFilledReason('An engaging storyline for any guitar player.', { item: strat, context: guitarShop, lexicon: lexiconWith }).problems).toEqual([{ kind: 'off-domain', text: 'storyline' }]);
    const puzzle = { id: 'p', title: 'Portal 2', attributes: { tags: ['Puzzle'] } };
    expect(checkFilledReason('A puzzle game with an engaging storyline.', { item: puzzle, context: { domain: 'game' }, lexicon: lexiconWith }).problems).toEqual([]);
  });
  it('drops words that everyday (background) text uses', () => {
    expect(domainWordLists(counts, new Map([['play', 30], ['cable', 970]])).domainWords).toEqual({ business: ['delicious'], game: ['gameplay'] });
  });
  it('flags one strong word or two tied words of another domain', () => {
    const index = domainIndex({ game: ['gameplay', 'teamwork', 'join'], business: ['delicious', 'cozy'] }, { business: ['delicious'] });
    const words = lexiconWords('Delicious gameplay, delicious sounds');
    expect(offDomainWords(words, index, 'game', new Set())).toEqual(['Delicious']);
    expect(offDomainWords(words, index, '', new Set(['delicious']))).toEqual([]);
    // One tied word that is not strong is style, not topic; two are a slip.
    expect(offDomainWords(lexiconWords('A cozy game'), index, 'game', new Set())).toEqual([]);
    expect(offDomainWords(lexiconWords('Join for the teamwork'), index, '', new Set())).toEqual(['Join', 'teamwork']);
    expect(offDomainWords(lexiconWords('Join for the teamwork'), index, 'game', new Set())).toEqual([]);
    // On another training domain's page, two style words are English; a strong word is not.
    expect(offDomainWords(lexiconWords('Join for the teamwork'), index, 'business', new Set())).toEqual([]);
    expect(offDomainWords(lexiconWords('Delicious gameplay'), index, 'news', new Set())).toEqual(['Delicious']);
  });
});

describe('names', () => {
  it('finds quoted spans', () => {
    expect(quotedSpans('like "A B", \u201cC D.\u201d and \u2018E\u2019 or \'F G\' but not it\'s')).toEqual(['A B', 'C D', 'E', 'F G']);
  });
  it('finds capitalized runs with joiners and numbers', () => {
    const runs = capitalizedRuns(searchable('Because Call of Duty and Portal 2 beat the Fall Guys, The Witcher 3 wins.'));
    expect(runs.map((r) => [r.text, r.words.every((w) => w.checked)])).toEqual([
      ['Call of Duty', true],
      ['Portal 2', true],
      ['Fall Guys', true],
      ['The Witcher 3', true],
    ]);
    expect(capitalizedRuns(searchable('Dark Souls fans.'))[0]?.words.map((w) => w.checked)).toEqual([false, true]);
    expect(capitalizedRuns(searchable('English and Japanese voices. In Rust you build.'))).toEqual([]);
  });
});

describe('templateReason passes the open-vocabulary check', () => {
  it('in every shape and domain (deterministic random pages)', () => {
    const random = mulberry32(11);
    const rand = (n: number): number => Math.floor(random() * n);
    const tags = ['Action', 'Adventure', 'Puzzle', 'Co-op', 'First-Person', 'RPG', 'Open World', 'Crime', 'Drama', 'Fantasy', 'Electric Guitars', 'Fender'];
    const titles = ['Portal 2', 'Half-Life 2', 'Rust', 'Heat', 'The Hobbit', 'Fender Player Telecaster', 'The Talos Principle', 'Collateral'];
    const domains = ['game', 'movie', 'book', 'product', 'guitar', 'news', 'film', undefined];
    const pick = (): string[] => Array.from({ length: rand(4) }, () => tags[rand(tags.length)] as string);
    const seen = new Set<string>();
    for (let n = 0; n < 400; n++) {
      const item: Item = { id: String(n), title: titles[rand(titles.length)] as string, attributes: { tags: pick() } };
      const context: UserContext = { domain: domains[rand(domains.length)], history: Array.from({ length: rand(4) }, () => ({ title: titles[rand(titles.length)] as string, attributes: { tags: pick() } })) };
      const plan = contentPlan(item, context);
      const { text } = templateReason(item, context, plan);
      seen.add(text.split(' ').slice(0, 2).join(' '));
      // Checked against what it may say: the facts true of every title it names (jointlyShared).
      const r = checkFilledReason(text, { item, context, plan: jointlyShared(plan), lexicon: shipped, vocabulary, pageTitles: titles });
      expect(r.problems, text).toEqual([]);
    }
    // Every shape and wording shows up: "Since you", "Another action", "Something new", "Worth a", "It has", …
    expect(seen.size).toBeGreaterThan(8);
  });
});

describe('scripts/build-lexicon.ts', () => {
  it('builds words and domain words from prepared train rows (training/fixtures)', async () => {
    const { buildLexicon } = await import('../../../scripts/build-lexicon.ts');
    const { lexicon, rows } = await buildLexicon(join(root, 'training/fixtures'), 2);
    expect(rows).toBe(200);
    expect(parseLexicon(lexicon)).toMatchObject({ version: 1, minCount: 2 });
    expect(lexicon.words).toEqual([...lexicon.words].sort());
    // Reference and prompt words, tokenized as the check does; nothing seen once.
    expect(lexicon.words).toEqual(expect.arrayContaining(['game', 'because', 'played']));
    const once = await buildLexicon(join(root, 'training/fixtures'), 1);
    expect(once.lexicon.words.length).toBeGreaterThan(lexicon.words.length);
    expect(Object.keys(lexicon.domainWords).sort()).toEqual(['book', 'business', 'game', 'movie', 'news']);
    expect(lexicon.domainWords.game).toContain('game');
  });
});

describe('claims the item facts must back (claim-support.ts)', () => {
  const ftl = { id: 'ftl', title: 'FTL: Faster Than Light', attributes: { tags: ['Indie', 'Strategy'] } };
  const tf2 = { id: 'tf2', title: 'Team Fortress 2', attributes: { tags: ['Action', 'Free to Play', 'Multiplayer'] } };
  const game = { domain: 'game' };
  const problems = (text: string, item: typeof ftl) => checkFilledReason(text, { item, context: game }).problems;
  it('rejects a price, community or updates claim the facts do not support, and bans its word', () => {
    expect(problems("It's an indie game, offering thrilling play without any cost.", ftl)).toEqual([{ kind: 'unsupported-claim', text: 'cost' }]);
    expect(problems("It's an indie strategy game with a strong community and regular updates.", ftl)).toEqual([
      { kind: 'unsupported-claim', text: 'community' },
      { kind: 'unsupported-claim', text: 'updates' },
    ]);
    expect(checkFilledReason('A strategy game you can try for free.', { item: ftl, context: game }).banned).toEqual(['free']);
  });
  it('a title\'s words claim nothing: "Since you played The Elder Scrolls Online" is no online claim', () => {
    const history = { domain: 'game', history: [{ title: 'The Elder Scrolls Online', attributes: { tags: ['Indie'] } }] };
    expect(checkFilledReason('Since you played The Elder Scrolls Online, here is another indie game.', { item: ftl, context: history }).problems).toEqual([]);
    expect(checkFilledReason('Free Fire Arena is an indie game.', { item: { ...ftl, title: 'Free Fire Arena' }, context: game }).problems).toEqual([]);
    // Outside the title the same word is still a claim.
    expect(checkFilledReason('Since you played The Elder Scrolls Online, here is another indie game to play online.', { item: ftl, context: history }).problems.map((p) => p.kind)).toContain('unsupported-claim');
  });
  it('accepts them when a fact of the item backs them (planned or not)', () => {
    expect(problems("It's an action game, offering thrilling play without any cost.", tf2)).toEqual([]);
    expect(problems('An action game with a strong community.', tf2)).toEqual([]);
  });
});

describe('the domain noun as a list item', () => {
  const doom = { id: 'd', title: 'DOOM', attributes: { genres: ['Action', 'RPG'] } };
  const input = { item: doom, context: { domain: 'game', history: [{ title: 'Quake', attributes: { genres: ['Action'] } }] }, lexicon: small };
  it('rejects "such as action, RPG, and games" but not a noun after a list', () => {
    expect(checkFilledReason('It has the genres you liked, such as action, RPG, and games.', input).problems).toContainEqual({ kind: 'listed-noun', text: 'and games' });
    expect(checkFilledReason('It is an action and RPG game, like Quake.', input).problems.map((p) => p.kind)).not.toContain('listed-noun');
  });
});

describe('the domain noun as a bare predicate', () => {
  const doom = { id: 'd', title: 'DOOM', attributes: { genres: ['Action', 'RPG'] } };
  const input = { item: doom, context: { domain: 'game', history: [] }, lexicon: small };
  const kinds = (text: string) => checkFilledReason(text, input).problems.map((p) => p.kind);
  it('rejects "an action game that\'s game" and "that\'s games you liked"', () => {
    expect(checkFilledReason("DOOM is an action game that's game.", input).problems).toContainEqual({ kind: 'bare-noun', text: "that's game" });
    expect(kinds('It is an RPG that is games you liked.')).toContain('bare-noun');
    expect(kinds('DOOM is game.')).toContain('bare-noun');
  });
  it('rejects a plural category value as a bare predicate ("This product is guitars")', () => {
    const guitar = { id: 'g', title: 'Cordoba C5', attributes: { category: ['Guitars', 'Classical Guitars'], brand: 'Cordoba' } };
    const gi = { item: guitar, context: { domain: 'product', history: [] }, plan: contentPlan(guitar, { domain: 'product', history: [] }), lexicon: small };
    expect(checkFilledReason('This product is classical guitars, made by Cordoba.', gi).problems.map((p) => p.kind)).toContain('bare-noun');
    expect(checkFilledReason('This product is one of the classical guitars, made by Cordoba.', gi).problems.map((p) => p.kind)).not.toContain('bare-noun');
  });
  it('accepts the noun with a determiner or a fact before it', () => {
    expect(kinds("DOOM is an action game that's fast.")).not.toContain('bare-noun');
    expect(kinds('It is an action game.')).not.toContain('bare-noun');
    expect(kinds('This is a game of action.')).not.toContain('bare-noun');
  });
});

describe('verb families of other domains', () => {
  it("flags 'watch' and 'viewing' where visitors do not watch, not on a movie page", () => {
    const amp = { id: 'a', title: 'Orange Crush 20RT', attributes: { category: ['Amplifiers'] } };
    const kindsOf = (text: string, domain: string) =>
      checkFilledReason(text, { item: amp, context: { domain }, lexicon: small }).problems.filter((p) => p.kind === 'off-domain').map((p) => `${p.kind}:${p.text ?? ''}`);
    expect(kindsOf('A must-watch for your viewing pleasure.', 'product')).toEqual(['off-domain:watch', 'off-domain:viewing']);
    expect(kindsOf('A must-watch for your viewing pleasure.', 'movie')).toEqual([]);
  });
  it('flags a story where visitors buy things, unless the page tells one', () => {
    const piano = { id: 'p', title: 'Yamaha P-45', attributes: { category: ['Digital Pianos'] } };
    const offDomain = (text: string, item: typeof piano & { description?: string }, domain: string) =>
      checkFilledReason(text, { item, context: { domain }, lexicon: small }).problems.filter((p) => p.kind === 'off-domain').map((p) => p.text);
    expect(offDomain('It falls under the digital pianos category, which adds to the story.', piano, 'product')).toEqual(['story']);
    expect(offDomain('A digital piano with a rich storyline.', piano, 'guitar')).toEqual(['storyline']);
    expect(offDomain('An adventure game with a rich story.', { ...piano, title: 'Portal 2' }, 'game')).toEqual([]);
    expect(offDomain('A storytelling game whose story you tell.', { ...piano, title: 'Dixit', description: 'Tell a story with a card.' }, 'product')).toEqual([]);
  });
});

describe('shopper-read findings (lead, end of session)', () => {
  const civ = { id: 'c', title: 'Civilization V', attributes: { genres: ['Strategy'], tags: ['Turn-Based Strategy', 'Multiplayer'] } };
  const plan = contentPlan(civ, { domain: 'game', history: [] });
  const input = { item: civ, context: { domain: 'game', history: [] }, plan, lexicon: small };
  const kinds = (text: string) => checkFilledReason(text, input).problems.map((p) => p.kind);
  it('rejects two planned facts side by side, not a list of them', () => {
    expect(kinds('It offers a unique strategy turn-based strategy environment.')).toContain('stacked-facts');
    expect(kinds('It offers a strategy and turn-based strategy environment.')).not.toContain('stacked-facts');
    expect(kinds('It is a multiplayer strategy game.')).not.toContain('stacked-facts'); // no shared word: reads fine
  });
  it('rejects a sentence that ends where a word must follow (a fill or a cut went missing)', () => {
    expect(kinds("This game is a strategy game that's .")).toContain('dangling');
    expect(kinds("It's multiplayer, just like the. A strategy game.")).toContain('dangling');
    expect(kinds('It is a strategy game worth a look.')).not.toContain('dangling');
    expect(kinds('Give it a try and enjoy the strategy game has to offer!')).toContain('dangling');
    expect(kinds('Give it a try and enjoy everything the strategy game has to offer!')).not.toContain('dangling');
    expect(kinds('Explore what this strategy game has to offer.')).not.toContain('dangling');
  });
  it('rejects "the same …" for a new visitor: the same as what?', () => {
    expect(kinds('This game falls under the same strategy genre.')).toContain('history-claim');
    expect(kinds('You can play at the same time as friends in this strategy game.')).not.toContain('history-claim');
  });
  it('rejects reception claims ("highly rated") no fact backs', () => {
    expect(kinds('Civilization V is a highly rated strategy game.')).toContain('unsupported-claim');
    expect(kinds("It's a highly recommended choice for fans of strategy.")).toContain('unsupported-claim');
    expect(kinds("It's a popular strategy game.")).toContain('unsupported-claim');
    const guitar = { id: 'g', title: 'Cordoba C5', attributes: { category: ['Guitars', 'Classical Guitars'] } };
    expect(checkFilledReason("It's a highly recommended choice for fans of guitars.", { item: guitar, context: { domain: 'product', history: [] }, plan: contentPlan(guitar, { domain: 'product', history: [] }), lexicon: small }).problems.map((p) => p.kind)).toContain('unsupported-claim');
    expect(kinds('It is a strategy and multiplayer game, with turn-based strategy and games.')).toContain('listed-noun');
    const classic = { ...civ, attributes: { ...civ.attributes, tags: ['Classic', 'Turn-Based Strategy'] } };
    expect(checkFilledReason('Civilization V is a highly rated strategy game.', { ...input, item: classic, plan: contentPlan(classic, { domain: 'game', history: [] }) }).problems.map((p) => p.kind)).not.toContain('unsupported-claim');
  });
});

describe('phrasings that are true but read wrong (phrasing.ts; read on shown reasons)', () => {
  /** The item's plan on a page of `context`, and the problem kinds the check finds in a text written for it. */
  const page = (item: Item, context: UserContext) => {
    const plan = contentPlan(item, context);
    return { plan, kinds: (text: string) => checkFilledReason(text, { item, context, plan, lexicon: small }).problems.map((p) => p.kind) };
  };
  const batman = { id: 'b', title: 'Batman: Arkham Origins', attributes: { genres: ['Action', 'Adventure'], tags: ['Free to Play'] } };
  const clash = { id: 'lc', title: 'London Calling', attributes: { genres: ['Punk Rock'], artist: 'The Clash' } };
  const { plan, kinds } = page(batman, { domain: 'game', history: [] });
  it('rejects a one-word fact as a bare predicate, not a multi-word one or a modifier', () => {
    expect(plan.facts.map((f) => f.value)).toEqual(['Action', 'Adventure', 'Free to Play']);
    expect(kinds('It is an action game that is adventure.')).toContain('predicate-fact');
    expect(kinds("It's adventure, much like the others.")).toContain('predicate-fact');
    expect(kinds("It is an action game that's free to play.")).not.toContain('predicate-fact');
    expect(kinds('It is an action and adventure game.')).not.toContain('predicate-fact');
    expect(kinds('This game is an adventure.')).not.toContain('predicate-fact'); // 'an adventure' has its article
  });
  it('rejects a plural category value that modifies the next word, not one that heads its phrase', () => {
    const squier = { id: 's', title: 'Squier Affinity Telecaster', attributes: { category: ['Guitars', 'Electric Guitars'], brand: 'Squier' } };
    const { plan: p, kinds: k } = page(squier, { domain: 'product', history: [] });
    expect(p.facts.map((f) => f.value)).toContain('Electric Guitars');
    expect(k("It's a top electric guitars Squier product.")).toContain('plural-modifier');
    expect(k('This product falls under the electric guitars category.')).not.toContain('plural-modifier');
    expect(k('Electric guitars from Squier.')).not.toContain('plural-modifier');
  });
  it('rejects "which <item> is a …" (no gap in the clause), not "which <item> offers"', () => {
    expect(kinds('You may like action games, which Batman: Arkham Origins is a game.')).toContain('misplaced-item');
    expect(kinds('It is an action game, which Batman: Arkham Origins offers.')).not.toContain('misplaced-item');
  });
  it("rejects the item's title as a predicate ('a game that's <item>')", () => {
    expect(kinds("This game is an action game that's Batman: Arkham Origins.")).toContain('misplaced-item');
    expect(kinds("Batman: Arkham Origins is an action game that's free to play.")).not.toContain('misplaced-item');
  });
  it('rejects a category path written as a mix, not genres that mix', () => {
    const mic = { id: 'm', title: 'Shure SM58', attributes: { category: ['Recording', 'Microphones'], brand: 'Shure' } };
    const { kinds: k } = page(mic, { domain: 'product', history: [] });
    expect(k('It offers a unique blend of microphones and recording.')).toContain('category-blend');
    expect(k('It combines elements of microphones.')).toContain('category-blend');
    expect(k('This product falls under the microphones category.')).not.toContain('category-blend');
    expect(kinds('It blends action and adventure.')).not.toContain('category-blend');
  });
  it('rejects a title listed with a bare fact, and an article before a title', () => {
    const rust = { title: 'Rust', attributes: { genres: ['Action', 'Adventure'] } };
    const { plan: p, kinds: k } = page(batman, { domain: 'game', history: [rust] });
    expect(p.history.map((h) => h.title)).toEqual(['Rust']);
    expect(k("It's an action game like Rust and adventure.")).toContain('title-list');
    expect(k("It's an action game like Rust and other adventure games.")).not.toContain('title-list');
    expect(k("It's an action and adventure game like the Rust.")).toContain('article-title');
    expect(k("It's an action and adventure game like Rust.")).not.toContain('article-title');
    // "which you've played" after the item's own description claims the item was played; after a history title it is that title.
    expect(k("It's an action multiplayer game, which you've played.")).toContain('item-history-claim');
    expect(k("It's an action game, which you have enjoyed in the past.")).toContain('item-history-claim');
    expect(k("It's an action game like Rust, which you've played.")).not.toContain('item-history-claim');
    // A history title listed with a stray word, or mixed in as an ingredient.
    expect(k('Based on your history, you enjoy action games like Rust and tender.')).toContain('title-list');
    expect(k("It's an action game like Rust and played games.")).toContain('title-list');
    expect(k("It's an adventure game like Rust and adventure games you've played before.")).not.toContain('title-list');
    expect(k("It's an action game like Rust and other adventure games.")).not.toContain('title-list');
    expect(k('It combines action and adventure with Rust, similar to games you have enjoyed.')).toContain('category-blend');
    expect(k("It's an action adventure game with Rust.")).toContain('category-blend');
    expect(k("It's an action adventure game like Rust.")).not.toContain('category-blend');
    // The item further down a comparison list.
    expect(k("You enjoy action games, like 'Rust' and 'Batman: Arkham Origins'.")).toContain('self-comparison');
    expect(k('Like Rust, Batman: Arkham Origins is an action game.')).not.toContain('self-comparison');
  });
  it('rejects a "with" that adds nothing, and "allowing you to enjoy." with nothing to enjoy', () => {
    expect(kinds('Batman: Arkham Origins is an action adventure game with a massive game.')).toContain('empty-clause');
    expect(kinds('It is an action game with features.')).toContain('empty-clause');
    expect(kinds('It is an action game with adventure elements.')).not.toContain('empty-clause');
    expect(kinds('It is an action stealth game with games and played games.')).toContain('empty-clause');
    expect(kinds('It combines action and adventure, which is a game.')).toContain('empty-clause');
    expect(kinds('Based on your history, you enjoy action games like Rust, so Batman: Arkham Origins is a game.')).toContain('empty-clause');
    expect(kinds("It's a game.")).toContain('empty-clause');
    expect(kinds("It's an action game that's also incorporates adventure.")).toContain('empty-clause');
    // The item as the owner of things of its kind: "Batman: Arkham Origins's games like Rust".
    expect(kinds("You enjoy action games, Batman: Arkham Origins's games like Rust.")).toContain('misplaced-item');
    expect(kinds("Batman: Arkham Origins's story is an action game's story.")).not.toContain('misplaced-item');
    expect(kinds('Batman: Arkham Origins is a game you will enjoy.')).not.toContain('empty-clause');
    expect(kinds('It combines elements of action and adventure, which adds depth and depth to the game.')).toContain('doubled-pair');
    expect(kinds('It is an action game, allowing you to enjoy.')).toContain('dangling');
    expect(kinds("It is an action stealth game that's played.")).toContain('dangling');
    expect(kinds('It is an adventure game with packed with games you have played.')).toContain('empty-clause');
    expect(kinds('It is an action and adventure game with games like Half-Life 2.')).toContain('empty-clause');
    expect(kinds('It is an action game for you to enjoy.')).not.toContain('dangling');
    // An empty list item, and the domain's verb as the last one (audit seed 0, movies).
    expect(kinds('It falls under the genres of action, , and adventure.')).toContain('dangling');
    expect(kinds('It falls under the genres of action and watched.')).toContain('dangling');
    expect(kinds('It is an action game you have enjoyed and watched.')).not.toContain('dangling');
  });
  it('rejects falling under a thing instead of a category', () => {
    const { kinds: k } = page(clash, { domain: 'music', history: [] });
    expect(k('You should try London Calling because it falls under the punk rock album.')).toContain('falls-under-noun');
    expect(k('It falls under the punk rock industry.')).toContain('falls-under-noun');
    expect(k('You should try London Calling because it falls under the punk rock category.')).not.toContain('falls-under-noun');
    expect(k('It falls under the punk rock genre, an album by The Clash.')).not.toContain('falls-under-noun');
    expect(k('It falls under the rock category and punk rock.')).toContain('kind-then-fact');
    expect(k('This album falls under the punk rock category and The Clash.')).toContain('kind-then-fact');
    expect(k('It falls under the punk rock category and the rock category.')).not.toContain('kind-then-fact');
    expect(k('Based on your history, you seem to enjoy punk rock albums, particularly those with a focus on album.')).toContain('bare-noun');
    expect(k('The album is punk rock, similar to The Clash in "London Calling".')).toContain('self-comparison');
  });
  it('rejects a name fact stacked or listed with a genre, the item as already done, a title contraction, a/an before the plural noun', () => {
    const { plan: p, kinds: k } = page(clash, { domain: 'music', history: [] });
    expect(p.facts.map((f) => f.value)).toEqual(expect.arrayContaining(['Punk Rock', 'The Clash']));
    expect(k('It offers a unique punk rock The Clash environment.')).toContain('name-stack');
    expect(k("It's a perfect blend of punk rock and The Clash.")).toContain('name-stack');
    expect(k('It is a punk rock album by The Clash.')).not.toContain('name-stack');
    expect(k('It is a punk rock album that you have previously enjoyed.')).toContain('item-history-claim');
    expect(k("It combines punk rock elements, much like 'London Calling'.")).toContain('self-comparison');
    expect(k('It has elements of London Calling.')).toContain('self-comparison');
    expect(k("You'll like London Calling: it is a punk rock album by The Clash.")).not.toContain('self-comparison');
    expect(k("London Calling's a great choice for punk rock fans.")).toContain('title-contraction');
    expect(k("London Calling's punk rock still holds up.")).not.toContain('title-contraction');
    expect(k('It is a perfect choice for a well-rounded punk rock albums.')).toContain('article-plural');
    expect(k('It is one of a few punk rock albums by The Clash.')).not.toContain('article-plural');
    expect(k("It offers a unique punk rock album that's both.")).toContain('dangling');
  });
  it('rejects the findings of the 2026-12-01 night read: splices, broken clauses, makers as ingredients', () => {
    const rust = { title: 'Rust', attributes: { genres: ['Action', 'Adventure'] } };
    const { kinds: k } = page(batman, { domain: 'game', history: [rust] });
    // The item spliced on as a second sentence after a main clause; not after a fronted phrase.
    expect(k('Based on your history, you enjoy action games like Rust, Batman: Arkham Origins is a game.')).toContain('comma-splice');
    expect(k('It offers action and adventure, Batman: Arkham Origins will offer a different game to explore.')).toContain('comma-splice');
    expect(k('Like Rust, Batman: Arkham Origins is an action game.')).not.toContain('comma-splice');
    expect(k('If you enjoyed Rust, Batman: Arkham Origins is an action game for you.')).not.toContain('comma-splice');
    expect(k('Based on your history, Batman: Arkham Origins is an action game for you.')).not.toContain('comma-splice');
    // A mix of one thing (what the fill's "so" would otherwise let through): 2026-12-02, movies page.
    expect(k('Based on your history, you enjoy a mix of action, so Batman: Arkham Origins is a perfect choice.')).toContain('mix-of-one');
    expect(k('You seem to enjoy a variety of adventure.')).toContain('mix-of-one');
    expect(k('Based on your history, you enjoy a mix of action and adventure, so Batman: Arkham Origins is a perfect choice.')).not.toContain('mix-of-one');
    expect(k('You enjoy a variety of genres including action.')).not.toContain('mix-of-one');
    // A clause that lost its predicate, a participle left at the end.
    expect(k("It's an action, adventure game that's and packed with action.")).toContain('empty-clause');
    expect(k("It's an action co-op game that's but with adventure.")).toContain('empty-clause');
    expect(k("It's an action game that's free to play and packed with adventure.")).not.toContain('empty-clause');
    expect(k("It's an action, multiplayer game that's to the game.")).toContain('empty-clause');
    expect(k('You should try it because it combines action and adventure, game with a unique combination of games.')).toEqual(expect.arrayContaining(['listed-noun', 'empty-clause']));
    expect(k('It offers a unique combination of action and adventure games.')).not.toContain('empty-clause');
    expect(k('Batman: Arkham Origins is an action adventure game that is a game.')).toContain('empty-clause');
    expect(k("It is an action RPG game that's choice for you.")).toContain('empty-clause');
    expect(k('It offers a unique action, adventure, and played in a massive game.')).toContain('empty-clause');
    expect(k("It's an action game that's a great choice for you.")).not.toContain('empty-clause');
    expect(k('It is an action adventure game that has to offer.')).toContain('dangling');
    expect(k('You will enjoy everything this action game has to offer.')).not.toContain('dangling');
    expect(k('It is an action game with a strong focus on Rust.')).toContain('category-blend');
    expect(k('It offers a unique action game with pick elements.')).toContain('empty-clause');
    // Facts where the noun should be (the page's Batman plans Action, Adventure, Free to Play).
    expect(kinds('Give it a try for a thrilling action, free to play!')).toContain('predicate-fact');
    expect(kinds('Give it a try for a thrilling action adventure!')).not.toContain('predicate-fact');
    expect(kinds('It is a free to play action game.')).not.toContain('predicate-fact');
    // Seed 4's read: a/an across an "and" before the plural noun; "that's elements".
    expect(kinds('It offers a unique action and adventure games, similar to others.')).toContain('article-plural');
    expect(kinds('It is a game for action and adventure games fans.')).not.toContain('article-plural');
    expect(kinds('It offers a few action and adventure games in one.')).not.toContain('article-plural');
    expect(kinds("It's an action adventure game that's elements you enjoy.")).toContain('empty-clause');
    // Seeds 5–6: the item holding other items; a participle before a listed noun.
    expect(kinds('It is an action and adventure game with games you have enjoyed in the past.')).toContain('empty-clause');
    expect(kinds('It is an action game with modes that you will enjoy.')).not.toContain('empty-clause');
    expect(kinds('It falls under the action, adventure, and played games like Rust.')).toContain('listed-noun');
    expect(k('It is an action game with adventure elements.')).not.toContain('empty-clause');
    expect(k('It is an action game with free to play elements.')).not.toContain('empty-clause');
    expect(k('It is an action game that you have previously shown an interest in.')).toContain('item-history-claim');
    expect(k('It falls under the action genre, which you have shown an interest in before.')).not.toContain('item-history-claim');
    expect(k('Like Rust, Batman: Arkham Origins is an action, adventure game.')).not.toContain('listed-noun');
    expect(k('It is an adventure game with action and played.')).toContain('dangling');
    expect(k('It is an action game like the ones you have enjoyed and played.')).not.toContain('dangling');
    // A history title as part of the item.
    expect(k("It's an action game packed with Rust.")).toContain('category-blend');
    expect(k("It's an action, adventure game, and Rust.")).toContain('category-blend');
    expect(k('Based on your history, you enjoy action and adventure games, and Rust.')).not.toContain('category-blend');
    // Music: "is in the … album"; a maker is no sub-genre.
    const m = page(clash, { domain: 'music', history: [] }).kinds;
    expect(m('This album is in the punk rock album.')).toContain('falls-under-noun');
    expect(m('It is in the punk rock genre.')).not.toContain('falls-under-noun');
    expect(m('It falls under the punk rock category, specifically The Clash.')).toContain('kind-then-fact');
    expect(m('It falls under the rock category, specifically punk rock.')).not.toContain('kind-then-fact');
    // Products: the brand as an ingredient; a/an with a word before a plural category.
    const mic = { id: 'm', title: 'Shure SM58', attributes: { category: ['Recording', 'Microphones'], brand: 'Shure' } };
    const p = page(mic, { domain: 'product', history: [] }).kinds;
    expect(p('It combines elements of Shure, much like other microphones.')).toContain('category-blend');
    expect(p("It's an engaging microphones and recording that adds to its appeal.")).toContain('article-plural');
    expect(p('It is a great choice among microphones.')).not.toContain('article-plural');
    expect(p('It is a Shure product from the microphones category.')).not.toContain('article-plural');
    expect(p("It's a great choice for your next microphones.")).toContain('article-plural');
    expect(p('Based on your history, you have shown a preference for microphones and have a strong preference for in the past.')).toContain('empty-clause');
    expect(p('It falls under the microphones category, which you have shown a preference for in before.')).toContain('empty-clause');
    expect(p('It falls under the microphones category, which you have shown a preference for in the past.')).not.toContain('empty-clause');
  });
  it('a planned fact written out is not omitted, even inside a longer vocabulary term', () => {
    // The demo's Batman: genres Action, Adventure and the tag 'Action-Adventure', which the closed
    // matcher reads "action adventure" as (so it cited neither planned fact).
    const arkham = { ...batman, attributes: { genres: ['Action', 'Adventure'], tags: ['Action-Adventure'] } };
    const vocabulary = createFactMatcher({ facts: ['Action', 'Adventure', 'Action-Adventure'] });
    const p = { ...plan, facts: plan.facts.slice(0, 2) };
    const run = (text: string) => checkFilledReason(text, { item: arkham, context: { domain: 'game', history: [] }, plan: p, lexicon: small, vocabulary }).problems;
    expect(p.facts.map((f) => f.value)).toEqual(['Action', 'Adventure']);
    expect(run('It is an action adventure game.').map((x) => x.kind)).not.toContain('omitted');
    expect(run('It is an action game.')).toContainEqual({ kind: 'omitted', text: 'Adventure' });
  });
  it('a plural category written singular where it names the item is not omitted ("It is an electric guitar.")', () => {
    const pacifica = { id: 'y', title: 'Yamaha Pacifica 112V', attributes: { category: ['Electric Guitars'] } };
    const context = { domain: 'product', history: [] };
    const p = contentPlan(pacifica, context);
    const omitted = (text: string) => checkFilledReason(text, { item: pacifica, context, plan: p }).problems.filter((x) => x.kind === 'omitted');
    expect(omitted(fillSlots("It's an <|@f1|> <|@noun|> for your band.", p).text)).toEqual([]);
    expect(omitted("It's an electric guitar for your band.")).toEqual([]);
    expect(omitted("It's a guitar for your band.")).toEqual([{ kind: 'omitted', text: 'Electric Guitars' }]);
    // Only right after a/an: "the board games family game" and "a fun, game" stay omissions; and never the domain's noun.
    expect(omitted("It's a great electric guitar.")).toEqual([{ kind: 'omitted', text: 'Electric Guitars' }]);
    const codenames = { id: 'c', title: 'Codenames', attributes: { category: ['Games'] } };
    const gamePage = { domain: 'game', history: [] };
    const games = contentPlan(codenames, gamePage);
    expect(checkFilledReason('It is a game that you will enjoy.', { item: codenames, context: gamePage, plan: games }).problems).toContainEqual({ kind: 'omitted', text: 'Games' });
  });
  it('rejects "those with <nouns>" (the noun as the object of the things it names)', () => {
    expect(kinds('Based on your picks, you like action games, particularly those with games.')).toContain('bare-noun');
    expect(kinds('It is an action game, like those with a focus on adventure.')).not.toContain('bare-noun');
  });
  it('rejects the item offering the thing it is, not what it offers', () => {
    expect(kinds('Batman: Arkham Origins offers an exciting action adventure game.')).toContain('offers-itself');
    expect(kinds('It offers an action game with a free to play start, like no other game on sale.')).not.toContain('offers-itself');
    expect(kinds('It offers action and adventure in one game world.')).not.toContain('offers-itself');
  });
  it('rejects coordinated praise that says nothing about the item', () => {
    expect(kinds("It's an action game, offering you a fun and engaging game.")).toContain('empty-praise');
    expect(kinds('It will keep you engaged and entertained.')).toContain('empty-praise');
    expect(kinds("It's a great choice for you to try for a new and exciting action experiences.")).toContain('empty-praise');
    expect(kinds('It is a fun action and adventure game.')).not.toContain('empty-praise');
  });
});
