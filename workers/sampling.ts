// Seeded sampling for a row's candidates (docs/quality.md, "v2 decoding"). Greedy decoding writes the
// same sentence for every plan that looks alike (distinct skeletons 0.10 against the references' 1.0);
// a few sampled candidates per row, each filled and checked, the most probable accepted one shown,
// vary the wording while the slots and the check keep it true. The seed comes from the model and the
// row's prompt and plan, so one plan always gets the same reason (cache, tests, reloads).

/** How a row samples: temperature and nucleus (top-p) over the allowed tokens, with a seed. */
export interface Sampling {
  temperature: number;
  topP: number;
  /** 32-bit seed; lane k of a row draws from its own stream (seed, k). */
  seed: number;
}

/** 32-bit FNV-1a of the parts, joined by a separator no part can contain. */
export function seedOf(...parts: readonly string[]): number {
  let h = 0x811c9dc5;
  const text = parts.join('\u0000');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small, fast, seedable PRNG; uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The random stream of lane `lane` of a row sampled with `seed`. */
export function laneRandom(seed: number, lane: number): () => number {
  return mulberry32(seedOf(String(seed >>> 0), String(lane)));
}

export function validateSampling(s: Sampling): void {
  if (!(s.temperature > 0) || !Number.isFinite(s.temperature)) throw new RangeError(`Sampling temperature must be a positive number, got ${s.temperature}.`);
  if (!(s.topP > 0 && s.topP <= 1)) throw new RangeError(`Sampling topP must be in (0, 1], got ${s.topP}.`);
  if (!Number.isInteger(s.seed)) throw new RangeError(`Sampling seed must be an integer, got ${s.seed}.`);
}

/**
 * Tokens whose tempered probability is below e^-16 of the best one's are never drawn (they could only
 * lie in the nucleus' last sliver): this keeps the sort to a few dozen ids instead of the whole vocab.
 */
const NEGLIGIBLE = 16;

/**
 * A token drawn from softmax(logits / temperature) restricted to allowed ids (mask entry 0, or all
 * without a mask) and to the smallest set of most probable ones whose mass reaches topP; -1 when no
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
  const ids: number[] = [];
  const weights: number[] = [];
  for (let v = 0; v < vocab; v++) {
    const x = logits[offset + v] as number;
    if (x >= floor && (mask === null || mask[v] === 0)) {
      ids.push(v);
      weights.push(Math.exp((x - max) / sampling.temperature));
    }
  }
  const order = ids.map((_, i) => i).sort((a, b) => (weights[b] as number) - (weights[a] as number) || (ids[a] as number) - (ids[b] as number));
  let total = 0;
  for (const i of order) total += weights[i] as number;
  // The nucleus: most probable first, until its mass reaches topP.
  let kept = 0;
  let mass = 0;
  for (const i of order) {
    mass += weights[i] as number;
    kept++;
    if (mass >= sampling.topP * total) break;
  }
  let r = random() * mass;
  for (let k = 0; k < kept; k++) {
    const i = order[k] as number;
    r -= weights[i] as number;
    if (r < 0) return ids[i] as number;
  }
  return ids[order[kept - 1] as number] as number;
}
