// Constrained decoding and candidates (src/generation/constraints.ts, token-trie.ts, ngram.ts, candidates.ts)
// against reference implementations, and through the real decode loop with fake models that prefer
// what the constraints forbid (so every test fails when its constraint is not applied).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forkSchedule, laneRank, logSoftmaxAt, rankCandidates } from '../../../src/generation/candidates.ts';
import { LaneRules, laneRules, rankedPick, slotRules } from '../../../src/generation/constraints.ts';
import { firstBannedIndex, generateBatch } from '../../../src/generation/generate.ts';
import type { GenerateRow, RowResult } from '../../../src/generation/generate.ts';
import { NgramBlocker } from '../../../src/generation/ngram.ts';
import { TokenTrie } from '../../../src/generation/token-trie.ts';
import { EOS, FakeStep, PAD, VOCAB } from './fake-step.ts';
import type { Next } from './fake-step.ts';
import { detokenize as wordDetok, encode as wordEncode, fakeRuntime } from '../../../scripts/reliability/fake-runtime.ts';

const opts = { eosId: EOS, padId: PAD };
const detok = (ids: readonly number[]) => ids.map((i) => String.fromCharCode(96 + (i % 26))).join('');

/** HF bad_words_ids, the per-phrase scan the trie replaces: last tokens of sequences whose prefix was just generated. */
function bannedOracle(generated: readonly number[], seqs: readonly (readonly number[])[]): Set<number> {
  const out = new Set<number>();
  for (const seq of seqs) {
    if (seq.length === 0) continue;
    const p = seq.length - 1;
    if (p > generated.length) continue;
    if (seq.slice(0, p).every((t, k) => generated[generated.length - p + k] === t)) out.add(seq[p] as number);
  }
  return out;
}

/** HF no_repeat_ngram_size: tokens that would complete an n-gram already in `generated`. */
function ngramOracle(generated: readonly number[], n: number): Set<number> {
  const out = new Set<number>();
  const tail = generated.slice(generated.length - (n - 1));
  if (generated.length < n - 1) return out;
  for (let i = 0; i + n <= generated.length; i++) if (generated.slice(i, i + n - 1).every((t, k) => t === tail[k])) out.add(generated[i + n - 1] as number);
  return out;
}

function hasSubsequence(tokens: readonly number[], seq: readonly number[]): boolean {
  for (let i = 0; i + seq.length <= tokens.length; i++) if (seq.every((t, k) => tokens[i + k] === t)) return true;
  return false;
}

