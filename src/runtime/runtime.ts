// Model runtime: loads the tokenizer and the ONNX model with @huggingface/transformers, picks the
// backend (WebGPU only with a real adapter, else WASM; onnxruntime-node CPU in Node), and exposes one
// forward step to the decode loop (generate.ts). Runs in the worker, or in-thread in Node/tests.
// Every model byte is checked against the folder's manifest first (model-files.ts) and reaches
// transformers.js under an id of its own load (model-store.ts): no process-global model path. A lost
// WebGPU device is replaced by a WASM session (device-loss.ts).
// transformers.js is imported dynamically so that nothing on the page side pulls it in by accident.
import type { Backend, DType, ProgressEvent } from '../types.ts';
import type { DecoderStep, KvCache, StepResult } from '../generation/generate.ts';
import { DisposedError, ModelLoadError } from '../errors.ts';
import { DeviceLostError, trackDevice, watchDevice, withOomScope } from './device-loss.ts';
import type { DeviceLike } from './device-loss.ts';
import { checkLimits, modelLimits, REQUIRED_FILES } from './manifest.ts';
import { folderReader, openByteCache, readManifest, readVerified } from './model-files.ts';
import { installStore, registerLoad } from './model-store.ts';
import { mark } from '../trace.ts';
import { createWasmSession } from './wasm-fallback.ts';
import type { OrtTensorLike, TensorCtor } from './wasm-fallback.ts';

import { DEFAULT_DTYPE, DEFAULT_MAX_NEW_TOKENS, DEFAULT_MODEL_ID, DTYPE_FILES } from '../defaults.ts';

export { DEFAULT_DTYPE, DEFAULT_MODEL_ID };

/** Optional files the engine's check reads (not transformers.js): the closed vocabulary and the lexicon. */
const CHECK_FILES: readonly string[] = ['facts_vocab.json', 'lexicon.json'];

export interface RuntimeOptions {
  /** Model folder: URL, absolute/relative path (Node), or a bare id under the default models folder. */
  model?: string;
  device?: 'auto' | Backend;
  dtype?: DType;
  /** Base URL of onnxruntime-web's files (browser); default: the files bundled beside the worker. */
  wasmPaths?: string;
  onProgress?: (event: ProgressEvent) => void;
  /** Extra onnxruntime session options (experiments, benchmarks); merged over SESSION_OPTIONS. */
  sessionOptions?: Record<string, unknown>;
  /** Most tokens a reason may take (default 48): the model's positions must hold a prompt plus these. */
  maxNewTokens?: number;
}

/**
 * ORT session options for every backend. `session.disable_quant_qdq`: without it, ORT's CPU graph
 * optimizer (level ≥ extended, the default) fuses our weight-only DequantizeLinear→MatMul into a
 * dynamically quantized int8 MatMul whose activation scale spans the whole batch tensor, so a row's
 * output depends on the other rows of its batch (0.04 logit drift measured; batched text ≠ text alone)
 * and activations lose precision. Disabled, the model runs as exported: int8 weights, fp32 activations.
 */
export const SESSION_OPTIONS: Readonly<Record<string, unknown>> = { extra: { session: { disable_quant_qdq: '1' } } };

export interface Runtime {
  readonly backend: Backend;
  readonly backendReason: string;
  readonly modelId: string;
  /** Where the model folder was loaded from (part of cache keys). */
  readonly modelUrl: string;
  readonly dtype: DType;
  /** Longest sequence (prompt + generated) the model handles (config.max_position_embeddings). */
  readonly maxPositions: number;
  readonly eosId: number;
  readonly padId: number;
  /** facts_vocab.json's `facts` ([] when the file is missing: grounding then only knows page titles). */
  readonly factsVocab: readonly string[];
  /** facts_vocab.json's optional `titles` (item titles seen in training): a reason may not name them unless the item/history has them. */
  readonly titleVocab: readonly string[];
  /** lexicon.json (dictionary and domain words of the open-vocabulary check, src/core/dictionary.ts); null when the folder has none. */
  readonly lexicon: unknown;
  /** Where the KV cache lived after the last step, as ORT reports it ('gpu-buffer' on WebGPU); null before any. */
  readonly kvLocation: string | null;
  encode(text: string): number[];
  detokenize(ids: readonly number[]): string;
  /** The current forward step (a new one after a device loss: read it per batch). */
  readonly step: DecoderStep;
  /**
   * WebGPU only: after the device was lost, reloads the model on WASM (idempotent; the same promise).
   * A step on the lost device throws DeviceLostError; the engine awaits this and reruns the batch.
   */
  recover?(): Promise<void>;
  dispose(): Promise<void>;
}

