// The one home of the engine's defaults that both sides of the wire need: the shipped model, its
// dtype, the dtypes there are, the token limit.
import type { DType } from './types.ts';

/** The model folder the engine loads unless `model` says otherwise (public/models/<id>/, served from the page's origin). */
export const DEFAULT_MODEL_ID = 'because-reason-v2';
/** int8 weight-only: runs fully on WebGPU (no MatMulInteger) and on WASM. */
export const DEFAULT_DTYPE: DType = 'q8';

/** transformers.js' dtype → file names (utils/dtypes.js DEFAULT_DTYPE_SUFFIX_MAPPING), for docs and errors. */
export const DTYPE_FILES: Readonly<Record<DType, string>> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  q8: 'onnx/model_quantized.onnx',
  q4: 'onnx/model_q4.onnx',
  int8: 'onnx/model_int8.onnx',
  uint8: 'onnx/model_uint8.onnx',
  q4f16: 'onnx/model_q4f16.onnx',
  bnb4: 'onnx/model_bnb4.onnx',
};

/** Every dtype an option may name: the DType union, as DTYPE_FILES (a Record over it) lists them. */
export const DTYPES = Object.keys(DTYPE_FILES) as readonly DType[];

/** Tokens a reason may take unless `maxNewTokens` says otherwise. */
export const DEFAULT_MAX_NEW_TOKENS = 48;

/** A `model` option without a path separator ('because-reason-v1'): a folder of the default models base. */
export function isBareModelName(model: string): boolean {
  return !/[/\\]/.test(model.trim());
}

/**
 * The model id a `model` option names, before loading: its folder's name (the last path segment), else
 * the default model's. What info() reports until the runtime has resolved (and checked) the folder.
 */
export function modelIdOf(model: string | undefined): string {
  return (model ?? '').trim().replace(/[/\\]+$/, '').split(/[/\\]/).pop() || DEFAULT_MODEL_ID;
}
/**
 * How a slot model's first attempt decodes (src/engine/engine.ts, scripts/eval): `candidates` seeded
 * samples per row (temperature, nucleus top-p) in the page's one batch, each filled and checked, the
 * most probable (mean log-probability) accepted one shown; the one regeneration forks `retryCandidates`
 * greedy ways over a smaller plan. Measured in docs/quality.md ("v2 decoding"); 2 rather than 3 since
 * 2026-12-01 (late): the audit's targets held on four seeds and a page took ≈ 17 % less time
 * (docs/performance.md, "The graph re-exported, and two candidates per card").
 */
export const DECODING = {
  candidates: 2,
  temperature: 0.8,
  topP: 0.9,
  topK: 50,
  retryCandidates: 3,
} as const;
