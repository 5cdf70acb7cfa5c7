// Seeded sampling of a row's candidates (src/generation/sampling.ts, generateBatch `sampling`).
import { describe, expect, it } from 'vitest';
import { generateBatch } from '../../../src/generation/generate.ts';
import type { GenerateRow } from '../../../src/generation/generate.ts';
import { laneRandom, sampleToken, seedOf } from '../../../src/generation/sampling.ts';
import { mulberry32 } from '../../../src/core/random.ts';
import { EOS, FakeStep, PAD } from './fake-step.ts';

// A "model" with several plausible continuations at every step: tokens 10..13 nearly tied, eos after 4 tokens.
const spread = (visible: number[]) => (visible.length >= 5 ? EOS : { 10: 2, 11: 1.9, 12: 1.8, 13: 1.7, 20: -5 });
const run = async (row: Partial<GenerateRow>) => {
  const { results } = await generateBatch(new FakeStep(spread), (ids) => ids.join(' '), [{ ids: [3], maxNewTokens: 8, ...row }], { eosId: EOS, padId: PAD });
  return results[0]!;
};
const sampling = (seed: number) => ({ temperature: 1, topP: 0.95, seed });

describe('sampleToken', () => {
  const logits = new Float32Array([0, 5, 4, -20, 3]);
  it('draws only inside the nucleus and never a masked id', () => {
    const random = mulberry32(1);
    const seen = new Set<number>();
    const mask = new Uint8Array(5);
    mask[2] = 1;
    for (let i = 0; i < 500; i++) seen.add(sampleToken(logits, 0, 5, mask, { temperature: 1, topP: 0.9 }, random));
    expect(seen.has(2)).toBe(false); // masked
    expect(seen.has(3)).toBe(false); // far outside the nucleus
    expect(seen.has(1)).toBe(true);
  });
  it('is greedy when the nucleus holds one token, and -1 when nothing is allowed', () => {
    expect(sampleToken(logits, 0, 5, null, { temperature: 1, topP: 0.01 }, mulberry32(2))).toBe(1);
    expect(sampleToken(logits, 0, 5, null, { temperature: 100, topP: 1, topK: 1 }, mulberry32(2))).toBe(1); // top-k 1: greedy at any temperature
    expect(sampleToken(logits, 0, 5, new Uint8Array(5).fill(1), { temperature: 1, topP: 1 }, mulberry32(2))).toBe(-1);
  });
  it('applies top-p to the top-k mass, as HF does (top_k first, then top_p renormalized)', () => {
    // Top-2 mass: 1 + e^-0.1 = 1.905, so top-p 0.5 keeps only id 3; over the whole mass (4.36) it would keep both.
    const flat = new Float32Array([0.8, 0.8, 0.8, 1.0, 0.9]);
    const random = mulberry32(3);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(sampleToken(flat, 0, 5, null, { temperature: 1, topP: 0.5, topK: 2 }, random));
    expect([...seen]).toEqual([3]);
    // Both top-k ids are drawn when the nucleus needs them.
    const both = new Set<number>();
    for (let i = 0; i < 200; i++) both.add(sampleToken(flat, 0, 5, null, { temperature: 1, topP: 0.9, topK: 2 }, random));
    expect([...both].sort()).toEqual([3, 4]);
  });
  it('seeds are stable and lanes get their own streams', () => {
    expect(seedOf('m', 'prompt', 'plan')).toBe(seedOf('m', 'prompt', 'plan'));
    expect(seedOf('m', 'prompt', 'plan')).not.toBe(seedOf('m', 'prompt', 'plan2'));
    expect(seedOf('ab', 'c')).not.toBe(seedOf('a', 'bc'));
    expect(laneRandom(7, 0)()).not.toBe(laneRandom(7, 1)());
  });
});

describe('generateBatch with sampling', () => {
  it('returns the same candidates for the same seed, others for another seed', async () => {
    const a = await run({ candidates: 3, sampling: sampling(42) });
    const b = await run({ candidates: 3, sampling: sampling(42) });
    expect(b.candidates?.map((c) => c.text)).toEqual(a.candidates?.map((c) => c.text));
    const texts = new Set<string>();
    for (let seed = 0; seed < 8; seed++) texts.add((await run({ candidates: 3, sampling: sampling(seed) })).text);
    expect(texts.size).toBeGreaterThan(1);
  });
  it('varies the text where greedy decoding always writes one', async () => {
    const greedy = await run({});
    expect(greedy.text).toBe('10 10 10 10');
    const sampled = await run({ candidates: 3, sampling: sampling(5) });
    expect(sampled.candidates!.length).toBeGreaterThan(1);
    expect(sampled.candidates!.some((c) => c.text !== greedy.text)).toBe(true);
  });
  it('ranks candidates by mean log-probability and keeps the constraints', async () => {
    const r = await run({ candidates: 4, sampling: sampling(3), constraints: { banned: [10], noRepeatNgram: 0 } });
    const lp = r.candidates!.map((c) => c.logprob);
    expect([...lp].sort((x, y) => y - x)).toEqual(lp);
    for (const c of r.candidates!) expect(c.tokens).not.toContain(10);
  });
  it('rejects bad settings', async () => {
    await expect(run({ candidates: 2, sampling: { temperature: 0, topP: 0.9, seed: 1 } })).rejects.toThrow(RangeError);
    await expect(run({ candidates: 2, sampling: { temperature: 1, topP: 1.5, seed: 1 } })).rejects.toThrow(RangeError);
  });
});
