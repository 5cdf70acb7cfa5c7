// The batched decode loop. Many prompts run as ONE batch: left padding, an attention mask,
// explicit position ids, the KV cache carried between steps (on the GPU when the runtime keeps it
// there), greedy decoding, per-row stop at <|end|> or a token limit, per-row streaming of text deltas,
// per-row constrained decoding (constraints.ts) and a few candidates per row (candidates.ts).
// It knows nothing about transformers.js: the runtime passes a `DecoderStep` (see runtime.ts), so the
// padding, stopping, banning and streaming logic is unit-tested with a fake model.
import { forkSchedule, laneCount, laneRank, logSoftmaxAt, rankCandidates } from './candidates.ts';
import type { CandidateSpec } from './candidates.ts';
import { laneRules, rankedPick } from './constraints.ts';
import type { LaneRules, RowConstraints } from './constraints.ts';
import { laneRandom, sampleToken, validateSampling } from './sampling.ts';
import type { Sampling } from './sampling.ts';
import { TokenTrie } from './token-trie.ts';

/** An opaque KV cache owned by the runtime (tensors on CPU or GPU). */
export type KvCache = { readonly __brand: 'KvCache' };

export interface StepResult {
  /** Logits of the last position of every row, row-major [rows, vocab]. */
  logits: Float32Array;
  vocab: number;
  past: KvCache;
}

/** One forward pass of the model; implemented by the runtime. */
export interface DecoderStep {
  /** `past` is null for the prefill. Shapes: ids/mask/positions [rows, width]; mask width = past + width. */
  run(feeds: {
    inputIds: BigInt64Array;
    attentionMask: BigInt64Array;
    positionIds: BigInt64Array;
    rows: number;
    width: number;
    maskWidth: number;
    past: KvCache | null;
  }): Promise<StepResult>;
  /**
   * Repeats a one-row cache `rows` times (for a prompt prefix shared by every row); null when it cannot.
   * Left undefined where the cache lives on the GPU: there the shared prefix is simply prefilled per row.
   */
  expand?(past: KvCache, rows: number): KvCache | null;
  /**
   * Keeps only the given rows of the cache, in that order (frees the rest); null when it cannot (e.g.
   * GPU tensors). A row may be listed more than once (a gather): that is how a prompt prefilled once
   * is copied to its candidates.
   */
  compact?(past: KvCache, keep: readonly number[]): KvCache | null;
  /** Frees the cache (GPU buffers are released at once; CPU ones are left to GC). */
  release(past: KvCache): void;
}

/** Turns token ids into text; the tokenizer's decode. */
export type Detokenize = (ids: readonly number[]) => string;

export interface GenerateRow {
  /** Prompt token ids (no padding); ends with `prior` when that is given. */
  ids: readonly number[];
  /**
   * Tokens this row already generated (the tail of `ids`): a resumed generation. They count toward
   * `maxNewTokens`, the banned-sequence checks and the returned tokens/text.
   */
  prior?: readonly number[];
  maxNewTokens: number;
  /**
   * Stop once the text holds this many complete sentences (each of at least SENTENCE_MIN_WORDS words
   * counted from the start): seen when a token starting with whitespace follows sentence-final
   * punctuation; that token is dropped. Unset: only <|end|> and maxNewTokens stop the row.
   */
  sentences?: number;
  /** Token sequences that must not be produced (HF `bad_words_ids` semantics). */
  badWords?: readonly (readonly number[])[];
  /** What this row may emit (its plan's slots, banned phrases, no repeated n-grams): see constraints.ts. */
  constraints?: RowConstraints;
  /**
   * Candidates to return (see candidates.ts): n forks n ways at the first generated token, an array
   * gives the branching per step. Default 1: greedy, exactly as without it.
   */
  candidates?: CandidateSpec;
  /**
   * Sample the candidates instead of forking them (sampling.ts): each lane (lane 0 included) draws
   * every token from its own seeded stream, under the same constraints. Same seed, same logits: same
   * candidates.
   */
  sampling?: Sampling;
  /** Score the result by its mean log-probability even with one candidate. */
  logprobs?: boolean;
  /**
   * Called with each new piece of text, never splitting a multi-byte character. With several
   * candidates it streams the first (greedy) one, which need not be the one the caller keeps.
   */
  onDelta?: (text: string) => void;
  /** Aborting stops this row only; the rest of the batch goes on. */
  signal?: AbortSignal;
}

