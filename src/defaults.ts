// The one home of the engine's defaults that both sides of the wire need: the shipped model and its dtype.
import type { DType } from './types.ts';

/** The model folder the engine loads unless `model` says otherwise (public/models/<id>/, served from the page's origin). */
export const DEFAULT_MODEL_ID = 'because-reason-v2';
/** int8 weight-only: runs fully on WebGPU (no MatMulInteger) and on WASM. */
export const DEFAULT_DTYPE: DType = 'q8';
