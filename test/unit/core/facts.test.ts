import { describe, expect, it } from 'vitest';
import {
  citedFacts,
  createFactMatcher,
  historyEntryFacts,
  historyFacts,
  itemFacts,
  keyedAttributeFacts,
  sharedFacts,
  termKey,
  titleAliases,
} from '../../../src/core/facts.ts';
import { attributeFacts, promptHistory } from '../../../src/core/prompt.ts';
import { normalizeForMatch } from '../../../src/core/term-index.ts';
import type { Item, UserContext } from '../../../src/types.ts';

const rust: Item = { id: 'rust', title: 'Rust', attributes: { tags: ['Action', 'Adventure', 'Indie', 'Massively Multiplayer', 'RPG', 'Early Access'] } };
const context: UserContext = {
  domain: 'game',
  history: [
    { title: 'Battlerite', attributes: { tags: ['Action', 'Free to Play'] } },
    { title: 'Portal 2', attributes: { tags: ['Puzzle', 'Co-op'] } },
  ],
};
const VOCAB = ['Action', 'Adventure', 'Free to Play', 'Play', 'RPG', 'Co-op', 'Online Co-op', 'Puzzle', 'Strategy', 'Indie', 'Casual', 'Sci-fi', 'Open World', 'Roguelike', 'Simulation', 'ロールプレイング'];
const matcher = createFactMatcher(VOCAB);
const values = (facts: { value: string }[]): string[] => facts.map((f) => f.value);

describe('facts of an item and a history', () => {
  it('lists the item title then its attribute facts with their keys', () => {
    expect(itemFacts({ title: ' Rust ', attributes: { genres: ['Action'], tags: ['action', 'Co-op', 3, null, 'https://x.y/z'] } })).toEqual([
      { value: 'Rust', from: 'item', kind: 'title' },
      { value: 'Action', from: 'item', kind: 'genres' },
      { value: 'Co-op', from: 'item', kind: 'tags' },
    ]);
  });

  it("scope 'prompt' gives exactly the facts the prompt shows", () => {
    const attributes = { a: ['1x', '2x', '3x', '4x', '5x'], b: ['6x', '7x', '8x', '9x', '10x'], c: 'Action, RPG [x]' };
    expect(keyedAttributeFacts(attributes, 8).map((f) => f.value)).toEqual(attributeFacts(attributes, 8));
    expect(itemFacts({ title: 'T', attributes }, { scope: 'prompt' })).toHaveLength(1 + 8);
    expect(itemFacts({ title: 'T', attributes }).length).toBe(1 + 11);
    const history = Array.from({ length: 12 }, (_, i) => ({ title: i === 3 ? '  ' : `Game ${i}`, attributes: { t: ['a', 'b', 'c', 'd'] } }));
    const prompt = historyEntryFacts({ history }, { scope: 'prompt' });
    expect(prompt).toEqual(promptHistory(history).map((h) => ({ title: h.title, facts: h.facts.map((value) => ({ value, kind: 't' })) })));
    expect(historyEntryFacts({ history })).toHaveLength(11);
  });

  it('history facts are distinct, most recent entry first', () => {
    expect(historyFacts(context)).toEqual([
      { value: 'Portal 2', from: 'history', kind: 'title' },
      { value: 'Puzzle', from: 'history', kind: 'tags' },
      { value: 'Co-op', from: 'history', kind: 'tags' },
      { value: 'Battlerite', from: 'history', kind: 'title' },
      { value: 'Action', from: 'history', kind: 'tags' },
      { value: 'Free to Play', from: 'history', kind: 'tags' },
    ]);
    expect(historyFacts(undefined)).toEqual([]);
    expect(historyFacts({ history: 'nope' as never })).toEqual([]);
  });

  it('shared facts carry the titles that share them, most recent first', () => {
    const ctx: UserContext = { history: [{ title: 'A', attributes: { t: ['Action'] } }, { title: 'B', attributes: { t: ['action', 'Indie'] } }] };
    expect(sharedFacts(rust, ctx)).toEqual([
      { value: 'Action', kind: 'tags', titles: ['B', 'A'] },
      { value: 'Indie', kind: 'tags', titles: ['B'] },
    ]);
    expect(sharedFacts(rust, {})).toEqual([]);
  });
});

