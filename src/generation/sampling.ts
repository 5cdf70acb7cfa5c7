// Seeded sampling for a row's candidates (docs/quality.md, "v2 decoding"). Greedy decoding writes the
// same sentence for every plan that looks alike (distinct skeletons 0.10 against the references' 1.0);
// a few sampled candidates per row, each filled and checked, the most probable accepted one shown,
// vary the wording while the slots and the check keep it true. The seed comes from the model and the
// row's prompt and plan, so one plan always gets the same reason (cache, tests, reloads).
import { fnv1a, mulberry32 } from '../core/random.ts';
import { offerTopK } from './top-k.ts';

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

/**
 * Tokens whose tempered probability is below e^-16 of the best one's are never drawn (they could only
 * lie in the nucleus' last sliver): this keeps the sort to a few dozen ids instead of the whole vocab.
 */
const NEGLIGIBLE = 16;
/** HF generate's default top_k. */
export const DEFAULT_TOP_K = 50;

/**
 * A token drawn from softmax(logits / temperature) restricted to allowed ids (mask entry 0, or all
 * without a mask) and to the smallest set of most probable ones whose mass reaches topP (at most
 * topK of them, as HF applies top_k before top_p); -1 when no
 * id is allowed. Ties in probability keep the lower id first, so a draw depends only on the logits,
 * the mask and `random()`.
 */
export function sampleToken(logits: Float32Array, offset: number, vocab: number, mask: Uint8Array | null, sampling: Omit<Sampling, 'seed'>, random: () => number): number {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) {
    const x = logits[offset + v] as number;
    if (x > max && (mask === null || mask[v] === 0)) max = x;
  }
  if (max === -Infinity) return -1;
  const floor = max - NEGLIGIBLE * sampling.temperature;
  const k = Math.max(1, sampling.topK ?? DEFAULT_TOP_K);
  // The k most probable allowed ids, best first (ties: lower id first), kept by insertion: most ids
  // fail the one compare with the k-th; plus the mass of all allowed ids above the floor.
  const ids: number[] = [];
  const weights: number[] = [];
  let total = 0;
  for (let v = 0; v < vocab; v++) {
    const x = logits[offset + v] as number;
    if (x < floor || (mask !== null && mask[v] !== 0)) continue;
    const w = Math.exp((x - max) / sampling.temperature);
    total += w;
    offerTopK(ids, weights, k, v, w);
  }
  // The nucleus: most probable first, until its mass reaches topP of the whole (or k ids).
  let kept = 0;
  let mass = 0;
  while (kept < ids.length) {
    mass += weights[kept] as number;
    kept++;
    if (mass >= sampling.topP * total) break;
  }
  let r = random() * mass;
  for (let i = 0; i < kept; i++) {
    r -= weights[i] as number;
    if (r < 0) return ids[i] as number;
  }
  return ids[kept - 1] as number;
}
