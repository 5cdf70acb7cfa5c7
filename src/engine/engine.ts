// The in-thread Explainer: validate → cache → plan → prompt → scheduler (batches) → generate → fill
// slots → open-vocabulary check (regenerate once, else a labelled fallback) → cache → Reason. A slot
// model (reason model v2, docs/plan-and-slots.md) writes slots the plan fills; any other causal LM
// gets the v1 prompt and the same check. The worker exposes exactly this class;
// Node and tests use it directly. It never throws for one bad item, and if the model cannot load
// every reason is a fallback with `fallbackReason: 'model-unavailable'`.
import { AbortError, DisposedError, isAbortError } from '../errors.ts';
import { createFactMatcher } from '../core/facts.ts';
import type { FactMatcher } from '../core/facts.ts';
import { checkFilledReason, trainingDomainOf } from '../core/check.ts';
import type { ReasonCheck } from '../core/check.ts';
import { parseLexicon } from '../core/dictionary.ts';
import type { Lexicon } from '../core/dictionary.ts';
import { MIN_REASON_WORDS, reasonWords } from '../core/grounding.ts';
import { fallbackResult, templateFallback } from '../core/fallback.ts';
import { PushQueue } from '../core/push-queue.ts';
import { contentPlan } from '../core/plan.ts';
import type { ContentPlan } from '../core/plan.ts';
import { buildPlanPrompt } from '../core/plan-prompt.ts';
import { buildPrompt } from '../core/prompt.ts';
import { fillSlots } from '../core/slots.ts';
import { validateCallOptions, validateContext, validateItems } from '../core/validate.ts';
import { validateOptions } from '../core/options.ts';
import { rankItems } from '../core/rank.ts';
import type {
  Backend,
  DType,
  ExplainOptions,
  Explainer,
  ExplainerInfo,
  ExplainerOptions,
  Item,
  RankedItem,
  Reason,
  ReasonPlan,
  StreamChunk,
  UserContext,
} from '../types.ts';
import { cacheKey, LruCache, ReasonCache } from './cache.ts';
import { firstBannedIndex, generateBatch, splitForPrefill } from '../generation/generate.ts';
import type { GenerateRow, GenerateStats, RowResult } from '../generation/generate.ts';
import { inNodeJs, loadRuntime } from '../runtime/runtime.ts';
import { DEFAULT_DTYPE, DEFAULT_MAX_NEW_TOKENS, modelIdOf } from '../defaults.ts';
import type { Runtime, RuntimeOptions } from '../runtime/runtime.ts';
import { BatchScheduler } from './scheduler.ts';
import { ATTEMPTS, attemptPlan, encodeVariants, firstAttemptSampling, isSlotModel, SlotDecoding } from '../generation/slot-decoding.ts';
import { DECODING } from '../defaults.ts';
import { withDeviceRecovery } from '../runtime/device-loss.ts';

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
/** Titles of recently seen items that a reason may not cite unless they are the item's or history's. */
const RECENT_TITLES = 512;

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

/** Counters for tests and the benchmark. */
export interface EngineStats {
  /** generateBatch calls (one per scheduler batch). */
  generateCalls: number;
  /** Rows generated over all calls (first attempts and regenerations). */
  rowsGenerated: number;
  regenerations: number;
  cacheHits: number;
  fallbacks: Record<string, number>;
  /** The most recent batches (at most 50). */
  batches: GenerateStats[];
  /** Where the KV cache lived between decode steps ('gpu-buffer' on WebGPU, 'cpu' otherwise); null before any. */
  kvLocation: string | null;
}

interface Plan {
  item: Item;
  ids: number[];
  key: string;
  hit: Reason | undefined;
  /** The content plan the prompt was built from (slot models only). */
  plan: ContentPlan | null;
}

/** The public shape of a plan, carried on the Reason. */
function publicPlan(plan: ContentPlan): ReasonPlan {
  return { mode: plan.mode, hasHistory: plan.hasHistory, domain: plan.domain, history: plan.history.map((h) => ({ title: h.title })), facts: plan.facts.map((f) => ({ value: f.value, kind: f.kind })) };
}


