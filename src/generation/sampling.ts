// Seeded sampling for a row's candidates (docs/quality.md, "v2 decoding"). Greedy decoding writes the
// same sentence for every plan that looks alike (distinct skeletons 0.10 against the references' 1.0);
// a few sampled candidates per row, each filled and checked, the most probable accepted one shown,
// vary the wording while the slots and the check keep it true. The seed comes from the model and the
// row's prompt and plan, so one plan always gets the same reason (cache, tests, reloads).
import { fnv1a, mulberry32 } from '../core/random.ts';
import { siftIn } from './top-k.ts';

/** How a row samples: temperature and nucleus (top-p) over the allowed tokens, with a seed. */
export interface Sampling {
  temperature: number;
  topP: number;
  /** At most this many most probable tokens (HF `top_k`, default 50 as there): bounds a step's work on a flat tail. */
  topK?: number;
  /** 32-bit seed; lane k of a row draws from its own stream (seed, k). */
  seed: number;
}

/** 32-bit FNV-1a of the parts, joined by a separator no part can contain. */
export const seedOf = (...parts: readonly string[]): number => fnv1a(parts.join('\u0000'));

/** The random stream of lane `lane` of a row sampled with `seed`. */
export function laneRandom(seed: number, lane: number): () => number {
  return mulberry32(seedOf(String(seed >>> 0), String(lane)));
}

export function validateSampling(s: Sampling): void {
  if (!(s.temperature > 0) || !Number.isFinite(s.temperature)) throw new RangeError(`Sampling temperature must be a positive number, got ${s.temperature}.`);
  if (!(s.topP > 0 && s.topP <= 1)) throw new RangeError(`Sampling topP must be in (0, 1], got ${s.topP}.`);
  if (s.topK !== undefined && !(Number.isInteger(s.topK) && s.topK >= 1)) throw new RangeError(`Sampling topK must be a positive integer, got ${s.topK}.`);
  if (!Number.isInteger(s.seed)) throw new RangeError(`Sampling seed must be an integer, got ${s.seed}.`);
}

/** HF generate's default top_k. */
export const DEFAULT_TOP_K = 50;

/**
 * What a scan of one row reports besides its draw: the row's largest logit over ALL ids (masked ones
 * included: the model's own softmax), so the scorer (candidates.ts logSoftmaxWith) needs no pass of its
 * own to find it. Same value as a separate `if (x > max) max = x` pass from -Infinity (NaN ignored).
 */
export interface RowScan {
  max: number;
}

// Scratch for the top-k of one call, reused by every call (a call never yields, so no two calls share
// it at once): no allocation per step. Grown when a larger topK or vocab comes.
let scratchIds = new Int32Array(64);
let scratchTop = new Float64Array(64);
let scratchWeights = new Float64Array(64);
/** The mask of a call without one: nothing masked. */
let noMask = new Uint8Array(0);

/**
 * A token drawn from softmax(logits / temperature) restricted to allowed ids (mask entry 0, or all
 * without a mask), to the topK most probable of them and, of those, to the smallest set whose mass
 * reaches topP of the top-k mass — HF's order: top_k filters first, top_p renormalizes what is left.
 * -1 when no id is allowed. Ties keep the lower id first, so a draw depends only on the logits, the
 * mask and `random()`. Only the k kept ids are exponentiated. With `scan`, the same pass also writes
 * the row's largest logit (masked ids included) into it.
 *
 * One pass: the first k allowed ids fill the top-k; after that an id costs ONE compare with the k-th
 * (a local): the mask and the row max are read only for ids above it, since the max (over every id
 * seen) is never below the k-th (an allowed id seen). sampleTokenReference in
 * test/unit/generation/scoring.test.ts is the two-pass version this must equal, draw for draw.
 */
export function sampleToken(logits: Float32Array, offset: number, vocab: number, mask: Uint8Array | null, sampling: Omit<Sampling, 'seed'>, random: () => number, scan?: RowScan): number {
  const k = Math.max(1, sampling.topK ?? DEFAULT_TOP_K);
  if (scratchIds.length < k) {
    scratchIds = new Int32Array(k);
    scratchTop = new Float64Array(k);
    scratchWeights = new Float64Array(k);
  }
  if (mask === null && noMask.length < vocab) noMask = new Uint8Array(vocab);
  const allowed = mask ?? noMask;
  // The k highest allowed logits, best first (ties: lower id first), kept by insertion in typed arrays.
  const ids = scratchIds;
  const top = scratchTop;
  let n = 0;
  let max = -Infinity;
  const end = offset + vocab;
  let i = offset;
  for (; i < end && n < k; i++) {
    const x = logits[i] as number;
    if (x > max) max = x;
    if (allowed[i - offset] === 0) siftIn(ids, top, n++, i - offset, x);
  }
  let kth = n === k ? (top[k - 1] as number) : -Infinity;
  for (; i < end; i++) {
    const x = logits[i] as number;
    if (!(x > kth)) continue;
    if (x > max) max = x;
    if (allowed[i - offset] !== 0) continue;
    siftIn(ids, top, k - 1, i - offset, x);
    kth = top[k - 1] as number;
  }
  if (scan) {
    // A NaN k-th (a NaN logit among the first k) stops the compare above from seeing later ids: scan again.
    if (Number.isNaN(kth)) {
      max = -Infinity;
      for (let j = offset; j < end; j++) if ((logits[j] as number) > max) max = logits[j] as number;
    }
    scan.max = max;
  }
  if (n === 0 || top[0] === -Infinity) return -1;
  const best = top[0] as number;
  const weights = scratchWeights;
  let total = 0;
  for (let j = 0; j < n; j++) total += weights[j] = Math.exp(((top[j] as number) - best) / sampling.temperature);
  // The nucleus: most probable first, until its mass reaches topP of the top-k mass.
  let kept = 0;
  let mass = 0;
  while (kept < n) {
    mass += weights[kept] as number;
    kept++;
    if (mass >= sampling.topP * total) break;
  }
  let r = random() * mass;
  for (let j = 0; j < kept; j++) {
    r -= weights[j] as number;
    if (r < 0) return ids[j] as number;
  }
  return ids[kept - 1] as number;
}