export const inNodeJs = (): boolean =>
  typeof process !== 'undefined' && (process as { release?: { name?: string } }).release?.name === 'node';

export interface ModelLocation {
  /**
   * Folder that holds the model folder, with a trailing slash: a filesystem path (Node), a path on
   * this origin ('/models/'), or an absolute http(s) URL when `remote`.
   */
  base: string;
  /** The model folder's name (transformers.js "model id"). */
  id: string;
  /** Fetched from an http(s) URL that is not this page's/worker's origin (or any URL in Node). */
  remote: boolean;
}

// transformers.js' REPO_ID_REGEX, for a single path segment.
const MODEL_ID = /^\b[\w\-.]{1,96}\b$/;
const HTTP = /^https?:\/\//i;

/**
 * Splits a model option into (base folder, id); transformers.js then loads `base + id + '/file'`.
 * Same-origin URLs become paths: transformers.js 4.3.2 only treats a non-URL `localModelPath` as
 * local (its file-existence check skips absolute URLs). Other origins are `remote` and go through
 * `env.remoteHost` = that folder; the Hugging Face hub is never contacted either way.
 */
export function resolveModelLocation(model: string | undefined, where: { node: boolean; defaultBase: string; origin?: string }): ModelLocation {
  const raw = (model ?? '').trim() || DEFAULT_MODEL_ID;
  let full: string;
  if (!raw.includes('/') && !raw.includes('\\')) full = where.defaultBase.replace(/\/?$/, '/') + raw;
  else full = raw;
  full = full.replace(/[/\\]+$/, '');
  if (!where.node && where.origin && !HTTP.test(full)) {
    try {
      full = new URL(full, where.origin).href; // relative to the worker/page: make it absolute first
    } catch {
      // left as given; loading reports the problem
    }
  }
  const cut = Math.max(full.lastIndexOf('/'), full.lastIndexOf('\\'));
  let base = full.slice(0, cut + 1);
  const id = full.slice(cut + 1);
  if (!MODEL_ID.test(id) || id.includes('..')) {
    throw new ModelLoadError(
      `The model folder name "${id}" is not usable: name the folder with letters, digits, '-', '_' or '.' (e.g. "${DEFAULT_MODEL_ID}") and pass its URL.`,
      { file: full },
    );
  }
  let remote = false;
  if (HTTP.test(base)) {
    const url = new URL(base);
    if (!where.node && where.origin && url.origin === new URL(where.origin).origin) base = url.pathname;
    else remote = true;
  }
  return { base, id, remote };
}

export interface BackendChoice {
  backend: Backend;
  reason: string;
}

