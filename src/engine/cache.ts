// Reasons cache: the same (model, dtype, token limit, prompt) returns the stored reason. A bounded
// in-memory LRU in front of IndexedDB; IndexedDB is best effort (missing, blocked, private mode,
// quota) and the memory copy is never lost because of it.
import { PROMPT_FORMAT_VERSION } from '../core/prompt.ts';
import { done, openDatabase, request } from '../idb.ts';

/** cyrb53-style 53-bit string hash (fast, well mixed; not cryptographic). */
function hash53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** 106-bit hex digest of a string: two seeded 53-bit hashes. Stable across runs and platforms. */
export function hashString(text: string): string {
  return hash53(text, 1).toString(16).padStart(14, '0') + hash53(text, 2).toString(16).padStart(14, '0');
}

/**
 * The cache key of one reason. The prompt already encodes the item and the history exactly as the
 * model sees them, so two pages passing the same facts share a key; the prompt format version, model,
 * dtype and token limit are part of it so a new model or setting never returns stale text.
 */
export function cacheKey(modelId: string, dtype: string, maxNewTokens: number, prompt: string): string {
  return `v${PROMPT_FORMAT_VERSION}|${modelId}|${dtype}|${maxNewTokens}|${prompt.length}:${hashString(prompt)}`;
}

/**
 * The model part of a cache key: the folder's URL and, where the load read a manifest, the digest of
 * its files (Runtime.modelVersion), so new weights under the same URL never answer with old reasons.
 */
export function modelKey(model: { modelUrl: string; modelVersion?: string }): string {
  return model.modelVersion ? `${model.modelUrl}#${model.modelVersion}` : model.modelUrl;
}

/**
 * The key of a model's stored encodings (generation/encode-memo.ts), or null where the load read no
 * manifest: without the files' digest a new tokenizer under the same URL would get the old ids.
 */
export function encodingsKey(model: { modelUrl: string; modelVersion?: string }): string | null {
  return model.modelVersion ? `encodings|${modelKey(model)}` : null;
}

/** A bounded least-recently-used map. */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly maxEntries: number) {
    if (!(maxEntries >= 1)) throw new RangeError('LruCache needs maxEntries >= 1');
  }

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** The value, marking it most recently used. */
  get(key: K): V | undefined {
    if (!this.map.has(key)) return undefined;
    const value = this.map.get(key) as V;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next().value as K;
      this.map.delete(oldest);
    }
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  keys(): IterableIterator<K> {
    return this.map.keys();
  }
}

export interface ReasonCacheOptions {
  /** Entries kept in memory (default 500). */
  maxEntries?: number;
  /** Also store in IndexedDB (default true; silently memory-only where IndexedDB is unavailable). */
  persistent?: boolean;
  /** Entries kept in IndexedDB; the oldest are pruned beyond it (default 5000). */
  maxPersistentEntries?: number;
  /** Database name (default 'because-reasons'). */
  dbName?: string;
  /** The IndexedDB factory (default globalThis.indexedDB); tests pass fake-indexeddb's. */
  indexedDB?: IDBFactory;
  /** Give up on opening the database after this many ms (default 3000); memory-only then. */
  openTimeoutMs?: number;
}

const STORE = 'reasons';
const BY_TIME = 'byTime';
/** Prune the database every this many writes. */
const PRUNE_EVERY = 64;

interface Row<V> {
  v: V;
  t: number;
}

/**
 * Memory LRU + IndexedDB. `get` looks in memory, then in the database (and keeps what it finds in
 * memory); `set` stores in memory at once and in the database in the background of the returned
 * promise. Any IndexedDB failure degrades to memory-only (`persistent` becomes false after the open
 * fails, or after 3 failed operations in a row); nothing throws. Values must be structured-clonable
 * and are returned as stored: do not mutate them (copy, e.g. `{ ...reason, cached: true }`).
 */
