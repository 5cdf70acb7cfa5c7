// The in-thread Explainer: validate → cache → plan → prompt → scheduler (batches) → generate → fill
// slots → open-vocabulary check (regenerate once, else a labelled fallback) → cache → Reason. A slot
// model (reason model v2, docs/plan-and-slots.md) writes slots the plan fills; any other causal LM
// gets the v1 prompt and the same check. The worker exposes exactly this class;
// Node and tests use it directly. It never throws for one bad item, and if the model cannot load
// every reason is a fallback with `fallbackReason: 'model-unavailable'`. This file: the calls, the
// batches and the cache; attempts.ts the generate → fill → check of one reason, model-check.ts what
// is known of the model, page-titles.ts the titles a reason may not name, calls.ts the running calls,
// engine-options.ts the options and batching defaults,
// stats.ts the counters.
import { AbortError, DisposedError } from '../errors.ts';
import { fallbackResult, templateFallback } from '../core/fallback.ts';
import { templateReason } from '../core/grounding.ts';
import { PushQueue } from '../core/push-queue.ts';
import { contentPlan } from '../core/plan.ts';
import type { ContentPlan } from '../core/plan.ts';
import { buildPlanPrompt } from '../core/plan-prompt.ts';
import { validateCallOptions, validateContext, validateItems } from '../core/validate.ts';
import { validateOptions } from '../core/options.ts';
import { rankItems } from '../core/rank.ts';
import { DEFAULT_DTYPE, DEFAULT_MAX_NEW_TOKENS, modelIdOf } from '../defaults.ts';
import type { Backend, ExplainOptions, Explainer, ExplainerInfo, ExplainerOptions, Item, RankedItem, Reason, StreamChunk, UserContext } from '../types.ts';
import { generateBatch, splitForPrefill, type GenerateRow, type RowResult } from '../generation/generate.ts';
import { attemptPlan } from '../generation/slot-decoding.ts';
import { withDeviceRecovery } from '../runtime/device-loss.ts';
import { inNodeJs, loadRuntime, type Runtime, type RuntimeOptions, type RuntimeTokenizer } from '../runtime/runtime.ts';
import { type AttemptHost, type GenResult, publicPlan, reasonFromPlan, reasonFromPrompt } from './attempts.ts';
import { RecentWording } from './recent-wording.ts';
import { cacheKey, encodingsKey, modelKey, ReasonCache } from './cache.ts';
import type { Encodings } from '../generation/encode-memo.ts';
import { fitPrompt } from './fit-prompt.ts';
import { ModelCheck } from './model-check.ts';
import { PageTitles } from './page-titles.ts';
import { BatchScheduler, type BatchContext } from './scheduler.ts';
import { Calls } from './calls.ts';
import { EngineCounters, type EngineStats } from './stats.ts';
import { mark } from '../trace.ts';

export type { EngineStats } from './stats.ts';
export { DEFAULT_MAX_BATCH, DEFAULT_SENTENCES, DEFAULT_WINDOW_MS, MAX_PREFILL_TOKENS, type EngineOptions } from './engine-options.ts';
import { DEFAULT_MAX_BATCH, DEFAULT_SENTENCES, DEFAULT_WINDOW_MS, MAX_PREFILL_TOKENS, type EngineOptions } from './engine-options.ts';
export { trimCut } from './trim-cut.ts';

interface Plan {
  item: Item;
  ids: number[];
  key: string;
  hit: Reason | undefined;
  /** The content plan the prompt was built from (slot models only). */
  plan: ContentPlan | null;
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

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError('The request was aborted.');
}