export type StopReason = 'eos' | 'length' | 'sentence' | 'aborted';

export interface Candidate {
  tokens: number[];
  text: string;
  stop: StopReason;
  /** Mean log-probability per token under the model (the eos it chose included; masks not applied). */
  logprob: number;
  /** Greedy steps where a constraint masked the model's top token (0: the model chose freely). */
  overrides: number;
}

export interface RowResult {
  tokens: number[];
  text: string;
  stop: StopReason;
  /** With `candidates` or `logprobs`: the best candidate's mean log-probability and overrides. */
  logprob?: number;
  overrides?: number;
  /** With `candidates` or `logprobs`: every distinct candidate, best first (the first is the result). */
  candidates?: Candidate[];
}

export interface GenerateStats {
  rows: number;
  /** Padded prompt width of the prefill (shared prefix included). */
  width: number;
  /** Prompt tokens every row shares, prefilled once (0 when not used). */
  sharedPrefix: number;
  /** Forward passes (1 prefill + decode steps). */
  steps: number;
  prefillMs: number;
  decodeMs: number;
  /** Generated tokens over all rows (eos excluded). */
  tokens: number;
  /** Rows dropped from the cache mid-batch because they had finished. */
  compactions: number;
  /** Rows decoded: one per candidate of every row that was generated (equals the live rows without candidates). */
  lanes: number;
}

export interface GenerateOptions {
  eosId: number;
  padId: number;
  /** Prefill a common prompt prefix once when it is at least this long (default 16) and the runtime can expand it. */
  minSharedPrefix?: number;
  /** Shrink the batch once this share of its rows has finished (only where the runtime can). */
  compactShare?: number;
  now?: () => number;
}

export interface Padded {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  positionIds: BigInt64Array;
  width: number;
}

/**
 * Left-pads prompts to one width. Positions count real tokens only (0..len-1, pads get 1 as in
 * transformers), so a padded row sees exactly what it would see alone.
 */
export function leftPad(rows: readonly (readonly number[])[], padId: number): Padded {
  const width = Math.max(1, ...rows.map((r) => r.length));
  const n = rows.length * width;
  const inputIds = new BigInt64Array(n).fill(BigInt(padId));
  const attentionMask = new BigInt64Array(n);
  const positionIds = new BigInt64Array(n).fill(1n);
  rows.forEach((row, r) => {
    const offset = r * width + (width - row.length);
    row.forEach((id, j) => {
      inputIds[offset + j] = BigInt(id);
      attentionMask[offset + j] = 1n;
      positionIds[offset + j] = BigInt(j);
    });
  });
  return { inputIds, attentionMask, positionIds, width };
}

