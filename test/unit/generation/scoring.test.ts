// The decode loop's numeric hot paths against simple reference implementations, to the bit: the
// one-pass sampler (sampling.ts sampleToken with its RowScan), the scorer split into rowMax / sumExp /
// logSoftmaxWith (candidates.ts), and generateBatch's candidate scores. The references are the
// two-pass versions these replaced (sampling.ts and candidates.ts before the fused pass); a rewrite
// that changes one draw, one max or one float sum fails here.
import { describe, expect, it } from 'vitest';
import { logSoftmaxAt, logSoftmaxWith, rowMax, sumExp } from '../../../src/generation/candidates.ts';
import { LaneRules, rankedPick } from '../../../src/generation/constraints.ts';
import { generateBatch } from '../../../src/generation/generate.ts';
import type { DecoderStep, KvCache } from '../../../src/generation/generate.ts';
import { sampleToken, type RowScan } from '../../../src/generation/sampling.ts';
import { mulberry32 } from '../../../src/core/random.ts';

/** The sampler as it was: top-k by insertion (mask tested first), fresh arrays, then top-p. */
function sampleTokenReference(logits: Float32Array, offset: number, vocab: number, mask: Uint8Array | null, s: { temperature: number; topP: number; topK?: number }, random: () => number): number {
  const k = Math.max(1, s.topK ?? 50);
  const ids: number[] = [];
  const top: number[] = [];
  for (let v = 0; v < vocab; v++) {
    if (mask !== null && mask[v] !== 0) continue;
    const x = logits[offset + v] as number;
    if (top.length === k && !(x > (top[k - 1] as number))) continue;
    let i = top.length < k ? top.length : k - 1;
    while (i > 0 && (top[i - 1] as number) < x) {
      top[i] = top[i - 1] as number;
      ids[i] = ids[i - 1] as number;
      i--;
    }
    top[i] = x;
    ids[i] = v;
  }
  const n = top.length;
  if (n === 0 || top[0] === -Infinity) return -1;
  const max = top[0] as number;
  const weights = top.map((t) => Math.exp((t - max) / s.temperature));
  let total = 0;
  for (const w of weights) total += w;
  let kept = 0;
  let mass = 0;
  while (kept < n) {
    mass += weights[kept] as number;
    kept++;
    if (mass >= s.topP * total) break;
  }
  let r = random() * mass;
  for (let i = 0; i < kept; i++) {
    r -= weights[i] as number;
    if (r < 0) return ids[i] as number;
  }
  return ids[kept - 1] as number;
}

/** The scorer as it was: a max pass, then Σ exp over the logits within 16 of it, in id order. */
function logSoftmaxReference(logits: Float32Array, offset: number, vocab: number, token: number): number {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) if ((logits[offset + v] as number) > max) max = logits[offset + v] as number;
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let v = 0; v < vocab; v++) {
    const x = logits[offset + v] as number;
    if (x > max - 16) sum += Math.exp(x - max);
  }
  return (logits[offset + token] as number) - max - Math.log(sum);
}

function maxReference(logits: Float32Array, offset: number, vocab: number): number {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) if ((logits[offset + v] as number) > max) max = logits[offset + v] as number;
  return max;
}

/** A random row: spread logits (some far below), coarse steps for ties, a few -Infinity, optional NaN. */
function randomRow(rand: () => number, vocab: number, kind: number): Float32Array {
  const row = new Float32Array(vocab);
  for (let v = 0; v < vocab; v++) {
    const g = (rand() + rand() + rand() - 1.5) * 8 + (rand() < 0.05 ? 6 : 0);
    row[v] = kind % 3 === 0 ? Math.round(g * 2) / 2 : g; // every third row: many exact ties
  }
  if (kind % 5 === 1) for (let j = 0; j < 4; j++) row[Math.floor(rand() * vocab)] = -Infinity;
  if (kind % 7 === 3) row.fill(-Infinity, 0, Math.min(vocab, 60)); // a -Infinity block where the top-k fills
  if (kind % 11 === 5) row[Math.floor(rand() * 8)] = Number.NaN; // a NaN among the first ids
  if (kind % 13 === 6) row[Math.floor(rand() * vocab)] = Number.NaN;
  return row;
}

function counted(seed: number): { next: () => number; calls: () => number } {
  const r = mulberry32(seed);
  let n = 0;
  return { next: () => (n++, r()), calls: () => n };
}

describe('sampleToken (one pass) equals the two-pass reference', () => {
  it('draws the same token with the same random() calls and reports the row max, over 1,500 rows', () => {
    const rand = mulberry32(2024);
    let checked = 0;
    for (let kind = 0; kind < 1500; kind++) {
      const vocab = 40 + Math.floor(rand() * 700);
      const row = randomRow(rand, vocab, kind);
      // The row sits inside a larger buffer, as a batch's logits do.
      const pad = Math.floor(rand() * 3) * vocab;
      const logits = new Float32Array(pad + vocab + 17).fill(99);
      logits.set(row, pad);
      const density = [0, 0.01, 0.3, 0.97, 1][kind % 5] as number;
      const mask = density === 0 && kind % 2 === 0 ? null : Uint8Array.from({ length: vocab }, () => (rand() < density ? (rand() < 0.5 ? 1 : 2) : 0));
      const s = { temperature: [0.8, 1, 0.3][kind % 3] as number, topP: [0.9, 1, 0.5, 0.01][kind % 4] as number, topK: [50, 1, 5, undefined, vocab + 10][kind % 5] };
      const a = counted(kind);
      const b = counted(kind);
      const scan: RowScan = { max: 123 };
      const got = sampleToken(logits, pad, vocab, mask, s, a.next, scan);
      const want = sampleTokenReference(logits, pad, vocab, mask, s, b.next);
      expect(got, `row ${kind}`).toBe(want);
      expect(a.calls()).toBe(b.calls());
      expect(Object.is(scan.max, maxReference(logits, pad, vocab)), `max of row ${kind}`).toBe(true);
      // Without a scan the draw is the same.
      expect(sampleToken(logits, pad, vocab, mask, s, counted(kind).next)).toBe(want);
      checked++;
    }
    expect(checked).toBe(1500);
  });
});