interface AdapterLike {
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

/** A software adapter (SwiftShader, a "fallback adapter") is 25-250x slower than WASM here. */
export function isSoftwareAdapter(adapter: AdapterLike): boolean {
  if (adapter.isFallbackAdapter || adapter.info?.isFallbackAdapter) return true;
  const text = `${adapter.info?.vendor ?? ''} ${adapter.info?.architecture ?? ''} ${adapter.info?.description ?? ''}`.toLowerCase();
  return /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/.test(text);
}

/**
 * Picks the backend. transformers.js reports WebGPU as supported whenever `navigator.gpu` exists, so
 * we ask for an adapter ourselves. 'auto' takes WebGPU only on a hardware adapter; on a software one
 * WASM is much faster for this small model.
 */
export async function chooseBackend(
  device: 'auto' | Backend | undefined,
  env: { node: boolean; requestAdapter?: () => Promise<AdapterLike | null> },
): Promise<BackendChoice> {
  const wanted = device ?? 'auto';
  if (env.node) {
    const note = wanted === 'auto' || wanted === 'cpu' ? '' : ` ('${wanted}' was requested; Node has neither)`;
    return { backend: 'cpu', reason: `Node.js: onnxruntime-node on the CPU${note}` };
  }
  if (wanted === 'wasm') return { backend: 'wasm', reason: "device 'wasm' requested" };
  if (wanted === 'cpu') return { backend: 'wasm', reason: "device 'cpu' requested; in a browser the CPU backend is WASM" };
  let adapter: AdapterLike | null = null;
  let why = 'navigator.gpu is missing (no WebGPU in this browser/context)';
  if (env.requestAdapter) {
    try {
      adapter = await env.requestAdapter();
      if (!adapter) why = 'navigator.gpu.requestAdapter() returned null';
    } catch (e) {
      why = `navigator.gpu.requestAdapter() failed: ${String((e as Error)?.message ?? e)}`;
    }
  }
  if (!adapter) return { backend: 'wasm', reason: `${why}; using WASM` };
  const software = isSoftwareAdapter(adapter);
  if (wanted === 'webgpu') {
    return { backend: 'webgpu', reason: software ? "device 'webgpu' requested (software adapter: expect it to be slow)" : "device 'webgpu' requested; a WebGPU adapter is available" };
  }
  if (software) return { backend: 'wasm', reason: "auto: only a software WebGPU adapter (e.g. SwiftShader), which is far slower than WASM; using WASM" };
  return { backend: 'webgpu', reason: 'auto: a hardware WebGPU adapter is available' };
}

/** Maps transformers.js progress_callback events onto our ProgressEvent. */
export function progressMapper(onProgress: ((e: ProgressEvent) => void) | undefined): ((info: Record<string, unknown>) => void) | undefined {
  if (!onProgress) return undefined;
  const safe = (e: ProgressEvent): void => {
    try {
      onProgress(e);
    } catch {
      // A throwing page callback must not break loading.
    }
  };
  return (info) => {
    const file = typeof info.file === 'string' ? info.file : undefined;
    const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    switch (info.status) {
      case 'initiate':
      case 'download':
        safe({ phase: 'download', file });
        break;
      case 'progress':
        safe({ phase: 'download', file, loaded: num(info.loaded), total: num(info.total) });
        break;
      case 'progress_total':
        safe({ phase: 'download', loaded: num(info.loaded), total: num(info.total) });
        break;
      case 'done':
        if (file?.endsWith('.onnx')) safe({ phase: 'compile', file });
        break;
      default:
        break;
    }
  };
}

type TJS = typeof import('@huggingface/transformers');
/** A tensor of either ORT (transformers.js' Tensor adds `to`, used for non-fp32 logits). */
type TTensor = OrtTensorLike & { to?(type: 'float32'): OrtTensorLike };
type TModel = Awaited<ReturnType<TJS['AutoModelForCausalLM']['from_pretrained']>>;
type TTokenizer = Awaited<ReturnType<TJS['AutoTokenizer']['from_pretrained']>>;

// Node built-ins are imported by a computed name so that browser bundles never try to include them.
const nodeImport = <T>(name: string): Promise<T> => import(/* @vite-ignore */ name) as Promise<T>;

async function defaultBase(node: boolean): Promise<string> {
  if (!node) return '/models/';
  const url = await nodeImport<typeof import('node:url')>('node:url');
  const here = import.meta.url; // via a variable: vite must not treat this as an asset reference
  return url.fileURLToPath(new URL('../../public/models/', here));
}

/**
 * The fewest prompt tokens the engine ever sends (a title-only prompt: the shipped tokenizer gives
 * 20-40 for typical titles): positions must hold this plus maxNewTokens, else every prompt is cut.
 */
export const MIN_PROMPT_TOKENS = 64;

const message = (e: unknown): string => String((e as Error)?.message ?? e);

function parseJson(files: Map<string, Uint8Array>, file: string, folder: string): unknown {
  const bytes = files.get(file);
  if (!bytes) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new ModelLoadError(`${folder}/${file} is not valid JSON: ${message(e)}`, { file: `${folder}/${file}`, cause: e });
  }
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((f): f is string => typeof f === 'string') : []);

/** The WebGPU device onnxruntime-web created for its sessions (it publishes it on its env), or null. */
async function ortDevice(env: TJS['env']): Promise<DeviceLike | null> {
  try {
    const device = await (env.backends.onnx as { webgpu?: { device?: unknown } }).webgpu?.device;
    return device && typeof (device as DeviceLike).lost === 'object' ? (device as DeviceLike) : null;
  } catch {
    return null;
  }
}

