// The batched decode loop against a fake model (fake-step.ts) that checks what a real one relies on:
// left padding masked out, positions counting real tokens only, the KV cache carried (and compacted) per row.
import { describe, expect, it } from 'vitest';
import { argmax, completesSentences, firstBannedIndex, generateBatch, leftPad, sharedPrefixLength, splitForPrefill, suffixPad, TextDelta } from '../../../src/generation/generate.ts';
import type { GenerateRow } from '../../../src/generation/generate.ts';
import { EOS, FakeStep, PAD } from './fake-step.ts';

// Counts up from the last token and ends when it reaches a multiple of 7 (so rows end at different steps).
const counting = (visible: number[]): number => {
  const last = visible[visible.length - 1] as number;
  const next = (last % 30) + 2;
  return next % 7 === 0 ? EOS : next;
};
const detok = (ids: readonly number[]) => ids.map((i) => String.fromCharCode(96 + (i % 26))).join('');

describe('leftPad', () => {
  it('pads on the left, masks pads and numbers real tokens from 0', () => {
    const p = leftPad([[5, 6, 7], [9]], PAD);
    expect(p.width).toBe(3);
    expect([...p.inputIds]).toEqual([5n, 6n, 7n, 0n, 0n, 9n]);
    expect([...p.attentionMask]).toEqual([1n, 1n, 1n, 0n, 0n, 1n]);
    expect([...p.positionIds]).toEqual([0n, 1n, 2n, 1n, 1n, 0n]);
  });
});

describe('shared prefix', () => {
  it('finds the common prefix but leaves every row a token of its own', () => {
    expect(sharedPrefixLength([[1, 2, 3, 4], [1, 2, 3, 9, 9], [1, 2, 3, 4, 5]])).toBe(3);
    expect(sharedPrefixLength([[1, 2, 3], [1, 2, 3]])).toBe(2);
    expect(sharedPrefixLength([[1, 2], [3, 4]])).toBe(0);
    expect(sharedPrefixLength([[1, 2, 3]])).toBe(0);
  });
  it('pads suffixes between prefix and suffix, masked, with positions continuing the prefix', () => {
    const p = suffixPad([[7, 7, 5, 6], [7, 7, 9]], 2, PAD);
    expect(p.width).toBe(2);
    expect(p.maskWidth).toBe(4);
    expect([...p.inputIds]).toEqual([5n, 6n, 0n, 9n]);
    expect([...p.positionIds]).toEqual([2n, 3n, 1n, 2n]);
    expect([...p.attentionMask]).toEqual([1n, 1n, 1n, 1n, 1n, 1n, 0n, 1n]);
  });
  it('prefills a shared prefix once and gives exactly the same tokens', async () => {
    const history = Array.from({ length: 20 }, (_, i) => 3 + (i % 9));
    const shared = [[4], [10, 11, 12, 4], [20, 8], [5, 5, 5, 9]].map((tail) => [...history, ...tail]);
    const rows = shared.map((ids) => ({ ids, maxNewTokens: 12 }));
    const once = new FakeStep(counting, true, true);
    const a = await generateBatch(once, detok, rows, { eosId: EOS, padId: PAD });
    const b = await generateBatch(new FakeStep(counting, true, false), detok, rows, { eosId: EOS, padId: PAD });
    expect(once.firstRows).toBe(1);
    expect(a.stats.sharedPrefix).toBe(20);
    expect(b.stats.sharedPrefix).toBe(0);
    expect(a.results).toEqual(b.results);
    // Below the threshold the plain left-padded prefill is used.
    const short = await generateBatch(new FakeStep(counting, true, true), detok, rows, { eosId: EOS, padId: PAD, minSharedPrefix: 64 });
    expect(short.stats.sharedPrefix).toBe(0);
    expect(short.results).toEqual(b.results);
  });
});

describe('splitForPrefill', () => {
  it('keeps a normal page in one group and splits only past the padded-token budget', () => {
    expect(splitForPrefill(Array(24).fill(130), 6144)).toEqual([Array.from({ length: 24 }, (_, i) => i)]);
    const groups = splitForPrefill([300, 20, 310, 25, 30], 700);
    expect(groups).toEqual([[1, 3, 4], [0, 2]]);
    for (const g of groups) expect(g.length * Math.max(...g.map((i) => [300, 20, 310, 25, 30][i] as number))).toBeLessThanOrEqual(700);
    expect(splitForPrefill([5000], 100)).toEqual([[0]]);
  });
});

