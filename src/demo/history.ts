// The visitor's on-device history: what they marked "played" or put in the cart. Kept in
// localStorage only; it never leaves the browser.
import type { HistoryEntry } from '../types.ts';
import type { Game } from './catalog.ts';

export type Action = 'played' | 'cart';

export interface HistoryRecord {
  id: string;
  action: Action;
  at: number;
}

const KEY = 'because-demo-history-v1';

export class HistoryStore {
  private records: HistoryRecord[];
  private readonly listeners = new Set<() => void>();

  constructor(private readonly storage: Storage | null = safeLocalStorage()) {
    this.records = this.read();
  }

  has(id: string, action: Action): boolean {
    return this.records.some((r) => r.id === id && r.action === action);
  }

  /** Adds the record, or removes it when it is already there. */
  toggle(id: string, action: Action): void {
    const before = this.records.length;
    this.records = this.records.filter((r) => !(r.id === id && r.action === action));
    if (this.records.length === before) this.records.push({ id, action, at: Date.now() });
    this.write();
  }

  clear(): void {
    this.records = [];
    this.write();
  }

  ids(): Set<string> {
    return new Set(this.records.map((r) => r.id));
  }

  /** History for the engine, oldest first, one entry per game (its latest action). */
  entries(games: readonly Game[]): HistoryEntry[] {
    const byId = new Map(games.map((g) => [g.id, g]));
    const latest = new Map<string, HistoryRecord>();
    for (const r of [...this.records].sort((a, b) => a.at - b.at)) {
      latest.delete(r.id);
      latest.set(r.id, r);
    }
    const out: HistoryEntry[] = [];
    for (const r of latest.values()) {
      const g = byId.get(r.id);
      if (g) out.push({ id: g.id, title: g.title, attributes: { genres: g.genres, tags: g.tags } });
    }
    return out;
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  private read(): HistoryRecord[] {
    try {
      const parsed: unknown = JSON.parse(this.storage?.getItem(KEY) ?? '[]');
      if (!Array.isArray(parsed)) return [];
      return parsed.filter(
        (r): r is HistoryRecord =>
          !!r && typeof r.id === 'string' && (r.action === 'played' || r.action === 'cart') && typeof r.at === 'number',
      );
    } catch {
      return []; // corrupt storage: start fresh rather than break the page
    }
  }

  private write(): void {
    try {
      this.storage?.setItem(KEY, JSON.stringify(this.records));
    } catch {
      // Quota or privacy mode: the history still works for this visit.
    }
    for (const listener of this.listeners) listener();
  }
}

function safeLocalStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
