// Constrained decoding: what one row of a batch may emit next (issue 7 point 3, docs/plan-and-slots.md §6).
//
// API (for the engine) — everything goes through generateBatch's GenerateRow:
//
//   import { TokenTrie } from './token-trie.ts';
//   import { slotRules } from './constraints.ts';
//   // Once per call (or per catalog: it is immutable and shared by every row): every spelling variant
//   // (the engine's termVariants) of every literal catalog title, vocabulary fact and other domain's word.
//   const trie = new TokenTrie(phrases.flatMap((p) => termVariants(p).map((v) => rt.encode(v))));
//   // Per row (per plan): slots the plan does not define and prompt-structure tokens never; the
//   // title/fact slots at most once each. `id` looks one token string up ((s) => single id or undefined).
//   const { banned, once } = slotRules(id, { slots: ALL_SLOT_TOKENS, defined: planSlotTokens, once: TITLE_AND_FACT_SLOTS, never: STRUCTURE_TOKENS });
//   const { results } = await generateBatch(step, detok, [{ ids, maxNewTokens, sentences,
//     constraints: { banned, once, trie },   // noRepeatNgram: 3 by default
//     candidates: 3 }], options);            // or [2, 2]; omit for plain greedy
//   // results[i].candidates: distinct texts, best mean log-prob first, each { tokens, text, stop,
//   // logprob, overrides }; results[i] itself is the best one. Fill, check, keep the first that passes.
//
// Rules (RowConstraints):
// - `banned`: ids never emitted. `once`: ids emitted at most once each (then banned). A constrained
//   row also never emits the pad token (unless pad doubles as eos).
// - `trie`: banned token sequences, HF `bad_words_ids` semantics (the last token of a sequence is banned
//   once the others were just generated — so a phrase can still be started, only not completed). The
//   row's own `badWords` keep working and are compiled into a second trie per call. A step costs
//   O(active trie nodes) per lane (at most the longest phrase's length), whatever the number of phrases.
// - `noRepeatNgram`: HF `no_repeat_ngram_size` over the generated tokens; default 3 whenever
//   `constraints` is given, 0 turns it off.
// - All rules see the generated tokens only (a resumed row's `prior` included), never the prompt.
//   `firstBannedIndex(tokens, badWords, constraints)` says where they would first fire (for resuming).
// - When every token is masked the lane ends with stop 'eos': it never emits a banned token.
// - `overrides` counts the greedy steps where a rule masked the model's top token: 0 means the text is
//   exactly what the model wanted; a high count means the mask pushed it somewhere (often garbage).
//   It comes with every candidate (and with `logprobs: true` on a single greedy row).
//
// Candidates (candidates.ts): each candidate is a lane, i.e. one more row of the batch, so decode cost
// grows with the count (3 candidates ≈ 2× the decode time of a page on CPU, measured with v1). Where the
// runtime can gather cache rows (CPU `compact`) the prompt is prefilled once; on WebGPU (no compact)
// every lane prefills its prompt, so count each row `laneCount(forkSchedule(row.candidates))` times
// against the prefill budget (splitForPrefill). Streaming (`onDelta`) follows lane 0, the greedy path,
// which need not be the candidate the caller keeps.
//
// Cost of the rules: one Uint8Array(vocab) per lane per call; per step a few writes (the dynamic bans)
// and the argmax scan that greedy decoding does anyway. Rows without rules keep the plain argmax, so
// batch-1 greedy without constraints is bit-identical to the loop without this module.
import { offerTopK } from './top-k.ts';
import { NgramBlocker } from './ngram.ts';
import { sampleToken } from './sampling.ts';
import type { RowScan, Sampling } from './sampling.ts';
import { TokenTrie } from './token-trie.ts';
import type { TrieCursor } from './token-trie.ts';

export interface RowConstraints {
  /** Token ids never emitted (undefined slots, prompt-structure tokens). */
  banned?: readonly number[];
  /** Token ids emitted at most once each (title and fact slots). */
  once?: readonly number[];
  /** Banned token sequences shared by many rows (catalog titles, vocabulary facts, other domains' words). */
  trie?: TokenTrie;
  /** No repeated n-gram of this size over the generated tokens (default 3; 0: off). */
  noRepeatNgram?: number;
}

