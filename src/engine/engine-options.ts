// The engine's own options (beyond createExplainer's) and its batching defaults.
import type { ExplainerOptions } from '../types.ts';
import type { Runtime, RuntimeOptions } from '../runtime/runtime.ts';

/** Reasons end after their first complete sentence (see EngineOptions.sentences). */
export const DEFAULT_SENTENCES = 1;
/** Rows per generate call: enough for a page of 24 in one batch; bounded so prefill memory stays small. */
export const DEFAULT_MAX_BATCH = 32;
/**
 * How long the first request waits for others (ms). One explain() call submits all its items at once;
 * separate stream() calls (one per card) arrive over a few ms, so the window gathers them too.
 */
export const DEFAULT_WINDOW_MS = 10;
/**
 * Most padded prompt tokens in one prefill (rows × longest prompt). The exported model returns logits for
 * every prompt position (rows × width × vocab floats: 6144 × 6000 × 4 B ≈ 150 MB), so larger batches are
 * split. A page of 24 typical prompts (≈ 130 tokens) is one call.
 */
export const MAX_PREFILL_TOKENS = 6144;

export interface EngineOptions extends ExplainerOptions {
  maxBatch?: number;
  /** Rows of the first batch (default maxBatch: no smaller first batch); see BatchScheduler's firstBatch. */
  firstBatch?: number;
  windowMs?: number;
  /**
   * Sentences per reason: generation stops after this many complete sentences (default 1: a short
   * reason, and no tokens are spent on text the token limit would cut). 0: only <|end|> and maxNewTokens.
   */
  sentences?: number;
  /** Prefill a prompt prefix shared by every row once (default true; false for benchmarks). */
  sharePrefix?: boolean;
  /** Replaces the model loader (tests: a failing loader exercises the model-unavailable path). */
  loadRuntime?: (options: RuntimeOptions) => Promise<Runtime>;
}
