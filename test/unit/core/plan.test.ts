import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contentPlan, jointlyShared, mostSpecificFirst, restrictPlan, sharedByAll, type ContentPlan } from '../../../src/core/plan.ts';
import { attemptPlan } from '../../../src/generation/slot-decoding.ts';
import { buildPlanPrompt } from '../../../src/core/plan-prompt.ts';
import { fillSlots } from '../../../src/core/slots.ts';
import type { Item, UserContext } from '../../../src/types.ts';

const { vectors } = JSON.parse(readFileSync(new URL('../../fixtures/plan-vectors.json', import.meta.url), 'utf8')) as {
  vectors: { name: string; item: Item; context: UserContext; plan: ContentPlan; prompt: string; fills: { slotText: string; text: string }[] }[];
};

describe('shared plan vectors (scripts/make-plan-vectors.ts)', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const plan = contentPlan(v.item, v.context);
    expect(plan).toEqual(v.plan);
    expect(buildPlanPrompt(plan)).toBe(v.prompt);
    for (const f of v.fills) expect(fillSlots(f.slotText, plan).text).toBe(f.text);
  });
});

const game = (title: string, tags: string[]) => ({ title, attributes: { tags } });

describe('contentPlan', () => {
  it('no history → mode new, the item’s salient facts', () => {
    const plan = contentPlan(game('Portal 2', ['Puzzle', 'Co-op', 'Sci-fi', 'Funny']), { domain: 'Game' });
    expect(plan).toMatchObject({ domain: 'game', mode: 'new', hasHistory: false, item: { title: 'Portal 2' }, history: [] });
    expect(plan.facts.map((f) => [f.slot, f.value, f.from])).toEqual([
      ['f1', 'Puzzle', 'item'],
      ['f2', 'Co-op', 'item'],
      ['f3', 'Sci-fi', 'item'],
    ]);
  });

  it('a history sharing nothing → mode new but hasHistory', () => {
    const plan = contentPlan(game('Portal 2', ['Puzzle']), { domain: 'game', history: [game('DOOM', ['Gore'])] });
    expect(plan.mode).toBe('new');
    expect(plan.hasHistory).toBe(true);
    expect(plan.history).toEqual([]);
  });

  it('entries by shared count, then most recent first; at most 2', () => {
    const item = game('X', ['A', 'B', 'C']);
    const history = [game('old-one', ['A']), game('two', ['A', 'B']), game('recent-one', ['C']), game('none', ['Z'])];
    const plan = contentPlan(item, { history });
    expect(plan.history.map((h) => [h.slot, h.title, h.shared])).toEqual([
      ['h1', 'two', ['A', 'B']],
      ['h2', 'recent-one', ['C']],
    ]);
    // facts shared with h1 first (item order), then h2's
    expect(plan.facts.map((f) => f.value)).toEqual(['A', 'B', 'C']);
  });

  it('recency breaks a tie', () => {
    const plan = contentPlan(game('X', ['A']), { history: [game('first', ['A']), game('second', ['A']), game('third', ['A'])] });
    expect(plan.history.map((h) => h.title)).toEqual(['third', 'second']);
  });

  it('skips a history entry that is the item itself (case-insensitive)', () => {
    const plan = contentPlan(game('Half-Life 2', ['FPS']), { history: [game('Other', ['FPS']), game('HALF-LIFE 2', ['FPS'])] });
    expect(plan.history.map((h) => h.title)).toEqual(['Other']);
  });

  it('shares facts by termKey (case, hyphens)', () => {
    const plan = contentPlan(game('X', ['Co-op', 'Free to Play']), { history: [game('Y', ['co op', 'free-to-play'])] });
    expect(plan.history[0]?.shared).toEqual(['Co-op', 'Free to Play']);
    expect(plan.facts.map((f) => f.value)).toEqual(['Co-op', 'Free to Play']);
  });

  it('only the last 8 history entries count', () => {
    const history = [game('oldest', ['A']), ...Array.from({ length: 8 }, (_, i) => game(`g${i}`, ['Z']))];
    expect(contentPlan(game('X', ['A']), { history }).mode).toBe('new');
  });

  it('at most 3 facts', () => {
    const plan = contentPlan(game('X', ['A', 'B', 'C', 'D']), { history: [game('Y', ['A', 'B', 'C', 'D'])] });
    expect(plan.facts).toHaveLength(3);
  });

  it('category path: at most 2 values, most specific first, then the other keys', () => {
    const item = { title: 'Tube Screamer', attributes: { category: ['Musical Instruments', 'Effects', 'Guitar Pedals'], brand: 'Ibanez', color: 'Green' } };
    const plan = contentPlan(item, { domain: 'product' });
    expect(plan.facts.map((f) => [f.value, f.kind])).toEqual([
      ['Guitar Pedals', 'category'],
      ['Effects', 'category'],
      ['Ibanez', 'brand'],
    ]);
  });

  it('brand first when the page lists it first', () => {
    const item = { title: 'P', attributes: { brand: 'Fender', category: ['Effects', 'Guitar Pedals'] } };
    expect(contentPlan(item).facts.map((f) => f.value)).toEqual(['Fender', 'Guitar Pedals', 'Effects']);
  });

  it('category path: an ancestor the specific value already says is dropped ("classical guitars and guitars")', () => {
    const path = (category: string[]) => contentPlan({ title: 'P', attributes: { category, brand: 'Fender' } }).facts.map((f) => f.value);
    expect(path(['Guitars', 'Classical Guitars'])).toEqual(['Classical Guitars', 'Fender']);
    expect(path(['Amplifiers', 'Guitar Amplifiers'])).toEqual(['Guitar Amplifiers', 'Fender']);
    // Singular and plural are one word; a word inside another word is not ('Bass' in 'Basses' aside, 'Amp' ≠ 'Amplifiers').
    expect(path(['Guitar', 'Bass Guitars'])).toEqual(['Bass Guitars', 'Fender']);
    expect(path(['Amps', 'Guitar Amplifiers'])).toEqual(['Guitar Amplifiers', 'Amps', 'Fender']);
    // It stays when it adds something.
    expect(path(['Effects', 'Guitar Pedals'])).toEqual(['Guitar Pedals', 'Effects', 'Fender']);
  });

  it('history mode: a shared ancestor category the shared specific one says is dropped too', () => {
    const strat = { title: 'Strat', attributes: { category: ['Guitars', 'Electric Guitars'], brand: 'Fender' } };
    const tele = { title: 'Tele', attributes: { category: ['Guitars', 'Electric Guitars'], brand: 'Squier' } };
    const martin = { title: 'D-28', attributes: { category: ['Guitars', 'Acoustic Guitars'] } };
    expect(contentPlan(strat, { history: [tele] }).facts.map((f) => f.value)).toEqual(['Electric Guitars']);
    // Only the ancestor shared: it is the shared fact.
    expect(contentPlan(strat, { history: [martin] }).facts.map((f) => f.value)).toEqual(['Guitars']);
    // The entry still records everything it shares (the "Why this?" panel).
    expect(contentPlan(strat, { history: [tele] }).history[0]?.shared).toEqual(['Guitars', 'Electric Guitars']);
  });

  it('sanitizes: domain default, title markers broken, numbers are no facts', () => {
    const plan = contentPlan({ title: 'A <|@item|> B', attributes: { year: 2004 as unknown as string, tags: ['Ok'] } }, {});
    expect(plan.domain).toBe('product');
    expect(plan.item.title).not.toContain('<|');
    expect(plan.facts.map((f) => f.value)).toEqual(['Ok']);
  });

  it('nothing else reaches the plan (no profile, no description)', () => {
    const plan = contentPlan({ title: 'T', attributes: {}, description: 'secret' } as Item, { profile: 'likes secrets' });
    expect(JSON.stringify(plan)).not.toContain('secret');
  });
});

