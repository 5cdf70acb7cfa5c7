// The batched decode loop. Many prompts run as ONE batch: left padding, an attention mask,
// explicit position ids, the KV cache carried between steps (on the GPU when the runtime keeps it
// there), greedy decoding, per-row stop at <|end|> or a token limit, per-row streaming of text deltas,
// per-row constrained decoding (constraints.ts) and a few candidates per row (candidates.ts).
// It knows nothing about transformers.js: the runtime passes a `DecoderStep` (step.ts), so the
// padding, stopping, banning and streaming logic is unit-tested with a fake model. The parts live
// one concept per file (step, rows, padding, stopping, bans, streamer, sampling, constraints,
// candidates); this file is the loop, and it re-exports them as the generation stage's entry.
import { forkSchedule, laneCount, laneRank, logSoftmaxWith, rankCandidates, rowMax, sumExp } from './candidates.ts';
import { laneRules, rankedPick } from './constraints.ts';
import type { LaneRules } from './constraints.ts';
import { laneRandom, sampleToken, validateSampling } from './sampling.ts';
import type { RowScan } from './sampling.ts';
import { TokenTrie } from './token-trie.ts';
import { argmax } from './bans.ts';
import { leftPad, sharedPrefixLength, suffixPad } from './padding.ts';
import type { DecoderStep, Detokenize, KvCache, StepResult } from './step.ts';
import { endsSentence } from './stopping.ts';
import { TextDelta } from './streamer.ts';

export type { DecoderStep, Detokenize, KvCache, StepResult } from './step.ts';
export { leftPad, sharedPrefixLength, splitForPrefill, suffixPad, type Padded } from './padding.ts';
export { completesSentences, SENTENCE_MIN_WORDS } from './stopping.ts';
export { argmax, firstBannedIndex } from './bans.ts';
export { TextDelta } from './streamer.ts';
export type { Candidate, GenerateOptions, GenerateRow, GenerateStats, RowResult, StopReason } from './rows.ts';
import type { Candidate, GenerateOptions, GenerateRow, GenerateStats, RowResult, StopReason } from './rows.ts';

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
  const results = new RowResults(rows.length, states, detokenize, options.onRowDone);
  const active = states.filter((s) => s.done === null);
  if (active.length === 0) return { results: results.all(), stats };
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
  // The scorer's log-softmax (candidates.ts logSoftmaxAt) in one pass over the row instead of two: the
  // pick's own pass reports the row's max (NaN: this pick did not, the scorer finds it), and lanes that
  // read the same row at one step (a row's lanes at the first token) share its sum of exponentials.
  const scan: RowScan = { max: Number.NaN };
  const sums = new Map<number, number>();
  // A token's text alone, once per call (endsSentence asks for it at every step of every lane).
  const pieces = new Map<number, string>();
  const detokenizeEnd: Detokenize = (ids) => {
    if (ids.length !== 1) return detokenize(ids);
    const id = ids[0] as number;
    let piece = pieces.get(id);
    if (piece === undefined) pieces.set(id, (piece = detokenize(ids)));
    return piece;
  };
  try {
    for (;;) {
      sums.clear();
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
        const scanned = s.score ? scan : undefined;
        scan.max = Number.NaN;
        if (sampling && s.random) token = s.rules ? s.rules.sample(out.logits, offset, out.vocab, sampling, s.random, scanned) : sampleToken(out.logits, offset, out.vocab, null, sampling, s.random, scanned);
        else if (s.rules) token = s.rules.pick(out.logits, offset, out.vocab, rank, scanned);
        else if (rank === 0) token = Math.max(0, rankedPick(out.logits, offset, out.vocab, 0, null)); // today's argmax
        else token = rankedPick(out.logits, offset, out.vocab, rank, null);
        if (token < 0) {
          // Nothing allowed: the greedy lane ends here; a fork lane without its ranked token is no candidate.
          s.done = 'eos';
          s.dropped = rank > 0;
          return;
        }
        let logprob = 0;
        if (s.score) {
          // = logSoftmaxAt(out.logits, offset, out.vocab, token), to the bit (test/unit/generation/scoring.test.ts).
          const max = Number.isNaN(scan.max) ? rowMax(out.logits, offset, out.vocab) : scan.max;
          let sum = sums.get(offset);
          if (sum === undefined) sums.set(offset, (sum = sumExp(out.logits, offset, out.vocab, max)));
          logprob = logSoftmaxWith(out.logits, offset, token, max, sum);
        }
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
        if (s.row.sentences && endsSentence(detokenizeEnd, s.tokens, token, s.row.sentences)) {
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
      results.deliverEnded();
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
  return { results: results.all(), stats };
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

/**
 * Each row's result, made once: as soon as every lane of the row has ended (handed to `onRowDone`),
 * or at the end of the call for the rest. A streamed lane's last delta is flushed when it is made.
 */
class RowResults {
  private readonly lanes: RowState[][];
  private readonly made: (RowResult | undefined)[];

  constructor(
    count: number,
    states: readonly RowState[],
    private readonly detokenize: Detokenize,
    private readonly onRowDone: ((index: number, result: RowResult) => void) | undefined,
  ) {
    this.lanes = Array.from({ length: count }, () => []);
    for (const s of states) (this.lanes[s.index] as RowState[]).push(s);
    this.made = new Array<RowResult | undefined>(count);
  }

  /** Makes and hands out the result of every row whose lanes have all ended since the last call. */
  deliverEnded(): void {
    if (!this.onRowDone) return;
    this.lanes.forEach((group, index) => {
      if (this.made[index] === undefined && group.every((s) => s.done !== null)) this.onRowDone?.(index, this.resultOf(index));
    });
  }

  /** Every row's result, in row order (rows still running are taken as they stand). */
  all(): RowResult[] {
    this.deliverEnded();
    return this.lanes.map((_, index) => this.resultOf(index));
  }

  private resultOf(index: number): RowResult {
    return (this.made[index] ??= rowResult(this.lanes[index] as RowState[], this.detokenize));
  }
}

function rowResult(group: readonly RowState[], detokenize: Detokenize): RowResult {
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
}