/**
 * Loads tokenizer + model from verified bytes. Throws ModelLoadError with what to check when it
 * cannot: a missing or mismatching file (named), limits that cannot work, a graph that disagrees with
 * its config, or a backend that fails.
 */
export async function loadRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const node = inNodeJs();
  const onProgress = options.onProgress;
  mark('load-start');
  onProgress?.({ phase: 'init' });
  const origin = typeof self !== 'undefined' && 'location' in self ? String(self.location.href) : undefined;
  const location = resolveModelLocation(options.model, { node, defaultBase: await defaultBase(node), origin });
  const dtype = options.dtype ?? DEFAULT_DTYPE;
  const folder = `${location.base}${location.id}`;
  const modelFile = DTYPE_FILES[dtype];

  let tjs: TJS;
  try {
    tjs = await import('@huggingface/transformers');
  } catch (e) {
    throw new ModelLoadError(`Could not load the model runtime (@huggingface/transformers): ${message(e)}`, { cause: e });
  }
  const { env } = tjs;
  mark('transformers-imported');
  installStore(env);

  // 1. Every byte checked against the manifest before anything parses it.
  const read = folderReader(folder, node);
  const manifest = await readManifest(folder, read);
  mark('manifest-read');
  for (const file of [...REQUIRED_FILES, modelFile]) {
    if (!manifest.files[file]) {
      const what = file === modelFile ? `the ONNX file of dtype '${dtype}' (${file}); pick a dtype the folder has` : `${file}; export the tokenizer and config with the model and rewrite the manifest`;
      throw new ModelLoadError(`The model folder ${folder} has no ${what}.`, { file: `${folder}/${file}` });
    }
  }
  const optional = ['generation_config.json', ...CHECK_FILES].filter((f) => manifest.files[f]);
  const cache = node ? null : await openByteCache();
  const cacheBase = !node && origin ? new URL(folder, origin).href : undefined;
  const verify = (files: readonly string[]): Promise<Map<string, Uint8Array>> => readVerified(folder, manifest, files, { read, cache, cacheBase, onProgress });
  const files = await verify([...REQUIRED_FILES, ...optional, modelFile]);
  mark('files-verified');

  // 2. Limits: the config against the manifest and against what the engine will ask.
  const config = parseJson(files, 'config.json', folder);
  const tokenizerJson = parseJson(files, 'tokenizer.json', folder);
  const limits = modelLimits(config, tokenizerJson, `${folder}/config.json`);
  const maxNewTokens = options.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
  checkLimits(limits, manifest.limits, { maxNewTokens, minPromptTokens: MIN_PROMPT_TOKENS }, folder);
  const vocab = parseJson(files, 'facts_vocab.json', folder) as { facts?: unknown; titles?: unknown } | undefined;
  const lexicon = parseJson(files, 'lexicon.json', folder) ?? null;
  for (const f of CHECK_FILES) files.delete(f);

  const gpu = !node && typeof navigator !== 'undefined' ? (navigator as Navigator & { gpu?: { requestAdapter(): Promise<AdapterLike | null> } }).gpu : undefined;
  let choice = await chooseBackend(options.device, { node, requestAdapter: gpu ? () => gpu.requestAdapter() : undefined });
  // After the backend choice: the WASM-only runtime is half the bytes of the WebGPU one.
  if (!node) await configureWasm(env, options.wasmPaths, choice.backend);
  const progress_callback = progressMapper(onProgress);

  // 3. transformers.js reads those bytes under an id of this load only (model-store.ts).
  const registered = registerLoad(location.id, files);
  let tokenizer: TTokenizer;
  try {
    try {
      tokenizer = await tjs.AutoTokenizer.from_pretrained(registered.id, { progress_callback, local_files_only: true } as never);
    } catch (e) {
      throw new ModelLoadError(`Could not build the tokenizer from ${folder}/tokenizer.json and tokenizer_config.json: ${message(e)}. Export both with the model.`, { file: `${folder}/tokenizer.json`, cause: e });
    }
  } catch (e) {
    registered.release();
    throw e;
  }
  mark('tokenizer-built');

  const guard = new StepGuard();
  const sessionOptions = { ...SESSION_OPTIONS, ...options.sessionOptions };
  /**
   * The graph against the config: a forward at the last position the config promises, whose logits
   * must be vocab_size wide. On WebGPU inside an OOM scope: allocations fail silently there.
   */
  const probe = async (step: Session['step'], gpuDevice: DeviceLike | null): Promise<void> => {
    let result: StepResult;
    try {
      result = await withOomScope(gpuDevice, () => step.run(probeFeeds(limits.maxPositions)));
    } catch (e) {
      if (e instanceof DeviceLostError) throw e;
      throw new ModelLoadError(`${folder}/${modelFile} fails at position ${limits.maxPositions - 1}, which config.json's max_position_embeddings (${limits.maxPositions}) allows: ${message(e)}`, { file: `${folder}/${modelFile}`, cause: e });
    }
    step.release(result.past);
    step.kvLocation = null;
    if (result.vocab !== limits.vocabSize) {
      throw new ModelLoadError(`${folder}/${modelFile} returns ${result.vocab} logits per token but config.json's vocab_size is ${limits.vocabSize}: the graph and its config are from different models.`, { file: `${folder}/${modelFile}` });
    }
  };
  const createSession = async (id: string, device: Backend): Promise<Session & { model: TModel }> => {
    mark('session-start');
    const model = await tjs.AutoModelForCausalLM.from_pretrained(id, {
      device: device === 'cpu' ? 'cpu' : device,
      dtype,
      progress_callback,
      local_files_only: true,
      session_options: sessionOptions,
    } as never);
    mark('session-created');
    const gpuDevice = device === 'webgpu' ? await ortDevice(env) : null;
    const session = (model as unknown as { sessions: Record<string, { inputNames: string[] }> }).sessions.model;
    const forward = (feeds: Record<string, unknown>) => model.forward(feeds) as Promise<Record<string, OrtTensorLike>>;
    const step = createStep(tjs.Tensor as unknown as TensorCtor, forward, session?.inputNames.includes('num_logits_to_keep') ?? false, guard, device === 'webgpu');
    try {
      await probe(step, gpuDevice);
    } catch (e) {
      await model.dispose().catch(() => undefined);
      throw e;
    }
    // On WebGPU the cache stays on the GPU: no CPU-side expand/compact (they would copy it back).
    if (device === 'webgpu') {
      delete (step as Partial<DecoderStep>).expand;
      delete (step as Partial<DecoderStep>).compact;
    }
    return { model, step, device: gpuDevice, dispose: async () => void (await model.dispose()) };
  };

  let current: Session & { model?: TModel };
  try {
    try {
      current = await createSession(registered.id, choice.backend);
    } catch (e) {
      if (choice.backend !== 'webgpu') {
        throw e instanceof ModelLoadError ? e : new ModelLoadError(`Could not load ${folder}/${modelFile} (dtype '${dtype}') on ${choice.backend}: ${message(e)}`, { file: `${folder}/${modelFile}`, cause: e });
      }
      // WebGPU session creation can fail (or run out of memory) on some adapters/drivers: WASM still works.
      try {
        current = await createSession(registered.id, 'wasm');
        choice = { backend: 'wasm', reason: `${choice.reason}, but creating the WebGPU session failed (${message(e)}); using WASM` };
      } catch (e2) {
        throw e2 instanceof ModelLoadError ? e2 : new ModelLoadError(`Could not load ${folder}/${modelFile} (dtype '${dtype}'): ${message(e2)}`, { file: `${folder}/${modelFile}`, cause: e2 });
      }
    }
  } finally {
    registered.release(); // the sessions hold the weights now; no second copy stays in memory
    files.clear();
  }

  const genConfig = (((current.model ?? {}) as unknown as { generation_config?: Record<string, unknown> }).generation_config ?? {}) as Record<string, unknown>;
  const cfg = config as Record<string, unknown>;
  const firstId = (v: unknown, fallback: number): number => (Array.isArray(v) ? firstId(v[0], fallback) : typeof v === 'number' ? v : fallback);
  const eosId = firstId(genConfig.eos_token_id ?? cfg.eos_token_id, 1);
  const padId = firstId(genConfig.pad_token_id ?? cfg.pad_token_id, 0);
  mark('ready');
  onProgress?.({ phase: 'ready' });

  // WebGPU device loss: fail the running step, reload on WASM (re-verified bytes), let the engine rerun.
  let recovering: Promise<void> | null = null;
  let untrack = (): void => undefined;
  const recover = (): Promise<void> => {
    recovering ??= (async () => {
      const lost = current;
      // Releasing a session under a running forward corrupts onnxruntime's heap: wait for it first.
      if (await guard.settle(LOST_FORWARD_MS)) await lost.dispose().catch(() => undefined); // its buffers died with the device
      untrack();
      // A second, WASM-only onnxruntime (wasm-fallback.ts): the WebGPU one cannot run anything now.
      const bytes = (await verify([modelFile])).get(modelFile) as Uint8Array;
      const raw = await createWasmSession(bytes, config as Record<string, unknown>, await ortFiles(options.wasmPaths, false), sessionOptions);
      const step = createStep(raw.Tensor, (feeds) => raw.forward(feeds), raw.inputNames.includes('num_logits_to_keep'), guard, false);
      try {
        await probe(step, null);
      } catch (e) {
        await raw.dispose().catch(() => undefined);
        throw e;
      }
      current = { step, device: null, dispose: () => raw.dispose() };
      choice = { backend: 'wasm', reason: `${choice.reason}; then ${guard.lostWhy ?? 'the WebGPU device was lost'}; switched to WASM` };
    })();
    return recovering;
  };
  const watch = (device: DeviceLike | null): void => {
    if (!device) return;
    untrack = trackDevice(device);
    void watchDevice(device, () => guard.closed).then((why) => {
      if (!why || guard.closed) return;
      guard.lose(why);
      recover().catch(() => undefined); // a failed reload shows as model errors on the next batches
    });
  };
  watch(current.device);

  return {
    get backend() {
      return choice.backend;
    },
    get backendReason() {
      return choice.reason;
    },
    modelId: location.id,
    modelUrl: folder,
    dtype,
    maxPositions: limits.maxPositions,
    eosId,
    padId,
    factsVocab: strings(vocab?.facts),
    titleVocab: strings(vocab?.titles),
    lexicon,
    get kvLocation() {
      return current.step.kvLocation;
    },
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }),
    detokenize: (ids) => tokenizer.decode(ids as number[], { skip_special_tokens: true }),
    get step() {
      return current.step;
    },
    ...(current.device ? { recover } : {}),
    async dispose() {
      if (guard.closed) return;
      await guard.close(); // waits for a forward in flight: a session is never disposed under a run
      untrack();
      await recovering?.catch(() => undefined);
      // After a device loss onnxruntime may refuse to release a session it already dropped: nothing to free then.
      await current.dispose().catch(() => undefined);
    },
  };
}

