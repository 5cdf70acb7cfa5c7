// The public types of Because. Every other module (page side, worker, Node scripts) speaks these.

/** A fact value as a page gives it. Only strings (and arrays of strings) become facts; see docs/prompt-format.md. */
export type AttributeValue = string | number | boolean | null | undefined | readonly AttributeValue[];

/** Something a storefront shows: a game, a book, a product. */
export interface Item {
  /** Stable id of the item on the page; reasons are returned under it. */
  id: string;
  /** Display title. Required and non-empty after sanitizing. */
  title: string;
  /** Structured facts, e.g. `{ genres: ['RPG'], tags: ['Co-op'] }`. Keys keep their order. */
  attributes?: Record<string, AttributeValue>;
  /** Optional free text (a store's description). Truncated; never treated as instructions. */
  description?: string;
}

/** One thing the visitor did before: played, bought, rated. Same shape as an item, id optional. */
export interface HistoryEntry {
  id?: string;
  title: string;
  attributes?: Record<string, AttributeValue>;
  /**
   * Relative importance for ranking (> 0), e.g. event type × recency decay as the on-device profile
   * computes it. Absent: entries are weighted by recency of position. Never reaches the prompt.
   */
  weight?: number;
}

/** What the engine knows about the visitor. It never leaves the device. */
export interface UserContext {
  /** 'game', 'movie', 'book', 'news', 'business', 'product' (default). */
  domain?: string;
  /** Oldest first; only the most recent entries reach the prompt. */
  history?: readonly HistoryEntry[];
  /** Optional free-text profile ("likes cozy co-op puzzle games"). */
  profile?: string;
}

/** A fact a reason cites, and where that fact comes from. */
export interface CitedFact {
  /** The fact as it appears in the item or history, e.g. 'Co-op' or 'Portal 2'. */
  value: string;
  /** 'item' when the candidate item has it, 'history' when a history entry has it. */
  from: 'item' | 'history';
  /** 'title' for a title, else the attribute key ('tags', 'genres', ...). */
  kind: string;
}

/** 'cpu' is onnxruntime-node in Node.js (scripts, tests); browsers use 'webgpu' or 'wasm'. */
export type Backend = 'webgpu' | 'wasm' | 'cpu';
export type DType = 'fp32' | 'fp16' | 'q8' | 'q4' | 'int8' | 'uint8' | 'q4f16' | 'bnb4';

/**
 * What the engine decided a reason may say (docs/plan-and-slots.md): the history entries and facts it
 * planned, the same the "Why this?" panel shows. Only reasons of a slot model (v2) carry one.
 */
export interface ReasonPlan {
  /** 'history': the planned history entries share the planned facts with the item; 'new': the item's own facts. */
  mode: 'history' | 'new';
  /** The visitor has a history (a 'new' plan may still have one that shares nothing with the item). */
  hasHistory: boolean;
  /** The domain the reason was written for (sanitized, lower-cased). */
  domain: string;
  history: { title: string }[];
  facts: { value: string; kind: string }[];
}

export interface Reason {
  itemId: string;
  text: string;
  facts: CitedFact[];
  /** 'model' for generated text that passed the grounding check; 'fallback' for text built from shared facts. */
  source: 'model' | 'fallback';
  backend: Backend;
  /** Generated tokens (0 for a fallback). */
  tokens: number;
  /** Wall time spent on this reason in ms (shared batch time is split evenly). */
  ms: number;
  /**
   * Why a fallback was used: 'model-unavailable', 'model-error', 'invalid-item', 'unknown-slot',
   * 'nothing-planned' (no fact of the item and no history to cite: the model is not asked), or the
   * check's first finding ('ungrounded', 'unknown-name', 'non-word', 'history-claim', 'off-domain',
   * 'omitted', 'too-short', … — src/core/check.ts ProblemKind).
   */
  fallbackReason?: string;
  /** The content plan the reason was written (or, for a fallback, worded) from; absent for models without slots. */
  plan?: ReasonPlan;
  /** True when served from the cache. */
  cached?: boolean;
}

export type LoadPhase = 'init' | 'download' | 'compile' | 'ready' | 'error';

export interface ProgressEvent {
  phase: LoadPhase;
  /** The file being fetched, when known. */
  file?: string;
  loaded?: number;
  total?: number;
}

export interface ExplainerOptions {
  /**
   * URL (or path) of a model folder in the transformers.js layout, or a bare folder name
   * ('because-reason-v1'), which is a folder of the default models base ('/models/' on the page's
   * origin; public/models in Node). Default: the shipped model (src/defaults.ts DEFAULT_MODEL_ID).
   */
  model?: string;
  device?: 'auto' | Backend;
  dtype?: DType;
  maxNewTokens?: number;
  onProgress?: (event: ProgressEvent) => void;
  /** Run in a Web Worker (default in browsers) or in the calling thread (Node, tests). */
  worker?: boolean;
  /** Base URL of onnxruntime-web's .wasm/.mjs files; default: served beside the runtime. */
  wasmPaths?: string;
  /** Persist reasons in IndexedDB as well as memory (default true where IndexedDB exists). */
  persistentCache?: boolean;
}

export interface ExplainOptions {
  signal?: AbortSignal;
}

export interface ExplainerInfo {
  backend: Backend;
  /** Why this backend was chosen, e.g. 'navigator.gpu.requestAdapter() returned null'. */
  backendReason: string;
  modelId: string;
  dtype: DType;
  /** False when the model could not load and every reason is a fallback. */
  modelLoaded: boolean;
  /**
   * Present while the engine is busy: how long (ms) the running batch has been generating, or, for a
   * worker that answered before but not within INFO_TIMEOUT_MS now, how long since it last answered
   * (the page side then returns the last known info with this field rather than wait).
   */
  busyMs?: number;
}

/** One signal behind a ranking score, e.g. `{ name: 'shared-facts', value: 0.42, facts: ['Co-op'] }`. */
export interface RankFeature {
  name: string;
  value: number;
  facts?: string[];
}

export interface RankedItem {
  itemId: string;
  score: number;
  features: RankFeature[];
}

/** A piece of a streamed reason: text deltas, then the final Reason. */
export type StreamChunk = { type: 'delta'; text: string } | { type: 'reason'; reason: Reason };

/**
 * The one engine interface. `createExplainer()` returns it whether the model runs in a Web Worker
 * or in the calling thread.
 */
export interface Explainer {
  /** Reasons for many items at once, in the order given. One bad item never fails the others. */
  explain(items: readonly Item[], context: UserContext, options?: ExplainOptions): Promise<Reason[]>;
  /** Text deltas as they are generated, ending with the Reason. */
  stream(item: Item, context: UserContext, options?: ExplainOptions): AsyncIterable<StreamChunk>;
  /** Scores the items for this visitor (best first) with the features that drove each score. */
  rank(items: readonly Item[], context: UserContext): Promise<RankedItem[]>;
  info(): Promise<ExplainerInfo>;
  /** Frees the worker, the model and GPU memory. The explainer cannot be used afterwards. */
  dispose(): Promise<void>;
}
