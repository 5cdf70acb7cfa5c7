// What onnxruntime-web's session creation costs, by graph optimization level, and what each level
// does to the forward speed: the built embed folder's WASM-only onnxruntime (the chunk the WebGPU →
// WASM fallback uses, same .wasm as the engine's) on a page of the CDN-like server, in chromium.
// Two visits in one profile: the first compiles the .wasm (instantiateStreaming), the second finds
// V8's code cache. Per visit: the first InferenceSession.create (WASM module init + a session, with
// the engine's options), then `--reps` rounds of one session per level (interleaved), each timed at
// creation and at a prefill of 24 rows × 13 tokens plus 8 decode steps of 72 rows (the engine's first
// batch with 3 candidates a row).
//   npx tsx scripts/bench/ort-session.ts [--reps=3]   (after npm run build, or any build of dist/embed)
import { readdirSync } from 'node:fs';
import { launchBrowser } from '../browser/harness.ts';
import { startEmbedServer } from '../build/serve.ts';
import { DEFAULT_MODEL_ID } from '../../src/defaults.ts';
import { EMBED_DIR } from './storefront.ts';

const reps = Number(process.argv.find((a) => a.startsWith('--reps='))?.split('=')[1] ?? 3);
const chunk = readdirSync(EMBED_DIR).find((f) => /^because-ort\.wasm\.bundle\.min-[\w-]+\.js$/.test(f));
const wasm = readdirSync(EMBED_DIR).find((f) => /^because-ort-wasm-simd-threaded-[\w-]+\.wasm$/.test(f));
const mjs = readdirSync(EMBED_DIR).find((f) => /^because-ort-wasm-simd-threaded-[\w-]+\.mjs$/.test(f));
if (!chunk || !wasm || !mjs) throw new Error(`${EMBED_DIR} has no WASM-only onnxruntime: run npm run build first`);

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
const ort = await import('/cdn/${chunk}');
ort.env.wasm.wasmPaths = { wasm: '/cdn/${wasm}', mjs: '/cdn/${mjs}' };
const model = '/cdn/models/${DEFAULT_MODEL_ID}';
const config = await (await fetch(model + '/config.json')).json();
const bytes = new Uint8Array(await (await fetch(model + '/onnx/model_quantized.onnx')).arrayBuffer());
const heads = config.num_attention_heads, kvHeads = config.num_key_value_heads ?? heads;
const headDim = config.head_dim ?? Math.floor(config.hidden_size / heads);
const base = { extra: { session: { disable_quant_qdq: '1' } }, executionProviders: ['wasm'] };
const feeds = (session, rows, width, past, pos) => {
  const f = {};
  const ids = new BigInt64Array(rows * width).fill(5n);
  f.input_ids = new ort.Tensor('int64', ids, [rows, width]);
  f.attention_mask = new ort.Tensor('int64', new BigInt64Array(rows * (pos + width)).fill(1n), [rows, pos + width]);
  f.position_ids = new ort.Tensor('int64', BigInt64Array.from({ length: rows * width }, (_, i) => BigInt(pos + (i % width))), [rows, width]);
  for (const name of session.inputNames) {
    if (name.startsWith('past_key_values.')) f[name] = past?.[name.replace('past_key_values', 'present')] ?? new ort.Tensor('float32', new Float32Array(0), [rows, kvHeads, 0, headDim]);
    else if (name === 'num_logits_to_keep') f[name] = new ort.Tensor('int64', BigInt64Array.from([1n]), []);
  }
  return f;
};
const widen = (past, rows) => {
  const out = {};
  for (const [k, t] of Object.entries(past)) if (k.startsWith('present')) {
    const d = t.data; const w = new Float32Array(d.length * rows / t.dims[0]);
    for (let r = 0; r < w.length / d.length; r++) w.set(d, r * d.length);
    out[k] = new ort.Tensor('float32', w, [rows, ...t.dims.slice(1)]);
  }
  return out;
};
const time = async (fn) => { const t = performance.now(); const v = await fn(); return [performance.now() - t, v]; };
const result = { first_create_ms: 0, levels: {} };
try {
  const [first, s0] = await time(() => ort.InferenceSession.create(bytes, { ...base }));
  result.first_create_ms = first;
  await s0.release();
  for (let rep = 0; rep < ${reps}; rep++) {
    for (const level of ['disabled', 'basic', 'extended', 'all']) {
      const [create, s] = await time(() => ort.InferenceSession.create(bytes, { ...base, graphOptimizationLevel: level }));
      const [prefill, out] = await time(() => s.run(feeds(s, 24, 13, null, 0)));
      let past = widen(out, 72);
      const steps = [];
      for (let i = 0; i < 8; i++) {
        const [ms, o] = await time(() => s.run(feeds(s, 72, 1, past, 13 + i)));
        steps.push(ms); past = o;
      }
      await s.release();
      (result.levels[level] ??= []).push({ create, prefill, decode_median: steps.sort((a, b) => a - b)[4] });
    }
  }
} catch (e) { result.error = String(e && e.stack || e); }
window.ortResult = result;
</script>`;

const server = await startEmbedServer({ dir: EMBED_DIR, prefix: '/cdn/', pages: (path) => (path === '/ort.html' ? PAGE : null) });
const browser = await launchBrowser();
try {
  const out: unknown[] = [];
  for (const visit of ['cold', 'warm']) {
    const page = await browser.context.newPage();
    await page.goto(`${server.url('/ort.html')}`);
    await page.waitForFunction(() => 'ortResult' in window, null, { timeout: 10 * 60_000, polling: 100 });
    out.push({ visit, ...(await page.evaluate(() => (window as unknown as { ortResult: object }).ortResult)) });
    await page.close();
  }
  console.log(JSON.stringify(out, null, 1));
} finally {
  await browser.close();
  await server.close();
}
