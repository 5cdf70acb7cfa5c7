// The titles a reason may not name unless they are the item's or its history's: those of recently
// seen items (the check rejects them as foreign) and, for a slot model, their spellings as token ids
// (decoding bans them: a slot model names titles only through slots).
import type { Item, UserContext } from '../types.ts';
import { encodeVariants, type Encoder } from '../generation/slot-decoding.ts';
import { LruCache } from './cache.ts';

/** Titles of recently seen items that a reason may not cite unless they are the item's or history's. */
const RECENT_TITLES = 512;

export class PageTitles {
  private readonly recent = new LruCache<string, true>(RECENT_TITLES);
  /** The recent titles as one array (its identity changes only when they do: check.ts compiles it once). */
  private list: string[] | null = null;
  /** Spelling variants of each title, encoded once. */
  private readonly sequences = new LruCache<string, number[][]>(RECENT_TITLES * 2);

  note(items: readonly Item[]): void {
    let changed = false;
    for (const item of items) {
      if (!this.recent.has(item.title)) changed = true;
      this.recent.set(item.title, true);
    }
    if (changed) this.list = null;
  }

  titles(): string[] {
    this.list ??= [...this.recent.keys()];
    return this.list;
  }

  /** Every literal page and history title, encoded (one array per call: the decode loop compiles it once). */
  bans(rt: Encoder, ctx: UserContext): number[][] {
    const titles = new Set([...this.recent.keys(), ...(ctx.history ?? []).map((h) => h.title)]);
    const out: number[][] = [];
    for (const title of titles) {
      let seqs = this.sequences.get(title);
      if (!seqs) this.sequences.set(title, (seqs = encodeVariants(rt, [title])));
      out.push(...seqs);
    }
    return out;
  }
}
