import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { cacheKey, hashString, LruCache, ReasonCache } from '../../../src/engine/cache.ts';

interface Value {
  text: string;
}

describe('cacheKey', () => {
  it('is stable and depends on every part', () => {
    const prompt = '<|domain|>game<|item|>Rust [Action]<|reason|>';
    const key = cacheKey('because-reason-v1', 'q8', 48, prompt);
    expect(cacheKey('because-reason-v1', 'q8', 48, prompt)).toBe(key);
    expect(key).toMatch(/^v1\|because-reason-v1\|q8\|48\|\d+:[0-9a-f]{28}$/);
    const others = [
      cacheKey('other-model', 'q8', 48, prompt),
      cacheKey('because-reason-v1', 'q4', 48, prompt),
      cacheKey('because-reason-v1', 'q8', 64, prompt),
      cacheKey('because-reason-v1', 'q8', 48, prompt.replace('Rust', 'Rest')),
    ];
    expect(new Set([key, ...others]).size).toBe(5);
  });

  it('hashes without collisions on many near-identical prompts', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(hashString(`<|item|>Game ${i} [Action]<|reason|>`));
    expect(seen.size).toBe(20_000);
    expect(hashString('😀')).not.toBe(hashString('😁'));
    expect(hashString('')).toMatch(/^[0-9a-f]{28}$/);
  });
});

describe('LruCache', () => {
  it('evicts the least recently used entry', () => {
    const lru = new LruCache<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now most recent
    lru.set('c', 3);
    expect(lru.has('b')).toBe(false);
    expect([...lru.keys()]).toEqual(['a', 'c']);
    expect(lru.size).toBe(2);
    expect(() => new LruCache(0)).toThrow(RangeError);
  });
});

describe('ReasonCache', () => {
  it('stores in memory and IndexedDB; a new instance reads from IndexedDB', async () => {
    const indexedDB = new IDBFactory();
    const a = new ReasonCache<Value>({ indexedDB });
    expect(await a.persistent()).toBe(true);
    await a.set('k1', { text: 'hello' });
    expect(a.peek('k1')).toEqual({ text: 'hello' });
    await a.close();

    const b = new ReasonCache<Value>({ indexedDB });
    expect(b.peek('k1')).toBeUndefined();
    expect(await b.get('k1')).toEqual({ text: 'hello' });
    expect(b.peek('k1')).toEqual({ text: 'hello' }); // promoted into memory
    expect(await b.get('missing')).toBeUndefined();
    await b.close();
  });

  it('bounds memory and prunes the oldest database rows', async () => {
    const indexedDB = new IDBFactory();
    const cache = new ReasonCache<Value>({ indexedDB, maxEntries: 3, maxPersistentEntries: 5 });
    for (let i = 0; i < 8; i++) await cache.set(`k${i}`, { text: `t${i}` });
    expect(cache.size).toBe(3);
    await cache.prune();
    await cache.close();
    const reader = new ReasonCache<Value>({ indexedDB });
    const found = await Promise.all(Array.from({ length: 8 }, (_, i) => reader.get(`k${i}`)));
    expect(found.map((v) => v?.text ?? null)).toEqual([null, null, null, 't3', 't4', 't5', 't6', 't7']);
    await reader.close();
  });

  it('clear() empties both layers', async () => {
    const indexedDB = new IDBFactory();
    const cache = new ReasonCache<Value>({ indexedDB });
    await cache.set('k', { text: 'x' });
    await cache.clear();
    expect(cache.peek('k')).toBeUndefined();
    expect(await cache.get('k')).toBeUndefined();
    await cache.close();
    expect(await new ReasonCache<Value>({ indexedDB }).get('k')).toBeUndefined();
  });

  it('is memory-only without IndexedDB or with persistent: false', async () => {
    for (const cache of [new ReasonCache<Value>({ indexedDB: undefined }), new ReasonCache<Value>({ indexedDB: new IDBFactory(), persistent: false })]) {
      expect(await cache.persistent()).toBe(false);
      await cache.set('k', { text: 'mem' });
      expect(await cache.get('k')).toEqual({ text: 'mem' });
      await cache.clear();
      expect(await cache.get('k')).toBeUndefined();
    }
  });

  it('degrades silently when IndexedDB throws on open', async () => {
    const throwing = { open: () => { throw new DOMException('denied', 'SecurityError'); } } as unknown as IDBFactory;
    const cache = new ReasonCache<Value>({ indexedDB: throwing });
    await cache.set('k', { text: 'kept' });
    expect(await cache.get('k')).toEqual({ text: 'kept' });
    expect(await cache.persistent()).toBe(false);
  });

  it('degrades silently when the open request fails or never settles', async () => {
    const failing = {
      open: () => {
        const req = {} as IDBOpenDBRequest;
        queueMicrotask(() => req.onerror?.(new Event('error')));
        return req;
      },
    } as unknown as IDBFactory;
    const hanging = { open: () => ({}) as IDBOpenDBRequest } as unknown as IDBFactory;
    for (const indexedDB of [failing, hanging]) {
      const cache = new ReasonCache<Value>({ indexedDB, openTimeoutMs: 5 });
      await cache.set('k', { text: 'kept' });
      expect(await cache.get('k')).toEqual({ text: 'kept' });
      expect(await cache.persistent()).toBe(false);
    }
  });

  it('keeps the memory copy when database operations fail, and stops using the database after 3 failures', async () => {
    const indexedDB = new IDBFactory();
    const cache = new ReasonCache<Value>({ indexedDB });
    expect(await cache.persistent()).toBe(true);
    // Break every transaction from now on.
    const db = await (cache as unknown as { db: Promise<IDBDatabase> }).db;
    db.transaction = () => { throw new DOMException('quota', 'QuotaExceededError'); };
    await cache.set('a', { text: '1' });
    await cache.set('b', { text: '2' });
    expect(await cache.persistent()).toBe(true);
    await cache.set('c', { text: '3' });
    expect(await cache.persistent()).toBe(false);
    expect(await cache.get('a')).toEqual({ text: '1' });
    expect(await cache.get('c')).toEqual({ text: '3' });
  });
});
