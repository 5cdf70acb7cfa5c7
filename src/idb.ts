// Promise wrappers for IndexedDB requests and transactions, shared by the reason cache
// (src/engine/cache.ts) and the on-device profile (src/profile/store.ts).

export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

export function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** globalThis.indexedDB, or null where there is none or reading it throws (a sandboxed iframe). */
export function defaultFactory(): IDBFactory | null {
  try {
    return typeof indexedDB !== 'undefined' ? indexedDB : null;
  } catch {
    return null;
  }
}

export interface OpenOptions {
  version: number;
  upgrade: (db: IDBDatabase) => void;
  /** Past this the open gives up (null): a blocked open must never hang the page. */
  timeoutMs: number;
  /** `blocked` (another tab holds an old version): give up at once, or wait for the timeout. */
  onBlocked: 'give-up' | 'wait';
}

/**
 * Opens a database, or resolves null when it cannot (an error, a throwing open, blocked, the time
 * limit). A database that opens after giving up is closed. Another tab's upgrade or delete closes
 * ours (onversionchange) rather than being blocked by it.
 */
export function openDatabase(factory: IDBFactory, name: string, options: OpenOptions): Promise<IDBDatabase | null> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (db: IDBDatabase | null): void => {
      if (settled) {
        db?.close();
        return;
      }
      settled = true;
      clearTimeout(timer);
      resolve(db);
    };
    const timer = setTimeout(() => finish(null), options.timeoutMs);
    try {
      const req = factory.open(name, options.version);
      req.onupgradeneeded = () => options.upgrade(req.result);
      req.onsuccess = () => {
        const db = req.result;
        db.onversionchange = () => db.close();
        finish(db);
      };
      req.onerror = () => finish(null);
      if (options.onBlocked === 'give-up') req.onblocked = () => finish(null);
    } catch {
      finish(null);
    }
  });
}
