// The one thing generation asks of a model: a forward step over a batch (implemented by the runtime,
// src/runtime/runtime.ts; faked in tests), with its KV cache kept opaque.
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