describe('argmax', () => {
  it('takes the lowest id on ties and skips banned ids', () => {
    const l = new Float32Array([0, 3, 3, 1]);
    expect(argmax(l, 0, 4)).toBe(1);
    expect(argmax(l, 0, 4, [1])).toBe(2);
  });
});

describe('sentence stop', () => {
  it('sees a sentence end when whitespace follows final punctuation after enough words', () => {
    expect(completesSentences('It is really fun. Based', ' Based', 1)).toBe(true);
    expect(completesSentences('It is really fun. Based', ' Based', 2)).toBe(false);
    expect(completesSentences('It is fun. It is great. And', ' And', 2)).toBe(true);
    expect(completesSentences('Dear customer. You', ' You', 1)).toBe(false); // too few words
    expect(completesSentences('It costs about 2.5', '5', 1)).toBe(false);
    expect(completesSentences('He said “it is great.” Next', ' Next', 1)).toBe(true);
    expect(completesSentences('It is really fun.', '.', 1)).toBe(false);
  });

  it('stops a row after its first sentence and drops the token that showed it', async () => {
    const words = ['It', ' is', ' really', ' fun.', ' And', ' more'];
    const vocab = ['', '<end>', ...words];
    const detokWords = (ids: readonly number[]) => ids.map((i) => vocab[i] ?? '').join('');
    const next = (visible: number[]) => {
      const k = visible.length - 1; // the prompt is one token
      return k < words.length ? k + 2 : EOS;
    };
    const seen: string[] = [];
    const { results } = await generateBatch(new FakeStep(next), detokWords, [{ ids: [3], maxNewTokens: 20, sentences: 1, onDelta: (t) => seen.push(t) }], { eosId: EOS, padId: PAD });
    expect(results[0]).toMatchObject({ text: 'It is really fun.', stop: 'sentence' });
    expect(seen.join('')).toBe('It is really fun.');
  });
});

describe('resuming a generation (prior tokens)', () => {
  it('finds where a ban first fires', () => {
    expect(firstBannedIndex([5, 6, 7, 8], [[7, 8]])).toBe(3);
    expect(firstBannedIndex([5, 6, 7, 8], [[6]])).toBe(1);
    expect(firstBannedIndex([5, 6, 7, 8], [[9], [6, 9]])).toBe(-1);
  });

  it('gives the same tokens as starting over with the same bans', async () => {
    const rows = [[3], [10, 11, 12, 13, 4], [20, 8]];
    const badWords = [[9, 10]];
    for (const ids of rows) {
      const plain = await generateBatch(new FakeStep(counting), detok, [{ ids, maxNewTokens: 12 }], { eosId: EOS, padId: PAD });
      const over = await generateBatch(new FakeStep(counting), detok, [{ ids, maxNewTokens: 12, badWords }], { eosId: EOS, padId: PAD });
      const cut = firstBannedIndex(plain.results[0]!.tokens, badWords);
      if (cut < 0) {
        expect(over.results[0]).toEqual(plain.results[0]);
        continue;
      }
      const prior = plain.results[0]!.tokens.slice(0, cut);
      const resumed = await generateBatch(new FakeStep(counting), detok, [{ ids: [...ids, ...prior], prior, maxNewTokens: 12, badWords }], { eosId: EOS, padId: PAD });
      expect(resumed.results[0]).toEqual(over.results[0]);
      expect(resumed.stats.tokens).toBe(over.results[0]!.tokens.length - prior.length);
    }
  });
});