/** Fewer words than this before a full stop do not count as a sentence ("Dear customer." goes on). */
export const SENTENCE_MIN_WORDS = 4;
const SENTENCE_END = /[.!?…。！？]["'”’)\]]*$/u;
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Whether `text` (ending with the newest token `last`) has just completed its `n`-th sentence: `last`
 * starts with whitespace and what precedes it ends a sentence. Sentences are counted as sentence-final
 * punctuation followed by whitespace, after at least SENTENCE_MIN_WORDS words.
 */
export function completesSentences(text: string, last: string, n: number): boolean {
  if (!/^\s/u.test(last) || last.length > text.length) return false;
  const before = text.slice(0, text.length - last.length);
  if (!SENTENCE_END.test(before)) return false;
  if ((before.match(WORD)?.length ?? 0) < SENTENCE_MIN_WORDS) return false;
  const ends = before.match(/[.!?…。！？]["'”’)\]]*(?=\s)/gu)?.length ?? 0;
  return ends + 1 >= n;
}

/**
 * completesSentences for a row's tokens ending with `token`; the row's text is decoded only when the
 * token starts with whitespace (the only case that can end a sentence): most steps decode one token.
 */
function endsSentence(detokenize: Detokenize, tokens: readonly number[], token: number, n: number): boolean {
  const last = detokenize([token]);
  return /^\s/u.test(last) && completesSentences(detokenize(tokens), last, n);
}

/**
 * Length of the prompt prefix all rows share (e.g. domain + the visitor's history, identical for every
 * item of a page), leaving each row at least one token of its own so its last logits are its own.
 */
export function sharedPrefixLength(rows: readonly (readonly number[])[]): number {
  if (rows.length < 2) return 0;
  const first = rows[0] as readonly number[];
  let n = Math.min(...rows.map((r) => r.length)) - 1;
  for (const row of rows) {
    let k = 0;
    while (k < n && row[k] === first[k]) k++;
    n = k;
  }
  return Math.max(0, n);
}

/**
 * Feeds for the rows' own suffixes after a shared prefix of `shared` tokens is in the cache: suffixes
 * left-padded to one width S, so the pads sit between prefix and suffix (masked out); positions continue
 * from the prefix. The mask covers prefix + S.
 */
export function suffixPad(rows: readonly (readonly number[])[], shared: number, padId: number): Padded & { maskWidth: number } {
  const width = Math.max(1, ...rows.map((r) => r.length - shared));
  const maskWidth = shared + width;
  const inputIds = new BigInt64Array(rows.length * width).fill(BigInt(padId));
  const positionIds = new BigInt64Array(rows.length * width).fill(1n);
  const attentionMask = new BigInt64Array(rows.length * maskWidth);
  rows.forEach((row, r) => {
    attentionMask.fill(1n, r * maskWidth, r * maskWidth + shared);
    const suffix = row.slice(shared);
    const offset = width - suffix.length;
    suffix.forEach((id, j) => {
      inputIds[r * width + offset + j] = BigInt(id);
      positionIds[r * width + offset + j] = BigInt(shared + j);
      attentionMask[r * maskWidth + shared + offset + j] = 1n;
    });
  });
  return { inputIds, attentionMask, positionIds, width, maskWidth };
}

/**
 * Splits rows (by prompt length) into groups whose padded prefill (rows × longest prompt) stays within
 * `budget` tokens: prefill returns logits for every position, so this bounds its memory. Rows are
 * grouped shortest first; one row always forms a group. Returns row indices per group.
 */
export function splitForPrefill(lengths: readonly number[], budget: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => (lengths[a] as number) - (lengths[b] as number) || a - b);
  const groups: number[][] = [];
  let current: number[] = [];
  for (const i of order) {
    const width = Math.max(1, lengths[i] as number); // sorted: the newest row is the longest
    if (current.length > 0 && (current.length + 1) * width > budget) {
      groups.push(current);
      current = [];
    }
    current.push(i);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * The first position where greedy decoding with `badWords` (and `constraints`, when given) would leave
 * `tokens` (a token that a rule bans there), or -1 when no rule fires: then a greedy regeneration with
 * these rules would reproduce `tokens` exactly, and up to the returned position it always does.
 */
export function firstBannedIndex(tokens: readonly number[], badWords: readonly (readonly number[])[], constraints?: RowConstraints): number {
  const rules = laneRules(constraints, new TokenTrie(badWords));
  if (!rules) return -1;
  for (let i = 0; i < tokens.length; i++) {
    if (!rules.allows(tokens[i] as number)) return i;
    rules.advance(tokens[i] as number);
  }
  return -1;
}

/** Index of the largest logit of one row, skipping banned ids; ties go to the lowest id (deterministic). */
export function argmax(logits: Float32Array, offset: number, vocab: number, banned: readonly number[] = []): number {
  let mask: Uint8Array | null = null;
  if (banned.length > 0) {
    mask = new Uint8Array(vocab);
    for (const b of banned) if (b >= 0 && b < vocab) mask[b] = 1;
  }
  return Math.max(0, rankedPick(logits, offset, vocab, 0, mask));
}

/**
 * Incremental detokenizer: re-decodes the row's tokens and emits only the new suffix. Text ending in
 * U+FFFD (a multi-byte character cut between tokens) is held back until the next token completes it.
 */
export class TextDelta {
  private emitted = '';
  constructor(private readonly detokenize: Detokenize) {}

  /** New text since the last call ('' when nothing is safe to emit yet). */
  push(tokens: readonly number[]): string {
    const text = this.detokenize(tokens);
    if (text.endsWith('\uFFFD') || !text.startsWith(this.emitted)) return '';
    const delta = text.slice(this.emitted.length);
    this.emitted = text;
    return delta;
  }

  /** The remaining text at the end (whatever the decoder gives, even a lone U+FFFD). */
  flush(tokens: readonly number[]): { text: string; delta: string } {
    const text = this.detokenize(tokens);
    const delta = text.startsWith(this.emitted) ? text.slice(this.emitted.length) : '';
    this.emitted = text;
    return { text, delta };
  }
}

/** One lane: a row of the batch being decoded (a row with candidates has several). */
interface RowState {
  /** The input row it belongs to. */
  index: number;
  /** Its candidate number within the row (0: the greedy path). */
  lane: number;
  row: GenerateRow;
  /** The row's fork schedule (candidates.ts); [] for a single greedy lane. */
  schedule: readonly number[];
  /** This row's attention mask over the prompt part of the cache (set at prefill). */
  promptMask: BigInt64Array;
  tokens: number[];
  /** Prior tokens: fork steps count from the first new token. */
  start: number;
  done: StopReason | null;
  /** A fork lane whose ranked token did not exist (fewer allowed tokens than lanes): no candidate. */
  dropped: boolean;
  stream: TextDelta | null;
  position: number;
  rules: LaneRules | null;
  /** Sum of the chosen tokens' log-probabilities and how many were scored; null when not scoring. */
  score: { sum: number; count: number } | null;
  /** This lane's random stream when the row samples; null when it decodes greedily/forks. */
  random: (() => number) | null;
}

/**
 * Generates a continuation for every row in one batch. Rows that finish keep a slot (fed pad tokens)
 * until enough of them have finished to compact the cache, where the runtime supports it. A row with
 * `candidates` decodes as several lanes (rows of the batch) and returns them ranked.
 */
export async function generateBatch(
  step: DecoderStep,
  detokenize: Detokenize,
  rows: readonly GenerateRow[],
  options: GenerateOptions,
): Promise<{ results: RowResult[]; stats: GenerateStats }> {
  const now = options.now ?? (() => performance.now());
  const compactShare = options.compactShare ?? 0.25;
  // One trie per distinct badWords list (rows of one call often share it).
  const tries = new Map<readonly (readonly number[])[], TokenTrie>();
  const trieOf = (bad: readonly (readonly number[])[] | undefined): TokenTrie | null => {
    if (!bad || bad.length === 0) return null;
    let trie = tries.get(bad);
    if (!trie) tries.set(bad, (trie = new TokenTrie(bad)));
    return trie;
  };
  const states: RowState[] = rows.flatMap((row, index) => {
    const schedule = forkSchedule(row.candidates);
    if (row.sampling) validateSampling(row.sampling);
    const sampling = row.sampling;
    // A constrained row never emits the pad token either (unless it doubles as eos).
    const constraints = row.constraints && options.padId !== options.eosId ? { ...row.constraints, banned: [...(row.constraints.banned ?? []), options.padId] } : row.constraints;
    const scoring = schedule.length > 0 || row.logprobs === true;
    const prior = row.prior ?? [];
    const done: StopReason | null = row.signal?.aborted ? 'aborted' : row.maxNewTokens <= prior.length ? 'length' : null;
    return Array.from({ length: laneCount(schedule) }, (_, lane): RowState => {
      const rules = laneRules(constraints, trieOf(row.badWords));
      for (const t of prior) rules?.advance(t);
      return {
        index,
        lane,
        row,
        schedule,
        promptMask: new BigInt64Array(0),
        tokens: [...prior],
        start: prior.length,
        done,
        dropped: false,
        stream: row.onDelta && lane === 0 ? new TextDelta(detokenize) : null,
        position: row.ids.length,
        rules,
        score: scoring ? { sum: 0, count: 0 } : null,
        random: sampling ? laneRandom(sampling.seed, lane) : null,
      };
    });
  });
  const stats: GenerateStats = { rows: rows.length, width: 0, sharedPrefix: 0, steps: 0, prefillMs: 0, decodeMs: 0, tokens: 0, compactions: 0, lanes: 0 };
  const active = states.filter((s) => s.done === null);
  if (active.length === 0) return { results: finish(rows.length, states, detokenize), stats };
  stats.lanes = active.length;

  let t0 = now();
  // Lanes of one row share its prompt: prefill it once and gather the cache to the lanes where the
  // runtime can, else prefill every lane (the GPU runtime).
  const leaders = active.filter((s) => s.lane === 0);
  const forks = leaders.length < active.length;
  const gathering = forks && step.compact !== undefined;
  let pre = await prefill(step, (gathering ? leaders : active).map((s) => s.row.ids), options);
  let wasted = 0;
  // Row of the prefill output whose logits each lane reads at the first step.
  let source = active.map((_, r) => r);
  if (gathering) {
    const at = new Map(leaders.map((s, r) => [s.index, r]));
    const gather = active.map((s) => at.get(s.index) as number);
    const wide = step.compact?.(pre.out.past, gather) ?? null;
    if (wide) {
      if (wide !== pre.out.past) step.release(pre.out.past);
      const width = pre.maskWidth;
      const mask = new BigInt64Array(active.length * width);
      gather.forEach((g, r) => mask.set(pre.mask.subarray(g * width, (g + 1) * width), r * width));
      pre = { ...pre, out: { ...pre.out, past: wide }, mask };
      source = gather;
    } else {
      step.release(pre.out.past);
      wasted = pre.steps;
      pre = await prefill(step, active.map((s) => s.row.ids), options);
    }
  }
  const { out: first, maskWidth: promptWidth, mask, shared, steps } = pre;
  let out = first;
  let maskWidth = promptWidth;
  active.forEach((s, r) => (s.promptMask = mask.slice(r * promptWidth, (r + 1) * promptWidth)));
  stats.prefillMs = now() - t0;
  stats.width = promptWidth;
  stats.sharedPrefix = shared;
  stats.steps = wasted + steps;
  let past: KvCache | null = out.past;
  // `slots` are the lanes currently in the cache, in cache order.
  let slots = active;
  try {
    for (;;) {
      // Pick the next token of every live lane.
      slots.forEach((s, r) => {
        if (s.done) return;
        if (s.row.signal?.aborted) {
          s.done = 'aborted';
          return;
        }
        const generated = s.tokens.length - s.start;
        // A sampled lane draws from its own stream at every step (rank 0: it never forks).
        const rank = s.random ? 0 : laneRank(s.schedule, s.lane, generated);
        // At a fork step lanes with the same history read the same logits (their first lane's), so
        // their ranked picks are distinct tokens even if the batch computed them a hair apart.
        let from = source[r] as number;
        if (!s.random && generated < s.schedule.length) {
          const twin = slots.findIndex((o) => o.index === s.index && o.tokens.length === s.tokens.length && o.tokens.every((t, k) => t === s.tokens[k]));
          if (twin >= 0) from = source[twin] as number;
        }
        const offset = from * out.vocab;
        let token: number;
        const sampling = s.random ? s.row.sampling : undefined;
        if (sampling && s.random) token = s.rules ? s.rules.sample(out.logits, offset, out.vocab, sampling, s.random) : sampleToken(out.logits, offset, out.vocab, null, sampling, s.random);
        else if (s.rules) token = s.rules.pick(out.logits, offset, out.vocab, rank);
        else if (rank === 0) token = Math.max(0, rankedPick(out.logits, offset, out.vocab, 0, null)); // today's argmax
        else token = rankedPick(out.logits, offset, out.vocab, rank, null);
        if (token < 0) {
          // Nothing allowed: the greedy lane ends here; a fork lane without its ranked token is no candidate.
          s.done = 'eos';
          s.dropped = rank > 0;
          return;
        }
        const logprob = s.score ? logSoftmaxAt(out.logits, offset, out.vocab, token) : 0;
        if (s.score) {
          s.score.sum += logprob;
          s.score.count++;
        }
        if (token === options.eosId) {
          s.done = 'eos';
          return;
        }
        s.tokens.push(token);
        s.rules?.advance(token);
        stats.tokens++;
        if (s.row.sentences && endsSentence(detokenize, s.tokens, token, s.row.sentences)) {
          s.tokens.pop(); // the whitespace-led token that showed the sentence had ended
          if (s.score) {
            s.score.sum -= logprob;
            s.score.count--;
          }
          s.done = 'sentence';
          return;
        }
        if (s.stream) {
          const delta = s.stream.push(s.tokens);
          if (delta) s.row.onDelta?.(delta);
        }
        if (s.tokens.length >= s.row.maxNewTokens) s.done = 'length';
      });
      const live = slots.filter((s) => !s.done);
      if (live.length === 0) break;
      source = slots.map((_, r) => r);

      // Drop finished rows from the cache when enough have finished and the runtime can.
      if (step.compact && past && (slots.length - live.length) / slots.length >= compactShare) {
        const keep = slots.flatMap((s, r) => (s.done ? [] : [r]));
        const smaller = step.compact(past, keep);
        if (smaller) {
          past = smaller;
          slots = live;
          source = slots.map((_, r) => r);
          stats.compactions++;
        }
      }

      // One decode step: every slot feeds its last token (finished ones feed a pad, masked out of nothing
      // that matters: their outputs are ignored).
      const n = slots.length;
      const inputIds = new BigInt64Array(n);
      const positionIds = new BigInt64Array(n);
      slots.forEach((s, r) => {
        inputIds[r] = BigInt(s.done ? options.padId : (s.tokens[s.tokens.length - 1] as number));
        positionIds[r] = BigInt(s.position);
        s.position++;
      });
      maskWidth++;
      const attentionMask = buildMask(slots, maskWidth);
      t0 = now();
      const previous: KvCache | null = past;
      out = await step.run({ inputIds, attentionMask, positionIds, rows: n, width: 1, maskWidth, past });
      stats.decodeMs += now() - t0;
      stats.steps++;
      past = out.past;
      if (previous && previous !== past) step.release(previous);
    }
  } finally {
    if (past) step.release(past);
  }
  return { results: finish(rows.length, states, detokenize), stats };
}

/**
 * The prompt pass. With a shared prefix (and a runtime that can expand a cache): the prefix once as a
 * batch of 1, its cache repeated for every row, then each row's own suffix. Otherwise all prompts
 * left-padded in one pass. Either way each row sees exactly its own prompt.
 */
async function prefill(
  step: DecoderStep,
  ids: readonly (readonly number[])[],
  options: GenerateOptions,
): Promise<{ out: StepResult; maskWidth: number; mask: BigInt64Array; shared: number; steps: number }> {
  const shared = step.expand ? sharedPrefixLength(ids) : 0;
  if (step.expand && shared >= (options.minSharedPrefix ?? 16)) {
    const prefix = BigInt64Array.from((ids[0] as readonly number[]).slice(0, shared), (x) => BigInt(x));
    const head = await step.run({
      inputIds: prefix,
      attentionMask: new BigInt64Array(shared).fill(1n),
      positionIds: BigInt64Array.from({ length: shared }, (_, j) => BigInt(j)),
      rows: 1,
      width: shared,
      maskWidth: shared,
      past: null,
    });
    const wide = step.expand(head.past, ids.length);
    if (wide) {
      if (wide !== head.past) step.release(head.past);
      const feeds = suffixPad(ids, shared, options.padId);
      const out = await step.run({ ...feeds, rows: ids.length, past: wide });
      if (out.past !== wide) step.release(wide);
      return { out, maskWidth: feeds.maskWidth, mask: feeds.attentionMask, shared, steps: 2 };
    }
    step.release(head.past);
  }
  const padded = leftPad(ids, options.padId);
  const out = await step.run({ ...padded, rows: ids.length, maskWidth: padded.width, past: null });
  return { out, maskWidth: padded.width, mask: padded.attentionMask, shared: 0, steps: 1 };
}

/** Attention mask for a decode step: each row's prompt mask, then ones for everything generated since. */
function buildMask(slots: readonly RowState[], maskWidth: number): BigInt64Array {
  const mask = new BigInt64Array(slots.length * maskWidth);
  slots.forEach((s, r) => {
    mask.set(s.promptMask, r * maskWidth);
    mask.fill(1n, r * maskWidth + s.promptMask.length, (r + 1) * maskWidth);
  });
  return mask;
}

function finish(count: number, states: readonly RowState[], detokenize: Detokenize): RowResult[] {
  const lanes: RowState[][] = Array.from({ length: count }, () => []);
  for (const s of states) (lanes[s.index] as RowState[]).push(s);
  return lanes.map((group) => {
    const results = group.map((s) => {
      let text: string;
      if (s.stream) {
        const rest = s.stream.flush(s.tokens);
        if (rest.delta) s.row.onDelta?.(rest.delta);
        text = rest.text;
      } else {
        text = detokenize(s.tokens);
      }
      return { tokens: s.tokens, text, stop: s.done ?? 'length' };
    });
    const first = group[0] as RowState;
    if (!first.score) return results[0] as RowResult;
    const candidates = rankCandidates(
      group.flatMap((s, k): Candidate[] => {
        if (s.dropped) return [];
        const score = s.score as { sum: number; count: number };
        return [{ ...(results[k] as RowResult), logprob: score.count > 0 ? score.sum / score.count : -Infinity, overrides: s.rules?.overrides ?? 0 }];
      }),
    );
    const best: Candidate = candidates[0] ?? { ...(results[0] as RowResult), logprob: -Infinity, overrides: first.rules?.overrides ?? 0 };
    return { ...best, candidates: candidates.length > 0 ? candidates : [best] };
  });
}
