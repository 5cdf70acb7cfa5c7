// How much batching buys inside our engine (Node, onnxruntime-node CPU): a page of 24 items as one
// explain() call (one batch), the same without the shared-prefix prefill, and the same items one at a
// time (24 batches of 1); same model, prompts and token limit, cache off, warm, one process.
// Complements `npm run bench` (engine vs the plain transformers.js pipeline).
//
//   npx tsx scripts/engine-batching.ts [--tokens=48] [--sentences=0|1] [--model=path] [--json]
import { readFileSync } from 'node:fs';
import type { Item, UserContext } from '../src/types.ts';
import { Engine } from '../src/engine/engine.ts';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const tokens = Number(arg('tokens') ?? 48);
const model = arg('model');
// --sentences=0 generates to <|end|> or the token limit (like a plain pipeline); default: the engine's.
const sentences = arg('sentences') === undefined ? undefined : Number(arg('sentences'));
const fixture = JSON.parse(readFileSync(new URL('../test/fixtures/engine-page.json', import.meta.url), 'utf8')) as { domain: string; page: Item[]; history: UserContext['history'] };
const context: UserContext = { domain: fixture.domain, history: fixture.history };

type Arm = 'batched' | 'batched_no_shared_prefix' | 'one_by_one';

async function arm(name: Arm): Promise<Record<string, number | string>> {
  const engine = new Engine({ persistentCache: false, maxNewTokens: tokens, sharePrefix: name !== 'batched_no_shared_prefix', sentences, ...(model ? { model } : {}) });
  const info = await engine.info();
  if (!info.modelLoaded) throw new Error(info.backendReason);
  await engine.explain([{ id: 'warm', title: 'Warm-up', attributes: { tags: ['Action'] } }], context);
  const before = engine.stats().generateCalls;
  const t0 = performance.now();
  const reasons = name === 'one_by_one' ? [] : await engine.explain(fixture.page, context);
  if (name === 'one_by_one') for (const item of fixture.page) reasons.push(...(await engine.explain([item], context)));
  const ms = performance.now() - t0;
  const stats = engine.stats();
  await engine.dispose();
  const batches = stats.batches.slice(-(stats.generateCalls - before));
  const generated = batches.reduce((a, b) => a + b.tokens, 0);
  return {
    arm: name,
    backend: info.backend,
    items: reasons.length,
    generate_calls: stats.generateCalls - before,
    page_ms: Math.round(ms),
    reasons_per_s: Number(((reasons.length * 1000) / ms).toFixed(2)),
    prefill_ms: Math.round(batches.reduce((a, b) => a + b.prefillMs, 0)),
    decode_ms: Math.round(batches.reduce((a, b) => a + b.decodeMs, 0)),
    generated_tokens: generated,
    tokens_per_s: Math.round((generated * 1000) / ms),
    model_reasons: reasons.filter((r) => r.source === 'model').length,
  };
}

const batched = await arm('batched');
const noPrefix = await arm('batched_no_shared_prefix');
const single = await arm('one_by_one');
const ratio = (a: Record<string, number | string>, b: Record<string, number | string>): number => Number(((a.reasons_per_s as number) / (b.reasons_per_s as number)).toFixed(2));
const result = { max_new_tokens: tokens, sentences: sentences ?? 'default', batched, batched_no_shared_prefix: noPrefix, one_by_one: single, speedup: ratio(batched, single), shared_prefix_gain: ratio(batched, noPrefix) };
if (args.includes('--json')) console.log(JSON.stringify(result));
else console.table([batched, noPrefix, single]), console.log(`batched vs one by one (reasons/s): ${result.speedup}x; shared prefix: ${result.shared_prefix_gain}x`);
