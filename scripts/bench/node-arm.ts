// One arm of the Node benchmark, run in its own process so that its peak memory is its own:
//   node --import tsx scripts/bench/node-arm.ts <baseline|engine|control> <maxNewTokens> [modelId]
// (`control`: the baseline with the engine's session options.) Prints one JSON ArmResult line on stdout. scripts/bench.ts runs both arms side by side.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCatalog } from '../../src/demo/catalog.ts';
import { baselineReason, benchSet, sequentialPage, streamPage, type ArmResult, type BenchSet } from './items.ts';
import { DEFAULT_MODEL_ID } from '../../src/defaults.ts';

const MODEL_ID = process.argv[4] || DEFAULT_MODEL_ID;
const MODELS_DIR = fileURLToPath(new URL('../../public/models/', import.meta.url));
const CATALOG = new URL('../../public/demo/catalog.json', import.meta.url);

const ms = (t0: number): number => performance.now() - t0;

/**
 * The plain transformers.js way: one pipeline('text-generation') call per item, one after another.
 * `control`: the same, but with the engine's onnxruntime session options (src/runtime/runtime.ts
 * SESSION_OPTIONS), to separate what batching buys from what those options do.
 */
async function baseline(set: BenchSet, maxNewTokens: number, control = false): Promise<Partial<ArmResult>> {
  // Cold load counts the library import too, as the engine's does (it imports transformers.js lazily).
  let t0 = performance.now();
  const tjs = await import('@huggingface/transformers');
  tjs.env.allowLocalModels = true;
  tjs.env.allowRemoteModels = false;
  tjs.env.localModelPath = MODELS_DIR;
  const session_options = control ? (await import('../../src/runtime/runtime.ts')).SESSION_OPTIONS : undefined;
  const load = () => tjs.pipeline('text-generation', MODEL_ID, { dtype: 'q8', device: 'cpu', ...(session_options ? { session_options } : {}) } as never);
  let generator = await load();
  const cold = ms(t0);
  await generator.dispose();
  t0 = performance.now();
  generator = await load();
  const warm = ms(t0);

  const page = await sequentialPage(set, (item, context) => baselineReason(generator, item, context, maxNewTokens));
  await generator.dispose();
  return { backend: 'cpu', cold_load_ms: cold, warm_load_ms: warm, ...page };
}

/** Our engine, in-thread: all page items requested at once (as the demo does), batched by the scheduler. */
async function engine(set: BenchSet, maxNewTokens: number): Promise<Partial<ArmResult>> {
  const { createExplainer } = await import('../../src/index.ts');
  const make = async () => {
    const t0 = performance.now();
    const explainer = createExplainer({ worker: false, model: MODEL_ID, maxNewTokens, persistentCache: false });
    const info = await explainer.info(); // resolves once the model is loaded
    if (!info.modelLoaded) throw new Error(`bench: the model did not load (${info.backendReason})`);
    return { explainer, info, loadMs: ms(t0) };
  };
  const first = await make();
  await first.explainer.dispose();
  const { explainer, info, loadMs: warm } = await make();
  await explainer.explain(set.warmup, set.context);

  const page = await streamPage(explainer, set);
  await explainer.dispose();
  return { backend: info.backend, cold_load_ms: first.loadMs, warm_load_ms: warm, ...page };
}

async function main(): Promise<void> {
  const arm = process.argv[2];
  const maxNewTokens = Number(process.argv[3] ?? 64);
  if (arm !== 'baseline' && arm !== 'engine' && arm !== 'control') throw new Error('usage: node-arm.ts <baseline|engine|control> <maxNewTokens> [modelId]');
  const set = benchSet(parseCatalog(JSON.parse(readFileSync(CATALOG, 'utf8'))));
  const partial = arm === 'engine' ? await engine(set, maxNewTokens) : await baseline(set, maxNewTokens, arm === 'control');
  const result = {
    arm,
    environment: 'node',
    ...partial,
    // ru_maxrss: the process's peak resident memory (KiB on Linux), model and onnxruntime included.
    peak_memory_bytes: process.resourceUsage().maxRSS * 1024,
    memory_source: 'process.resourceUsage().maxRSS of the arm process',
  } as ArmResult;
  process.stdout.write('\nBENCH_RESULT ' + JSON.stringify(result) + '\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
