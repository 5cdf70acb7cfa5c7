// Leave-one-out ranking metrics and a seeded RNG for `npm run eval:rank`.

/** mulberry32 (shared with the reason eval's bootstrap): small, fast, seedable. */
export { mulberry32 as seededRandom } from '../../src/core/random.ts';

/** A stable 32-bit hash of a string (FNV-1a), to derive per-user seeds. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function shuffle<T>(list: T[], random: () => number): T[] {
  for (let i = list.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

/** `count` distinct members of `pool` not in `exclude` (rejection sampling; pool must be large enough). */
export function sampleNegatives(pool: readonly string[], exclude: ReadonlySet<string>, count: number, random: () => number): string[] {
  const available = pool.length - pool.filter((k) => exclude.has(k)).length;
  if (available < count) throw new Error(`only ${available} negatives available, need ${count}`);
  const out = new Set<string>();
  while (out.size < count) {
    const key = pool[Math.floor(random() * pool.length)]!;
    if (!exclude.has(key)) out.add(key);
  }
  return [...out];
}

export interface Metrics {
  hr10: number;
  ndcg10: number;
  users: number;
}

export class MetricSum {
  private hits = 0;
  private gain = 0;
  private n = 0;
  /** Per-user NDCG@10, in order, for paired comparisons. */
  readonly gains: number[] = [];

  /** `position` is the 0-based rank of the held-out item. */
  add(position: number, k = 10): void {
    this.n += 1;
    const g = position < k ? 1 / Math.log2(position + 2) : 0;
    if (position < k) this.hits += 1;
    this.gain += g;
    this.gains.push(g);
  }

  merge(other: MetricSum): void {
    this.hits += other.hits;
    this.gain += other.gain;
    this.n += other.n;
    this.gains.push(...other.gains);
  }

  result(): Metrics {
    const round = (x: number) => Math.round(x * 10000) / 10000;
    return { hr10: this.n ? round(this.hits / this.n) : 0, ndcg10: this.n ? round(this.gain / this.n) : 0, users: this.n };
  }
}

/** Mean per-user NDCG@10 difference a − b with a normal-approximation 95% interval (paired). */
export function pairedDelta(a: MetricSum, b: MetricSum): { ndcg10: number; ci95: [number, number] } {
  const n = Math.min(a.gains.length, b.gains.length);
  if (n === 0) return { ndcg10: 0, ci95: [0, 0] };
  const d = a.gains.slice(0, n).map((g, i) => g - b.gains[i]!);
  const mean = d.reduce((x, y) => x + y, 0) / n;
  const sd = Math.sqrt(d.reduce((x, y) => x + (y - mean) ** 2, 0) / Math.max(1, n - 1));
  const half = (1.96 * sd) / Math.sqrt(n);
  const round = (x: number) => Math.round(x * 10000) / 10000;
  return { ndcg10: round(mean), ci95: [round(mean - half), round(mean + half)] };
}