interface RequestOptions {
  signal?: AbortSignal;
  onDelta?: (text: string) => void;
  /** Literal titles a slot model may not write (one array per call, so the decode loop compiles it once). */
  titleBans?: number[][];
  /** Identical prompts within one call share one generation. */
  shared?: Map<string, Promise<Reason>>;
}

interface GenRequest {
  row: GenerateRow;
}
interface GenResult extends RowResult {
  /** This row's share of the batch's wall time. */
  ms: number;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError('The request was aborted.');
}

type SetMaxListeners = (n: number, ...targets: EventTarget[]) => void;
// Node warns when more than 10 listeners watch one AbortSignal; a page of 24 requests shares one.
const setMaxListeners: SetMaxListeners | undefined = (() => {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  return (get?.('node:events') as { setMaxListeners?: SetMaxListeners } | undefined)?.setMaxListeners;
})();

/**
 * A reason cut by the token limit ends mid-sentence: keep it up to its last complete sentence (when
 * that leaves at least MIN_REASON_WORDS words), else mark the cut with '…'. The shown text is always a
 * prefix of what the model wrote; grounding then checks exactly what is shown.
 */
export function trimCut(text: string): string {
  const t = text.trim();
  let end = -1;
  for (const m of t.matchAll(/[.!?…。！？](?=["'”’)\]]?(\s|$))/gu)) end = (m.index ?? 0) + m[0].length;
  if (end > 0 && reasonWords(t.slice(0, end)).length >= MIN_REASON_WORDS) return t.slice(0, end);
  return t ? `${t.replace(/[\s,;:–-]+$/u, '')}…` : t;
}

export class Engine implements Explainer {
  private readonly options: ExplainerOptions;
  private readonly maxNewTokens: number;
  private readonly runtime: Promise<Runtime | null>;
  private loadError: Error | null = null;
  private readonly scheduler: BatchScheduler<GenRequest, GenResult>;
  private readonly cache: ReasonCache<Reason>;
  /**
   * One controller per running call (aborted by the caller's signal, or all at once by dispose), with
   * the function that detaches its listener from the caller's signal when the call ends.
   */
  private readonly calls = new Map<AbortController, () => void>();
  private factsMatcher: FactMatcher | null = null;
  private readonly recentTitles = new LruCache<string, true>(RECENT_TITLES);
  /** The recent page titles as one array (its identity changes only when they do: check.ts compiles it once). */
  private pageTitles: string[] | null = null;
  /** Spelling variants of each title, encoded once (the literal titles a slot model may not write). */
  private readonly titleSequences = new LruCache<string, number[][]>(RECENT_TITLES * 2);
  private lexicon: Lexicon | null | undefined;
  private slotDecoding: SlotDecoding | null | undefined;
  private disposed = false;
  private readonly minSharedPrefix: number | undefined;
  private readonly sentences: number | undefined;
  private readonly counters: Omit<EngineStats, 'kvLocation'> = { generateCalls: 0, rowsGenerated: 0, regenerations: 0, cacheHits: 0, fallbacks: {}, batches: [] };
  private loaded: Runtime | null = null;
  /** When the running batch started (performance.now()); null when idle. info() reports it as busyMs. */
  private batchSince: number | null = null;

  constructor(options: EngineOptions = {}) {
    const { maxBatch, firstBatch, windowMs, loadRuntime: loader, sharePrefix, sentences, ...rest } = options;
    this.sentences = sentences === undefined ? DEFAULT_SENTENCES : Math.max(0, Math.floor(sentences)) || undefined;
    this.minSharedPrefix = sharePrefix === false ? Number.POSITIVE_INFINITY : undefined;
    // Bad options are reported by info() and make every reason a fallback; the constructor never throws.
    let clean: ExplainerOptions = {};
    let optionsError: Error | null = null;
    try {
      clean = validateOptions(rest);
    } catch (error) {
      optionsError = error as Error;
    }
    this.options = clean;
    this.maxNewTokens = clean.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
    this.cache = new ReasonCache<Reason>({ persistent: clean.persistentCache ?? true });
    this.scheduler = new BatchScheduler<GenRequest, GenResult>({
      maxBatch: maxBatch ?? DEFAULT_MAX_BATCH,
      firstBatch,
      windowMs: windowMs ?? DEFAULT_WINDOW_MS,
      run: (batch) => this.runBatch(batch),
    });
    const load = optionsError ? Promise.reject(optionsError) : (loader ?? loadRuntime)(this.runtimeOptions());
    this.runtime = load.then(
      (rt) => {
        if (this.disposed) {
          void rt.dispose();
          return null;
        }
        this.loaded = rt;
        return rt;
      },
      (error: unknown) => {
        this.loadError = error instanceof Error ? error : new Error(String(error));
        try {
          clean.onProgress?.({ phase: 'error' });
        } catch {
          // the page's callback must not matter here
        }
        return null;
      },
    );
  }

  private runtimeOptions(): RuntimeOptions {
    const o = this.options;
    return { model: o.model, device: o.device, dtype: o.dtype, wasmPaths: o.wasmPaths, onProgress: o.onProgress, maxNewTokens: this.maxNewTokens };
  }

  /** Counters: generate calls, rows, regenerations, fallbacks, recent batch shapes. */
  stats(): EngineStats {
    return { ...this.counters, fallbacks: { ...this.counters.fallbacks }, batches: [...this.counters.batches], kvLocation: this.loaded?.kvLocation ?? null };
  }

  async info(): Promise<ExplainerInfo> {
    this.assertAlive();
    const rt = await this.runtime;
    if (rt) {
      const info: ExplainerInfo = { backend: rt.backend, backendReason: rt.backendReason, modelId: rt.modelId, dtype: rt.dtype, modelLoaded: true };
      return this.batchSince === null ? info : { ...info, busyMs: Math.round(performance.now() - this.batchSince) };
    }
    return {
      backend: this.fallbackBackend(),
      backendReason: `the model could not load, every reason is a fallback: ${this.loadError?.message ?? 'disposed'}`,
      modelId: modelIdOf(this.options.model),
      dtype: this.options.dtype ?? DEFAULT_DTYPE,
      modelLoaded: false,
    };
  }

  async explain(items: readonly Item[], context: UserContext, callOptions?: ExplainOptions): Promise<Reason[]> {
    this.assertAlive();
    const options = validateCallOptions(callOptions, 'explain');
    throwIfAborted(options.signal);
    const checked = validateItems(items);
    const ctx = validateContext(context);
    this.noteTitles(checked.valid);
    const out: Reason[] = new Array<Reason>(Array.isArray(items) ? items.length : 0);
    for (const rejected of checked.rejected) out[rejected.index] = this.invalidReason(rejected.id);
    // Identical prompts in one call (duplicate items) cost one generation.
    const call = this.startCall(options.signal);
    try {
      const reasons = await this.reasonsFor(checked.valid, ctx, { signal: call.signal, shared: new Map() });
      reasons.forEach((reason, k) => (out[checked.indices[k] as number] = reason));
    } finally {
      this.endCall(call);
    }
    return out;
  }

  async *stream(item: Item, context: UserContext, callOptions?: ExplainOptions): AsyncIterable<StreamChunk> {
    this.assertAlive();
    const options = validateCallOptions(callOptions, 'stream');
    throwIfAborted(options.signal);
    const checked = validateItems([item]);
    const valid = checked.valid[0];
    if (!valid) {
      const rejected = checked.rejected[0];
      yield { type: 'reason', reason: this.invalidReason(rejected?.id ?? '') };
      return;
    }
    const ctx = validateContext(context);
    this.noteTitles([valid]);
    const controller = this.startCall(options.signal);
    const deltas = new PushQueue<string>();
    let streamed = '';
    const result = this.reasonsFor([valid], ctx, { signal: controller.signal, onDelta: deltas.push })
      .then((reasons) => reasons[0] as Reason)
      .finally(deltas.close);
    result.catch(() => undefined); // awaited below
    try {
      for await (const delta of deltas) {
        streamed += delta;
        yield { type: 'delta', text: delta };
      }
      const reason = await result;
      // Cached and fallback reasons were not streamed: send their text as one delta, so a renderer that
      // only appends deltas still shows it. After a rejected (regenerated) attempt the final reason's
      // text replaces what was streamed; docs/engine.md.
      if (streamed === '' && reason.text) yield { type: 'delta', text: reason.text };
      yield { type: 'reason', reason };
    } finally {
      if (!deltas.closed) controller.abort(); // the consumer stopped early
      this.endCall(controller);
    }
  }

  async rank(items: readonly Item[], context: UserContext): Promise<RankedItem[]> {
    this.assertAlive();
    const checked = validateItems(items);
    // Items that fail validation are not ranked (explain() reports them as 'invalid-item').
    return rankItems(checked.valid, validateContext(context));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const call of this.calls.keys()) call.abort();
    this.scheduler.dispose();
    const rt = await this.runtime;
    await rt?.dispose();
    await this.cache.close();
  }

  /** A controller for one call: aborted by the caller's signal or by dispose(). */
  private startCall(parent: AbortSignal | undefined): AbortController {
    const controller = new AbortController();
    setMaxListeners?.(0, controller.signal);
    const onAbort = (): void => controller.abort();
    if (parent?.aborted) controller.abort();
    else parent?.addEventListener('abort', onAbort, { once: true });
    // A page may share one signal across thousands of calls: each call's listener leaves with the call.
    this.calls.set(controller, () => parent?.removeEventListener('abort', onAbort));
    return controller;
  }

  private endCall(controller: AbortController): void {
    this.calls.get(controller)?.();
    this.calls.delete(controller);
  }

  private assertAlive(): void {
    if (this.disposed) throw new DisposedError('This explainer was disposed; create a new one with createExplainer().');
  }

  private throwIfDisposed(): void {
    if (this.disposed) throw new DisposedError('The explainer was disposed while this request was waiting; create a new one with createExplainer().');
  }

  private fallbackBackend(): Backend {
    return inNodeJs() ? 'cpu' : this.options.device === 'webgpu' ? 'webgpu' : 'wasm';
  }


  private noteTitles(items: readonly Item[]): void {
    let changed = false;
    for (const item of items) {
      if (!this.recentTitles.has(item.title)) changed = true;
      this.recentTitles.set(item.title, true);
    }
    if (changed) this.pageTitles = null;
  }

  private invalidReason(itemId: string): Reason {
    this.count('invalid-item');
    return fallbackResult(itemId, 'invalid-item', this.fallbackBackend());
  }

  private count(fallback: string): void {
    this.counters.fallbacks[fallback] = (this.counters.fallbacks[fallback] ?? 0) + 1;
  }

  private fallback(item: Item, ctx: UserContext, why: string, backend: Backend, ms: number, plan?: ContentPlan): Reason {
    this.count(why);
    const reason = templateFallback(item, ctx, why, backend, ms, plan);
    return plan ? { ...reason, plan: publicPlan(plan) } : reason;
  }

  /** The prompt and its ids, dropping the oldest history, then profile and description, until it fits the model. */
  private fitPrompt(rt: Runtime, item: Item, ctx: UserContext): { prompt: string; ids: number[] } {
    const budget = rt.maxPositions - this.maxNewTokens;
    let history = ctx.history ?? [];
    let context: UserContext = ctx;
    let target: Item = item;
    for (;;) {
      const prompt = buildPrompt(target, context);
      const ids = rt.encode(prompt);
      if (ids.length <= budget) return { prompt, ids };
      if (history.length > 0) {
        history = history.slice(1);
        context = { ...context, history };
      } else if (context.profile) {
        context = { ...context, profile: undefined };
      } else if (target.description) {
        target = { ...target, description: undefined };
      } else {
        return { prompt, ids: ids.slice(-Math.max(1, budget)) }; // cannot happen with the prompt limits; stay safe
      }
    }
  }

  private lexiconOf(rt: Runtime): Lexicon | null {
    if (this.lexicon === undefined) {
      try {
        this.lexicon = rt.lexicon ? parseLexicon(rt.lexicon) : null;
      } catch {
        this.lexicon = null; // a malformed lexicon.json: the check runs without dictionary and domain words
      }
    }
    return this.lexicon;
  }

  /** The slot rules of this runtime's model; null for a model without slot tokens. */
  private slotsOf(rt: Runtime): SlotDecoding | null {
    if (this.slotDecoding === undefined) {
      const lexicon = this.lexiconOf(rt);
      const trained = Object.keys(lexicon?.domainWords ?? {});
      this.slotDecoding = isSlotModel(rt) ? new SlotDecoding(rt, { facts: rt.factsVocab, titles: rt.titleVocab }, lexicon, (d) => trainingDomainOf(d, trained)) : null;
    }
    return this.slotDecoding;
  }

  /** The open-vocabulary check of a shown text (docs/grounding.md); the closed vocabulary is one input. */
  private check(text: string, item: Item, ctx: UserContext, rt: Runtime, plan: ContentPlan | null): ReasonCheck {
    this.factsMatcher ??= createFactMatcher({ facts: rt.factsVocab, titles: rt.titleVocab });
    this.pageTitles ??= [...this.recentTitles.keys()];
    return checkFilledReason(text, { item, context: ctx, plan, lexicon: this.lexiconOf(rt), vocabulary: this.factsMatcher, pageTitles: this.pageTitles });
  }

  /** Every literal page and history title, encoded: a slot model names titles only through slots. */
  private titleBans(rt: Runtime, ctx: UserContext): number[][] {
    const titles = new Set([...this.recentTitles.keys(), ...(ctx.history ?? []).map((h) => h.title)]);
    const out: number[][] = [];
    for (const title of titles) {
      let seqs = this.titleSequences.get(title);
      if (!seqs) this.titleSequences.set(title, (seqs = encodeVariants(rt, [title])));
      out.push(...seqs);
    }
    return out;
  }

  private async generate(row: GenerateRow): Promise<GenResult> {
    // Shorter prompts first: when more than one batch is queued, rows of similar length share a batch,
    // so less of the prefill is spent on left padding.
    const result = await this.scheduler.submit({ row }, { signal: row.signal, priority: -row.ids.length });
    if (result.stop === 'aborted') throw new AbortError('The request was aborted.');
    return result;
  }

  /** One scheduler batch: normally one generate call; split only when its prefill would exceed the budget. */
  private async runBatch(batch: GenRequest[]): Promise<Array<GenResult | Error>> {
    const rt = await this.runtime;
    if (!rt) return batch.map(() => new Error('model unavailable'));
    const out = new Array<GenResult | Error>(batch.length);
    this.batchSince = performance.now();
    try {
      return await this.runGroups(rt, batch, out);
    } finally {
      this.batchSince = null;
    }
  }

  private async runGroups(rt: Runtime, batch: GenRequest[], out: Array<GenResult | Error>): Promise<Array<GenResult | Error>> {
    for (const group of splitForPrefill(batch.map((b) => b.row.ids.length), MAX_PREFILL_TOKENS)) {
      const t0 = performance.now();
      // A lost WebGPU device: the runtime reloads on WASM and the group runs again there.
      const { results, stats } = await withDeviceRecovery(rt, group.map((i) => (batch[i] as GenRequest).row), (rows) => generateBatch(rt.step, rt.detokenize, rows, { eosId: rt.eosId, padId: rt.padId, minSharedPrefix: this.minSharedPrefix }));
      const share = (performance.now() - t0) / group.length;
      this.counters.generateCalls++;
      this.counters.rowsGenerated += group.length;
      this.counters.batches.push(stats);
      if (this.counters.batches.length > 50) this.counters.batches.shift();
      group.forEach((i, k) => (out[i] = { ...(results[k] as RowResult), ms: share }));
    }
    return out;
  }

  /** Prompt, ids and cache lookup of one item. */
  private async plan(rt: Runtime, item: Item, ctx: UserContext): Promise<Plan> {
    if (this.slotsOf(rt)) {
      // Format v2: the prompt holds no titles, so the key adds the plan (what the slots are filled with).
      const plan = attemptPlan(contentPlan(item, ctx), 0);
      const prompt = buildPlanPrompt(plan);
      const key = cacheKey(rt.modelUrl, rt.dtype, this.maxNewTokens, `${prompt}\n${JSON.stringify(plan)}`);
      return { item, ids: rt.encode(prompt), key, hit: await this.cache.get(key), plan };
    }
    const { prompt, ids } = this.fitPrompt(rt, item, ctx);
    const key = cacheKey(rt.modelUrl, rt.dtype, this.maxNewTokens, prompt);
    return { item, ids, key, hit: await this.cache.get(key), plan: null };
  }

  /**
   * The reason of one planned item: the cached one, or a new one (the scheduler request is submitted
   * synchronously, so answering many plans in one loop puts them in one batch).
   */
  private answer(rt: Runtime, plan: Plan, ctx: UserContext, t0: number, options: RequestOptions): Promise<Reason> {
    const { item, key, hit } = plan;
    if (hit) {
      this.counters.cacheHits++;
      return Promise.resolve({ ...hit, itemId: item.id, cached: true, ms: performance.now() - t0 });
    }
    let pending = options.shared?.get(key);
    if (!pending) {
      pending = plan.plan
        ? this.produceFromPlan(rt, item, ctx, plan.plan, plan.ids, options)
        : this.produce(rt, item, ctx, plan.ids, options.signal, options.onDelta);
      options.shared?.set(key, pending);
      // Transient failures ('model-error') are not stored: the next call tries the model again.
      void pending.then((reason) => (reason.fallbackReason === 'model-error' ? undefined : this.cache.set(key, reason)), () => undefined);
    }
    return pending.then((reason) => ({ ...reason, itemId: item.id }));
  }

  /** Reasons for many items: every cache lookup first, then all misses submitted together. */
  private async reasonsFor(items: readonly Item[], ctx: UserContext, options: RequestOptions): Promise<Reason[]> {
    const t0 = performance.now();
    const rt = await this.runtime;
    // dispose() aborts the calls waiting for the model: say what happened, not 'aborted'.
    this.throwIfDisposed();
    throwIfAborted(options.signal);
    if (!rt) return items.map((item) => this.fallback(item, ctx, 'model-unavailable', this.fallbackBackend(), performance.now() - t0));
    // A tokenizer that throws on one item's text costs that item a labelled fallback, not the call.
    const plans = await Promise.all(items.map((item) => this.plan(rt, item, ctx).catch(() => null)));
    this.throwIfDisposed();
    throwIfAborted(options.signal);
    const call = this.slotsOf(rt) ? { ...options, titleBans: this.titleBans(rt, ctx) } : options;
    return Promise.all(plans.map((plan, k) => (plan ? this.answer(rt, plan, ctx, t0, call) : this.fallback(items[k] as Item, ctx, 'model-error', rt.backend, 0))));
  }

  /**
   * A slot model's reason: a few seeded samples under the plan's constraints (DECODING), each filled
   * and checked, the most probable accepted one shown; else once more with a smaller plan, greedy
   * forks and the check's findings banned; else the labelled fallback. The filled text is sent as one
   * delta (slot text is not what a visitor should see stream by).
   */
  private async produceFromPlan(rt: Runtime, item: Item, ctx: UserContext, first: ContentPlan, firstIds: number[], options: RequestOptions): Promise<Reason> {
    const slots = this.slotsOf(rt) as SlotDecoding;
    let ms = 0;
    let banned: string[] = [];
    let problem = 'ungrounded';
    try {
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        if (attempt > 0) this.counters.regenerations++;
        const plan = attempt === 0 ? first : attemptPlan(first, attempt);
        const prompt = buildPlanPrompt(plan);
        const ids = attempt === 0 ? firstIds : rt.encode(prompt);
        const badWords = banned.length > 0 ? [...(options.titleBans ?? []), ...encodeVariants(rt, banned)] : options.titleBans;
        const decoding = attempt === 0 ? { candidates: DECODING.candidates, sampling: firstAttemptSampling(rt.modelId, prompt, plan) } : { candidates: DECODING.retryCandidates };
        const result = await this.generate({ ids, maxNewTokens: this.maxNewTokens, sentences: this.sentences, constraints: slots.constraints(plan), badWords, ...decoding, signal: options.signal });
        ms += result.ms;
        for (const candidate of result.candidates ?? [result]) {
          const slotText = candidate.stop === 'length' ? trimCut(candidate.text) : candidate.text.trim();
          const filled = fillSlots(slotText, plan);
          const check = this.check(filled.text, item, ctx, rt, plan);
          if (check.ok && filled.unknown.length === 0) {
            options.onDelta?.(filled.text);
            return { itemId: item.id, text: filled.text, facts: filled.facts, source: 'model', backend: rt.backend, tokens: candidate.tokens.length, ms, plan: publicPlan(plan) };
          }
          problem = filled.unknown.length > 0 ? 'unknown-slot' : (check.problems[0]?.kind ?? problem);
          banned = [...new Set([...banned, ...check.banned])];
        }
      }
      return this.fallback(item, ctx, problem, rt.backend, ms, first);
    } catch (error) {
      return this.failed(error, item, ctx, rt);
    }
  }

  /** A failed generation: disposal and aborts propagate; a runtime failure still gets an honest answer. */
  private failed(error: unknown, item: Item, ctx: UserContext, rt: Runtime): Reason {
    if (this.disposed) throw new DisposedError('The explainer was disposed while this request was running.');
    if (isAbortError(error)) throw error instanceof AbortError ? error : new AbortError('The request was aborted.', { cause: error });
    return this.fallback(item, ctx, 'model-error', rt.backend, 0);
  }

  private async produce(rt: Runtime, item: Item, ctx: UserContext, ids: number[], signal: AbortSignal | undefined, onDelta?: (text: string) => void): Promise<Reason> {
    try {
      const first = await this.generate({ ids, maxNewTokens: this.maxNewTokens, sentences: this.sentences, onDelta, signal });
      let text = first.stop === 'length' ? trimCut(first.text) : first.text.trim();
      let check = this.check(text, item, ctx, rt, null);
      let tokens = first.tokens.length;
      let ms = first.ms;
      if (!check.ok && check.banned.length > 0) {
        // Once more with the offending terms banned, still greedy (deterministic). Greedy decoding with
        // bans repeats the first attempt until a ban fires, so generation resumes at that token (same
        // result as starting over, for a fraction of the work); if no ban would fire, the retry would
        // repeat the first attempt exactly, so it is skipped.
        const badWords = encodeVariants(rt, check.banned);
        const cut = firstBannedIndex(first.tokens, badWords);
        if (cut >= 0) {
          this.counters.regenerations++;
          const prior = first.tokens.slice(0, cut);
          const second = await this.generate({ ids: [...ids, ...prior], prior, maxNewTokens: this.maxNewTokens, sentences: this.sentences, badWords, signal });
          text = second.stop === 'length' ? trimCut(second.text) : second.text.trim();
          check = this.check(text, item, ctx, rt, null);
          tokens = second.tokens.length;
          ms += second.ms;
        }
      }
      if (!check.ok) return this.fallback(item, ctx, check.problems[0]?.kind ?? 'ungrounded', rt.backend, ms);
      return { itemId: item.id, text, facts: check.cited, source: 'model', backend: rt.backend, tokens, ms };
    } catch (error) {
      return this.failed(error, item, ctx, rt);
    }
  }
}