interface Session {
  step: DecoderStep & { kvLocation: string | null };
  device: DeviceLike | null;
  dispose(): Promise<void>;
}

/** One token at the last position the config allows, no past. */
function probeFeeds(maxPositions: number): Parameters<DecoderStep['run']>[0] {
  return {
    inputIds: BigInt64Array.from([0n]),
    attentionMask: BigInt64Array.from([1n]),
    positionIds: BigInt64Array.from([BigInt(maxPositions - 1)]),
    rows: 1,
    width: 1,
    maskWidth: 1,
    past: null,
  };
}

/** How long a failed GPU forward waits for `device.lost` to say whether the device is gone. */
const LOSS_REPORT_MS = 1000;
/** How long recovery waits for a forward on the lost device to end before leaving that session undisposed. */
const LOST_FORWARD_MS = 5000;

/**
 * Orders steps against dispose and device loss. After dispose() no forward starts (transformers.js
 * would log "Session already disposed" with every input tensor), and dispose waits for the one in
 * flight. After a device loss every step fails with DeviceLostError until the WASM session is ready.
 */
class StepGuard {
  closed = false;
  lostWhy: string | null = null;
  /** The forwards ORT is running (the raw ones: a step that gave up on a lost device may leave one behind). */
  private readonly forwards = new Set<Promise<unknown>>();
  private readonly onLose = new Set<(why: string) => void>();