export const DEFAULT_NO_REPEAT_NGRAM = 3;

const PERMANENT = 1;
const THIS_STEP = 2;

/**
 * One lane's decoding rules and their state (a lane is one candidate of one row). Advance it with
 * every generated token (prior tokens too), then `pick` the next token from the lane's logits.
 */
export class LaneRules {
  private mask: Uint8Array | null = null;
  /** Permanent bans not yet written to the mask (it is allocated at the first pick, when the vocab is known). */
  private readonly pending: number[] = [];
  private readonly onceIds: ReadonlySet<number>;
  private readonly cursors: TrieCursor[];
  private readonly ngram: NgramBlocker | null;
  private readonly stepBans: number[] = [];

  constructor(constraints: RowConstraints | undefined, tries: readonly TokenTrie[]) {
    this.pending.push(...(constraints?.banned ?? []));
    this.onceIds = new Set(constraints?.once ?? []);
    this.cursors = tries.map((t) => {
      this.pending.push(...t.rootEndings);
      return t.cursor();
    });
    const n = constraints ? (constraints.noRepeatNgram ?? DEFAULT_NO_REPEAT_NGRAM) : 0;
    this.ngram = n > 0 ? new NgramBlocker(n) : null;
  }

  /** Moves past one generated token. */
  advance(token: number): void {
    if (this.onceIds.has(token)) {
      if (this.mask) {
        if (token < this.mask.length) this.mask[token] = PERMANENT;
      } else {
        this.pending.push(token);
      }
    }
    for (const c of this.cursors) c.advance(token);
    this.ngram?.push(token);
  }

  /** Whether `token` may be emitted next. */
  allows(token: number): boolean {
    if (this.mask) {
      if (token < this.mask.length && this.mask[token] === PERMANENT) return false;
    } else if (this.pending.includes(token)) {
      return false;
    }
    if (this.cursors.some((c) => c.bans(token))) return false;
    return !(this.ngram?.banned().includes(token) ?? false);
  }

  /**
   * The `rank`-th best allowed token of logits[offset .. offset+vocab) (0: the best; ties go to the
   * lowest id), or -1 when fewer than rank+1 tokens are allowed. With `scan`, the greedy pass (rank 0)
   * also writes the row's largest logit (masked ids included) into it; other ranks leave it alone.
   */
  pick(logits: Float32Array, offset: number, vocab: number, rank = 0, scan?: RowScan): number {
    const mask = this.maskFor(vocab);
    this.stepBans.length = 0;
    for (const c of this.cursors) c.forEachBanned(this.banThisStep);
    if (this.ngram) for (const t of this.ngram.banned()) this.banThisStep(t);
    let token: number;
    if (rank === 0) {
      // rankedPick's rank 0, fused with the unmasked argmax to count the steps a rule overrode the model.
      let best = -1;
      let bestValue = -Infinity;
      let topValue = -Infinity;
      for (let v = 0; v < vocab; v++) {
        const x = logits[offset + v] as number;
        // bestValue ≤ topValue, so only a value above bestValue can raise either: one compare per id.
        if (x > bestValue) {
          if (x > topValue) topValue = x;
          if (mask[v] === 0) {
            bestValue = x;
            best = v;
          }
        }
      }
      if (bestValue < topValue || best < 0) this.overrides++;
      if (scan) scan.max = topValue;
      token = best;
    } else {
      token = rankedPick(logits, offset, vocab, rank, mask);
    }
    for (const t of this.stepBans) mask[t] = 0;
    return token;
  }

  /** A token drawn under these rules (sampling.ts sampleToken, `scan` as there), or -1 when none is allowed. */
  sample(logits: Float32Array, offset: number, vocab: number, sampling: Omit<Sampling, 'seed'>, random: () => number, scan?: RowScan): number {
    const mask = this.maskFor(vocab);
    this.stepBans.length = 0;
    for (const c of this.cursors) c.forEachBanned(this.banThisStep);
    if (this.ngram) for (const t of this.ngram.banned()) this.banThisStep(t);
    const token = sampleToken(logits, offset, vocab, mask, sampling, random, scan);
    for (const t of this.stepBans) mask[t] = 0;
    return token;
  }