function repeatsNgram(tokens: readonly number[], n: number): boolean {
  const seen = new Set<string>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join(',');
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

/** Prompts end with token 3 (no reply uses it): what follows its first occurrence was generated. */
const afterPrompt = (visible: readonly number[]) => visible.slice(visible.indexOf(3) + 1);

/**
 * A model that continues with the first of `replies` agreeing with what it generated (score 3), the
 * next agreeing one second (2), … and token 2 (score 0.5) when none agrees.
 */
function scripted(replies: readonly (readonly number[])[]): Next {
  return (visible) => {
    const generated = afterPrompt(visible);
    const scores: Record<number, number> = { 2: 0.5 };
    let score = 3;
    for (const reply of replies) {
      if (!generated.every((t, k) => reply[k] === t)) continue;
      const next = reply[generated.length] ?? EOS;
      if (scores[next] === undefined || next === 2) scores[next] = score--;
    }
    return scores;
  };
}

const gen = (next: Next, rows: GenerateRow[], canCompact = true, canExpand = false) => generateBatch(new FakeStep(next, canCompact, canExpand), detok, rows, opts);
const one = async (next: Next, row: GenerateRow): Promise<RowResult> => (await gen(next, [row])).results[0] as RowResult;

describe('TokenTrie', () => {
  it('bans exactly what the per-phrase scan bans (HF bad_words_ids), on random phrases and text', () => {
    const token = fc.integer({ min: 2, max: 9 });
    fc.assert(
      fc.property(fc.array(fc.array(token, { minLength: 0, maxLength: 4 }), { maxLength: 12 }), fc.array(token, { maxLength: 30 }), (seqs, text) => {
        const trie = new TokenTrie(seqs);
        const cursor = trie.cursor();
        for (let i = 0; i <= text.length; i++) {
          const expected = bannedOracle(text.slice(0, i), seqs);
          const got = new Set(trie.rootEndings);
          cursor.forEachBanned((t) => got.add(t));
          expect([...got].sort()).toEqual([...expected].sort());
          for (let t = 0; t < 11; t++) expect(cursor.bans(t)).toBe(expected.has(t));
          if (i < text.length) cursor.advance(text[i] as number);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('costs O(active nodes) per step: bounded by the longest phrase, not the number of phrases', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const phrases = Array.from({ length: 20_000 }, () => Array.from({ length: 1 + Math.floor(rand() * 5) }, () => 3 + Math.floor(rand() * 6000)));
    const trie = new TokenTrie(phrases);
    expect(trie.sequences).toBe(20_000);
    const cursor = trie.cursor();
    let most = 0;
    for (let i = 0; i < 500; i++) {
      // Walk along phrases to keep nodes active.
      const p = phrases[i % 50] as number[];
      for (const t of p) {
        cursor.advance(t);
        most = Math.max(most, cursor.activeCount);
      }
    }
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(4); // longest phrase 5 → at most 4 matched prefixes
  });

  it('rejects token ids it cannot pack and ignores empty sequences', () => {
    expect(() => new TokenTrie([[1, -1]])).toThrow(RangeError);
    expect(() => new TokenTrie([[2 ** 24]])).toThrow(RangeError);
    expect(new TokenTrie([[], [5]]).sequences).toBe(1);
  });
});

describe('NgramBlocker', () => {
  it('bans what HF no_repeat_ngram_size bans, for n = 1..4', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.integer({ min: 2, max: 5 }), { maxLength: 40 }), (n, text) => {
        const b = new NgramBlocker(n);
        for (let i = 0; i <= text.length; i++) {
          expect(new Set(b.banned())).toEqual(ngramOracle(text.slice(0, i), n));
          if (i < text.length) b.push(text[i] as number);
        }
      }),
      { numRuns: 300 },
    );
    expect(() => new NgramBlocker(0)).toThrow(RangeError);
  });
});

describe('rankedPick', () => {
  it('ranks the allowed ids by logit, ties to the lowest id, and says when there are too few', () => {
    const l = new Float32Array([0, 5, 3, 5, -Infinity, 4]);
    expect([0, 1, 2, 3, 4].map((r) => rankedPick(l, 0, 6, r, null))).toEqual([1, 3, 5, 2, 0]);
    expect(rankedPick(l, 0, 6, 5, null)).toBe(-1); // -Infinity never qualifies
    const mask = Uint8Array.from([0, 1, 0, 0, 0, 0]);
    expect([0, 1, 2].map((r) => rankedPick(l, 0, 6, r, mask))).toEqual([3, 5, 2]);
    expect(rankedPick(l, 0, 6, 0, Uint8Array.from([1, 1, 1, 1, 1, 1]))).toBe(-1);
    // An offset into a batch of rows.
    const two = new Float32Array([9, 0, 0, 0, 1, 2]);
    expect(rankedPick(two, 3, 3, 0, null)).toBe(2);
    expect(rankedPick(two, 3, 3, 1, null)).toBe(1);
  });
});

describe('LaneRules', () => {
  it('applies banned, once, trie and n-gram rules, and restores the mask after every pick', () => {
    const rules = new LaneRules({ banned: [7], once: [8], noRepeatNgram: 2 }, [new TokenTrie([[4, 5], [9]])]);
    const flat = new Float32Array(12).fill(1);
    const allowed = () => {
      const out: number[] = [];
      for (let r = 0; ; r++) {
        const t = rules.pick(flat, 0, 12, r);
        if (t < 0) return out.sort((a, b) => a - b);
        out.push(t);
      }
    };
    expect(allowed()).toEqual([0, 1, 2, 3, 4, 5, 6, 8, 10, 11]);
    rules.advance(8); // once: 8 now banned
    expect(allowed()).toEqual([0, 1, 2, 3, 4, 5, 6, 10, 11]);
    rules.advance(4); // trie: 5 banned after 4; 2-gram "8 4" seen, nothing follows 4 yet
    expect(allowed()).toEqual([0, 1, 2, 3, 4, 6, 10, 11]);
    rules.advance(3);
    rules.advance(4); // 2-gram: 4 was followed by 3 → 3 banned next; trie: 5 banned again
    expect(allowed()).toEqual([0, 1, 2, 4, 6, 10, 11]);
    for (const t of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) expect(rules.allows(t)).toBe([0, 1, 2, 4, 6, 10, 11].includes(t));
  });

  it('is null for a row without rules, so the decode loop keeps its plain argmax', () => {
    expect(laneRules(undefined, null)).toBeNull();
    expect(laneRules(undefined, new TokenTrie([]))).toBeNull();
    expect(laneRules({}, null)).not.toBeNull();
  });
});

describe('slotRules', () => {
  it('bans undefined slots and structure tokens; only defined title/fact slots are once', () => {
    const ids: Record<string, number> = { '<|@item|>': 20, '<|@h1|>': 21, '<|@h2|>': 22, '<|@f1|>': 23, '<|@noun|>': 24, '<|reason|>': 30, '<|history|>': 31 };
    const r = slotRules((s) => ids[s], {
      slots: ['<|@item|>', '<|@h1|>', '<|@h2|>', '<|@f1|>', '<|@noun|>', '<|@missing|>'],
      defined: ['<|@item|>', '<|@h1|>', '<|@noun|>'],
      once: ['<|@item|>', '<|@h1|>', '<|@h2|>', '<|@f1|>'],
      never: ['<|reason|>', '<|history|>'],
    });
    expect(r.banned.sort()).toEqual([22, 23, 30, 31]);
    expect(r.once.sort()).toEqual([20, 21]);
  });
});

describe('constrained generateBatch', () => {
  const PHRASE = [10, 11]; // e.g. a literal catalog title
  const wantsPhrase = scripted([[10, 11, 12, 5], [10, 20, 5]]);

  it('never completes a banned sequence from the trie, and takes the model’s next choice instead', async () => {
    expect((await one(wantsPhrase, { ids: [3], maxNewTokens: 8 })).tokens).toEqual([10, 11, 12, 5]);
    const trie = new TokenTrie([PHRASE]);
    const r = await one(wantsPhrase, { ids: [3], maxNewTokens: 8, constraints: { trie }, logprobs: true });
    expect(r.tokens).toEqual([10, 20, 5]);
    expect(r.stop).toBe('eos');
    expect(r.overrides).toBe(1); // the model wanted 11 after 10
    expect((await one(wantsPhrase, { ids: [3], maxNewTokens: 8, constraints: { trie: new TokenTrie([[30, 31]]) }, logprobs: true })).overrides).toBe(0);
    // 20 000 other phrases change nothing (and the rows' own badWords work the same).
    const many = new TokenTrie([...Array.from({ length: 20_000 }, (_, i) => [100 + i, 100 + i]), PHRASE]);
    expect((await gen(wantsPhrase, [{ ids: [3], maxNewTokens: 8, constraints: { trie: many } }], true, false)).results[0]?.tokens).toEqual([10, 20, 5]);
    expect((await one(wantsPhrase, { ids: [3], maxNewTokens: 8, badWords: [PHRASE] })).tokens).toEqual([10, 20, 5]);
  });

  it('never emits a banned id and each once id at most once', async () => {
    const slotty = scripted([[7, 8, 9, 8, 5], [8, 9, 8, 6, 5]]);
    expect((await one(slotty, { ids: [3], maxNewTokens: 8 })).tokens).toEqual([7, 8, 9, 8, 5]);
    const r = await one(slotty, { ids: [3], maxNewTokens: 8, constraints: { banned: [7], once: [8] } });
    expect(r.tokens).not.toContain(7);
    expect(r.tokens.filter((t) => t === 8)).toHaveLength(1);
    expect(r.tokens.slice(0, 2)).toEqual([8, 9]);
  });

  it('never repeats an n-gram (default 3), where the model loops', async () => {
    const loop: Next = (v) => ({ [5 + ((v[v.length - 1] as number) % 3)]: 2, [9 + (v.length % 5)]: 1 });
    const plain = await one(loop, { ids: [3], maxNewTokens: 16 });
    expect(repeatsNgram(plain.tokens, 3)).toBe(true);
    const three = await one(loop, { ids: [3], maxNewTokens: 16, constraints: {} });
    expect(three.tokens).toHaveLength(16);
    expect(repeatsNgram(three.tokens, 3)).toBe(false);
    const two = await one(loop, { ids: [3], maxNewTokens: 16, constraints: { noRepeatNgram: 2 } });
    expect(repeatsNgram(two.tokens, 2)).toBe(false);
    const off = await one(loop, { ids: [3], maxNewTokens: 16, constraints: { noRepeatNgram: 0 } });
    expect(off.tokens).toEqual(plain.tokens);
  });

  it('ends a row (eos) when every token is masked instead of emitting a banned one', async () => {
    const vocab = 4;
    const step = new FakeStep(() => ({ 2: 3, 3: 2, 1: 1 }), true, false, vocab);
    const all = await generateBatch(step, detok, [{ ids: [3], maxNewTokens: 5, constraints: { banned: [1, 2, 3] } }], opts);
    expect(all.results[0]).toMatchObject({ tokens: [], stop: 'eos' });
    // Masked mid-way: after 2, the trie bans 2 2 and 2 3, eos is banned, pad is never emitted.
    const mid = await generateBatch(new FakeStep(() => ({ 2: 3, 3: 2 }), true, false, vocab), detok, [{ ids: [3], maxNewTokens: 5, constraints: { banned: [1], trie: new TokenTrie([[2, 2], [2, 3]]) } }], opts);
    expect(mid.results[0]).toMatchObject({ tokens: [2], stop: 'eos' });
    // Without constraints the greedy loop is unchanged (it would emit the preferred token).
    const plain = await generateBatch(new FakeStep(() => 2, true, false, vocab), detok, [{ ids: [3], maxNewTokens: 2 }], opts);
    expect(plain.results[0]?.tokens).toEqual([2, 2]);
  });

  it('applies prior tokens to the rules, and resuming at the first banned index equals starting over', async () => {
    const constraints = { once: [8], trie: new TokenTrie([[9, 6]]) };
    const model = scripted([[8, 9, 8, 9, 6, 5], [8, 9, 7, 6, 9, 4, 5]]);
    const plain = await one(model, { ids: [3], maxNewTokens: 10 });
    const over = await one(model, { ids: [3], maxNewTokens: 10, constraints });
    const cut = firstBannedIndex(plain.tokens, [], constraints);
    expect(cut).toBe(2); // the second 8
    const prior = plain.tokens.slice(0, cut);
    const resumed = await one(model, { ids: [3, ...prior], prior, maxNewTokens: 10, constraints });
    expect(resumed).toEqual(over);
    expect(firstBannedIndex([5, 6, 5, 6, 5], [], {})).toBe(4); // 3-gram 5 6 5 again
    expect(firstBannedIndex([5, 6, 5, 6, 5], [])).toBe(-1);
    expect(firstBannedIndex([5, 6, 7], [[6, 7]])).toBe(2);
  });

  it('gives every constrained row the same tokens in a batch as alone', async () => {
    const model = scripted([[10, 11, 12, 5, 6, 7, 5, 6, 7], [10, 20, 8, 8, 5]]);
    const trie = new TokenTrie([PHRASE]);
    const rows: GenerateRow[] = [
      { ids: [3], maxNewTokens: 10 },
      { ids: [4, 3], maxNewTokens: 10, constraints: { trie } },
      { ids: [5, 5, 3], maxNewTokens: 10, constraints: { once: [8], banned: [20] } },
      { ids: [3], maxNewTokens: 10, constraints: { trie }, candidates: 3 },
    ];
    const batch = await gen(model, rows);
    for (const [i, row] of rows.entries()) {
      const alone = await gen(model, [row]);
      expect(batch.results[i]).toEqual(alone.results[0]);
    }
    expect(batch.results[1]?.tokens).not.toEqual(batch.results[0]?.tokens);
  });
});

describe('candidates', () => {
  it('reads a fork schedule and numbers lanes in mixed radix (lane 0 greedy)', () => {
    expect(forkSchedule(undefined)).toEqual([]);
    expect(forkSchedule(1)).toEqual([]);
    expect(forkSchedule([2, 1])).toEqual([2]);
    expect(() => forkSchedule(0)).toThrow(RangeError);
    expect(() => forkSchedule([3, 3])).toThrow(RangeError);
    const s = [2, 2];
    expect([0, 1, 2, 3].map((l) => [laneRank(s, l, 0), laneRank(s, l, 1), laneRank(s, l, 2)])).toEqual([
      [0, 0, 0],
      [0, 1, 0],
      [1, 0, 0],
      [1, 1, 0],
    ]);
  });

  it('scores with the model’s log-softmax and ranks by mean, one per text, empty last', () => {
    const l = new Float32Array([1, 2, 3]);
    const z = Math.log(Math.E + Math.E ** 2 + Math.E ** 3);
    expect(logSoftmaxAt(l, 0, 3, 2)).toBeCloseTo(3 - z, 6);
    // Far-below logits are skipped: still within vocab·e^-16 of the exact value.
    const wide = Float32Array.from({ length: 6000 }, (_, i) => ((i * 7919) % 6000) / 150 - 20);
    let m = -Infinity;
    for (const x of wide) m = Math.max(m, x);
    const exact = (t: number) => (wide[t] as number) - m - Math.log(wide.reduce((a, x) => a + Math.exp(x - m), 0));
    for (const t of [0, 17, 4242]) expect(Math.abs(logSoftmaxAt(wide, 0, 6000, t) - exact(t))).toBeLessThan(6000 * Math.exp(-16));
    const ranked = rankCandidates([
      { tokens: [1], text: 'a', logprob: -2 },
      { tokens: [2], text: 'b', logprob: -1 },
      { tokens: [3], text: 'a', logprob: -0.5 },
      { tokens: [], text: '', logprob: 0 },
      { tokens: [4], text: 'c', logprob: -1 },
    ]);
    expect(ranked.map((c) => c.tokens[0])).toEqual([3, 2, 4]);
    expect(rankCandidates([{ tokens: [], text: ' ', logprob: -1 }])).toHaveLength(1);
  });

  // First token: 10 (3) > 11 (2.5) > 12 (2) > 13 (1); after 10 the model is unsure, after 11 sure.
  const forky: Next = (v): Record<number, number> => {
    const g = afterPrompt(v);
    if (g.length === 0) return { 10: 3, 11: 2.5, 12: 2, 13: 1 };
    if (g.length >= 3) return { [EOS]: 6 };
    if (g[0] === 10) return { 14: 0.3, 15: 0.2, 16: 0.1 };
    return { [20 + g.length]: 8 };
  };

  it('forks at the first token into the top allowed ones, continues greedily, ranks by mean log-prob', async () => {
    const greedy = await one(forky, { ids: [3], maxNewTokens: 8 });
    expect(greedy.tokens).toEqual([10, 14, 14]);
    const r = await one(forky, { ids: [3], maxNewTokens: 8, candidates: 3 });
    const cands = r.candidates ?? [];
    expect(cands).toHaveLength(3);
    expect(cands.map((c) => c.tokens[0]).sort()).toEqual([10, 11, 12]);
    // The greedy opening continues badly: a confident second opening ranks first.
    expect(r.tokens).toEqual([11, 21, 22]);
    expect(cands[0]).toMatchObject({ tokens: r.tokens, text: r.text, stop: r.stop, logprob: r.logprob });
    for (let i = 1; i < cands.length; i++) expect((cands[i - 1] as { logprob: number }).logprob).toBeGreaterThanOrEqual((cands[i] as { logprob: number }).logprob);
    const greedyLane = cands.find((c) => c.tokens[0] === 10);
    expect(greedyLane?.tokens).toEqual(greedy.tokens);
    // The mean log-prob is the model's own: recompute the greedy lane's (3 tokens + eos) here.
    const lp = (scores: Record<number, number>, t: number) => {
      const z = Math.log(Object.values(scores).reduce((a, x) => a + Math.exp(x), 0) + (VOCAB - Object.keys(scores).length));
      return (scores[t] ?? 0) - z;
    };
    const expected = (lp({ 10: 3, 11: 2.5, 12: 2, 13: 1 }, 10) + 2 * lp({ 14: 0.3, 15: 0.2, 16: 0.1 }, 14) + lp({ [EOS]: 6 }, EOS)) / 4;
    expect(greedyLane?.logprob).toBeCloseTo(expected, 5);
  });

  it('forks only into allowed tokens, and drops a lane that has no token of its rank', async () => {
    const r = await one(forky, { ids: [3], maxNewTokens: 8, candidates: 3, constraints: { banned: [11] } });
    expect((r.candidates ?? []).map((c) => c.tokens[0]).sort()).toEqual([10, 12, 13]);
    const vocab = 4; // allowed: 2, 3 and eos (pad is never emitted by a constrained row)
    const small = await generateBatch(new FakeStep(() => ({ 2: 2, 3: 1 }), true, false, vocab), detok, [{ ids: [3], maxNewTokens: 2, candidates: 4, constraints: { noRepeatNgram: 0 } }], opts);
    expect(small.results[0]?.candidates?.map((c) => c.tokens)).toEqual([[2, 2], [3, 2]]); // the eos lane is empty text
  });

  it('gives the same candidates whether the cache is gathered, the prompt prefilled per lane, or a prefix shared', async () => {
    const history = Array.from({ length: 20 }, (_, i) => 30 + (i % 9));
    const model = forky;
    const rows: GenerateRow[] = [
      { ids: [...history, 3], maxNewTokens: 8, candidates: 3 },
      { ids: [...history, 5, 3], maxNewTokens: 8 },
      { ids: [...history, 7, 7, 3], maxNewTokens: 8, candidates: [2, 2], constraints: { banned: [12] } },
    ];
    const gather = new FakeStep(model, true, false);
    const a = await generateBatch(gather, detok, rows, { ...opts, compactShare: 2 });
    // No gather at all (the GPU runtime): every lane prefills its prompt.
    const perLane = new FakeStep(model, true, false);
    (perLane as { compact?: unknown }).compact = undefined;
    const b = await generateBatch(perLane, detok, rows, opts);
    // A gather that fails (returns null): the lanes are prefilled after all.
    const failing = new FakeStep(model, false, false);
    const d = await generateBatch(failing, detok, rows, opts);
    expect(failing.rowsPerRun.slice(0, 2)).toEqual([3, 8]);
    expect(d.stats.steps).toBe(failing.runs);
    expect(d.results).toEqual(a.results);
    const prefix = new FakeStep(model, true, true);
    const c = await generateBatch(prefix, detok, rows, opts);
    expect(gather.firstRows).toBe(3); // prompts once, then gathered to 8 lanes
    expect(gather.rowsPerRun[1]).toBe(8);
    expect(perLane.firstRows).toBe(8);
    expect(prefix.firstRows).toBe(1);
    expect(c.stats.sharedPrefix).toBe(20);
    expect(a.stats.lanes).toBe(8);
    expect(b.results).toEqual(a.results);
    expect(c.results).toEqual(a.results);
    expect(gather.released).toBe(gather.runs + 1); // the gathered cache too
    expect(a.results[2]?.candidates).toHaveLength(4);
    expect(a.results[1]?.candidates).toBeUndefined();
  });

  it('streams the greedy lane, aborts all lanes of a row, and scores one lane on request', async () => {
    let streamed = '';
    const r = await one(forky, { ids: [3], maxNewTokens: 8, candidates: 3, onDelta: (t) => (streamed += t) });
    expect(streamed).toBe(detok([10, 14, 14]));
    expect(r.text).not.toBe(streamed); // the caller chooses; the stream was provisional
    const controller = new AbortController();
    controller.abort();
    const aborted = await one(forky, { ids: [3], maxNewTokens: 8, candidates: 3, signal: controller.signal });
    expect(aborted.stop).toBe('aborted');
    const scored = await one(forky, { ids: [3], maxNewTokens: 8, logprobs: true });
    expect(scored.candidates).toHaveLength(1);
    expect(scored.logprob).toBeLessThan(0);
  });

  it('with the word-level fake runtime: no candidate writes a banned title, and one says it with a slot', async () => {
    const rt = fakeRuntime({ reply: () => ['Dark Souls III is a hard game.', 'You will like <|@item|> a lot.'] });
    const title = wordEncode('Dark Souls III');
    const spaced = wordEncode(' Dark Souls III');
    const trie = new TokenTrie([title, spaced]);
    const ids = wordEncode('<|domain|>game <|reason|>');
    const plain = await generateBatch(rt.step, wordDetok, [{ ids, maxNewTokens: 12 }], { eosId: rt.eosId, padId: rt.padId });
    expect(plain.results[0]?.text).toContain('Dark Souls III');
    const { results } = await generateBatch(rt.step, wordDetok, [{ ids, maxNewTokens: 12, candidates: 2, constraints: { trie } }], { eosId: rt.eosId, padId: rt.padId });
    const texts = (results[0]?.candidates ?? []).map((c) => c.text);
    expect(texts).toContain('You will like <|@item|> a lot.');
    // (The fake renders its fallback token ' x' as nothing, so check tokens, not text.)
    expect(hasSubsequence(plain.results[0]?.tokens ?? [], title)).toBe(true);
    for (const c of results[0]?.candidates ?? []) expect(hasSubsequence(c.tokens, title)).toBe(false);
  });
});