export class ReasonCache<V> {
  private readonly memory: LruCache<string, V>;
  private readonly maxPersistent: number;
  private db: Promise<IDBDatabase | null>;
  private failures = 0;
  private writes = 0;
  private closed = false;

  constructor(options: ReasonCacheOptions = {}) {
    this.memory = new LruCache(Math.max(1, Math.floor(options.maxEntries ?? 500)));
    this.maxPersistent = Math.max(1, Math.floor(options.maxPersistentEntries ?? 5000));
    const factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    this.db = options.persistent === false || !factory ? Promise.resolve(null) : this.open(factory, options.dbName ?? 'because-reasons', options.openTimeoutMs ?? 3000);
  }

  private open(factory: IDBFactory, name: string, timeoutMs: number): Promise<IDBDatabase | null> {
    const upgrade = (db: IDBDatabase): void => void db.createObjectStore(STORE).createIndex(BY_TIME, 't');
    return openDatabase(factory, name, { version: 1, upgrade, timeoutMs, onBlocked: 'give-up' });
  }

  /** Entries in memory. */
  get size(): number {
    return this.memory.size;
  }

  /** Whether the IndexedDB layer is (still) in use. Resolves once the database open has settled. */
  async persistent(): Promise<boolean> {
    return (await this.db) !== null;
  }

  /** Memory only, synchronous. */
  peek(key: string): V | undefined {
    return this.memory.get(key);
  }

  async get(key: string): Promise<V | undefined> {
    const hit = this.memory.get(key);
    if (hit !== undefined) return hit;
    const row = await this.withStore<Row<V> | undefined>('readonly', (store) => request(store.get(key) as IDBRequest<Row<V> | undefined>));
    if (!row || typeof row !== 'object' || !('v' in row)) return undefined;
    this.memory.set(key, row.v);
    return row.v;
  }

  async set(key: string, value: V): Promise<void> {
    this.memory.set(key, value);
    await this.withStore('readwrite', (store) => request(store.put({ v: value, t: Date.now() } satisfies Row<V>, key)));
    if (++this.writes % PRUNE_EVERY === 0) await this.prune();
  }

  async delete(key: string): Promise<void> {
    this.memory.delete(key);
    await this.withStore('readwrite', (store) => request(store.delete(key)));
  }

  async clear(): Promise<void> {
    this.memory.clear();
    await this.withStore('readwrite', (store) => request(store.clear()));
  }

  /** Deletes the oldest database rows beyond maxPersistentEntries. */
  async prune(): Promise<void> {
    await this.withStore('readwrite', async (store) => {
      const count = await request(store.count());
      let excess = count - this.maxPersistent;
      if (excess <= 0) return;
      await new Promise<void>((resolve, reject) => {
        const cursor = store.index(BY_TIME).openCursor();
        cursor.onsuccess = () => {
          const c = cursor.result;
          if (!c || excess <= 0) return resolve();
          c.delete();
          excess--;
          c.continue();
        };
        cursor.onerror = () => reject(cursor.error);
      });
    });
  }

  /** Closes the database; the memory layer keeps working. */
  async close(): Promise<void> {
    this.closed = true;
    const db = await this.db;
    db?.close();
    this.db = Promise.resolve(null);
  }

  /** Runs one operation in its own transaction; undefined on any failure (never throws). */
  private async withStore<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => Promise<T>): Promise<T | undefined> {
    if (this.closed) return undefined;
    const db = await this.db;
    if (!db) return undefined;
    try {
      const tx = db.transaction(STORE, mode);
      const finished = done(tx);
      finished.catch(() => undefined); // awaited below; never an unhandled rejection when `run` fails first
      const result = await run(tx.objectStore(STORE));
      await finished;
      this.failures = 0;
      return result;
    } catch {
      if (++this.failures >= 3) {
        this.db = Promise.resolve(null);
        try {
          db.close();
        } catch {
          // already closed
        }
      }
      return undefined;
    }
  }
}