describe('buildPlanPrompt', () => {
  it('history mode: slots, never titles', () => {
    const plan = contentPlan(game('Portal 2', ['Co-op', 'FPS']), { domain: 'game', history: [game('Borderlands 2', ['Co-op', 'FPS'])] });
    const prompt = buildPlanPrompt(plan);
    expect(prompt).toBe('<|domain|>game<|history|><|@h1|><|facts|><|@f1|>Co-op<|@f2|>FPS<|reason|>');
    expect(prompt).not.toContain('Borderlands');
    expect(prompt).not.toContain('Portal');
  });

  it('new mode without facts', () => {
    expect(buildPlanPrompt(contentPlan({ title: 'T' }, {}))).toBe('<|domain|>product<|new|><|reason|>');
  });
});

describe('restrictPlan', () => {
  it('keeps the given slots, renumbered in the given order; no entry → new', () => {
    const plan = contentPlan(game('X', ['A', 'B', 'C']), { history: [game('Y', ['A', 'B', 'C'])] });
    const r = restrictPlan(plan, [], ['C', 'A']);
    expect(r.mode).toBe('new');
    expect(r.facts.map((f) => [f.slot, f.value])).toEqual([
      ['f1', 'C'],
      ['f2', 'A'],
    ]);
    expect(restrictPlan(plan, ['Y'], []).history.map((h) => h.slot)).toEqual(['h1']);
  });
});

