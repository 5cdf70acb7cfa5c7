// An encoder that remembers what it encoded, so a visit can start from the last visit's encodings.
// The slot rules' trie (slot-decoding.ts) encodes ≈ 1,800 spellings of the vocabulary's facts and the
// other domains' words: ≈ 90 ms of a warm visit's one worker thread in chromium, in front of
// onnxruntime's set-up (docs/performance.md). The engine stores `entries()` per model version and
// seeds the next load with them (engine.ts); a seed is only valid for the tokenizer that made it.
import type { Encoder } from './slot-decoding.ts';

export type Encodings = [text: string, ids: number[]][];

export class EncodeMemo implements Encoder {
  private readonly known = new Map<string, number[]>();
  private added = 0;

  constructor(private readonly inner: Encoder) {}

  /** The ids of `text`; a remembered array is returned as is: callers must not mutate it. */
  encode(text: string): number[] {
    let ids = this.known.get(text);
    if (!ids) {
      ids = this.inner.encode(text);
      this.known.set(text, ids);
      this.added++;
    }
    return ids;
  }

  /** Encodings computed here since the last seed or snapshot (0: storing would add nothing). */
  get fresh(): number {
    return this.added;
  }

  /**
   * Takes stored encodings. Anything that is not a list of [string, non-negative integer ids] (a
   * store from another version of this code, a damaged one) is ignored as a whole: it is only a cache.
   */
  seed(stored: unknown): boolean {
    if (!Array.isArray(stored)) return false;
    const valid = stored.every(
      (e: unknown) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && Array.isArray(e[1]) && (e[1] as unknown[]).every((id) => Number.isInteger(id) && (id as number) >= 0),
    );
    if (!valid) return false;
    for (const [text, ids] of stored as Encodings) if (!this.known.has(text)) this.known.set(text, ids);
    return true;
  }

  /** Everything remembered, for storing; resets `fresh`. */
  entries(): Encodings {
    this.added = 0;
    return [...this.known];
  }
}
