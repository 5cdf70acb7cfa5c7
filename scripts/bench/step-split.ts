// Where a decode step's time goes on onnxruntime-web's WASM backend (the engine's chromium path), in
// Node: a copy of onnxruntime-web's ort.wasm.mjs with three timers in its run() (inputs into the wasm
// heap, _OrtRun = the graph, outputs out of the heap into fresh typed arrays), on a page-shaped decode
// of the shipped model: a prefill of `rows` × 9 tokens, then `steps` decode steps, present.* fed back
// as past_key_values.* (what src/runtime/kv-step.ts does), greedy, one thread (chromium's default on 2 cores).
//   npx tsx scripts/bench/step-split.ts [--rows=72] [--steps=28] [--pages=3]
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_MODEL_ID } from '../../src/defaults.ts';

const arg = (name: string, fallback: number): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const ROWS = arg('rows', 72);
const STEPS = arg('steps', 28);
const PAGES = arg('pages', 3);
const WIDTH = 9;
const DIST = fileURLToPath(new URL('../../node_modules/onnxruntime-web/dist/', import.meta.url));
const MODEL = fileURLToPath(new URL(`../../public/models/${DEFAULT_MODEL_ID}/`, import.meta.url));

/** The timers: [inputs in, graph, outputs out] of every run, in ms. */
const PATCHES: readonly [string, string][] = [
  ['TRACE_EVENT_BEGIN("wasm prepareInputOutputTensor");', 'globalThis.__s0 = performance.now(); TRACE_EVENT_BEGIN("wasm prepareInputOutputTensor");'],
  ['wasm2.jsepOnRunStart?.(sessionHandle);', 'globalThis.__s1 = performance.now(); wasm2.jsepOnRunStart?.(sessionHandle);'],
  ['TRACE_EVENT_BEGIN("wasm ProcessOutputTensor");', 'globalThis.__s2 = performance.now(); TRACE_EVENT_BEGIN("wasm ProcessOutputTensor");'],
  ['TRACE_EVENT_END("wasm ProcessOutputTensor");', 'TRACE_EVENT_END("wasm ProcessOutputTensor"); (globalThis.__splits ??= []).push([globalThis.__s1 - globalThis.__s0, globalThis.__s2 - globalThis.__s1, performance.now() - globalThis.__s2]);'],
];

interface Tensor {
  dims: readonly number[];
  data: unknown;
}
interface Ort {
  env: { wasm: { numThreads: number } };
  Tensor: new (type: string, data: unknown, dims: number[]) => Tensor;
  InferenceSession: { create(bytes: Uint8Array, options: Record<string, unknown>): Promise<{ inputNames: readonly string[]; run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> }> };
}

const dir = mkdtempSync(join(tmpdir(), 'step-split-'));
try {
  let source = readFileSync(join(DIST, 'ort.wasm.mjs'), 'utf8');
  for (const [from, to] of PATCHES) {
    if (!source.includes(from)) throw new Error(`onnxruntime-web's ort.wasm.mjs has no "${from}": this version is not the one the timers were written for`);
    source = source.replace(from, to);
  }
  writeFileSync(join(dir, 'ort.wasm.mjs'), source);
  for (const f of ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs']) symlinkSync(join(DIST, f), join(dir, f));
  const ort = (await import(pathToFileURL(join(dir, 'ort.wasm.mjs')).href)) as Ort;
  ort.env.wasm.numThreads = 1;
  const config = JSON.parse(readFileSync(join(MODEL, 'config.json'), 'utf8')) as Record<string, number>;
  const layers = config.num_hidden_layers as number;
  const kvHeads = config.num_key_value_heads as number;
  const headDim = config.head_dim as number;
  const vocab = config.vocab_size as number;
  const session = await ort.InferenceSession.create(readFileSync(join(MODEL, 'onnx/model_quantized.onnx')), { executionProviders: ['wasm'], extra: { session: { disable_quant_qdq: '1' } } });
  const names = Array.from({ length: layers }, (_, l) => ['key', 'value'].map((kv) => `${l}.${kv}`)).flat();
  const int64 = (values: BigInt64Array, dims: number[]): Tensor => new ort.Tensor('int64', values, dims);
  // The last position's logits only, as the engine asks for them (graphs exported since 2026-12-01 take it).
  const keep: Record<string, Tensor> = session.inputNames.includes('num_logits_to_keep') ? { num_logits_to_keep: int64(BigInt64Array.from([1n]), []) } : {};

  const stepMs: number[] = [];
  for (let page = 0; page < PAGES + 1; page++) {
    let past: Record<string, Tensor> = Object.fromEntries(names.map((n) => [`past_key_values.${n}`, new ort.Tensor('float32', new Float32Array(0), [ROWS, kvHeads, 0, headDim])]));
    const ids = BigInt64Array.from({ length: ROWS * WIDTH }, (_, i) => BigInt(10 + ((i * 7919) % 5000)));
    const positions = BigInt64Array.from({ length: ROWS * WIDTH }, (_, i) => BigInt(i % WIDTH));
    let out = await session.run({ input_ids: int64(ids, [ROWS, WIDTH]), attention_mask: int64(new BigInt64Array(ROWS * WIDTH).fill(1n), [ROWS, WIDTH]), position_ids: int64(positions, [ROWS, WIDTH]), ...keep, ...past });
    let seq = WIDTH;
    for (let k = 0; k < STEPS; k++) {
      const logits = out.logits as Tensor;
      const t = logits.dims[1] as number;
      const data = logits.data as Float32Array;
      const next = new BigInt64Array(ROWS);
      for (let r = 0; r < ROWS; r++) {
        let best = 0;
        for (let v = 1, o = (r * t + t - 1) * vocab; v < vocab; v++) if ((data[o + v] as number) > (data[o + best] as number)) best = v;
        next[r] = BigInt(best);
      }
      past = Object.fromEntries(names.map((n) => [`past_key_values.${n}`, out[`present.${n}`] as Tensor]));
      seq++;
      const t0 = performance.now();
      out = await session.run({ input_ids: int64(next, [ROWS, 1]), attention_mask: int64(new BigInt64Array(ROWS * seq).fill(1n), [ROWS, seq]), position_ids: int64(new BigInt64Array(ROWS).fill(BigInt(seq - 1)), [ROWS, 1]), ...keep, ...past });
      if (page > 0) stepMs.push(performance.now() - t0);
    }
  }
  const splits = (globalThis as { __splits?: [number, number, number][] }).__splits ?? [];
  // Per page: 1 prefill + STEPS decode runs; the first page is the warm-up.
  const decode = splits.filter((_, i) => i >= STEPS + 1 && i % (STEPS + 1) !== 0);
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const part = (k: 0 | 1 | 2): number => median(decode.map((s) => s[k]));
  const kvMb = (ROWS * layers * 2 * kvHeads * (WIDTH + STEPS) * headDim * 4) / 1e6;
  console.log(
    JSON.stringify({
      rows: ROWS,
      steps: STEPS,
      pages: PAGES,
      step_ms_median: +median(stepMs).toFixed(2),
      inputs_in_ms_median: +part(0).toFixed(2),
      graph_ms_median: +part(1).toFixed(2),
      outputs_out_ms_median: +part(2).toFixed(2),
      kv_mb_each_way_at_last_step: +kvMb.toFixed(1),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
