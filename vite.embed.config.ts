// `npm run build`: the drop-in embed. Emits dist/because-embed.js (ES module) with its worker and
// onnxruntime-web's .wasm/.mjs beside it, all as `because-*` files in dist/. Every internal URL is
// relative to the file that uses it (base './'), so the folder can be served from any path or
// origin (a CDN): the worker and runtime files resolve against the script, not the page.
// Not library mode: that would inline the 20+ MB .wasm as base64. The model is not bundled; it is
// loaded from data-model (default ./models/because-reason-v1 beside the script).
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const OUT = 'dist';
const names = {
  entryFileNames: 'because-embed.js',
  chunkFileNames: 'because-[name]-[hash].js',
  assetFileNames: 'because-[name]-[hash][extname]',
};

/** Removes the previous embed build's files only (dist/ also holds the demo build). */
function cleanEmbedFiles(): Plugin {
  return {
    name: 'because:clean-embed-files',
    apply: 'build',
    buildStart() {
      let files: string[] = [];
      try {
        files = readdirSync(OUT);
      } catch {
        return;
      }
      for (const file of files) if (file.startsWith('because-')) rmSync(join(OUT, file), { force: true });
    },
  };
}

export default defineConfig({
  base: './',
  publicDir: false,
  plugins: [cleanEmbedFiles()],
  worker: { format: 'es', rolldownOptions: { output: { ...names, entryFileNames: 'because-[name]-[hash].js' } } },
  build: {
    outDir: OUT,
    emptyOutDir: false,
    target: 'es2022',
    modulePreload: false,
    // The .wasm must stay a file (fetched and compiled streaming); small assets may inline.
    assetsInlineLimit: 0,
    copyPublicDir: false,
    sourcemap: false,
    rolldownOptions: {
      input: { 'because-embed': 'src/embed/index.ts' },
      preserveEntrySignatures: 'exports-only',
      output: { format: 'es', ...names },
    },
  },
});