  /** Greedy steps where a rule masked the model's top token (what a hard mask forced). */
  overrides = 0;

  /** Masks `t` for this step only, remembering it so the mask is restored after the pick. */
  private readonly banThisStep = (t: number): void => {
    const mask = this.mask as Uint8Array;
    if (t >= 0 && t < mask.length && mask[t] === 0) {
      mask[t] = THIS_STEP;
      this.stepBans.push(t);
    }
  };

  private maskFor(vocab: number): Uint8Array {
    if (!this.mask || this.mask.length !== vocab) {
      const mask = new Uint8Array(vocab);
      if (this.mask) mask.set(this.mask.subarray(0, Math.min(vocab, this.mask.length)));
      this.mask = mask;
    }
    for (const t of this.pending) if (t >= 0 && t < vocab) this.mask[t] = PERMANENT;
    this.pending.length = 0;
    return this.mask;
  }
}

/**
 * The `rank`-th largest logit's id among ids whose mask entry is 0 (all ids without a mask); ties go to
 * the lowest id, as in argmax. -1 when fewer than rank+1 ids qualify. Tokens at -Infinity never qualify.
 */
export function rankedPick(logits: Float32Array, offset: number, vocab: number, rank: number, mask: Uint8Array | null): number {
  if (rank === 0) {
    let best = -1;
    let bestValue = -Infinity;
    for (let v = 0; v < vocab; v++) {
      const x = logits[offset + v] as number;
      if (x > bestValue && (mask === null || mask[v] === 0)) {
        bestValue = x;
        best = v;
      }
    }
    return best;
  }
  // A short sorted list of the rank+1 best (ranks are 2–4: insertion beats a heap).
  const k = rank + 1;
  const ids: number[] = [];
  const values: number[] = [];
  for (let v = 0; v < vocab; v++) {
    const x = logits[offset + v] as number;
    if (x === -Infinity || Number.isNaN(x) || (mask !== null && mask[v] !== 0)) continue;
    offerTopK(ids, values, k, v, x);
  }
  return ids.length === k ? (ids[rank] as number) : -1;
}

/** Rules for a row: null when it has none (then the decode loop keeps its plain argmax). */
export function laneRules(constraints: RowConstraints | undefined, badWords: TokenTrie | null): LaneRules | null {
  const tries: TokenTrie[] = [];
  if (constraints?.trie && constraints.trie.sequences > 0) tries.push(constraints.trie);
  if (badWords && badWords.sequences > 0) tries.push(badWords);
  if (!constraints && tries.length === 0) return null;
  return new LaneRules(constraints, tries);
}

export interface SlotRuleOptions {
  /** Every slot token string the tokenizer has (`<|@item|>`, `<|@h1|>`, …). */
  slots: readonly string[];
  /** The slots this row's plan defines: the only slot tokens it may emit. */
  defined: readonly string[];
  /** Slots emitted at most once (titles and facts). */
  once?: readonly string[];
  /** Tokens never emitted (prompt structure: `<|item|>`, `<|history|>`, `<|reason|>`, `<|new|>`, …). */
  never?: readonly string[];
}

/**
 * `banned` and `once` ids for a row from token strings; `tokenId` looks a string up in the tokenizer
 * (undefined when it has no such single token: a model without slots simply gets no slot rules).
 */
export function slotRules(tokenId: (token: string) => number | undefined, options: SlotRuleOptions): { banned: number[]; once: number[] } {
  const defined = new Set(options.defined);
  const ids = (strings: Iterable<string>) => [...strings].flatMap((s) => {
    const id = tokenId(s);
    return id === undefined ? [] : [id];
  });
  const banned = ids([...options.slots.filter((s) => !defined.has(s)), ...(options.never ?? [])]);
  const once = ids((options.once ?? []).filter((s) => defined.has(s)));
  return { banned: [...new Set(banned)], once: [...new Set(once)] };
}