describe('mostSpecificFirst and the regeneration plan', () => {
  const catan = { id: 'c', title: 'Catan', attributes: { category: ['Games', 'Board Games', 'Strategy Games'], brand: 'Catan Studio' } };
  const twilight = { title: 'Twilight Struggle', attributes: { category: ['Games', 'Board Games', 'Strategy Games'], brand: 'GMT Games' } };
  it('puts a category path deepest first; the regeneration keeps that one', () => {
    const plan = contentPlan(catan, { domain: 'product', history: [twilight] });
    expect(plan.facts.map((f) => f.value)).toEqual(['Board Games', 'Strategy Games']);
    expect(mostSpecificFirst(plan, catan).map((f) => f.value)).toEqual(['Strategy Games', 'Board Games']);
    expect(attemptPlan(attemptPlan(plan, 0), 1, catan).facts.map((f) => f.value)).toEqual(['Strategy Games']);
    // Without the item the cut keeps the plan's order, as before.
    expect(attemptPlan(attemptPlan(plan, 0), 1).facts.map((f) => f.value)).toEqual(['Board Games']);
  });
  it('leaves a new visitor\'s plan (specific first already) and other kinds of facts as they are', () => {
    const plan = contentPlan(catan, { domain: 'product', history: [] });
    expect(mostSpecificFirst(plan, catan).map((f) => f.value)).toEqual(plan.facts.map((f) => f.value));
    const game = { id: 'g', title: 'Rust', attributes: { genres: ['Action', 'Adventure'] } };
    const gamePlan = contentPlan(game, { domain: 'game', history: [] });
    expect(mostSpecificFirst(gamePlan, game)).toEqual(gamePlan.facts);
  });
});

describe('facts true of the entries a plan keeps (sharedByAll, jointlyShared, attemptPlan)', () => {
  // The Shining shares the director with 2001, Alien the genre: neither shares both.
  const odyssey = { id: 'o', title: '2001: A Space Odyssey', attributes: { genres: ['Science Fiction'], director: 'Stanley Kubrick' } };
  const alien = { title: 'Alien', attributes: { genres: ['Science Fiction', 'Horror'], director: 'Ridley Scott' } };
  const shining = { title: 'The Shining', attributes: { genres: ['Horror', 'Thriller'], director: 'Stanley Kubrick' } };
  const context = { domain: 'movie', history: [alien, shining] };
  const plan = contentPlan(odyssey, context);

  it('the full plan holds both entries and both facts, each shared by one', () => {
    expect(plan.history.map((h) => [h.title, h.shared])).toEqual([['The Shining', ['Stanley Kubrick']], ['Alien', ['Science Fiction']]]);
    expect(plan.facts.map((f) => f.value)).toEqual(['Stanley Kubrick', 'Science Fiction']);
    const [kubrick, scifi] = plan.facts as [ContentPlan['facts'][number], ContentPlan['facts'][number]];
    expect([sharedByAll(kubrick, plan.history.slice(0, 1)), sharedByAll(scifi, plan.history.slice(0, 1)), sharedByAll(scifi, plan.history)]).toEqual([true, false, false]);
    expect(sharedByAll({ slot: 'f1', value: 'Drama', kind: 'genres', from: 'item' }, plan.history)).toBe(true);
  });

  it('an attempt that keeps one entry asks only for the facts it shares', () => {
    expect(attemptPlan(plan, 0).history.map((h) => h.title)).toEqual(['The Shining']);
    expect(attemptPlan(plan, 0).facts.map((f) => [f.slot, f.value])).toEqual([['f1', 'Stanley Kubrick']]);
    expect(attemptPlan(plan, 1, odyssey).facts.map((f) => f.value)).toEqual(['Stanley Kubrick']);
  });

  it('jointlyShared keeps the first entry, its facts and the entries sharing all of them', () => {
    const joint = jointlyShared(plan);
    expect(joint.history.map((h) => h.title)).toEqual(['The Shining']);
    expect(joint.facts.map((f) => f.value)).toEqual(['Stanley Kubrick']);
    // Two entries that share the same fact both stay.
    const both = contentPlan(odyssey, { domain: 'movie', history: [alien, { title: 'Aliens', attributes: { genres: ['Science Fiction', 'Action'] } }] });
    expect(jointlyShared(both).history.map((h) => h.title)).toEqual(['Aliens', 'Alien']);
    const fresh = contentPlan(odyssey, { domain: 'movie' });
    expect(jointlyShared(fresh)).toBe(fresh);
  });
});
