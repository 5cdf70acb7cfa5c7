import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { decay, DEFAULT_MAX_EVENTS, makeEvent, prune, ratingWeight, toHistory, type ProfileEvent } from '../../../src/profile/events.ts';
import { ProfileStore } from '../../../src/profile/store.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);

function clock(start = T0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const game = (id: string, tags: string[] = ['Puzzle']) => ({ id, title: `Game ${id}`, attributes: { tags } });

describe('profile events', () => {
  it('decays with the documented half-life', () => {
    expect(decay(T0, T0)).toBe(1);
    expect(decay(T0, T0 + 30 * DAY)).toBeCloseTo(0.5);
    expect(decay(T0, T0 + 60 * DAY)).toBeCloseTo(0.25);
    expect(decay(T0 + DAY, T0)).toBe(1); // clock skew: never above 1
  });

  it('weights purchases over carts over clicks over views; ratings around 3 stars', () => {
    const w = (type: ProfileEvent['type']) => toHistory([makeEvent(type, game('a'), T0)!], { now: T0 })[0]!.weight!;
    expect(w('purchase')).toBeGreaterThan(w('cart'));
    expect(w('cart')).toBeGreaterThan(w('click'));
    expect(w('click')).toBeGreaterThan(w('view'));
    expect(ratingWeight(5)).toBe(2);
    expect(ratingWeight(3)).toBe(0);
    expect(ratingWeight(1)).toBe(-2);
  });

  it('keeps only citable, capped data from page input', () => {
    const event = makeEvent('view', { id: 'x', title: 'A\u202Egame<|reason|>', attributes: { tags: Array.from({ length: 40 }, (_, i) => `t${i}`), price: 9.99, url: 'https://x.y/' } }, T0)!;
    expect(event.title).toBe('Agame<reason>');
    expect(event.attributes.facts).toHaveLength(16);
    expect(JSON.stringify(event)).not.toContain('https://');
    expect(makeEvent('view', { id: 'x', title: '   ' }, T0)).toBeNull();
    expect(makeEvent('hack', game('a'), T0)).toBeNull();
    expect(makeEvent('rating', game('a'), T0, 9)).toBeNull();
    expect(makeEvent('view', null, T0)).toBeNull();
  });

  it('toHistory: one entry per item, oldest first, weights summed, disliked and excluded items left out', () => {
    const events = [
      makeEvent('view', game('a'), T0)!,
      makeEvent('view', game('b'), T0 + 1)!,
      makeEvent('purchase', game('a'), T0 + 2)!,
      makeEvent('click', game('c'), T0 + 3)!,
      makeEvent('rating', game('c'), T0 + 4, 1)!,
      makeEvent('view', game('d'), T0 + 5)!,
    ];
    const history = toHistory(events, { now: T0 + 10, excludeId: 'd' });
    expect(history.map((h) => h.id)).toEqual(['b', 'a']);
    expect(history[1]!.weight).toBeCloseTo(2.25, 3);
    expect(history[1]!.attributes).toEqual({ facts: ['Puzzle'] });
  });

  it('prune forgets faded events and caps the size, keeping what counts most', () => {
    const events = [makeEvent('purchase', game('old'), T0)!, makeEvent('view', game('new'), T0 + 300 * DAY)!];
    expect(prune(events, T0 + 300 * DAY).map((e) => e.itemId)).toEqual(['new']);
    const many = Array.from({ length: 20 }, (_, i) => makeEvent(i === 3 ? 'purchase' : 'view', game(`g${i}`), T0 + i)!);
    const kept = prune(many, T0 + 100, 5);
    expect(kept).toHaveLength(5);
    expect(kept.map((e) => e.itemId)).toContain('g3');
    expect(kept.map((e) => e.itemId)).toContain('g19');
  });
});

describe('ProfileStore', () => {
  it('persists in IndexedDB across opens, exports JSON and clears', async () => {
    const indexedDB = new IDBFactory();
    const time = clock();
    const store = await ProfileStore.open({ indexedDB, now: time.now });
    expect(store.storage).toBe('indexeddb');
    expect(await store.record('view', game('a'))).toBe(true);
    time.advance(1000);
    expect(await store.record('cart', game('b', ['Co-op']))).toBe(true);
    expect(await store.record('view', { title: '' })).toBe(false);
    store.close();

    const again = await ProfileStore.open({ indexedDB, now: time.now });
    expect((await again.history()).map((h) => h.id)).toEqual(['a', 'b']);
    const exported = await again.export();
    expect(exported.format).toBe('because-profile');
    expect(exported.storage).toBe('indexeddb');
    expect(exported.events.map((e) => [e.type, e.itemId])).toEqual([
      ['view', 'a'],
      ['cart', 'b'],
    ]);
    expect(JSON.parse(JSON.stringify(exported))).toEqual(exported);
    await again.clear();
    expect(await again.events()).toEqual([]);
    again.close();
    const third = await ProfileStore.open({ indexedDB, now: time.now });
    expect(await third.events()).toEqual([]);
  });

  it('decays over time: a month later the same event counts half', async () => {
    const time = clock();
    const store = await ProfileStore.open({ indexedDB: new IDBFactory(), now: time.now });
    await store.record('purchase', game('a'));
    const before = (await store.history())[0]!.weight!;
    time.advance(30 * DAY);
    expect((await store.history())[0]!.weight!).toBeCloseTo(before / 2, 3);
    time.advance(400 * DAY);
    expect(await store.history()).toEqual([]);
  });

  it('caps the number of stored events', async () => {
    const store = await ProfileStore.open({ indexedDB: new IDBFactory(), maxEvents: 10 });
    for (let i = 0; i < 25; i += 1) await store.record('view', game(`g${i}`));
    expect(await store.events()).toHaveLength(10);
    expect(DEFAULT_MAX_EVENTS).toBe(500);
  });

  it('falls back to memory without IndexedDB, or when opening fails', async () => {
    const none = await ProfileStore.open({ indexedDB: null });
    expect(none.storage).toBe('memory');
    await none.record('click', game('a'));
    expect((await none.history()).map((h) => h.id)).toEqual(['a']);

    const broken = { open: () => { throw new Error('SecurityError'); } } as unknown as IDBFactory;
    const fallback = await ProfileStore.open({ indexedDB: broken });
    expect(fallback.storage).toBe('memory');
    expect(await fallback.record('view', game('b'))).toBe(true);
    await fallback.clear();
    expect(await fallback.events()).toEqual([]);
  });

  it('serializes concurrent writes (no lost events)', async () => {
    const store = await ProfileStore.open({ indexedDB: new IDBFactory() });
    await Promise.all(Array.from({ length: 12 }, (_, i) => store.record('view', game(`g${i}`))));
    expect(await store.events()).toHaveLength(12);
  });
});