  lose(why: string): void {
    this.lostWhy = why;
    for (const listener of [...this.onLose]) listener(why);
  }

  /** The loss, as soon as it is known; null after `ms` without one. */
  private lossWithin(ms: number): { promise: Promise<string | null>; cancel(): void } {
    if (this.lostWhy) return { promise: Promise.resolve(this.lostWhy), cancel: () => undefined };
    let timer: ReturnType<typeof setTimeout> | undefined;
    let listener: (why: string | null) => void = () => undefined;
    const promise = new Promise<string | null>((resolve) => {
      listener = (why) => {
        clearTimeout(timer);
        this.onLose.delete(listener);
        resolve(why);
      };
      this.onLose.add(listener);
      if (Number.isFinite(ms)) timer = setTimeout(() => listener(null), ms);
    });
    return { promise, cancel: () => listener(null) };
  }

  /** Waits until ORT runs no forward, at most `ms`; true when it is idle. */
  async settle(ms: number): Promise<boolean> {
    const end = performance.now() + ms;
    while (this.forwards.size > 0) {
      const left = end - performance.now();
      if (left <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([Promise.allSettled([...this.forwards]), new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
      clearTimeout(timer);
    }
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.settle(10_000);
  }

  /** Runs one forward; `onGpu`: the session is on the WebGPU device, which may be lost under it. */
  async run<T>(forward: () => Promise<T>, onGpu: boolean): Promise<T> {
    if (this.closed) throw new DisposedError('The model was disposed.');
    if (onGpu && this.lostWhy) throw new DeviceLostError(this.lostWhy);
    const work = forward();
    this.forwards.add(work);
    const untrack = (): void => void this.forwards.delete(work);
    work.then(untrack, untrack);
    if (!onGpu) return work;
    // A forward on a lost device may fail (before or after the loss is reported) or never settle.
    const loss = this.lossWithin(Number.POSITIVE_INFINITY);
    try {
      return await Promise.race([
        work,
        loss.promise.then((why) => {
          throw new DeviceLostError(why ?? 'the WebGPU device was lost');
        }),
      ]);
    } catch (e) {
      if (e instanceof DeviceLostError) throw e;
      const late = this.lossWithin(LOSS_REPORT_MS);
      const why = await late.promise;
      throw why ? new DeviceLostError(why, { cause: e }) : e;
    } finally {
      loss.cancel();
    }
  }
}

/**
 * Points onnxruntime-web at our own served .wasm/.mjs (never the CDN transformers.js defaults to),
 * choosing the build by backend: the WASM-only one (14 MB) unless WebGPU was chosen, which needs the
 * asyncify one (27 MB; it also runs the WASM EP, so the WebGPU→WASM fallback below still works).
 * ORT initialises once per thread, so this choice holds for the worker's life.
 */
async function configureWasm(env: TJS['env'], wasmPaths: string | undefined, backend: Backend): Promise<void> {
  const wasm = env.backends.onnx.wasm;
  if (!wasm) return;
  // ORT then compiles its .wasm with WebAssembly.instantiateStreaming(fetch(url)): from the HTTP cache on
  // a later visit, where V8 reuses the compiled code it cached. transformers.js' default instead reads
  // the file into an ArrayBuffer (its Cache Storage) and hands it over as `wasmBinary`, which V8
  // compiles from scratch on every visit.
  env.useWasmCache = false;
  const webgpu = backend === 'webgpu';
  if (wasmPaths) {
    // A folder holding onnxruntime-web's dist files under their published names.
    const base = wasmPaths.replace(/\/?$/, '/');
    const name = webgpu ? 'ort-wasm-simd-threaded.asyncify' : 'ort-wasm-simd-threaded';
    wasm.wasmPaths = { wasm: `${base}${name}.wasm`, mjs: `${base}${name}.mjs` };
    return;
  }
  const urls = await import('./ort-wasm-urls.ts');
  wasm.wasmPaths = { ...(webgpu ? urls.ORT_WEBGPU : urls.ORT_WASM_ONLY) };
}

/** The WASM-only onnxruntime files (the fallback session after a device loss), from `wasmPaths` or our build. */
async function ortFiles(wasmPaths: string | undefined, webgpu: boolean): Promise<{ wasm: string; mjs: string }> {
  const name = webgpu ? 'ort-wasm-simd-threaded.asyncify' : 'ort-wasm-simd-threaded';
  if (wasmPaths) return { wasm: `${wasmPaths.replace(/\/?$/, '/')}${name}.wasm`, mjs: `${wasmPaths.replace(/\/?$/, '/')}${name}.mjs` };
  const urls = await import('./ort-wasm-urls.ts');
  return { ...(webgpu ? urls.ORT_WEBGPU : urls.ORT_WASM_ONLY) };
}

type PastRecord = Record<string, TTensor>;

/** Forwards of a session that get performance marks (trace.ts). */
const TRACED_FORWARDS = 6;

/**
 * The decode loop's step over a model forward: transformers.js' model.forward, or the WASM-only
 * session after a device loss (same feed and output names, same tensor surface).
 */
function createStep(
  Tensor: TensorCtor,
  run: (feeds: Record<string, unknown>) => Promise<Record<string, OrtTensorLike>>,
  keepLogits: boolean,
  guard: StepGuard,
  onGpu: boolean,
): DecoderStep & { kvLocation: string | null } {
  const asPast = (kv: KvCache): PastRecord => kv as unknown as PastRecord;
  const forward = async ({ inputIds, attentionMask, positionIds, rows, width, maskWidth, past }: Parameters<DecoderStep['run']>[0]): Promise<StepResult> => {
      const feeds: Record<string, unknown> = {
        input_ids: new Tensor('int64', inputIds, [rows, width]),
        attention_mask: new Tensor('int64', attentionMask, [rows, maskWidth]),
        position_ids: new Tensor('int64', positionIds, [rows, width]),
      };
      if (past) feeds.past_key_values = asPast(past);
      if (keepLogits) feeds.num_logits_to_keep = new Tensor('int64', BigInt64Array.from([1n]), []);
      const out = (await run(feeds)) as unknown as Record<string, TTensor>;
      const raw = out.logits;
      if (!raw) throw new Error('The model returned no logits.');
      const logits = raw.type === 'float32' || !raw.to ? raw : raw.to('float32');
      const [b, t, v] = logits.dims as [number, number, number];
      const data = logits.data as Float32Array;
      // Only the last position of each row matters (left padding puts every row's last token there).
      const last = new Float32Array(b * v);
      for (let r = 0; r < b; r++) last.set(data.subarray((r * t + t - 1) * v, (r * t + t) * v), r * v);
      const next: PastRecord = {};
      for (const [name, tensor] of Object.entries(out)) {
        if (name.startsWith('present')) {
          next[name.replace('present', 'past_key_values')] = tensor;
          step.kvLocation = tensor.location ?? null;
        } else if (tensor.location === 'gpu-buffer') {
          tensor.dispose();
        }
      }
      return { logits: last, vocab: v, past: next as unknown as KvCache };
  };
  let forwards = 0; // the first few forwards are marked (0 is the load's probe, then the first batch's prefill and decode steps)
  const step: DecoderStep & { kvLocation: string | null } = {
    kvLocation: null,
    run: (feeds) => {
      const n = forwards++;
      if (n >= TRACED_FORWARDS) return guard.run(() => forward(feeds), onGpu);
      const name = `forward-${n}-${feeds.rows}x${feeds.width}`;
      mark(`${name}:start`);
      return guard.run(() => forward(feeds), onGpu).finally(() => mark(`${name}:end`));
    },
    expand(past, rows) {
      const out: PastRecord = {};
      for (const [name, tensor] of Object.entries(asPast(past))) {
        if (tensor.location !== 'cpu' || tensor.dims[0] !== 1) return null;
        const data = tensor.data as Float32Array;
        const Ctor = data.constructor as new (n: number) => Float32Array;
        const wide = new Ctor(data.length * rows);
        for (let r = 0; r < rows; r++) wide.set(data, r * data.length);
        out[name] = new Tensor(tensor.type as 'float32', wide, [rows, ...(tensor.dims as number[]).slice(1)]);
      }
      return out as unknown as KvCache;
    },
    compact(past, keep) {
      const record = asPast(past);
      const out: PastRecord = {};
      for (const [name, tensor] of Object.entries(record)) {
        if (tensor.location !== 'cpu') return null;
        const [b, ...rest] = tensor.dims as number[];
        const rowSize = rest.reduce((a, x) => a * x, 1);
        const data = tensor.data as Float32Array;
        const Ctor = data.constructor as new (n: number) => Float32Array;
        const kept = new Ctor(keep.length * rowSize);
        keep.forEach((row, i) => kept.set(data.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize));
        void b;
        out[name] = new Tensor(tensor.type as 'float32', kept, [keep.length, ...rest]);
      }
      return out as unknown as KvCache;
    },
    release(past) {
      for (const tensor of Object.values(asPast(past))) if (tensor.location === 'gpu-buffer') tensor.dispose();
    },
  };
  return step;
}
