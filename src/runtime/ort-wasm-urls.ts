// The onnxruntime-web files, emitted by vite as assets of our own build and served from our own
// origin (transformers.js would otherwise fetch them from a CDN). Browser-only: runtime.ts imports this
// module dynamically, so Node never resolves the `?url` imports. Both builds are emitted; a visitor
// fetches one pair (runtime.ts configureWasm picks by backend):
// - WASM_ONLY: ort-wasm-simd-threaded (no asyncify, no WebGPU), 14 MB raw — every visitor without a
//   hardware WebGPU adapter. transformers.js' ORT JS (`onnxruntime-web/webgpu`) loads it when
//   `wasmPaths` names it: the WebGPU/JSEP hooks it would call are optional (`?.`) on the WASM EP.
// - WEBGPU: ort-wasm-simd-threaded.asyncify, 27 MB raw — what `onnxruntime-web/webgpu` needs for its
//   WebGPU EP (it also runs the WASM EP, for the WebGPU→WASM fallback in loadRuntime).
import WASM_ONLY_WASM from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import WASM_ONLY_MJS from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import WEBGPU_WASM from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import WEBGPU_MJS from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';

export interface OrtFiles {
  wasm: string;
  mjs: string;
}

export const ORT_WASM_ONLY: OrtFiles = { wasm: WASM_ONLY_WASM, mjs: WASM_ONLY_MJS };
export const ORT_WEBGPU: OrtFiles = { wasm: WEBGPU_WASM, mjs: WEBGPU_MJS };
