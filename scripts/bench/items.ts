// The benchmark's fixed workload, shared by the Node and browser arms (scripts/bench.ts,
// scripts/bench/browser-page.ts): a visitor with 4 games in their history, a page of 24 other games, and 24
// different games for the warm-up (so the measured page never hits a cache).
import { buildPrompt } from '../../src/core/prompt.ts';
import type { Explainer, Item, Reason, UserContext } from '../../src/types.ts';
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

const since = (t0: number): number => performance.now() - t0;

/** One measured page, in page order; times in ms from the first request. */
export interface PageRun {
  page_ms: number;
  first_reason_ms: number;
  tokens: number;
  texts: string[];
}

/** A page run as ArmResult fields (an arm without streaming: its first text is its first reason). */
export function pageSummary(run: PageRun): Partial<ArmResult> {
  return {
    page_ms: run.page_ms,
    reasons: run.texts.length,
    reasons_per_s: (run.texts.length * 1000) / run.page_ms,
    first_reason_ms: run.first_reason_ms,
    first_text_ms: run.first_reason_ms,
    tokens: run.tokens,
    tokens_per_s: (run.tokens * 1000) / run.page_ms,
    samples: run.texts.slice(0, 3),
  };
}

/**
 * The engine arm's measured page, the same in Node and chromium: every item streamed at once (as a
 * storefront does), the scheduler batching them; the ArmResult fields of the run.
 */
export async function streamPage(explainer: Explainer, set: BenchSet): Promise<Partial<ArmResult>> {
  const reasons: Reason[] = [];
  let first = 0;
  let firstText: number | undefined;
  const t0 = performance.now();
  await Promise.all(
    set.page.map(async (item) => {
      for await (const chunk of explainer.stream(item, set.context)) {
        if (chunk.type !== 'reason') {
          firstText ??= since(t0);
          continue;
        }
        if (reasons.length === 0) first = since(t0);
        reasons.push(chunk.reason);
      }
    }),
  );
  const page = since(t0);
  const order = new Map(set.page.map((item, i) => [item.id, i]));
  reasons.sort((a, b) => (order.get(a.itemId) ?? 0) - (order.get(b.itemId) ?? 0)); // page order, like the baseline
  const tokens = reasons.reduce((a, r) => a + r.tokens, 0);
  return {
    ...pageSummary({ page_ms: page, first_reason_ms: first, tokens, texts: reasons.map((r) => r.text) }),
    first_text_ms: firstText ?? first,
    model_reasons: reasons.filter((r) => r.source === 'model').length,
    fallback_reasons: reasons.filter((r) => r.source === 'fallback').length,
    cached_reasons: reasons.filter((r) => r.cached).length,
  };
}

/** The baseline arm's measured page: one call per item, one after another (warm-up first, untimed). */
export async function sequentialPage(set: BenchSet, one: (item: Item, context: UserContext) => Promise<{ text: string; tokens: number }>): Promise<Partial<ArmResult>> {
  for (const item of set.warmup.slice(0, 2)) await one(item, set.context);
  const run: PageRun = { page_ms: 0, first_reason_ms: 0, tokens: 0, texts: [] };
  const t0 = performance.now();
  for (const item of set.page) {
    const { text, tokens } = await one(item, set.context);
    if (run.texts.length === 0) run.first_reason_ms = since(t0);
    run.texts.push(text);
    run.tokens += tokens;
  }
  run.page_ms = since(t0);
  return pageSummary(run);
}
