// The one home of the engine's defaults that both sides of the wire need: the shipped model and its dtype.
import type { DType } from './types.ts';

/** The model folder the engine loads unless `model` says otherwise (public/models/<id>/, served from the page's origin). */
export const DEFAULT_MODEL_ID = 'because-reason-v2';
/** int8 weight-only: runs fully on WebGPU (no MatMulInteger) and on WASM. */
export const DEFAULT_DTYPE: DType = 'q8';

/**
 * How a slot model's first attempt decodes (workers/engine.ts, scripts/eval): `candidates` seeded
 * samples per row (temperature, nucleus top-p) in the page's one batch, each filled and checked, the
 * most probable (mean log-probability) accepted one shown; the one regeneration forks `retryCandidates`
 * greedy ways over a smaller plan. Measured in docs/quality.md ("v2 decoding").
 */
export const DECODING = {
  candidates: 3,
  temperature: 0.8,
  topP: 0.9,
  topK: 50,
  retryCandidates: 3,
} as const;
