// Browser arm of the benchmark (driven by scripts/bench.ts in headless chromium, device 'wasm').
// ?arm=baseline: plain transformers.js pipeline('text-generation'), one call per item.
// ?arm=engine:   our engine (createExplainer, in its Web Worker), all items requested at once.
// ?arm=control:  the baseline with the engine's onnxruntime session options (src/runtime/runtime.ts).
// ?phase=load:   only time the model load (the second visit: files come from the browser cache).
// The result lands in window.benchResult (or window.benchError).
import { createExplainer } from '../../src/index.ts';
import { baselineReason, benchSet, sequentialPage, streamPage, type ArmResult } from './items.ts';
import { parseCatalog } from '../../src/demo/catalog.ts';
import { DEFAULT_MODEL_ID } from '../../src/defaults.ts';

const params = new URL(location.href).searchParams;
// ?model=ID: a folder of public/models/ for both arms (scripts/bench.ts --model).
const MODEL_ID = params.get('model') || DEFAULT_MODEL_ID;
const armParam = params.get('arm');
const arm = armParam === 'engine' || armParam === 'control' ? armParam : 'baseline';
const maxNewTokens = Number(params.get('tokens') ?? 64);
const loadOnly = params.get('phase') === 'load';
const ms = (t0: number): number => performance.now() - t0;

type Partial_ = Partial<ArmResult> & { load_ms: number; load_phases_ms?: Record<string, number> };

async function baseline(): Promise<Partial_> {
  // Load time counts the library import too, as the engine's does (its worker imports transformers.js).
  let t0 = performance.now();
  const tjs = await import('@huggingface/transformers');
  const { ORT_WASM_ONLY } = await import('../../src/runtime/ort-wasm-urls.ts');
  tjs.env.allowLocalModels = true;
  tjs.env.allowRemoteModels = false;
  tjs.env.localModelPath = '/models/';
  const wasm = tjs.env.backends.onnx.wasm;
  if (wasm) wasm.wasmPaths = { ...ORT_WASM_ONLY }; // the same runtime the engine picks for 'wasm'
  const session_options = arm === 'control' ? (await import('../../src/runtime/runtime.ts')).SESSION_OPTIONS : undefined;
  const generator = await tjs.pipeline('text-generation', MODEL_ID, { dtype: 'q8', device: 'wasm', ...(session_options ? { session_options } : {}) } as never);
  const load = ms(t0);
  if (loadOnly) return { load_ms: load, backend: 'wasm' };
  const set = await workload();
  const page = await sequentialPage(set, (item, context) => baselineReason(generator, item, context, maxNewTokens));
  await generator.dispose();
  return { load_ms: load, backend: 'wasm', ...page };
}

async function engine(): Promise<Partial_> {
  let t0 = performance.now();
  // When each load phase was first reported (ms after createExplainer): where load time goes.
  const phases: Record<string, number> = {};
  const explainer = createExplainer({
    model: MODEL_ID,
    device: 'wasm',
    maxNewTokens,
    persistentCache: false,
    onProgress: (e) => {
      const t = Math.round(ms(t0));
      phases[e.phase] ??= t;
      // The ONNX file read and verified (cache or network + SHA-256): splits "download" from what follows.
      if (e.phase === 'download' && e.file?.endsWith('.onnx') && e.total !== undefined && e.loaded === e.total) phases.onnx_verified ??= t;
    },
  });
  const info = await explainer.info();
  const load = ms(t0);
  if (!info.modelLoaded) throw new Error(`the model did not load: ${info.backendReason}`);
  if (loadOnly) return { load_ms: load, backend: info.backend, load_phases_ms: phases };
  const set = await workload();
  await explainer.explain(set.warmup, set.context);
  const page = await streamPage(explainer, set);
  await explainer.dispose();
  return { load_ms: load, load_phases_ms: phases, backend: info.backend, ...page };
}

async function workload() {
  const response = await fetch('/demo/catalog.json');
  return benchSet(parseCatalog(await response.json()));
}

const out = document.querySelector('#out');
(arm === 'engine' ? engine() : baseline()).then(
  (result) => {
    Object.assign(window, { benchResult: { arm, ...result } });
    if (out) out.textContent = JSON.stringify(result);
  },
  (error: unknown) => {
    const message = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
    Object.assign(window, { benchError: message });
    if (out) out.textContent = message;
  },
);
