// The onnxruntime-web files, emitted by vite as assets of our own build and served from our own
// origin (transformers.js would otherwise fetch them from a CDN). Browser-only: runtime.ts imports this
// module dynamically, so Node never resolves the `?url` imports. transformers.js' web build imports
// `onnxruntime-web/webgpu`, whose WASM and WebGPU paths both use the asyncify build.
import ORT_WASM_URL from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ORT_MJS_URL from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';

export { ORT_WASM_URL, ORT_MJS_URL };