describe('match normalization', () => {
  it('folds case-insensitive variants to one key', () => {
    expect(termKey('Free-to-Play')).toBe(termKey('free to  play'));
    expect(termKey('Pokémon')).toBe(termKey('Pokemon'));
    expect(termKey('ＲＰＧ')).toBe(termKey('rpg'));
    expect(termKey("Baldur's Gate")).toBe(termKey('Baldurs Gate'));
    expect(termKey('Animation &amp; Modeling')).toBe(termKey('Animation & Modeling'));
    expect(termKey('South Park™: The Stick of Truth™')).toBe(termKey('South Park: The Stick of Truth'));
    expect(normalizeForMatch('a\u202Eb\u200Bc')).toBe('abc');
  });
});

describe('citedFacts', () => {
  it('cites item and history facts and titles, case-insensitively, in order of mention', () => {
    const text = 'Like Battlerite, Rust is free-to-play-ish action: an RPG you can play with co-op friends.';
    const { cited, ungrounded } = matcher.citedFacts(text, rust, context);
    // Hyphens are separators, so 'free-to-play-ish' mentions Free to Play.
    expect(values(cited)).toEqual(['Battlerite', 'Rust', 'Free to Play', 'Action', 'RPG', 'Co-op']);
    expect(cited.find((f) => f.value === 'Battlerite')).toEqual({ value: 'Battlerite', from: 'history', kind: 'title' });
    expect(ungrounded).toEqual([]);
  });

  it('reports a fact both sides have as the item’s', () => {
    expect(matcher.citedFacts('Action all the way.', rust, context).cited).toEqual([{ value: 'Action', from: 'item', kind: 'tags' }]);
  });

  it("respects word boundaries: 'Action' never matches 'transaction'", () => {
    const r = matcher.citedFacts('A transaction of interactions, reaction and indies-ish', rust, context);
    expect(values(r.cited)).toEqual(['Indie']);
    expect(matcher.citedFacts('Proactive. RPGmaker. Actions!', rust, context).cited.map((f) => f.value)).toEqual(['Action']);
  });

  it('accepts English plurals and possessives', () => {
    const r = matcher.citedFacts("Fans of RPGs and Portal 2's puzzles love indies.", rust, context);
    expect(values(r.cited)).toEqual(['RPG', 'Portal 2', 'Puzzle', 'Indie']);
    const strategy = createFactMatcher(['Strategy']);
    expect(strategy.citedFacts('It has strategies.', { title: 'X', attributes: { g: ['Strategy'] } }).cited).toHaveLength(1);
  });

  it('prefers the longest match: Free to Play over Play', () => {
    const item: Item = { id: 'x', title: 'X', attributes: { tags: ['Play'] } };
    const r = matcher.citedFacts('It is Free to Play.', item, {});
    expect(r.cited).toEqual([]);
    expect(r.ungrounded).toEqual(['Free to Play']);
    const r2 = matcher.citedFacts('It is Free to Play.', { id: 'y', title: 'Y', attributes: { tags: ['Free to Play', 'Play'] } }, {});
    expect(values(r2.cited)).toEqual(['Free to Play']);
  });

  it('flags vocabulary terms neither the item nor the history has', () => {
    const r = matcher.citedFacts('A roguelike with online co-op, an open-world Sci-Fi romp.', rust, context);
    expect(r.ungrounded).toEqual(['Roguelike', 'Online Co-op', 'Open World', 'Sci-fi']);
  });

  it('cites the parts when a longer vocabulary term is covered by real facts', () => {
    const vocab = createFactMatcher(['Action Adventure', 'Action', 'Adventure']);
    const r = vocab.citedFacts('Pure action-adventure.', rust, {});
    expect(values(r.cited)).toEqual(['Action', 'Adventure']);
    expect(r.ungrounded).toEqual([]);
  });

  it('treats generic one-word terms as claims only when capitalized mid-sentence', () => {
    const item: Item = { id: 'p', title: 'P', attributes: { tags: ['Puzzle'] } };
    expect(matcher.citedFacts('An action-packed, casual and free update with strategy.', item, {}).ungrounded).toEqual([]);
    expect(matcher.citedFacts('It is a Strategy game with Casual modes.', item, {}).ungrounded).toEqual(['Strategy', 'Casual']);
    expect(matcher.citedFacts('Strategy fans will love it.', item, {}).ungrounded).toEqual([]);
    expect(matcher.citedFacts('Try it. Casual fans agree.', item, {}).ungrounded).toEqual([]);
    // Not an ordinary word: counts in any case.
    expect(matcher.citedFacts('a roguelike', item, {}).ungrounded).toEqual(['Roguelike']);
    expect(matcher.citedFacts('a simulation of life', item, {}).ungrounded).toEqual(['Simulation']);
  });

  it('uses titles of other items as claims when written like a name', () => {
    const m = createFactMatcher({ facts: VOCAB, titles: ['Rust', 'Team Fortress 2', 'New Game', 'Element', 'Dark'] });
    const item: Item = { id: 'tf2', title: 'Team Fortress 2' };
    expect(m.citedFacts('If you liked Rust, try this one.', item, {}).ungrounded).toEqual(['Rust']);
    expect(m.citedFacts('The rust on the elements; a new game; DARK SOULS.', item, {}).ungrounded).toEqual([]);
    expect(m.citedFacts('Play it with New Game friends.', item, {}).ungrounded).toEqual(['New Game']);
    expect(m.citedFacts('Team Fortress 2 is great.', item, {}).cited).toEqual([{ value: 'Team Fortress 2', from: 'item', kind: 'title' }]);
  });

  it('finds history titles by their usual short forms', () => {
    expect(titleAliases('Batman: Arkham Asylum Game of the Year Edition')).toEqual(expect.arrayContaining(['Batman', 'Batman: Arkham Asylum']));
    expect(titleAliases('Star Wars: Battlefront 2 (Classic, 2005)')).toContain('Star Wars: Battlefront 2');
    expect(titleAliases('Call of Duty: Modern Warfare 2')).toContain('Modern Warfare 2');
    expect(titleAliases("Assassin's Creed IV Black Flag")).toContain("Assassin's Creed IV");
    const m = createFactMatcher({ facts: ['Star Wars', 'Fantasy'], titles: ['Batman'] });
    const ctx: UserContext = { history: [{ title: 'Star Wars: Battlefront 2 (Classic, 2005)' }, { title: 'Batman™: Arkham Origins' }, { title: 'FINAL FANTASY XIV Online' }] };
    const r = m.citedFacts('You liked Star Wars: Battlefront 2, Batman and Final Fantasy XIV.', { title: 'X' }, ctx);
    expect(r.ungrounded).toEqual([]);
    // The cited value is the title as given (sanitized), whichever short form the text used.
    expect(values(r.cited)).toEqual(['Star Wars: Battlefront 2 (Classic, 2005)', 'Batman™: Arkham Origins', 'FINAL FANTASY XIV Online']);
  });

  it('works with CJK, accents, RTL and emoji', () => {
    const item: Item = { id: 'j', title: 'ドラゴンクエスト', attributes: { genres: ['ロールプレイング', 'Pokémon', 'مغامرة'] } };
    const r = matcher.citedFacts('ドラゴンクエストは最高のロールプレイングゲーム🎮。Pokemon! مغامرة رائعة', item, {});
    expect(values(r.cited)).toEqual(['ドラゴンクエスト', 'ロールプレイング', 'Pokémon', 'مغامرة']);
    expect(matcher.citedFacts('🎮RPG🎮 and 🧩Puzzle', { title: 'Z', attributes: { t: ['RPG'] } }, context).cited.map((f) => f.value)).toEqual(['RPG', 'Puzzle']);
    expect(matcher.citedFacts('最高のロールプレイング', { title: 'Z' }, {}).ungrounded).toEqual(['ロールプレイング']);
  });

  it('ignores one-letter terms and junk input', () => {
    const m = createFactMatcher(['A', '', 42 as never, 'RPG']);
    expect(m.size).toBe(1);
    expect(m.citedFacts('A game.', { title: 'Q', attributes: { t: ['A'] } }, {})).toEqual({ cited: [], ungrounded: [] });
    expect(m.citedFacts(undefined as never, { title: 'Q' }, null)).toEqual({ cited: [], ungrounded: [] });
  });

  it('the convenience function caches the compiled matcher per vocabulary object', () => {
    const vocab = ['RPG'];
    const a = citedFacts('An RPG.', { title: 'Q' }, {}, vocab);
    vocab.push('Puzzle'); // documented: a mutated array is not recompiled
    const b = citedFacts('An RPG and a Puzzle.', { title: 'Q' }, {}, vocab);
    expect(a.ungrounded).toEqual(['RPG']);
    expect(b.ungrounded).toEqual(['RPG']);
    expect(citedFacts('An RPG and a Puzzle.', { title: 'Q' }, {}, [...vocab]).ungrounded).toEqual(['RPG', 'Puzzle']);
    expect(citedFacts('An RPG.', { title: 'Q' }, {}, createFactMatcher([])).ungrounded).toEqual([]);
  });

  it('stays fast with a large vocabulary', () => {
    const big = Array.from({ length: 5000 }, (_, i) => `Term${i} Thing`);
    const m = createFactMatcher([...big, ...VOCAB]);
    expect(m.size).toBe(5000 + VOCAB.length);
    const text = 'Because you played Battlerite: an Action RPG, free-to-play, with Term4999 Thing and Online Co-op. '.repeat(3);
    const r = m.citedFacts(text, rust, context);
    expect(r.ungrounded).toEqual(['Term4999 Thing', 'Online Co-op']);
  });
});

