// The demo storefront (`npm start`). Everything the page needs comes from this origin: the page and
// worker bundles, onnxruntime-web's .wasm/.mjs (src/runtime/ort-wasm-urls.ts imports them with `?url`, so
// vite serves them in dev and emits them in a build) and the model at /models/ (public/).
import { defineConfig } from 'vite';

/**
 * Cross-origin isolation lets onnxruntime-web run WASM with threads (SharedArrayBuffer). Every
 * resource is same-origin, so `require-corp` blocks nothing of ours.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // 'mpa': a missing file is a 404, not index.html (an absent model file must fail loudly).
  appType: 'mpa',
  server: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
  preview: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  // Pre-bundling would rewrite onnxruntime-web's import.meta.url lookups; load them as published.
  optimizeDeps: { exclude: ['onnxruntime-web', '@huggingface/transformers'] },
  build: {
    outDir: 'dist/demo',
    target: 'es2022',
    // The storefront only (the bench builds its own page: scripts/bench/browser.ts).
    rolldownOptions: { input: { main: 'index.html' } },
  },
});
