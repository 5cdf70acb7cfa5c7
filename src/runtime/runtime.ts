// Model runtime: loads the tokenizer and the ONNX model with @huggingface/transformers, picks the
// backend (WebGPU only with a real adapter, else WASM; onnxruntime-node CPU in Node), and exposes one
// forward step to the decode loop (generate.ts). Runs in the worker, or in-thread in Node/tests.
// Every model byte is checked against the folder's manifest first (model-files.ts) and reaches
// transformers.js under an id of its own load (model-store.ts): no process-global model path. A lost
// WebGPU device is replaced by a WASM session (device-loss.ts).
// transformers.js is imported dynamically so that nothing on the page side pulls it in by accident.
import type { Backend, DType, ProgressEvent } from '../types.ts';
import type { DecoderStep, StepResult } from '../generation/generate.ts';
import { ModelLoadError } from '../errors.ts';
import { DeviceLostError, trackDevice, watchDevice, withOomScope } from './device-loss.ts';
import type { DeviceLike } from './device-loss.ts';
import { checkLimits, modelLimits, REQUIRED_FILES, type ModelManifest } from './manifest.ts';
import { sha256Hex } from './sha256.ts';
import { folderReader, openByteCache, readManifest, readVerified } from './model-files.ts';
import { installStore, registerLoad } from './model-store.ts';
import { mark } from '../trace.ts';
import { createWasmSession } from './wasm-fallback.ts';
import type { OrtTensorLike, TensorCtor } from './wasm-fallback.ts';

import { DEFAULT_DTYPE, DEFAULT_MAX_NEW_TOKENS, DEFAULT_MODEL_ID, DTYPE_FILES } from '../defaults.ts';
import { chooseBackend, configureWasm, ortFiles, type AdapterLike } from './backend.ts';
import { createStep, LOST_FORWARD_MS, probeFeeds, StepGuard, type Session } from './kv-step.ts';
import { defaultBase, inNodeJs, resolveModelLocation } from './location.ts';
import { progressMapper } from './progress.ts';

// The runtime stage's entry: loading lives here; location, backend, progress and the KV step in their files.
export { chooseBackend, isSoftwareAdapter, type BackendChoice } from './backend.ts';
export { inNodeJs, resolveModelLocation, type ModelLocation } from './location.ts';
export { progressMapper } from './progress.ts';

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
  /**
   * Called once the tokenizer is built, before the onnxruntime session exists (that takes most of a
   * warm load): with it the engine plans prompts and answers cached reasons early. A throw is ignored.
   */
  onTokenizer?: (tokenizer: RuntimeTokenizer) => void;
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
  /**
   * Digest of the files the folder's manifest lists (part of cache keys: new weights, tokenizer or
   * lexicon under the same URL never answer with reasons of the old ones). Absent: no manifest (fakes).
   */
  readonly modelVersion?: string;
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

/** What a load knows once its tokenizer is built, before its session: enough to plan prompts and key the reason cache. */
export type RuntimeTokenizer = Pick<Runtime, 'modelId' | 'modelUrl' | 'modelVersion' | 'dtype' | 'maxPositions' | 'factsVocab' | 'titleVocab' | 'lexicon' | 'encode' | 'detokenize'>;

/** The manifest's files and digests, hashed: what makes two loads of one URL the same model. */
export async function manifestVersion(manifest: ModelManifest): Promise<string> {
  const list = Object.keys(manifest.files).sort().map((f) => `${f}:${manifest.files[f]?.sha256 ?? ''}`).join('\n');
  return (await sha256Hex(new TextEncoder().encode(list))).slice(0, 16);
}

