// Which backend runs the model (WebGPU only with a real adapter, else WASM; CPU in Node), and which
// onnxruntime-web build and files go with it.
import type { Backend } from '../types.ts';

type TJS = typeof import('@huggingface/transformers');

export interface BackendChoice {
  backend: Backend;
  reason: string;
}

export interface AdapterLike {
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

/**
 * Points onnxruntime-web at our own served .wasm/.mjs (never the CDN transformers.js defaults to),
 * choosing the build by backend: the WASM-only one (14 MB) unless WebGPU was chosen, which needs the
 * asyncify one (27 MB; it also runs the WASM EP, so the WebGPU→WASM fallback below still works).
 * ORT initialises once per thread, so this choice holds for the worker's life.
 */
export async function configureWasm(env: TJS['env'], wasmPaths: string | undefined, backend: Backend): Promise<void> {
  const wasm = env.backends.onnx.wasm;
  if (!wasm) return;
  // ORT then compiles its .wasm with WebAssembly.instantiateStreaming(fetch(url)): from the HTTP cache on
  // a later visit, where V8 reuses the compiled code it cached. transformers.js' default instead reads
  // the file into an ArrayBuffer (its Cache Storage) and hands it over as `wasmBinary`, which V8
  // compiles from scratch on every visit.
  env.useWasmCache = false;
  wasm.wasmPaths = await ortFiles(wasmPaths, backend === 'webgpu');
}

/**
 * The onnxruntime-web build's .wasm/.mjs for a backend, from `wasmPaths` (a folder holding ORT's dist
 * files under their published names) or our build (also the WASM-only pair after a device loss).
 */
export async function ortFiles(wasmPaths: string | undefined, webgpu: boolean): Promise<{ wasm: string; mjs: string }> {
  const name = webgpu ? 'ort-wasm-simd-threaded.asyncify' : 'ort-wasm-simd-threaded';
  if (wasmPaths) {
    const base = wasmPaths.replace(/\/?$/, '/');
    return { wasm: `${base}${name}.wasm`, mjs: `${base}${name}.mjs` };
  }
  const urls = await import('./ort-wasm-urls.ts');
  return { ...(webgpu ? urls.ORT_WEBGPU : urls.ORT_WASM_ONLY) };
}
