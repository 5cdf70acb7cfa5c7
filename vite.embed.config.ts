// The embed build (`npm run build`, first step): ONE folder, dist/embed/, that a store serves as is:
//   because-embed.js                      the script tag's file (fixed name: short cache)
//   because-*-<hash>.{js,mjs,wasm}        worker, transformers.js, engine chunks, both onnxruntime-web
//                                         builds (WASM-only and WebGPU; a visitor fetches one)
//   models/<DEFAULT_MODEL_ID>/            the default model, default dtype (BECAUSE_DTYPES=q8,q4|all for more)
//   *.br, *.gz                            precompressed copies of everything (BECAUSE_PRECOMPRESS=0 skips;
//                                         =fast: brotli quality 4, for tests that need the encodings, not the bytes)
// Hashed files and the model folder (its id is its version) can be cached as immutable. Every internal
// URL is relative to the file that uses it (base './'), so the folder can be served from any path or
// origin (a CDN): the worker and runtime files resolve against the script, not the page. Not library
// mode: that would inline the .wasm as base64. dist/embed-report.json lists the bytes per backend.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, runnerImport, type Logger, type Plugin } from 'vite';
import { precompressFolder } from './scripts/build/precompress.ts';
import { embedReport, formatReport } from './scripts/build/report.ts';

type ModelFiles = typeof import('./scripts/build/model-files.ts');

export const EMBED_OUT = 'dist/embed';
const REPORT = 'dist/embed-report.json';
const names = {
  entryFileNames: 'because-embed.js',
  chunkFileNames: 'because-[name]-[hash].js',
  assetFileNames: 'because-[name]-[hash][extname]',
};

/** After the bundle: the default model beside it, precompressed copies, the size report. */
function shipFolder(root: string): Plugin {
  let logger: Logger | null = null;
  return {
    name: 'because:ship-folder',
    apply: 'build',
    configResolved(config) {
      logger = config.logger; // respects --logLevel (the bench and tests build quietly; stdout stays theirs)
    },
    buildStart() {
      // The embed used to be written into dist/ itself; those files are stale now.
      rmSync(join(root, 'dist/because-embed.js'), { force: true });
    },
    async closeBundle() {
      // Through vite's module runner, not the config bundle: runtime.ts (where DEFAULT_MODEL_ID lives)
      // has browser-only dynamic imports that a config bundle would try to load.
      const { module: m } = await runnerImport<ModelFiles>(join(root, 'scripts/build/model-files.ts'));
      const { copyDefaultModel, DEFAULT_DTYPE, DEFAULT_MODEL_ID, DTYPE_FILES, MODELS_SOURCE, shippedDtypes } = m;
      const out = join(root, EMBED_OUT);
      const files = copyDefaultModel(join(out, 'models'), root).map((f) => `models/${f}`);
      const model = {
        id: DEFAULT_MODEL_ID,
        dtype: DEFAULT_DTYPE,
        dtypes: shippedDtypes(join(root, MODELS_SOURCE, DEFAULT_MODEL_ID)),
        files,
        weights: `models/${DEFAULT_MODEL_ID}/${DTYPE_FILES[DEFAULT_DTYPE]}`,
      };
      if (process.env.BECAUSE_PRECOMPRESS === '0') return;
      const fast = process.env.BECAUSE_PRECOMPRESS === 'fast';
      const sizes = precompressFolder(out, join(root, 'node_modules/.cache/because-precompress'), (line) => logger?.info(`  compressed ${line}`), fast);
      const report = embedReport(out, sizes, model);
      writeFileSync(join(root, REPORT), JSON.stringify(report, null, 1) + '\n');
      logger?.info(`\n${EMBED_OUT}/ (sizes in ${REPORT}):\n${formatReport(report)}\n`);
    },
  };
}

export default defineConfig(({ command }) => ({
  base: './',
  publicDir: false,
  plugins: command === 'build' ? [shipFolder(process.cwd())] : [],
  worker: { format: 'es', rolldownOptions: { output: { ...names, entryFileNames: 'because-[name]-[hash].js' } } },
  build: {
    outDir: EMBED_OUT,
    emptyOutDir: true,
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
}));
