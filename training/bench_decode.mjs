// Greedy decode speed of the shipped model in Node (transformers.js + onnxruntime-node, CPU), batch 1.
//   node training/bench_decode.mjs [dtype=q8|fp32|q4] [prompts=20] [max_new_tokens=64]
// Prompts: test/fixtures/parity/fixture.json (held-out test rows). One warm-up generate first.
// Prints total rate (prefill included) and decode-only rate (first token to last token, via a streamer).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AutoModelForCausalLM, Tensor, env } from '@huggingface/transformers';

const [dtype = 'q8', count = '20', maxNew = '64'] = process.argv.slice(2);
env.localModelPath = fileURLToPath(new URL('../public/models/', import.meta.url));
env.allowRemoteModels = false;
const fixture = JSON.parse(readFileSync(new URL('../test/fixtures/parity/fixture.json', import.meta.url), 'utf8'));
const cases = fixture.cases.slice(0, Number(count));
const model = await AutoModelForCausalLM.from_pretrained(fixture.model ?? 'because-reason-v1', { dtype, device: 'cpu' });

async function run(ids) {
  const n = ids.length;
  const input_ids = new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, n]);
  const attention_mask = new Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
  const stamps = [];
  const streamer = { put: () => stamps.push(performance.now()), end: () => {} };
  const t0 = performance.now();
  const out = await model.generate({ input_ids, attention_mask, max_new_tokens: Number(maxNew), do_sample: false, streamer });
  const t1 = performance.now();
  const generated = out.dims[1] - n;
  // put() is called once with the prompt, then once per new token.
  const tokenStamps = stamps.slice(1);
  return { generated, ms: t1 - t0, decodeMs: tokenStamps.length > 1 ? tokenStamps.at(-1) - tokenStamps[0] : 0, decodeTokens: Math.max(tokenStamps.length - 1, 0), promptTokens: n };
}

await run(cases[0].input_ids);
let tokens = 0, ms = 0, dTokens = 0, dMs = 0, promptTokens = 0;
for (const c of cases) {
  const r = await run(c.input_ids);
  tokens += r.generated; ms += r.ms; dTokens += r.decodeTokens; dMs += r.decodeMs; promptTokens += r.promptTokens;
}
console.log(JSON.stringify({
  dtype, prompts: cases.length, mean_prompt_tokens: +(promptTokens / cases.length).toFixed(1), generated_tokens: tokens,
  tokens_per_s_incl_prefill: +(tokens / (ms / 1000)).toFixed(1),
  decode_tokens_per_s: +(dTokens / (dMs / 1000)).toFixed(1),
}));
await model.dispose();
