// How much batching buys inside our engine (Node, onnxruntime-node CPU): a page of 24 items as one
// explain() call (one batch) vs the same items one at a time (24 batches of 1), same model, same
// prompts, same token limit, cache off, warm. Complements `npm run bench` (engine vs plain pipeline).
//
//   npx tsx scripts/engine-batching.ts [--tokens=32] [--model=path] [--json]
import { readFileSync } from 'node:fs';
import type { Item, UserContext } from '../src/types.ts';
import { Engine } from '../workers/engine.ts';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const tokens = Number(arg('tokens') ?? 32);
const model = arg('model');
const fixture = JSON.parse(readFileSync(new URL('../test/fixtures/engine-page.json', import.meta.url), 'utf8')) as { domain: string; page: Item[]; history: UserContext['history'] };
const context: UserContext = { domain: fixture.domain, history: fixture.history };

async function arm(name: 'batched' | 'one_by_one'): Promise<Record<string, number | string>> {
  const engine = new Engine({ persistentCache: false, maxNewTokens: tokens, ...(model ? { model } : {}) });
  const info = await engine.info();
  if (!info.modelLoaded) throw new Error(info.backendReason);
  await engine.explain([{ id: 'warm', title: 'Warm-up', attributes: { tags: ['Action'] } }], context);
  const before = engine.stats().generateCalls;
  const t0 = performance.now();
  const reasons = name === 'batched' ? await engine.explain(fixture.page, context) : [];
  if (name === 'one_by_one') for (const item of fixture.page) reasons.push(...(await engine.explain([item], context)));
  const ms = performance.now() - t0;
  const stats = engine.stats();
  await engine.dispose();
  const generated = stats.batches.slice(-(stats.generateCalls - before)).reduce((a, b) => a + b.tokens, 0);
  return {
    arm: name,
    backend: info.backend,
    items: reasons.length,
    generate_calls: stats.generateCalls - before,
    page_ms: Math.round(ms),
    reasons_per_s: Number(((reasons.length * 1000) / ms).toFixed(2)),
    generated_tokens: generated,
    tokens_per_s: Math.round((generated * 1000) / ms),
    model_reasons: reasons.filter((r) => r.source === 'model').length,
  };
}

const batched = await arm('batched');
const single = await arm('one_by_one');
const result = { max_new_tokens: tokens, batched, one_by_one: single, speedup: Number(((batched.reasons_per_s as number) / (single.reasons_per_s as number)).toFixed(2)) };
if (args.includes('--json')) console.log(JSON.stringify(result));
else console.table([batched, single]), console.log(`speedup (reasons/s): ${result.speedup}x`);
