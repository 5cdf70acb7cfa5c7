// The on-device profile store: events in IndexedDB (one database per origin, never sent anywhere),
// or in memory where IndexedDB is missing or refuses (private modes, sandboxed frames, tests).
// Events decay (events.ts) and the store is pruned to a size cap on every write.
import {
  DEFAULT_HALF_LIFE_DAYS,
  DEFAULT_MAX_EVENTS,
  type HistoryOptions,
  makeEvent,
  type ProfileEvent,
  type ProfileEventType,
  prune,
  type RecordInput,
  toHistory,
} from './events.ts';
import type { HistoryEntry } from '../types.ts';
import { defaultFactory, done, openDatabase, request } from '../idb.ts';

export const PROFILE_DB_NAME = 'because-profile';
const STORE = 'events';
const DB_VERSION = 1;

export interface ProfileStoreOptions {
  /** IndexedDB factory; default `globalThis.indexedDB`; `null` forces memory. */
  indexedDB?: IDBFactory | null;
  dbName?: string;
  maxEvents?: number;
  halfLifeDays?: number;
  now?: () => number;
}

/** What `profile.export()` returns: everything stored, as plain JSON. */
export interface ProfileExport {
  format: 'because-profile';
  version: 1;
  exportedAt: string;
  storage: 'indexeddb' | 'memory';
  halfLifeDays: number;
  events: ProfileEvent[];
}

// A blocked open (another tab holds an old version) waits up to 3 s, then the profile stays in memory.
const openDb = (factory: IDBFactory, name: string): Promise<IDBDatabase | null> =>
  openDatabase(factory, name, {
    version: DB_VERSION,
    upgrade: (db) => {
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
    },
    timeoutMs: 3000,
    onBlocked: 'wait',
  });

/** Deletes the profile database outright (best effort; resolves even when blocked or missing). */
export function deleteDatabase(factory: IDBFactory | null | undefined, name = PROFILE_DB_NAME): Promise<void> {
  const idb = factory === undefined ? defaultFactory() : factory;
  if (!idb) return Promise.resolve();
  return new Promise((resolve) => {
    try {
      const req = idb.deleteDatabase(name);
      req.onsuccess = req.onerror = req.onblocked = () => resolve();
      setTimeout(resolve, 3000);
    } catch {
      resolve();
    }
  });
}

type Stored = ProfileEvent & { seq?: number };

const strip = ({ seq: _seq, ...event }: Stored): ProfileEvent => event;

export class ProfileStore {
  private memory: ProfileEvent[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private db: IDBDatabase | null,
    private readonly options: Required<Omit<ProfileStoreOptions, 'indexedDB'>>,
  ) {}

  /** Opens the store. Never throws: without a usable IndexedDB it keeps events in memory. */
  static async open(options: ProfileStoreOptions = {}): Promise<ProfileStore> {
    const resolved = {
      dbName: options.dbName ?? PROFILE_DB_NAME,
      maxEvents: Math.max(1, options.maxEvents ?? DEFAULT_MAX_EVENTS),
      halfLifeDays: options.halfLifeDays ?? DEFAULT_HALF_LIFE_DAYS,
      now: options.now ?? (() => Date.now()),
    };
    const factory = options.indexedDB === undefined ? defaultFactory() : options.indexedDB;
    const db = factory ? await openDb(factory, resolved.dbName) : null;
    return new ProfileStore(db, resolved);
  }

  get storage(): 'indexeddb' | 'memory' {
    return this.db ? 'indexeddb' : 'memory';
  }

  /** Records one event; false when the input has no usable title/id (nothing is stored then). */
  record(type: ProfileEventType, item: RecordInput, rating?: number): Promise<boolean> {
    const event = makeEvent(type, item, this.options.now(), rating);
    if (!event) return Promise.resolve(false);
    return this.serial(async () => {
      const events = prune([...(await this.readAll()), event], this.options.now(), this.options.maxEvents, this.options.halfLifeDays);
      await this.writeAll(events);
      return true;
    });
  }

  /** Every stored event, oldest first, with forgotten ones dropped. */
  events(): Promise<ProfileEvent[]> {
    return this.serial(async () => prune(await this.readAll(), this.options.now(), this.options.maxEvents, this.options.halfLifeDays));
  }

  /** The profile as `UserContext.history` (see toHistory). */
  async history(options: Omit<HistoryOptions, 'now' | 'halfLifeDays'> = {}): Promise<HistoryEntry[]> {
    return toHistory(await this.events(), { ...options, now: this.options.now(), halfLifeDays: this.options.halfLifeDays });
  }

  async export(): Promise<ProfileExport> {
    return {
      format: 'because-profile',
      version: 1,
      exportedAt: new Date(this.options.now()).toISOString(),
      storage: this.storage,
      halfLifeDays: this.options.halfLifeDays,
      events: await this.events(),
    };
  }

  /** Deletes everything stored, in memory and in IndexedDB. */
  clear(): Promise<void> {
    return this.serial(async () => {
      this.memory = [];
      if (!this.db) return;
      const tx = this.db.transaction(STORE, 'readwrite');
      tx.objectStore(STORE).clear();
      await done(tx);
    });
  }

  /** Closes the database; later calls use memory only. */
  close(): void {
    this.db?.close();
    this.db = null;
  }

  /** One operation at a time, so read-modify-write never interleaves within this page. */
  private serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async readAll(): Promise<ProfileEvent[]> {
    if (!this.db) return [...this.memory];
    try {
      const tx = this.db.transaction(STORE, 'readonly');
      const rows = await request(tx.objectStore(STORE).getAll() as IDBRequest<Stored[]>);
      return rows.map(strip).sort((a, b) => a.at - b.at);
    } catch {
      this.fallBackToMemory();
      return [...this.memory];
    }
  }

  private async writeAll(events: ProfileEvent[]): Promise<void> {
    this.memory = events;
    if (!this.db) return;
    try {
      const tx = this.db.transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      store.clear();
      for (const event of events) store.add(event);
      await done(tx);
    } catch {
      this.fallBackToMemory(); // quota or a closed connection: keep the page working
    }
  }

  private fallBackToMemory(): void {
    try {
      this.db?.close();
    } catch {
      // already closed
    }
    this.db = null;
  }
}
