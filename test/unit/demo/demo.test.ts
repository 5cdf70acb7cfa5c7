// The demo storefront's pure parts: URL options, catalog parsing, the on-device history, and the
// committed catalog slice itself.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { benchSet, PAGE_SIZE } from '../../../scripts/bench/items.ts';
import { parseCatalog, priceLabel, toItem } from '../../../src/demo/catalog.ts';
import { HistoryStore } from '../../../src/demo/history.ts';
import { readOptions, sameOrigin, withDevice } from '../../../src/demo/options.ts';

const catalog = parseCatalog(JSON.parse(readFileSync(new URL('../../../public/demo/catalog.json', import.meta.url), 'utf8')));

class MemoryStorage {
  private data = new Map<string, string>();
  get length(): number {
    return this.data.size;
  }
  clear(): void {
    this.data.clear();
  }
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  key(i: number): string | null {
    return [...this.data.keys()][i] ?? null;
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
  setItem(key: string, value: string): void {
    this.data.set(key, value);
  }
}

describe('demo catalog slice', () => {
  it('has at least 48 real games with genres and tags and unique ids', () => {
    expect(catalog.length).toBeGreaterThanOrEqual(48);
    expect(new Set(catalog.map((g) => g.id)).size).toBe(catalog.length);
    for (const game of catalog) {
      expect(game.title.trim()).not.toBe('');
      expect(game.genres.length).toBeGreaterThan(0);
      expect(game.tags.length).toBeGreaterThanOrEqual(3);
    }
    expect(catalog.map((g) => g.title)).toEqual(expect.arrayContaining(['Portal 2', 'Team Fortress 2', 'Rust']));
  });

  it('has room for the benchmark workload: history, a page and a distinct warm-up page', () => {
    const set = benchSet(catalog);
    expect(set.page).toHaveLength(PAGE_SIZE);
    expect(set.warmup).toHaveLength(PAGE_SIZE);
    const pageIds = new Set(set.page.map((i) => i.id));
    expect(set.warmup.some((i) => pageIds.has(i.id))).toBe(false);
    expect(set.context.history?.some((h) => pageIds.has(h.id ?? ''))).toBe(false);
  });
});

describe('demo catalog parsing', () => {
  it('drops malformed entries, keeps ids unique, and maps games to items with genres first', () => {
    const games = parseCatalog({
      games: [null, 'x', { id: 1, title: 'A', genres: ['RPG', 3], tags: ['Co-op'], price: 0 }, { id: '1', title: 'B' }, { title: 'no id' }],
    });
    expect(games.map((g) => [g.id, g.title])).toEqual([['1', 'A'], ['1*', 'B']]);
    expect(toItem(games[0]!)).toEqual({ id: '1', title: 'A', attributes: { genres: ['RPG'], tags: ['Co-op'] } });
    expect(priceLabel(0)).toBe('Free to play');
    expect(priceLabel(9.5)).toBe('$9.50');
    expect(() => parseCatalog({ items: [] })).toThrow(/games/);
  });
});

describe('demo URL options', () => {
  it('reads device, limits and same-origin paths only', () => {
    const o = readOptions('http://127.0.0.1:5173/?device=webgpu&limit=3&tokens=6&catalog=/x.json&model=https://evil.example/m/');
    expect(o).toEqual({
      device: 'webgpu',
      limit: 3,
      maxNewTokens: 6,
      catalogUrl: 'http://127.0.0.1:5173/x.json',
      modelUrl: null,
    });
    expect(readOptions('http://h/?device=gpu&limit=-1&tokens=abc').device).toBe('auto');
    expect(readOptions('http://h/?limit=0').limit).toBeNull();
    expect(readOptions('http://h/?catalog=//evil.example/c.json').catalogUrl).toBe('http://h/demo/catalog.json');
    expect(sameOrigin('javascript:alert(1)', 'http://h/')).toBeNull();
    expect(withDevice('http://h/?limit=2&device=wasm', 'auto')).toBe('http://h/?limit=2&device=auto');
  });
});

describe('demo history store', () => {
  it('toggles, persists, survives corrupt storage and gives oldest-first entries', () => {
    const storage = new MemoryStorage();
    const store = new HistoryStore(storage);
    let changes = 0;
    store.onChange(() => changes++);
    const [a, b] = catalog;
    store.toggle(b!.id, 'played');
    store.toggle(a!.id, 'cart');
    expect(store.has(b!.id, 'played')).toBe(true);
    expect(store.entries(catalog).map((h) => h.title)).toEqual([b!.title, a!.title]);
    expect(new HistoryStore(storage).entries(catalog).map((h) => h.id)).toEqual([b!.id, a!.id]);
    store.toggle(b!.id, 'played');
    expect(store.has(b!.id, 'played')).toBe(false);
    expect(changes).toBe(3);
    storage.setItem('because-demo-history-v1', '{not json');
    expect(new HistoryStore(storage).entries(catalog)).toEqual([]);
    storage.setItem('because-demo-history-v1', JSON.stringify([{ id: 5 }, { id: a!.id, action: 'played', at: 1 }]));
    expect(new HistoryStore(storage).entries(catalog).map((h) => h.id)).toEqual([a!.id]);
  });
});