type TJS = typeof import('@huggingface/transformers');
type TModel = Awaited<ReturnType<TJS['AutoModelForCausalLM']['from_pretrained']>>;
type TTokenizer = Awaited<ReturnType<TJS['AutoTokenizer']['from_pretrained']>>;

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

  // transformers.js' import (the largest script of the load), the manifest's revalidation and the
  // verification of the small files run at once; then the tokenizer, while the session is created.
  const imported = import('@huggingface/transformers').then(
    (m) => {
      mark('transformers-imported');
      return m;
    },
    (e: unknown) => {
      throw new ModelLoadError(`Could not load the model runtime (@huggingface/transformers): ${message(e)}`, { cause: e });
    },
  );
  imported.catch(() => undefined); // awaited below

  // 1. Every byte checked against the manifest before anything parses it.
  const read = folderReader(folder, node);
  const byteCache = node ? Promise.resolve(null) : openByteCache();
  const cacheBase = !node && origin ? new URL(folder, origin).href : undefined;
  const checked = (async () => {
    const manifest = await readManifest(folder, read);
    mark('manifest-read');
    for (const file of [...REQUIRED_FILES, modelFile]) {
      if (!manifest.files[file]) {
        const what = file === modelFile ? `the ONNX file of dtype '${dtype}' (${file}); pick a dtype the folder has` : `${file}; export the tokenizer and config with the model and rewrite the manifest`;
        throw new ModelLoadError(`The model folder ${folder} has no ${what}.`, { file: `${folder}/${file}` });
      }
    }
    const optional = ['generation_config.json', ...CHECK_FILES].filter((f) => manifest.files[f]);
    const cache = await byteCache;
    const verify = (files: readonly string[]): Promise<Map<string, Uint8Array>> => readVerified(folder, manifest, files, { read, cache, cacheBase, onProgress });
    // The ONNX file (its SHA-256 is most of the verification) is checked beside the small files.
    const onnx = verify([modelFile]);
    onnx.catch(() => undefined); // awaited below
    const files = await verify([...REQUIRED_FILES, ...optional]);
    mark('config-verified');
    return { manifest, verify, files, onnx, version: await manifestVersion(manifest) };
  })();
  checked.catch(() => undefined); // awaited below
  const tjs: TJS = await imported;
  const { env } = tjs;
  installStore(env);
  const { manifest, verify, files, onnx, version } = await checked;

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
  /** The session of the chosen backend; WebGPU session creation can fail (or run out of memory) on some adapters/drivers: WASM still works. */
  const openSession = async (id: string): Promise<Session & { model?: TModel }> => {
    try {
      return await createSession(id, choice.backend);
    } catch (e) {
      if (choice.backend !== 'webgpu') {
        throw e instanceof ModelLoadError ? e : new ModelLoadError(`Could not load ${folder}/${modelFile} (dtype '${dtype}') on ${choice.backend}: ${message(e)}`, { file: `${folder}/${modelFile}`, cause: e });
      }
      try {
        const session = await createSession(id, 'wasm');
        choice = { backend: 'wasm', reason: `${choice.reason}, but creating the WebGPU session failed (${message(e)}); using WASM` };
        return session;
      } catch (e2) {
        throw e2 instanceof ModelLoadError ? e2 : new ModelLoadError(`Could not load ${folder}/${modelFile} (dtype '${dtype}'): ${message(e2)}`, { file: `${folder}/${modelFile}`, cause: e2 });
      }
    }
  };

  // 3. transformers.js reads those bytes under an id of this load only (model-store.ts). The session
  // starts as soon as the ONNX bytes are verified; the tokenizer is built meanwhile.
  const registered = registerLoad(location.id, files);
  const opened = onnx.then((bytes) => {
    files.set(modelFile, bytes.get(modelFile) as Uint8Array);
    mark('files-verified');
    return openSession(registered.id);
  });
  opened.catch(() => undefined); // awaited below
  let current: Session & { model?: TModel };
  let tokenizer: TTokenizer;
  let early: RuntimeTokenizer;
  try {
    try {
      tokenizer = await tjs.AutoTokenizer.from_pretrained(registered.id, { progress_callback, local_files_only: true } as never);
    } catch (e) {
      // No reason can be encoded: the session is not needed (freed once it exists).
      void opened.then((s) => s.dispose(), () => undefined).catch(() => undefined);
      throw new ModelLoadError(`Could not build the tokenizer from ${folder}/tokenizer.json and tokenizer_config.json: ${message(e)}. Export both with the model.`, { file: `${folder}/tokenizer.json`, cause: e });
    }
    mark('tokenizer-built');
    early = {
      modelId: location.id,
      modelUrl: folder,
      modelVersion: version,
      dtype,
      maxPositions: limits.maxPositions,
      factsVocab: strings(vocab?.facts),
      titleVocab: strings(vocab?.titles),
      lexicon,
      encode: (text) => tokenizer.encode(text, { add_special_tokens: false }),
      detokenize: (ids) => tokenizer.decode(ids as number[], { skip_special_tokens: true }),
    };
    try {
      options.onTokenizer?.(early);
    } catch {
      // the caller's callback must not break loading
    }
    current = await opened;
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
    ...early, // the same tokenizer functions the engine planned with before the session existed
    eosId,
    padId,
    get kvLocation() {
      return current.step.kvLocation;
    },
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

