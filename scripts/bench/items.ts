// The benchmark's fixed workload, shared by the Node and browser arms (scripts/bench.ts,
// scripts/bench/browser-page.ts): a visitor with 4 games in their history, a page of 24 other games, and 24
// different games for the warm-up (so the measured page never hits a cache).
import { buildPrompt } from '../../src/core/prompt.ts';
import type { Item, UserContext } from '../../src/types.ts';
import { toItem, type Game } from '../../src/demo/catalog.ts';

export const PAGE_SIZE = 24;
const HISTORY = 4;

export interface BenchSet {
  context: UserContext;
  page: Item[];
  warmup: Item[];
}

export function benchSet(games: readonly Game[], pageSize = PAGE_SIZE): BenchSet {
  if (games.length < HISTORY + 2 * pageSize) {
    throw new Error(`bench: the catalog has ${games.length} games; ${HISTORY + 2 * pageSize} are needed`);
  }
  const history = games.slice(0, HISTORY).map((g) => ({ id: g.id, title: g.title, attributes: toItem(g).attributes }));
  return {
    context: { domain: 'game', history },
    page: games.slice(HISTORY, HISTORY + pageSize).map(toItem),
    warmup: games.slice(HISTORY + pageSize, HISTORY + 2 * pageSize).map(toItem),
  };
}

/** What one arm of the benchmark measured. Times in ms; memory in bytes. */
export interface ArmResult {
  /** control = the baseline with the engine's onnxruntime session options. */
  arm: 'baseline' | 'engine' | 'control';
  environment: 'node' | 'chromium_wasm';
  backend: string;
  cold_load_ms: number;
  warm_load_ms: number | null;
  page_ms: number;
  reasons: number;
  reasons_per_s: number;
  first_reason_ms: number;
  /** First streamed text of any reason (engine; the baseline has no streaming, so it is its first reason). */
  first_text_ms?: number;
  tokens: number;
  tokens_per_s: number;
  peak_memory_bytes: number | null;
  memory_source: string;
  /** Engine only: how many page reasons came from the model vs the grounding fallback, and cache hits. */
  model_reasons?: number;
  fallback_reasons?: number;
  cached_reasons?: number;
  /** Engine in chromium: ms after createExplainer at which each load phase was first reported. */
  cold_load_phases_ms?: Record<string, number>;
  warm_load_phases_ms?: Record<string, number>;
  /** First reason texts (page order), for a glance that both arms produced comparable text. */
  samples: string[];
}

/** The minimal surface of a transformers.js text-generation pipeline that the baseline uses. */
export interface TextGenerator {
  (prompt: string, options: Record<string, unknown>): Promise<unknown>;
  tokenizer: { encode(text: string, options: { add_special_tokens: boolean }): number[] };
}

/** The baseline: one plain pipeline call per item, greedy, same prompt and token limit as the engine. */
export async function baselineReason(generator: TextGenerator, item: Item, context: UserContext, maxNewTokens: number): Promise<{ text: string; tokens: number }> {
  const out = (await generator(buildPrompt(item, context), {
    max_new_tokens: maxNewTokens,
    do_sample: false,
    return_full_text: false,
    add_special_tokens: false,
  })) as { generated_text: string }[];
  const text = out[0]?.generated_text ?? '';
  return { text, tokens: generator.tokenizer.encode(text, { add_special_tokens: false }).length };
}
