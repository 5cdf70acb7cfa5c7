// The visitor's on-device profile behind a consent gate: the JS API a store calls
// (`because.profile.view(item)`, `.addToCart(item)`, ...) and what the embed reads for reasons.
import type { HistoryEntry } from '../types.ts';
import { ConsentGate, type ConsentMode } from './consent.ts';
import type { ProfileEventType, RecordInput } from './events.ts';
import { DEFAULT_HALF_LIFE_DAYS } from './events.ts';
import { deleteDatabase, PROFILE_DB_NAME, type ProfileExport, ProfileStore, type ProfileStoreOptions } from './store.ts';

export { ConsentGate, parseConsentMode, type ConsentMode } from './consent.ts';
export { toHistory, EVENT_WEIGHTS, DEFAULT_HALF_LIFE_DAYS, DEFAULT_MAX_EVENTS, type ProfileEvent, type ProfileEventType } from './events.ts';
export { ProfileStore, PROFILE_DB_NAME, type ProfileExport, type ProfileStoreOptions } from './store.ts';

export interface ProfileOptions extends ProfileStoreOptions {
  consent?: ConsentMode;
}

/**
 * Records events only while consent is granted; reads return nothing without consent. Withdrawing
 * consent (`consent.set(false)`) deletes what was stored.
 */
export class Profile {
  readonly consent: ConsentGate;
  private store: Promise<ProfileStore> | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: ProfileOptions = {}) {
    this.consent = new ConsentGate(options.consent ?? 'implied');
    this.consent.onChange((granted) => {
      if (!granted) void this.wipe();
      this.changed();
    });
  }

  /** Opens the store lazily: under `required` consent nothing is created before consent. */
  private open(): Promise<ProfileStore> {
    this.store ??= ProfileStore.open(this.options);
    return this.store;
  }

  async record(type: ProfileEventType, item: RecordInput, rating?: number): Promise<boolean> {
    if (!this.consent.granted) return false;
    const stored = await (await this.open()).record(type, item, rating);
    if (stored) this.changed();
    return stored;
  }

  view(item: RecordInput): Promise<boolean> {
    return this.record('view', item);
  }

  click(item: RecordInput): Promise<boolean> {
    return this.record('click', item);
  }

  addToCart(item: RecordInput): Promise<boolean> {
    return this.record('cart', item);
  }

  purchase(item: RecordInput): Promise<boolean> {
    return this.record('purchase', item);
  }

  /** `stars` from 0 to 5; 1–2★ items are kept out of reasons (see toHistory). */
  rate(item: RecordInput, stars: number): Promise<boolean> {
    return this.record('rating', item, stars);
  }

  /** The history reasons and ranking use; empty without consent. */
  async history(options: { max?: number; excludeId?: string } = {}): Promise<HistoryEntry[]> {
    if (!this.consent.granted) return [];
    return (await this.open()).history(options);
  }

  /** Everything stored, as JSON. Without consent: an empty export (and no database is created). */
  async export(): Promise<ProfileExport> {
    if (!this.consent.granted) {
      return {
        format: 'because-profile',
        version: 1,
        exportedAt: new Date((this.options.now ?? Date.now)()).toISOString(),
        storage: 'memory',
        halfLifeDays: this.options.halfLifeDays ?? DEFAULT_HALF_LIFE_DAYS,
        events: [],
      };
    }
    return (await this.open()).export();
  }

  /** Deletes everything stored. Recording continues while consent stands. */
  async clear(): Promise<void> {
    await this.wipe();
    this.changed();
  }

  /** Called after every change (record, clear, consent), e.g. to refresh reasons. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async wipe(): Promise<void> {
    if (this.store) {
      await (await this.store).clear();
      return;
    }
    // Not opened on this page (e.g. consent not yet given): delete what an earlier visit stored,
    // without creating a database just to empty it.
    await deleteDatabase(this.options.indexedDB, this.options.dbName ?? PROFILE_DB_NAME);
  }

  private changed(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // one listener's failure must not stop the others
      }
    }
  }
}
