// The shipped model (public/models/because-reason-v2, q8) through the in-thread engine in Node
// (transformers.js on onnxruntime-node). No timing asserts: numbers live in docs/engine.md.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExplainer } from '../../src/explainer.ts';
import { AbortError, DisposedError } from '../../src/errors.ts';
import { createFactMatcher, historyFacts, itemFacts, termKey } from '../../src/core/facts.ts';
import { checkReason } from '../../src/core/grounding.ts';
import type { Item, Reason, StreamChunk, UserContext } from '../../src/types.ts';
import { Engine } from '../../src/engine/engine.ts';
import { generateBatch } from '../../src/generation/generate.ts';
import { loadRuntime } from '../../src/runtime/runtime.ts';
import { buildPrompt } from '../../src/core/prompt.ts';

interface Fixture {
  domain: string;
  page: Item[];
  history: NonNullable<UserContext['history']>;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/engine-page.json', import.meta.url), 'utf8')) as Fixture;
const context: UserContext = { domain: fixture.domain, history: fixture.history };
const page = fixture.page;
const MAX_NEW_TOKENS = 32;
const vocab = (JSON.parse(readFileSync(new URL('../../public/models/because-reason-v2/facts_vocab.json', import.meta.url), 'utf8')) as { facts: string[] }).facts;
const matcher = createFactMatcher({ facts: vocab });

const make = (): Engine => new Engine({ persistentCache: false, maxNewTokens: MAX_NEW_TOKENS });

/** The honesty contract of one reason. */
function checkHonest(reason: Reason, item: Item): void {
  expect(reason.itemId).toBe(item.id);
  expect(reason.text.trim().length).toBeGreaterThan(0);
  expect(reason.backend).toBe('cpu');
  const known = new Set([...itemFacts(item), ...historyFacts(context)].map((f) => `${f.from}|${termKey(f.value)}`));
  for (const fact of reason.facts) expect(known.has(`${fact.from}|${termKey(fact.value)}`), `${reason.text} cites ${fact.value}`).toBe(true);
  if (reason.source === 'model') {
    expect(reason.tokens).toBeGreaterThan(0);
    expect(reason.fallbackReason).toBeUndefined();
    // Re-checked independently: model text that is shown passed the grounding check.
    expect(checkReason(reason.text, item, context, matcher).ok, reason.text).toBe(true);
  } else {
    expect(reason.source).toBe('fallback');
    expect(reason.tokens).toBe(0);
    expect(reason.fallbackReason).toBeTruthy();
  }
}

describe('engine with the shipped model (Node, CPU)', () => {
  let engine: Engine;
  let first: Reason[];

  beforeAll(async () => {
    engine = make();
    first = await engine.explain(page, context);
  });
  afterAll(async () => {
    await engine?.dispose();
  });

  it('loads the q8 model on the CPU', async () => {
    expect(await engine.info()).toMatchObject({ modelLoaded: true, backend: 'cpu', dtype: 'q8', modelId: 'because-reason-v2' });
  });

  it('explains a page of 24 items in fewer generate calls than items, honestly', () => {
    expect(first).toHaveLength(24);
    first.forEach((reason, i) => checkHonest(reason, page[i] as Item));
    const stats = engine.stats();
    // One batch for the page, plus at most one batch of regenerations.
    expect(stats.generateCalls).toBeLessThanOrEqual(2);
    expect(stats.batches[0]?.rows).toBe(24);
    // The model path must reach the page (how often is model quality: docs/quality.md, npm run eval).
    expect(first.filter((r) => r.source === 'model').length).toBeGreaterThan(0);
  });

  it('serves the same page from the cache, marked cached', async () => {
    const calls = engine.stats().generateCalls;
    const again = await engine.explain(page, context);
    expect(again.map((r) => r.text)).toEqual(first.map((r) => r.text));
    expect(again.every((r) => r.cached === true)).toBe(true);
    expect(engine.stats().generateCalls).toBe(calls);
  });

  it('is deterministic: a fresh engine writes the same text, and batching does not change it', async () => {
    const fresh = make();
    try {
      // Same page, fresh engine: the same greedy text. (A sub-page is not compared with the page:
      // the grounding check also knows the titles of the other items in a call, so a reason naming
      // a page title can be accepted in one call and regenerated in the other.)
      const again = await fresh.explain(page, context);
      expect(again.map((r) => r.text)).toEqual(first.map((r) => r.text));
      // Batching itself does not change the greedy text: the decode loop (no grounding, which also
      // knows the other titles of a call) gives the same text for 6 prompts in one batch and alone.
      const runtime = await loadRuntime();
      try {
        const rows = page.slice(0, 6).map((item) => ({ ids: runtime.encode(buildPrompt(item, context)), maxNewTokens: MAX_NEW_TOKENS }));
        const options = { eosId: runtime.eosId, padId: runtime.padId };
        const batched = (await generateBatch(runtime.step, runtime.detokenize, rows, options)).results.map((r) => r.text);
        for (const [i, row] of rows.entries()) {
          const alone = (await generateBatch(runtime.step, runtime.detokenize, [row], options)).results[0]?.text;
          expect(alone).toBe(batched[i]);
        }
      } finally {
        await runtime.dispose();
      }
    } finally {
      await fresh.dispose();
    }
  });

  it('streams deltas that add up to the reason', async () => {
    const item: Item = { id: 'stream-1', title: 'Portal 2', attributes: { genres: ['Action', 'Adventure'], tags: ['Puzzle', 'Co-op', 'First-Person'] } };
    const chunks: StreamChunk[] = [];
    for await (const chunk of engine.stream(item, context)) chunks.push(chunk);
    const last = chunks.at(-1);
    expect(last?.type).toBe('reason');
    const reason = (last as { reason: Reason }).reason;
    checkHonest(reason, item);
    const streamed = chunks.flatMap((c) => (c.type === 'delta' ? [c.text] : [])).join('');
    if (reason.source === 'model' && engine.stats().regenerations === 0) expect(streamed).toBe(reason.text);
    expect(chunks.filter((c) => c.type === 'delta').length).toBeGreaterThan(0);
  });

  it('answers a bad item with a labelled fallback while the others succeed', async () => {
    const mixed = [page[0], { id: 'no-title', title: '' }, { id: 42, title: 'Half-Life 2' }, page[1]] as unknown as Item[];
    const reasons = await engine.explain(mixed, context);
    expect(reasons[1]).toMatchObject({ itemId: 'no-title', source: 'fallback', fallbackReason: 'invalid-item' });
    checkHonest(reasons[0] as Reason, page[0] as Item);
    expect(reasons[2]?.itemId).toBe('42');
    expect(reasons[2]?.text.length).toBeGreaterThan(0);
    checkHonest(reasons[3] as Reason, page[1] as Item);
  });

  it('aborts with AbortError and keeps working afterwards', async () => {
    const controller = new AbortController();
    const fresh = page.map((item) => ({ ...item, id: `abort-${item.id}`, title: `${item.title} (Deluxe)` }));
    const running = engine.explain(fresh, context, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(running).rejects.toBeInstanceOf(AbortError);
    const [ok] = await engine.explain([page[2] as Item], context);
    checkHonest(ok as Reason, page[2] as Item);
  });
});

describe('engine lifecycle', () => {
  it('falls back (labelled) for every item when the model cannot load', async () => {
    const broken = new Engine({ persistentCache: false, model: '/nonexistent/because-reason-v1' });
    const info = await broken.info();
    expect(info.modelLoaded).toBe(false);
    expect(info.backendReason).toMatch(/could not load/);
    const reasons = await broken.explain(page.slice(0, 3), context);
    for (const r of reasons) expect(r).toMatchObject({ source: 'fallback', fallbackReason: 'model-unavailable', tokens: 0 });
    await broken.dispose();
  });

  it('createExplainer runs in-thread in Node and dispose ends it', async () => {
    const explainer = createExplainer({ persistentCache: false, maxNewTokens: 8 });
    expect((await explainer.info()).modelLoaded).toBe(true);
    const [r] = await explainer.explain([page[3] as Item], context);
    expect(r?.text.length).toBeGreaterThan(0);
    await explainer.dispose();
    await expect(explainer.explain([page[3] as Item], context)).rejects.toBeInstanceOf(DisposedError);
  });
});
