import { describe, expect, it } from 'vitest';
import { countCasing, holdsProperWord, newCasingCounts, properWordList } from '../../../src/core/casing.ts';
import { contentPlan } from '../../../src/core/plan.ts';
import { factCase, fillSlots } from '../../../src/core/slots.ts';
import { templateReason } from '../../../src/core/grounding.ts';
import { parseLexicon } from '../../../src/core/dictionary.ts';
import lexiconJson from '../../../public/models/because-reason-v2/lexicon.json' with { type: 'json' };

describe('countCasing', () => {
  it('counts mid-sentence words only, by how they are written', () => {
    const c = newCasingCounts();
    countCasing('Rome was great. Trips to Rome and to rome are fun in America.', [], c);
    // "Rome" at the start says nothing; mid-sentence twice Capitalized, once lower-case.
    expect(c.cap.get('rome')).toBe(1);
    expect(c.low.get('rome')).toBe(1);
    expect(c.cap.get('america')).toBe(1);
    expect(c.cap.get('was')).toBeUndefined();
    expect(c.low.get('trips')).toBeUndefined(); // a sentence start, though lower-case after it would count
  });

  it('blanks quoted spans, the row\'s titles and catalog titles', () => {
    const c = newCasingCounts();
    countCasing('You liked "Castle Crashers" and Portal Knights, and you might like Rogue Legacy too.', ['Portal Knights'], c, (t) => t === 'rogue legacy');
    expect(c.cap.get('castle')).toBeUndefined();
    expect(c.cap.get('knights')).toBeUndefined();
    expect(c.cap.get('rogue')).toBeUndefined();
    expect(c.cap.get('legacy')).toBeUndefined();
    expect(c.low.get('might')).toBe(1);
  });

  it('skips texts written in title case throughout (headings)', () => {
    const c = newCasingCounts();
    countCasing('Best Guitar I Ever Bought For The Money', [], c);
    expect(c.cap.size).toBe(0);
  });

  it('lists words Capitalized in nearly all their mid-sentence uses, often enough', () => {
    const c = newCasingCounts();
    for (let i = 0; i < 6; i++) countCasing('a trip to Rome with a Star and a star', [], c);
    countCasing('a trip to Rome', [], c);
    expect(properWordList(c, 5, 0.95)).toEqual(['rome']);
    expect(properWordList(c, 8, 0.95)).toEqual([]);
  });
});

describe('facts that hold a proper word keep the page\'s casing', () => {
  const proper = new Set(['wars', 'america', 'rogue']);

  it('factCase', () => {
    expect(factCase('Star Wars', 'tags', proper)).toBe('Star Wars');
    expect(factCase('America', 'tags', proper)).toBe('America');
    expect(factCase('Open World', 'tags', proper)).toBe('open world');
    // A compound with a lower-case part is a kind of thing, whatever the name in it.
    expect(factCase('Rogue-like', 'tags', proper)).toBe('rogue-like');
    expect(holdsProperWord('Rogue Guitars', proper)).toBe(true);
    // Without the lexicon's list: lower-cased as before.
    expect(factCase('Star Wars', 'tags')).toBe('star wars');
  });

  const item = { id: 'g1', title: 'Knights of the Old Republic', attributes: { tags: ['Star Wars', 'RPG'] } };

  it('fillSlots and the template fallback', () => {
    const plan = contentPlan(item, { history: [], domain: 'game' });
    const slot = plan.facts.find((f) => f.value === 'Star Wars')?.slot;
    expect(slot).toBeDefined();
    const text = fillSlots(`It is an <|@${slot}|> <|@noun|>.`, plan, proper).text;
    expect(text).toBe('It is a Star Wars game.');
    expect(fillSlots(`It is an <|@${slot}|> <|@noun|>.`, plan).text).toBe('It is a star wars game.');
    expect(templateReason(item, { history: [], domain: 'game' }, plan, proper).text).toContain('Star Wars');
    expect(templateReason(item, { history: [], domain: 'game' }, plan, proper).text).not.toContain('star wars');
  });

  it('the shipped lexicon lists the names of the demo catalog\'s tags, not its genre words', () => {
    const words = new Set(parseLexicon(lexiconJson).properWords);
    for (const tag of ['Star Wars', 'America', 'Batman', 'Warhammer 40K']) expect(holdsProperWord(tag, words), tag).toBe(true);
    for (const tag of ['Open World', 'Action', 'Sci-fi', 'Indie', 'Early Access', 'Rogue-like', 'Space', 'Horror', 'Fantasy']) expect(holdsProperWord(tag, words), tag).toBe(false);
  });
});
