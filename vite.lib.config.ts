// The npm package's JavaScript (`npm run build`, second step): dist/lib/index.js (`because`) and
// dist/lib/core/index.js (`because/core`), ESM; tsconfig.build.json adds the .d.ts files.
// - Dependencies stay imports (the installer's copies): in Node, `@huggingface/transformers`
//   resolves to its onnxruntime-node build; a bundler picks its web build.
// - The Web Worker is one self-contained file (transformers.js web + onnxruntime-web bundled in),
//   referenced as `new Worker(new URL('./assets/…', import.meta.url))`, and both onnxruntime-web
//   builds are emitted beside it: bundlers (vite, webpack 5) follow both patterns.
// - Chunks live in dist/lib/chunks/lib/, as deep as src/runtime/runtime.ts is in the repository,
//   so that the runtime's Node default model folder (`../../public/models/` from its own file) is
//   dist/lib/public/models/, where the default model is copied (default dtype only).
import { join } from 'node:path';
import { defineConfig, runnerImport, type Plugin } from 'vite';
import pkg from './package.json' with { type: 'json' };

type ModelFiles = typeof import('./scripts/build/model-files.ts');

const OUT = 'dist/lib';
const external = Object.keys(pkg.dependencies).map((name) => new RegExp(`^${name.replace(/[/\\^$.*+?()[\]{}|-]/g, '\\$&')}(/|$)`));

function shipDefaultModel(root: string): Plugin {
  return {
    name: 'because:lib-default-model',
    apply: 'build',
    async closeBundle() {
      const { module: m } = await runnerImport<ModelFiles>(join(root, 'scripts/build/model-files.ts'));
      m.copyDefaultModel(join(root, OUT, 'public/models'), root);
    },
  };
}

export default defineConfig({
  base: './',
  publicDir: false,
  plugins: [shipDefaultModel(process.cwd())],
  worker: { format: 'es', rolldownOptions: { output: { entryFileNames: 'assets/[name]-[hash].js', chunkFileNames: 'assets/[name]-[hash].js' } } },
  build: {
    outDir: OUT,
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: false,
    assetsInlineLimit: 0,
    copyPublicDir: false,
    minify: false,
    sourcemap: false,
    rolldownOptions: {
      input: { index: 'src/index.ts', 'core/index': 'src/core/index.ts' },
      preserveEntrySignatures: 'strict',
      external,
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/lib/[name]-[hash].js', assetFileNames: 'assets/[name]-[hash][extname]' },
    },
  },
});