describe('term search structures agree', () => {
  it('TermList (item/history facts) finds exactly what TermIndex (vocabulary) finds', async () => {
    const { TermIndex, TermList, searchable, termKey: key } = await import('../../../src/core/term-index.ts');
    const terms = ['RPG', 'Co-op', 'Free to Play', 'Play', 'Strategy', 'Box', 'ロールプレイング', 'Pokémon', '2D', 'Portal 2', 'A.V.A', 'r'];
    const index = new TermIndex<string>();
    const list = new TermList<string>();
    for (const t of terms) {
      index.add(t, t);
      list.addKey(key(t), t);
    }
    expect(list.size).toBe(index.size);
    const texts = [
      "RPGs, co-op boxes, free-to-play strategies; Portal 2's 2D puzzles. ロールプレイングゲーム Pokemon!",
      'transactions of rpgmaker players display boxy strategyish A.V.A.',
      '😀RPG😀 playplay Play. PLAY ＲＰＧ',
    ];
    for (const text of texts) {
      const seg = searchable(text);
      const fromList = list.hits(seg);
      for (let i = 0; i < seg.orig.length; i++) {
        const a = index.hitsAt(seg, i).map((h) => [h.end, h.length, h.terms[0]]);
        const b = (fromList.get(i) ?? []).map((h) => [h.end, h.length, h.terms[0]]);
        expect(b, `${text} @${i}`).toEqual(a);
      }
    }
  });
});

describe('implied facts', () => {
  it('a specific fact implies the general vocabulary term it contains', () => {
    const m = createFactMatcher(['Multiplayer', 'Strategy', 'Co-op', 'Space']);
    const item: Item = { id: 'i', title: 'Dead Space', attributes: { tags: ['Massively Multiplayer', 'Turn-Based Strategy'] } };
    const r = m.citedFacts('A multiplayer game of deep Strategy, with co-op.', item, { history: [{ title: 'H', attributes: { t: ['Online Co-op'] } }] });
    expect(r.ungrounded).toEqual([]);
    expect(r.cited).toEqual([
      { value: 'Massively Multiplayer', from: 'item', kind: 'tags' },
      { value: 'Turn-Based Strategy', from: 'item', kind: 'tags' },
      { value: 'Online Co-op', from: 'history', kind: 't' },
    ]);
    // Titles imply nothing.
    expect(m.citedFacts('Set in Space, far away.', item, {}).ungrounded).toEqual(['Space']);
  });
});
