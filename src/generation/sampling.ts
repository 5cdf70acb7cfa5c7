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
 * A token drawn from softmax(logits / temperature) restricted to allowed ids (mask entry 0, or all
 * without a mask), to the topK most probable of them and, of those, to the smallest set whose mass
 * reaches topP of the top-k mass — HF's order: top_k filters first, top_p renormalizes what is left.
 * -1 when no id is allowed. Ties keep the lower id first, so a draw depends only on the logits, the
 * mask and `random()`. Only the k kept ids are exponentiated: a step costs one compare per id.
 */
export function sampleToken(logits: Float32Array, offset: number, vocab: number, mask: Uint8Array | null, sampling: Omit<Sampling, 'seed'>, random: () => number): number {
  const k = Math.max(1, sampling.topK ?? DEFAULT_TOP_K);
  // The k highest allowed logits, best first (ties: lower id first), kept by insertion in typed
  // arrays: most ids fail the one compare with the k-th (a local, so the hot loop reads no array).
  const ids = new Int32Array(k);
  const top = new Float64Array(k);
  let n = 0;
  let kth = -Infinity;
  for (let v = 0; v < vocab; v++) {
    if (mask !== null && mask[v] !== 0) continue;
    const x = logits[offset + v] as number;
    if (n === k && !(x > kth)) continue;
    siftIn(ids, top, n < k ? n++ : k - 1, v, x);
    if (n === k) kth = top[k - 1] as number;
  }
  if (n === 0 || top[0] === -Infinity) return -1;
  const max = top[0] as number;
  const weights = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i] = Math.exp(((top[i] as number) - max) / sampling.temperature);
  // The nucleus: most probable first, until its mass reaches topP of the top-k mass.
  let kept = 0;
  let mass = 0;
  while (kept < n) {
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