export class Engine implements Explainer {
  private readonly options: ExplainerOptions;
  private readonly maxNewTokens: number;
  private readonly runtime: Promise<Runtime | null>;
  /**
   * The load's tokenizer (or the runtime itself, whichever comes first; null when the load failed):
   * prompts are planned and the cache is read with it, so a cached reason is answered before the
   * onnxruntime session exists (a returning visitor's page).
   */
  private readonly tokenizer: Promise<RuntimeTokenizer | null>;
  private loadError: Error | null = null;
  private readonly scheduler: BatchScheduler<GenRequest, GenResult>;
  private readonly cache: ReasonCache<Reason>;
  /** The slot rules' phrase encodings of the last visit, per model version (prepare()). */
  private readonly encodings: ReasonCache<Encodings>;
  private readonly calls = new Calls();
  private readonly model = new ModelCheck();
  private readonly titles = new PageTitles();
  private readonly attempts: AttemptHost;
  private disposed = false;
  private readonly minSharedPrefix: number | undefined;
  private readonly sentences: number | undefined;
  private readonly counters = new EngineCounters();
  private loaded: Runtime | null = null;
  /** Domains whose decode constraints and check were compiled while the session was created (prepare()). */
  private readonly prepared = new Set<string>();
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
    this.attempts = {
      maxNewTokens: this.maxNewTokens,
      sentences: this.sentences,
      disposed: () => this.disposed,
      generate: (row) => this.generate(row),
      check: (text, item, ctx, rt, plan) => this.model.check(text, item, ctx, rt, plan, this.titles.titles()),
      proper: (rt) => this.model.properOf(rt),
      fallback: (item, ctx, why, backend, ms, plan) => this.fallback(item, ctx, why, backend, ms, plan),
      regenerated: () => this.counters.regeneration(),
      wording: new RecentWording(),
    };
    this.cache = new ReasonCache<Reason>({ persistent: clean.persistentCache ?? true });
    this.encodings = new ReasonCache<Encodings>({ persistent: clean.persistentCache ?? true, dbName: 'because-encodings', maxEntries: 1, maxPersistentEntries: 2 });
    this.scheduler = new BatchScheduler<GenRequest, GenResult>({
      maxBatch: maxBatch ?? DEFAULT_MAX_BATCH,
      firstBatch,
      windowMs: windowMs ?? DEFAULT_WINDOW_MS,
      run: (batch, context) => this.runBatch(batch, context),
    });
    let tokenizerReady: (tokenizer: RuntimeTokenizer | null) => void = () => undefined;
    this.tokenizer = new Promise((resolve) => (tokenizerReady = resolve));
    const onTokenizer = (tokenizer: RuntimeTokenizer): void => tokenizerReady(this.disposed ? null : tokenizer);
    const load = optionsError ? Promise.reject(optionsError) : (loader ?? loadRuntime)({ ...this.runtimeOptions(), onTokenizer });
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
    // A loader that never calls onTokenizer (tests' fakes): the runtime is its own tokenizer.
    void this.runtime.then(tokenizerReady);
  }

  private runtimeOptions(): RuntimeOptions {
    const o = this.options;
    return { model: o.model, device: o.device, dtype: o.dtype, wasmPaths: o.wasmPaths, onProgress: o.onProgress, maxNewTokens: this.maxNewTokens };
  }

  /** Counters: generate calls, rows, regenerations, fallbacks, recent batch shapes. */
  stats(): EngineStats {
    return this.counters.snapshot(this.loaded?.kvLocation ?? null);
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
    this.titles.note(checked.valid);
    const out: Reason[] = new Array<Reason>(Array.isArray(items) ? items.length : 0);
    for (const rejected of checked.rejected) out[rejected.index] = this.invalidReason(rejected.id);
    // Identical prompts in one call (duplicate items) cost one generation.
    const call = this.calls.start(options.signal);
    try {
      const reasons = await this.reasonsFor(checked.valid, ctx, { signal: call.signal, shared: new Map() });
      reasons.forEach((reason, k) => (out[checked.indices[k] as number] = reason));
    } finally {
      this.calls.end(call);
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
    this.titles.note([valid]);
    const controller = this.calls.start(options.signal);
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
      this.calls.end(controller);
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
    this.calls.abortAll();
    this.scheduler.dispose();
    const rt = await this.runtime;
    await rt?.dispose();
    await Promise.all([this.cache.close(), this.encodings.close()]);
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


  private invalidReason(itemId: string): Reason {
    this.counters.fallback('invalid-item');
    return fallbackResult(itemId, 'invalid-item', this.fallbackBackend());
  }

  private fallback(item: Item, ctx: UserContext, why: string, backend: Backend, ms: number, plan?: ContentPlan): Reason {
    this.counters.fallback(why);
    const reason = templateFallback(item, ctx, why, backend, ms, plan, this.model.properOf());
    return plan ? { ...reason, plan: publicPlan(plan) } : reason;
  }

  private async generate(row: GenerateRow): Promise<GenResult> {
    // Shorter prompts first: when more than one batch is queued, rows of similar length share a batch,
    // so less of the prefill is spent on left padding.
    const result = await this.scheduler.submit({ row }, { signal: row.signal, priority: -row.ids.length });
    if (result.stop === 'aborted') throw new AbortError('The request was aborted.');
    return result;
  }

  /** One scheduler batch: normally one generate call; split only when its prefill would exceed the budget. */
  private async runBatch(batch: GenRequest[], context: BatchContext<GenResult>): Promise<Array<GenResult | Error>> {
    const rt = await this.runtime;
    if (!rt) return batch.map(() => new Error('model unavailable'));
    const out = new Array<GenResult | Error>(batch.length);
    this.batchSince = performance.now();
    try {
      return await this.runGroups(rt, batch, out, context);
    } finally {
      this.batchSince = null;
    }
  }

  private async runGroups(rt: Runtime, batch: GenRequest[], out: Array<GenResult | Error>, context: BatchContext<GenResult>): Promise<Array<GenResult | Error>> {
    for (const group of splitForPrefill(batch.map((b) => b.row.ids.length), MAX_PREFILL_TOKENS)) {
      const t0 = performance.now();
      // A row that has ended goes to its card at once (fill, check, pick), between the batch's steps.
      const onRowDone = (k: number, result: RowResult): void => context.deliver(group[k] as number, { ...result, ms: (performance.now() - t0) / group.length });
      // A lost WebGPU device: the runtime reloads on WASM and the group runs again there.
      const { results, stats } = await withDeviceRecovery(rt, group.map((i) => (batch[i] as GenRequest).row), (rows) => generateBatch(rt.step, rt.detokenize, rows, { eosId: rt.eosId, padId: rt.padId, minSharedPrefix: this.minSharedPrefix, onRowDone }));
      const share = (performance.now() - t0) / group.length;
      this.counters.generated(group.length, stats);
      group.forEach((i, k) => (out[i] = { ...(results[k] as RowResult), ms: share }));
    }
    return out;
  }

  /**
   * Prompt, ids and cache lookup of one item. Needs only the tokenizer: the same function, on the
   * same tokenizer, whether it runs before the session exists or after.
   */
  private async plan(rt: RuntimeTokenizer, item: Item, ctx: UserContext): Promise<Plan> {
    if (this.model.slotsOf(rt)) {
      // Format v2: the prompt holds no titles, so the key adds the plan (what the slots are filled with).
      const plan = attemptPlan(contentPlan(item, ctx), 0);
      const prompt = buildPlanPrompt(plan);
      const key = cacheKey(modelKey(rt), rt.dtype, this.maxNewTokens, `${prompt}\n${JSON.stringify(plan)}`);
      return { item, ids: rt.encode(prompt), key, hit: await this.cache.get(key), plan };
    }
    const { prompt, ids } = fitPrompt((text) => rt.encode(text), rt.maxPositions - this.maxNewTokens, item, ctx);
    const key = cacheKey(modelKey(rt), rt.dtype, this.maxNewTokens, prompt);
    return { item, ids, key, hit: await this.cache.get(key), plan: null };
  }

  /**
   * While the session is being created: compiles, once per domain, what the first batch and its check
   * would otherwise compile on the way to the first reason (measured in Node: the domain's trie of
   * banned phrases ≈ 280 ms, the check's first call ≈ 100 ms, the page titles' token ids). Pure caches:
   * no result changes, only when the work is done. The worker has one thread, so this work comes
   * before onnxruntime's set-up: the trie's encodings are stored and the next visit starts from them.
   */
  private async prepare(tokenizer: RuntimeTokenizer, misses: Plan[], ctx: UserContext): Promise<void> {
    const first = misses[0];
    const domain = first?.plan?.domain ?? ctx.domain ?? '';
    if (!first || this.prepared.has(domain)) return;
    this.prepared.add(domain);
    await new Promise((resolve) => setTimeout(resolve, 0)); // the session's own loading goes first
    if (this.loaded || this.disposed) return;
    try {
      const slots = this.model.slotsOf(tokenizer);
      if (slots && first.plan) {
        const key = encodingsKey(tokenizer);
        const memo = this.model.memoOf(tokenizer);
        if (key) memo.seed(await this.encodings.get(key));
        if (this.loaded || this.disposed) return;
        slots.constraints(first.plan);
        if (key && memo.fresh > 0) void this.encodings.set(key, memo.entries()).then(() => this.encodings.prune());
        this.titles.bans(tokenizer, ctx);
      }
      // A real sentence (the item's template wording): an empty one returns before the check
      // compiles its dictionary and matchers (≈ 45 ms in Node; most of the first card's pick in chromium).
      const { text } = templateReason(first.item, ctx, first.plan ?? undefined, this.model.properOf(tokenizer));
      this.model.check(text, first.item, ctx, tokenizer, first.plan, this.titles.titles());
    } catch {
      // a warm-up only: the real calls report their own failures
    }
    mark('prepared');
  }

  /** A cached reason, as this call's answer. */
  private cached(plan: Plan & { hit: Reason }, t0: number): Reason {
    this.counters.cacheHit();
    mark('cache-hit');
    return { ...plan.hit, itemId: plan.item.id, cached: true, ms: performance.now() - t0 };
  }

  /**
   * The reason of one planned item the cache missed (reasonsFor answers the hits), generated (the
   * scheduler request is submitted synchronously, so answering many plans in one loop puts them in one batch).
   */
  private answer(rt: Runtime, plan: Plan, ctx: UserContext, options: RequestOptions): Promise<Reason> {
    const { item, key } = plan;
    let pending = options.shared?.get(key);
    if (!pending) {
      const slots = this.model.slotsOf(rt);
      pending = plan.plan && slots
        ? reasonFromPlan(this.attempts, rt, slots, item, ctx, plan.plan, plan.ids, options)
        : reasonFromPrompt(this.attempts, rt, item, ctx, plan.ids, options.signal, options.onDelta);
      options.shared?.set(key, pending);
      // Transient failures ('model-error') are not stored: the next call tries the model again.
      void pending.then((reason) => (reason.fallbackReason === 'model-error' ? undefined : this.cache.set(key, reason)), () => undefined);
    }
    return pending.then((reason) => ({ ...reason, itemId: item.id }));
  }

  /**
   * Reasons for many items: every cache lookup first (as soon as the tokenizer is built: cached
   * reasons do not wait for the session), then, once the session exists, all misses submitted together.
   */
  private async reasonsFor(items: readonly Item[], ctx: UserContext, options: RequestOptions): Promise<Reason[]> {
    const t0 = performance.now();
    const tokenizer = await this.tokenizer;
    // dispose() aborts the calls waiting for the model: say what happened, not 'aborted'.
    this.throwIfDisposed();
    throwIfAborted(options.signal);
    const unavailable = (item: Item): Reason => this.fallback(item, ctx, 'model-unavailable', this.fallbackBackend(), performance.now() - t0);
    if (!tokenizer) return items.map(unavailable);
    // A tokenizer that throws on one item's text costs that item a labelled fallback, not the call.
    const plans = await Promise.all(items.map((item) => this.plan(tokenizer, item, ctx).catch(() => null)));
    this.throwIfDisposed();
    throwIfAborted(options.signal);
    const hits = plans.map((plan) => (plan?.hit ? this.cached({ ...plan, hit: plan.hit }, t0) : null));
    if (hits.every((hit) => hit !== null)) return hits as Reason[];
    // Not awaited: the calls reach the runtime in the order they came (the first batch is the first cards).
    if (!this.loaded) void this.prepare(tokenizer, plans.filter((plan): plan is Plan => plan !== null && !plan.hit), ctx);
    const rt = await this.runtime;
    this.throwIfDisposed();
    throwIfAborted(options.signal);
    if (!rt) return items.map((item, k) => hits[k] ?? unavailable(item));
    const call = this.model.slotsOf(rt) ? { ...options, titleBans: this.titles.bans(rt, ctx) } : options;
    return Promise.all(plans.map((plan, k) => hits[k] ?? (plan ? this.answer(rt, plan, ctx, call) : this.fallback(items[k] as Item, ctx, 'model-error', rt.backend, 0))));
  }
}
