import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkFilledReason } from '../../../src/core/check.ts';
import { articlePluralProblems, factKindProblems, kindFamily, TRAINED_KIND_KEYS } from '../../../src/core/fact-kinds.ts';
import { contentPlan } from '../../../src/core/plan.ts';
import type { Item, UserContext } from '../../../src/types.ts';

const pedal: Item = { id: 'ts9', title: 'Ibanez TS9 Tube Screamer', attributes: { category: ['Effects', 'Guitar Pedals'], brand: 'Ibanez' } };
const bass: Item = { id: 'pb', title: 'Fender Player Precision Bass', attributes: { category: ['Basses', 'Electric Basses'], brand: 'Fender' } };
const joshua: Item = { id: 'jt', title: 'The Joshua Tree', attributes: { genres: ['Rock'], artist: 'U2' } };
const mic: Item = { id: 'sm58', title: 'Shure SM58', attributes: { category: ['Recording', 'Microphones'], brand: 'Shure' } };
const shop: UserContext = { domain: 'product' };
const music: UserContext = { domain: 'music' };

const found = (text: string, item: Item, ctx: UserContext) => factKindProblems(text, item, ctx, contentPlan(item, ctx)).map((p) => p.text);

describe('kindFamily', () => {
  it('category paths are one family; other keys by their last word, singular', () => {
    expect(['category', 'categories', 'breadcrumb'].map(kindFamily)).toEqual(['category', 'category', 'category']);
    expect(['genres', 'steam_tags', 'tags', 'subcategory', 'artist'].map(kindFamily)).toEqual(['genre', 'tag', 'tag', 'subcategory', 'artist']);
  });
});

describe('factKindProblems', () => {
  it('a kind noun after a fact or a run of facts must be the facts’ kind', () => {
    expect(found('This product falls under the guitar pedals and effects genre.', pedal, shop)).toEqual(['guitar pedals and effects genre']);
    // "category" fits any fact but a name: the genre passes, the artist does not.
    expect(found('It falls under the rock category and the U2 category.', joshua, music)).toEqual(['U2 category']);
    expect(found('This album falls under the rock genre and the rock category.', joshua, music)).toEqual([]);
    expect(found("It's a great choice for you to explore the basses electric basses genres.", bass, shop)).toEqual(['electric basses genres']);
  });

  it('a kind noun before "of" and the facts', () => {
    expect(found('This product falls under the same genres of guitar pedals and effects.', pedal, shop)).toEqual(['genres of guitar pedals and effects']);
    expect(found('It falls under the category of rock and U2.', joshua, music)).toEqual(['category of rock and U2']);
  });

  it('a kind noun before "including" / "such as" and the facts (read on the shop audit)', () => {
    const cordoba: Item = { id: 'c5', title: 'Cordoba C5', attributes: { category: ['Guitars', 'Classical Guitars'], brand: 'Cordoba' } };
    expect(found('You seem to enjoy a variety of genres, including classical guitars.', cordoba, shop)).toEqual(['genres, including classical guitars']);
    expect(found('It is one of many categories such as guitar pedals.', pedal, shop)).toEqual([]);
    expect(found('Albums with genres such as rock.', joshua, music)).toEqual([]);
  });

  it('the right kind, in either number, is fine; so are other words and names next to facts', () => {
    expect(found('It falls under the guitar pedals and effects categories.', pedal, shop)).toEqual([]);
    expect(found('It falls under the guitar pedals category.', pedal, shop)).toEqual([]);
    expect(found('This album falls under the rock genre.', joshua, music)).toEqual([]);
    expect(found('A rock album by U2, a rock artist.', joshua, music)).toEqual([]);
    expect(found('An effects pedal from Ibanez for your board.', pedal, shop)).toEqual([]);
  });

  it('a value under two keys has both kinds (Steam genres and tags)', () => {
    const game: Item = { id: 'g', title: 'G', attributes: { genres: ['Action'], tags: ['Action', 'Indie'] } };
    expect(found('An action game with action tags and the action genre.', game, { domain: 'game' })).toEqual([]);
    expect(found('It is in the indie genre.', game, { domain: 'game' })).toEqual(['indie genre']);
  });

  it('bans the kind noun in both numbers', () => {
    const [p] = factKindProblems('It falls under the guitar pedals genre.', pedal, shop, contentPlan(pedal, shop));
    expect(p?.bans).toEqual(['genre', 'genres']);
  });

  it('TRAINED_KIND_KEYS are the prepared training rows’ attribute keys', () => {
    const file = new URL('../../../training/out/data/train.jsonl', import.meta.url);
    if (!existsSync(file)) return; // a fresh clone without prepared data: nothing to compare with
    const keys = new Set<string>();
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      const row = JSON.parse(line) as { item?: Item; user?: { history?: Item[] } };
      for (const e of [row.item, ...(row.user?.history ?? [])]) for (const k of Object.keys(e?.attributes ?? {})) keys.add(k);
    }
    expect([...keys].sort()).toEqual([...TRAINED_KIND_KEYS]);
  });
});

describe('articlePluralProblems', () => {
  it('a/an right before a plural category value', () => {
    const plan = contentPlan(mic, shop);
    expect(articlePluralProblems("It's a microphones recording.", plan).map((p) => p.text)).toEqual(['a microphones']);
    expect(articlePluralProblems("It's a microphone for the stage, filed under recording.", plan)).toEqual([]);
    expect(articlePluralProblems('Great microphones for recording.', plan)).toEqual([]);
  });
});

describe('checkFilledReason wiring', () => {
  it('reports fact-kind and article-plural findings with their bans', () => {
    const r = checkFilledReason('This product falls under the guitar pedals and effects genre.', { item: pedal, context: shop, plan: contentPlan(pedal, shop) });
    expect(r.problems).toContainEqual({ kind: 'fact-kind', text: 'guitar pedals and effects genre' });
    expect(r.banned).toEqual(expect.arrayContaining(['genre', 'genres']));
    const m = checkFilledReason("It's a microphones recording.", { item: mic, context: shop, plan: contentPlan(mic, shop) });
    expect(m.problems).toContainEqual({ kind: 'article-plural', text: 'a microphones' });
    expect(checkFilledReason('It falls under the guitar pedals and effects category, by Ibanez.', { item: pedal, context: shop, plan: contentPlan(pedal, shop) }).ok).toBe(true);
  });
});