describe('the scorer split (rowMax, sumExp, logSoftmaxWith) equals the two-pass reference', () => {
  it('to the bit, for every fifth token of 300 rows', () => {
    const rand = mulberry32(77);
    for (let kind = 0; kind < 300; kind++) {
      const vocab = 20 + Math.floor(rand() * 400);
      const logits = randomRow(rand, vocab, kind);
      const max = rowMax(logits, 0, vocab);
      expect(Object.is(max, maxReference(logits, 0, vocab))).toBe(true);
      const sum = sumExp(logits, 0, vocab, max);
      for (let t = kind % 5; t < vocab; t += 5) {
        const want = logSoftmaxReference(logits, 0, vocab, t);
        expect(Object.is(logSoftmaxWith(logits, 0, t, max, sum), want), `row ${kind} token ${t}`).toBe(true);
        expect(Object.is(logSoftmaxAt(logits, 0, vocab, t), want)).toBe(true);
      }
    }
  });
  it('the greedy pick reports the same row max as a max pass', () => {
    const rand = mulberry32(5);
    for (let kind = 0; kind < 200; kind++) {
      const vocab = 30 + Math.floor(rand() * 200);
      const logits = randomRow(rand, vocab, kind);
      const rules = new LaneRules({ banned: [0, 3, 7, 11], noRepeatNgram: 0 }, []);
      const scan: RowScan = { max: 5 };
      const token = rules.pick(logits, 0, vocab, 0, scan);
      const mask = new Uint8Array(vocab);
      for (const b of [0, 3, 7, 11]) if (b < vocab) mask[b] = 1;
      expect(token).toBe(rankedPick(logits, 0, vocab, 0, mask));
      expect(Object.is(scan.max, maxReference(logits, 0, vocab)), `row ${kind}`).toBe(true);
    }
  });
});

describe("generateBatch's candidate scores", () => {
  // Logits that depend only on a row's last input token and its position: the reference can rebuild
  // the row each chosen token was drawn from.
  const VOCAB = 300;
  const EOS = 1;
  const PAD = 0;
  const rowFor = (token: number, position: number): Float32Array => {
    const rand = mulberry32(token * 7919 + position * 104729 + 1);
    const row = new Float32Array(VOCAB);
    for (let v = 0; v < VOCAB; v++) row[v] = (rand() + rand() - 1) * 9 + (v % 17 === 0 ? 3 : 0);
    row[EOS] = position > 9 ? 6 : -4; // rows end after a few tokens
    return row;
  };
  const step: DecoderStep = {
    async run(f) {
      const logits = new Float32Array(f.rows * VOCAB);
      for (let r = 0; r < f.rows; r++) {
        const j = r * f.width + f.width - 1;
        logits.set(rowFor(Number(f.inputIds[j]), Number(f.positionIds[j])), r * VOCAB);
      }
      return { logits, vocab: VOCAB, past: {} as KvCache };
    },
    compact: () => ({}) as KvCache,
    release: () => undefined,
  };

  it('are the mean of the reference log-softmax over each candidate’s tokens, to the bit', async () => {
    const rows = [
      { ids: [5, 9, 12], maxNewTokens: 14, candidates: 3, sampling: { temperature: 0.8, topP: 0.9, topK: 50, seed: 11 }, constraints: { banned: [2, 3], noRepeatNgram: 3 } },
      { ids: [7, 4], maxNewTokens: 14, candidates: 3, sampling: { temperature: 0.8, topP: 0.9, topK: 50, seed: 12 } },
      { ids: [8, 8, 8, 8], maxNewTokens: 6, candidates: 3, constraints: { banned: [4] } }, // greedy forks (a retry)
      { ids: [6], maxNewTokens: 12, candidates: [2, 2] },
    ];
    const { results } = await generateBatch(step, (ids) => ids.join(' '), rows, { eosId: EOS, padId: PAD });
    let scored = 0;
    results.forEach((result, i) => {
      const prompt = (rows[i] as { ids: number[] }).ids;
      for (const c of result.candidates ?? []) {
        let sum = 0;
        let count = 0;
        let last = prompt[prompt.length - 1] as number;
        let position = prompt.length - 1;
        const chosen = c.stop === 'eos' ? [...c.tokens, EOS] : c.tokens;
        for (const t of chosen) {
          sum += logSoftmaxReference(rowFor(last, position), 0, VOCAB, t);
          count++;
          last = t;
          position++;
        }
        expect(Object.is(c.logprob, count > 0 ? sum / count : -Infinity), `row ${i} candidate ${c.text}`).toBe(true);
        scored++;
      }
    });
    expect(scored).toBeGreaterThan(8);
  });
});
