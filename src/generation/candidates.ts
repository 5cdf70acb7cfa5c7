// A few candidates per row, for the engine to re-rank with its check (greedy decoding under hard masks
// can be forced into garbage; a second opening often is not). A row forks into lanes: at each step of
// its fork schedule the lanes split over that step's best allowed tokens, then every lane continues
// greedily under the same constraints. Lanes are plain rows of the batch, so this works without any
// cache reordering (the GPU runtime has none); where the runtime can gather cache rows, the prompt is
// prefilled once and copied to its lanes. Lanes are scored by their mean log-probability.

/** Most candidates per row (each is a row of the batch: decode cost grows with it). */
export const MAX_CANDIDATES = 8;

/**
 * Candidates of a row: a number n forks n ways at the first generated token; an array gives the
 * branching per step ([2, 2]: 2 first tokens × 2 second tokens = 4 candidates).
 */
export type CandidateSpec = number | readonly number[];

/** Branching factor per generated step (trailing 1s dropped); [] means one greedy lane. */
export function forkSchedule(spec: CandidateSpec | undefined): number[] {
  const raw = spec === undefined ? [] : typeof spec === 'number' ? [spec] : [...spec];
  for (const b of raw) if (!Number.isInteger(b) || b < 1) throw new RangeError(`Candidate branching must be positive integers, got ${JSON.stringify(spec)}.`);
  while (raw.length > 0 && raw[raw.length - 1] === 1) raw.pop();
  if (laneCount(raw) > MAX_CANDIDATES) throw new RangeError(`At most ${MAX_CANDIDATES} candidates per row, got ${laneCount(raw)}.`);
  return raw;
}

export function laneCount(schedule: readonly number[]): number {
  return schedule.reduce((a, b) => a * b, 1);
}

/**
 * Which ranked token lane `lane` takes at generated step `step` (0: the best allowed): the lane index
 * read in mixed radix, the last fork step least significant, so lane 0 is the greedy path.
 */
export function laneRank(schedule: readonly number[], lane: number, step: number): number {
  if (step >= schedule.length) return 0;
  let below = 1;
  for (let t = step + 1; t < schedule.length; t++) below *= schedule[t] as number;
  return Math.floor(lane / below) % (schedule[step] as number);
}

/**
 * Logits further than this below the row's largest are left out of the softmax sum: each would add
 * under e^-16 of the largest term, so the log is off by at most vocab·e^-16 (7e-4 for 6k tokens), and
 * the exp is skipped for over half of a real model's vocab (measured on because-reason-v1: 43 % of its
 * logits lie within 16 of the row's max, 98 % within 24). Scoring is about half the cost of a lane's step.
 */
const NEGLIGIBLE = 16;

/** log softmax(logits)[token] of one row: the model's own log-probability, before any mask. */
export function logSoftmaxAt(logits: Float32Array, offset: number, vocab: number, token: number): number {
  const max = rowMax(logits, offset, vocab);
  return logSoftmaxWith(logits, offset, token, max, sumExp(logits, offset, vocab, max));
}

/**
 * logSoftmaxAt from the row's max and sumExp, for a caller that has them already (the decode loop:
 * the pick's own pass finds the max, sampling.ts RowScan; lanes reading one row share its sum): the
 * same value to the bit, one pass over the row instead of two.
 */
export function logSoftmaxWith(logits: Float32Array, offset: number, token: number, max: number, sum: number): number {
  if (max === -Infinity) return -Infinity;
  return (logits[offset + token] as number) - max - Math.log(sum);
}

/** The row's largest logit (-Infinity when none is above it; NaN never counts). */
export function rowMax(logits: Float32Array, offset: number, vocab: number): number {
  let max = -Infinity;
  const end = offset + vocab;
  for (let i = offset; i < end; i++) {
    const x = logits[i] as number;
    if (x > max) max = x;
  }
  return max;
}

/** Σ exp(x − max) over the row's logits above max − NEGLIGIBLE, in id order (the order fixes the float sum). */
export function sumExp(logits: Float32Array, offset: number, vocab: number, max: number): number {
  const floor = max - NEGLIGIBLE;
  const end = offset + vocab;
  let sum = 0;
  for (let i = offset; i < end; i++) {
    const x = logits[i] as number;
    if (x > floor) sum += Math.exp(x - max);
  }
  return sum;
}

export interface Scored {
  tokens: readonly number[];
  text: string;
  /** Mean log-probability per scored token (-Infinity when none was scored). */
  logprob: number;
}

/**
 * Candidates best first: by mean log-probability (ties keep lane order), the same text only once,
 * and empty texts only when nothing else is left.
 */
export function rankCandidates<T extends Scored>(candidates: readonly T[]): T[] {
  const order = candidates.map((c, i) => ({ c, i })).sort((a, b) => b.c.logprob - a.c.logprob || a.i - b.i || 0);
  const seen = new Set<string>();
  const out: T[] = [];
  for (const { c } of order) {
    if (seen.has(c.text)) continue;
    seen.add(c.text);
    out.push(c);
  }
  const filled = out.filter((c) => c.text.trim() !== '');
  return filled.length > 0 ? filled : out.slice(0, 1);
}
