// A DecoderStep "model" for decode-loop tests: its next-token logits are a function of the visible
// (unmasked) tokens of each row, and it asserts what a real model relies on: left padding masked out,
// positions counting real tokens only, the KV cache carried (compacted, gathered, expanded) per row.
import { expect } from 'vitest';
import type { DecoderStep, KvCache } from '../../../src/generation/generate.ts';

export const EOS = 1;
export const PAD = 0;
export const VOCAB = 40;

interface Slot {
  tok: number;
  pos: number;
}
type FakeKv = { rows: Slot[][] };

/** The next token (its logit 1, the rest 0), or scores per token (the rest 0). */
export type Next = (visible: number[]) => number | Readonly<Record<number, number>>;

export class FakeStep implements DecoderStep {
  runs = 0;
  maxRows = 0;
  released = 0;
  firstRows = 0;
  /** Rows of every run, in order. */
  rowsPerRun: number[] = [];
  expand?: (past: KvCache, rows: number) => KvCache | null;
  constructor(private readonly next: Next, private readonly canCompact = true, canExpand = false, readonly vocab = VOCAB) {
    if (canExpand) {
      this.expand = (past, rows) => {
        const one = (past as unknown as FakeKv).rows;
        expect(one.length).toBe(1);
        return { rows: Array.from({ length: rows }, () => [...(one[0] as Slot[])]) } as unknown as KvCache;
      };
    }
  }

  async run(f: Parameters<DecoderStep['run']>[0]) {
    this.runs++;
    if (this.runs === 1) this.firstRows = f.rows;
    this.rowsPerRun.push(f.rows);
    this.maxRows = Math.max(this.maxRows, f.rows);
    const prev = f.past ? (f.past as unknown as FakeKv).rows : Array.from({ length: f.rows }, () => [] as Slot[]);
    expect(prev.length).toBe(f.rows);
    const rows = prev.map((r) => [...r]);
    const logits = new Float32Array(f.rows * this.vocab);
    rows.forEach((kv, r) => {
      for (let j = 0; j < f.width; j++) kv.push({ tok: Number(f.inputIds[r * f.width + j]), pos: Number(f.positionIds[r * f.width + j]) });
      expect(kv.length).toBe(f.maskWidth);
      const visible = kv.filter((_, k) => f.attentionMask[r * f.maskWidth + k] === 1n);
      visible.forEach((s, k) => expect(s.pos).toBe(k));
      const next = this.next(visible.map((s) => s.tok));
      if (typeof next === 'number') logits[r * this.vocab + next] = 1;
      else for (const [t, x] of Object.entries(next)) logits[r * this.vocab + Number(t)] = x;
    });
    return { logits, vocab: this.vocab, past: { rows } as unknown as KvCache };
  }

  compact(past: KvCache, keep: readonly number[]) {
    if (!this.canCompact) return null;
    return { rows: keep.map((i) => (past as unknown as FakeKv).rows[i] as Slot[]) } as unknown as KvCache;
  }

  release() {
    this.released++;
  }
}