describe('generateBatch', () => {
  const prompts = [[3], [10, 11, 12, 13, 4], [20, 8], [5, 5, 5, 5, 5, 5, 5, 9]];

  it('gives every row the same tokens as generating it alone, in one batch', async () => {
    const batch = new FakeStep(counting);
    const { results, stats } = await generateBatch(batch, detok, prompts.map((ids) => ({ ids, maxNewTokens: 12 })), { eosId: EOS, padId: PAD });
    expect(batch.maxRows).toBe(4);
    for (const [i, ids] of prompts.entries()) {
      const alone = await generateBatch(new FakeStep(counting), detok, [{ ids, maxNewTokens: 12 }], { eosId: EOS, padId: PAD });
      expect(results[i]).toEqual(alone.results[0]);
    }
    // Different lengths: a row that hits EOS stops, another hits the token limit.
    expect(results.map((r) => r.stop)).toContain('eos');
    expect(stats.steps).toBe(batch.runs);
    expect(stats.tokens).toBe(results.reduce((a, r) => a + r.tokens.length, 0));
  });

  it('compacts finished rows out of the cache, and still matches when it cannot', async () => {
    const rows = prompts.map((ids) => ({ ids, maxNewTokens: 12 }));
    const a = await generateBatch(new FakeStep(counting, true), detok, rows, { eosId: EOS, padId: PAD });
    const b = await generateBatch(new FakeStep(counting, false), detok, rows, { eosId: EOS, padId: PAD });
    expect(a.stats.compactions).toBeGreaterThan(0);
    expect(b.stats.compactions).toBe(0);
    expect(a.results).toEqual(b.results);
  });

  it('stops at maxNewTokens and reports eos without the eos token', async () => {
    const { results } = await generateBatch(new FakeStep(() => 2), detok, [{ ids: [3], maxNewTokens: 4 }], { eosId: EOS, padId: PAD });
    expect(results[0]).toEqual({ tokens: [2, 2, 2, 2], text: 'bbbb', stop: 'length' });
    const eos = await generateBatch(new FakeStep(() => EOS), detok, [{ ids: [3], maxNewTokens: 4 }], { eosId: EOS, padId: PAD });
    expect(eos.results[0]).toEqual({ tokens: [], text: '', stop: 'eos' });
  });

  it('never produces a banned sequence', async () => {
    const { results } = await generateBatch(new FakeStep(() => 2), detok, [{ ids: [3], maxNewTokens: 3, badWords: [[2]] }], { eosId: EOS, padId: PAD });
    expect(results[0]?.tokens).not.toContain(2);
  });

  it('aborts one row and lets the others finish', async () => {
    const controller = new AbortController();
    const rows: GenerateRow[] = [
      { ids: [3], maxNewTokens: 6, signal: controller.signal, onDelta: () => controller.abort() },
      { ids: [4], maxNewTokens: 6 },
    ];
    const { results } = await generateBatch(new FakeStep(() => 2), detok, rows, { eosId: EOS, padId: PAD });
    expect(results[0]?.stop).toBe('aborted');
    expect(results[0]?.tokens.length).toBe(1);
    expect(results[1]).toMatchObject({ stop: 'length', tokens: [2, 2, 2, 2, 2, 2] });
  });

  it('streams deltas per row that add up to the final text', async () => {
    const seen = ['', ''];
    const rows = [0, 1].map((r) => ({ ids: prompts[r] as number[], maxNewTokens: 12, onDelta: (t: string) => (seen[r] += t) }));
    const { results } = await generateBatch(new FakeStep(counting), detok, rows, { eosId: EOS, padId: PAD });
    expect(seen).toEqual(results.map((r) => r.text));
  });

  it('hands each row to onRowDone as its lanes end, before the batch does, with the result it returns', async () => {
    const step = new FakeStep(counting);
    const early: { index: number; runs: number; result: unknown }[] = [];
    const rows: GenerateRow[] = prompts.map((ids, r) => ({ ids, maxNewTokens: 12, ...(r === 1 ? { candidates: 2 } : {}) }));
    const { results } = await generateBatch(step, detok, rows, { eosId: EOS, padId: PAD, onRowDone: (index, result) => early.push({ index, runs: step.runs, result }) });
    // Every row once, each with exactly what the call returned for it.
    expect(early.map((e) => e.index).sort()).toEqual([0, 1, 2, 3]);
    for (const e of early) expect(e.result).toBe(results[e.index]);
    // Rows end at different steps: the first delivered came before the last forward pass.
    expect(Math.min(...early.map((e) => e.runs))).toBeLessThan(step.runs);
    const plain = await generateBatch(new FakeStep(counting), detok, rows, { eosId: EOS, padId: PAD });
    expect(results).toEqual(plain.results);
  });

  it('releases every cache it was given back', async () => {
    const step = new FakeStep(counting);
    await generateBatch(step, detok, [{ ids: [3], maxNewTokens: 5 }], { eosId: EOS, padId: PAD });
    expect(step.released).toBe(step.runs);
  });
});

describe('TextDelta', () => {
  it('never splits a multi-byte character across deltas', () => {
    const bytes = [...new TextEncoder().encode('a€b😀')];
    const decode = (ids: readonly number[]) => new TextDecoder().decode(Uint8Array.from(ids));
    const stream = new TextDelta(decode);
    const deltas: string[] = [];
    for (let i = 1; i <= bytes.length; i++) {
      const d = stream.push(bytes.slice(0, i));
      if (d) deltas.push(d);
    }
    expect(deltas).toEqual(['a', '€', 'b', '😀']);
  });
});
