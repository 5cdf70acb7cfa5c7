// The engine's wiring with a scripted model (scripts/reliability/fake-runtime.ts): batching through the
// scheduler, grounding → regenerate once → fallback, cache, invalid items, abort, dispose, load failure,
// and the same Explainer over the worker protocol (comlink on a MessageChannel).
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { AbortError, DisposedError, ModelLoadError, TooManyItemsError } from '../../../src/errors.ts';
import type { ExplainerOptions, Item, Reason, StreamChunk, UserContext } from '../../../src/types.ts';
import { WorkerExplainer } from '../../../src/worker-client.ts';
import { Engine, trimCut } from '../../../src/engine/engine.ts';
import { createWorkerApi, PAGE_FIRST_BATCH, workerEngineOptions } from '../../../src/engine-host.ts';
import { fakeRuntime } from '../../../scripts/reliability/fake-runtime.ts';
import type { FakeOptions, FakeRuntime } from '../../../scripts/reliability/fake-runtime.ts';
import { DEFAULT_MODEL_ID } from '../../../src/defaults.ts';

const context: UserContext = { domain: 'game', history: [{ title: 'Portal', attributes: { tags: ['Puzzle', 'Sci-fi'] } }] };
const portal2: Item = { id: 'p2', title: 'Portal 2', attributes: { tags: ['Puzzle', 'Co-op'] } };
const VOCAB = ['Puzzle', 'Co-op', 'Racing', 'Strategy', 'Sci-fi'];

const open: Engine[] = [];
function engine(options: FakeOptions, extra: Partial<ConstructorParameters<typeof Engine>[0]> = {}): { engine: Engine; rt: FakeRuntime } {
  const rt = fakeRuntime({ factsVocab: VOCAB, ...options });
  const e = new Engine({ persistentCache: false, maxNewTokens: 80, loadRuntime: async () => rt, ...extra });
  open.push(e);
  return { engine: e, rt };
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.dispose()));
});

const items = (n: number): Item[] =>
  Array.from({ length: n }, (_, i) => ({ id: `g${i}`, title: `Game ${i}`, attributes: { tags: ['Puzzle', i % 2 ? 'Co-op' : 'Sci-fi'] } }));

describe('Engine with a scripted model', () => {
  it('returns a grounded model reason with the facts it cites', async () => {
    const { engine: e } = engine({ reply: () => 'Because you played Portal and like Puzzle games.' });
    const [reason] = await e.explain([portal2], context);
    expect(reason).toMatchObject({ itemId: 'p2', source: 'model', backend: 'cpu', text: 'Because you played Portal and like Puzzle games.' });
    expect(reason?.tokens).toBe(8);
    expect(reason?.facts.map((f) => `${f.from}:${f.value}`).sort()).toEqual(['history:Portal', 'item:Puzzle']);
  });

  it('generates a page of 24 items in one batch, and in 3 with maxBatch 8', async () => {
    const one = engine({ reply: () => 'A Puzzle game you will like.' });
    const reasons = await one.engine.explain(items(24), context);
    expect(reasons.map((r) => r.source)).toEqual(Array(24).fill('model'));
    expect(one.engine.stats().generateCalls).toBe(1);
    expect(one.rt.maxRows).toBe(24);
    const small = engine({ reply: () => 'A Puzzle game you will like.' }, { maxBatch: 8 });
    await small.engine.explain(items(24), context);
    expect(small.engine.stats().generateCalls).toBe(3);
  });

  it('hands a card its reason when its row ends, before the rest of its batch', async () => {
    const { engine: e, rt } = engine({ stepMs: 1, reply: (prompt) => (prompt.includes('Game 0') ? 'A Puzzle game.' : 'A Puzzle game you will like a lot, with Sci-fi for you and your friends to share.') });
    let forwards = 0;
    const run = rt.step.run.bind(rt.step);
    rt.step.run = (f) => (forwards++, run(f));
    const seenAt: Record<string, number> = {};
    await Promise.all(items(2).map(async (item) => {
      for await (const chunk of e.stream(item, context)) if (chunk.type === 'reason') seenAt[item.id] = forwards;
    }));
    expect(e.stats().generateCalls).toBe(1);
    expect(seenAt['g0']).toBeLessThan(seenAt['g1'] as number);
    expect(seenAt['g0']).toBeLessThan(forwards);
  });

  it('batches concurrent stream() calls too', async () => {
    const { engine: e } = engine({ reply: () => 'A Puzzle game you will like.' });
    await Promise.all(items(12).map(async (item) => {
      for await (const chunk of e.stream(item, context)) void chunk;
    }));
    expect(e.stats().generateCalls).toBe(1);
  });

  it('with firstBatch, runs the first streamed cards alone and batches the rest after them', async () => {
    const { engine: e } = engine({ reply: () => 'A Puzzle game you will like.' }, { firstBatch: 2 });
    const finished: string[] = [];
    await Promise.all(items(24).map(async (item) => {
      for await (const chunk of e.stream(item, context)) if (chunk.type === 'reason') finished.push(chunk.reason.itemId);
    }));
    expect(e.stats().batches.map((b) => b.rows)).toEqual([2, 22]);
    expect(finished).toHaveLength(24);
    expect(finished.slice(0, 2).sort()).toEqual(['g0', 'g1']); // the first two submitted finish first
    // Only the first batch is small: the next page is one batch again.
    await Promise.all(items(30).slice(24).map(async (item) => {
      for await (const chunk of e.stream(item, context)) void chunk;
    }));
    expect(e.stats().batches.map((b) => b.rows)).toEqual([2, 22, 6]);
  });

  it('the worker creates its engine with a small first batch; options can still override it', () => {
    expect(workerEngineOptions({})).toEqual({ firstBatch: PAGE_FIRST_BATCH });
    expect(PAGE_FIRST_BATCH).toBeLessThan(24);
    expect(workerEngineOptions({ model: 'x', firstBatch: 8 } as ExplainerOptions)).toEqual({ firstBatch: 8, model: 'x' });
  });

  it('regenerates an ungrounded reason once and keeps the grounded retry', async () => {
    const { engine: e, rt } = engine({ reply: () => ['A great Racing game for Puzzle fans.', 'A great Co-op game for Puzzle fans.'] });
    const [reason] = await e.explain([portal2], context);
    expect(reason).toMatchObject({ source: 'model', text: 'A great Co-op game for Puzzle fans.' });
    expect(e.stats().regenerations).toBe(1);
    // The retry resumed where the ban fired: it prefilled the prompt plus "A great", then wrote 5 tokens.
    expect([...rt.attempts.values()]).toEqual([2]);
    expect(e.stats().batches[1]?.tokens).toBe(5);
    expect(reason?.tokens).toBe(7);
  });

  it('falls back (labelled) when the retry is still ungrounded, and never retries other problems', async () => {
    const { engine: e } = engine({
      reply: (prompt) => (!prompt.includes('Portal 2') ? 'ok' : ['Fans love this Racing game today.', 'Fans love this Strategy game today.']),
    });
    const [bad, short] = await e.explain([portal2, { id: 'x', title: 'Other' }], context);
    expect(bad).toMatchObject({ source: 'fallback', fallbackReason: 'ungrounded', tokens: 0 });
    expect(bad?.text).toContain('Portal');
    expect(bad?.text).not.toMatch(/Strategy|Racing/);
    expect(short).toMatchObject({ source: 'fallback', fallbackReason: 'too-short' });
    expect(e.stats().regenerations).toBe(1);
  });

  it('does not let a reason borrow the title of another item on the page; the retry bans it', async () => {
    const { engine: e } = engine({
      reply: (prompt) => (prompt.includes('Portal 2') ? ['Play it after Quake with Puzzle fans.', 'Play it after Portal with Puzzle fans.'] : 'A Puzzle game you will like.'),
    });
    const [reason] = await e.explain([portal2, { id: 'q', title: 'Quake', attributes: { tags: ['FPS'] } }], context);
    expect(e.stats().regenerations).toBe(1);
    expect(reason).toMatchObject({ source: 'model', text: 'Play it after Portal with Puzzle fans.' });
  });

  it('skips a retry that could only repeat itself (no ban fires) and falls back', async () => {
    // "Racing," tokenizes as one word with the comma: the banned token sequences never occur.
    const { engine: e } = engine({ reply: () => 'Fans of Racing, this Puzzle game is for you.' });
    const [reason] = await e.explain([portal2], context);
    // The check's first finding names the reason: 'Racing' is capitalized mid-sentence (an unknown name) and ungrounded.
    expect(reason).toMatchObject({ source: 'fallback', fallbackReason: 'unknown-name' });
    expect(e.stats().regenerations).toBe(0);
    expect(e.stats().generateCalls).toBe(1);
  });

  it('rejects titles from the model vocabulary that neither the item nor the history has', async () => {
    const { engine: e } = engine({ reply: () => ['If you liked Portal, try Minecraft for more Puzzle fun.', 'If you liked Portal, try this for more Puzzle fun.'], titleVocab: ['Minecraft', 'Portal'] });
    const [reason] = await e.explain([portal2], context);
    expect(e.stats().regenerations).toBe(1);
    expect(reason).toMatchObject({ source: 'model', text: 'If you liked Portal, try this for more Puzzle fun.' });
  });

  it('serves the second identical request from the cache, marked cached', async () => {
    const { engine: e } = engine({ reply: () => 'Because you played Portal and like Puzzle games.' });
    const [a] = await e.explain([portal2], context);
    const [b] = await e.explain([{ ...portal2, id: 'again' }], context);
    expect(b).toMatchObject({ itemId: 'again', text: a?.text, cached: true, source: 'model' });
    expect(a?.cached).toBeUndefined();
    expect(e.stats()).toMatchObject({ generateCalls: 1, cacheHits: 1 });
  });

  it('answers a bad item with a labelled fallback while the others succeed', async () => {
    const { engine: e } = engine({ reply: () => 'A Puzzle game you will like.' });
    const input = [items(1)[0], { id: 'bad', title: '   ' }, null, items(2)[1]] as unknown as Item[];
    const reasons = await e.explain(input, context);
    expect(reasons.map((r) => r.source)).toEqual(['model', 'fallback', 'fallback', 'model']);
    expect(reasons[1]).toMatchObject({ itemId: 'bad', fallbackReason: 'invalid-item', text: '' });
    await expect(e.explain(items(1001), context)).rejects.toBeInstanceOf(TooManyItemsError);
  });

  it('streams deltas that add up to the reason, and a cached reason as one delta', async () => {
    const { engine: e } = engine({ reply: () => 'Because you played Portal and like Puzzle games.' });
    const collect = async (): Promise<StreamChunk[]> => {
      const out: StreamChunk[] = [];
      for await (const chunk of e.stream(portal2, context)) out.push(chunk);
      return out;
    };
    const first = await collect();
    const last = first.at(-1);
    expect(last?.type).toBe('reason');
    const text = first.flatMap((c) => (c.type === 'delta' ? [c.text] : [])).join('');
    expect(text).toBe((last as { reason: Reason }).reason.text);
    expect(first.length).toBe(9); // one delta per word, then the reason
    const second = await collect();
    expect(second).toHaveLength(2);
    expect(second[0]).toEqual({ type: 'delta', text });
  });

  it('aborts a running request with AbortError', async () => {
    const { engine: e } = engine({ reply: () => 'A very long Puzzle reason that takes many steps to write out.', stepMs: 5 });
    const controller = new AbortController();
    const running = e.explain([portal2], context, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await expect(running).rejects.toBeInstanceOf(AbortError);
    await expect(e.explain([portal2], context, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    // The engine still works afterwards.
    const [ok] = await e.explain([portal2], context);
    expect(ok?.source).toBe('model');
  });

  it('answers with a labelled fallback when a batch fails at runtime, and retries next time', async () => {
    const { engine: e, rt } = engine({ reply: () => 'Because you played Portal and like Puzzle games.' });
    const run = rt.step.run.bind(rt.step);
    let fail = true;
    rt.step.run = async (f) => {
      if (fail) throw new Error('ORT exploded');
      return run(f);
    };
    const [bad] = await e.explain([portal2], context);
    expect(bad).toMatchObject({ source: 'fallback', fallbackReason: 'model-error', tokens: 0 });
    fail = false;
    const [good] = await e.explain([portal2], context);
    expect(good).toMatchObject({ source: 'model' });
    expect(good?.cached).toBeUndefined();
  });

  it('makes every reason a fallback when the model cannot load, and says so', async () => {
    const e = new Engine({ persistentCache: false, loadRuntime: async () => Promise.reject(new ModelLoadError('no model here')) });
    open.push(e);
    const info = await e.info();
    expect(info).toMatchObject({ modelLoaded: false, backend: 'cpu' });
    expect(info.backendReason).toContain('no model here');
    const [reason] = await e.explain([portal2], context);
    expect(reason).toMatchObject({ source: 'fallback', fallbackReason: 'model-unavailable', tokens: 0 });
    expect(reason?.text).toMatch(/Portal/);
  });

  it('dispose frees the runtime and later calls throw DisposedError', async () => {
    const { engine: e, rt } = engine({ reply: () => 'A Puzzle game you will like.' });
    await e.info();
    await e.dispose();
    expect(rt.disposed).toBe(1);
    await expect(e.explain([portal2], context)).rejects.toBeInstanceOf(DisposedError);
  });
});

describe('the worker protocol (comlink over a MessageChannel)', () => {
  function overChannel(options: FakeOptions): WorkerExplainer {
    const channel = new MessageChannel();
    const rt = fakeRuntime({ factsVocab: VOCAB, ...options });
    Comlink.expose(createWorkerApi((o) => new Engine({ ...o, loadRuntime: async () => rt }), Comlink.releaseProxy), channel.port2 as never);
    const port = channel.port1 as unknown as Worker;
    (port as unknown as { terminate: () => void }).terminate = () => {
      channel.port1.close();
      channel.port2.close();
    };
    return new WorkerExplainer(port, { persistentCache: false, maxNewTokens: 80 });
  }

  it('explains, streams, ranks, revives typed errors, aborts and disposes', async () => {
    const x = overChannel({ reply: () => 'Because you played Portal and like Puzzle games.', stepMs: 1 });
    expect((await x.info()).modelLoaded).toBe(true);
    const [reason] = await x.explain([portal2], context);
    expect(reason).toMatchObject({ source: 'model', itemId: 'p2' });
    // Page objects that cannot be cloned do not break postMessage.
    const odd = { ...portal2, id: 'odd', attributes: { tags: ['Puzzle'], fn: () => 1, when: new Date() } } as unknown as Item;
    expect((await x.explain([odd], context))[0]?.source).toBe('model');
    const chunks: StreamChunk[] = [];
    for await (const c of x.stream({ ...portal2, id: 's', title: 'Portal 3' }, context)) chunks.push(c);
    expect(chunks.at(-1)?.type).toBe('reason');
    expect(chunks.length).toBeGreaterThan(2);
    expect((await x.rank(items(3), context)).length).toBe(3);
    await expect(x.explain(items(1001), context)).rejects.toBeInstanceOf(TooManyItemsError);
    const controller = new AbortController();
    const slow = x.explain([{ id: 'slow', title: 'Slow one' }], context, { signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    await expect(slow).rejects.toBeInstanceOf(AbortError);
    await x.dispose();
    await expect(x.info()).rejects.toBeInstanceOf(DisposedError);
  });
});

describe('a worker that dies', () => {
  it('turns into labelled fallbacks on the page, and info() says so', async () => {
    const channel = new MessageChannel();
    const port = channel.port1 as unknown as Worker & { terminate: () => void };
    port.terminate = () => channel.port1.close();
    // Nothing answers on port2: the worker "never started"; then it reports an error.
    const x = new WorkerExplainer(port, { persistentCache: false });
    const pending = x.explain([portal2], context);
    port.dispatchEvent(new Event('error'));
    const [reason] = await pending;
    expect(reason).toMatchObject({ itemId: 'p2', source: 'fallback', fallbackReason: 'model-unavailable', tokens: 0 });
    expect(reason?.text).toContain('Portal');
    expect(await x.info()).toMatchObject({ modelLoaded: false, modelId: DEFAULT_MODEL_ID });
    const chunks: StreamChunk[] = [];
    for await (const c of x.stream(portal2, context)) chunks.push(c);
    expect(chunks.map((c) => c.type)).toEqual(['delta', 'reason']);
    await x.dispose();
    channel.port2.close();
  });
});

describe('trimCut (a reason cut by the token limit)', () => {
  it('keeps complete sentences, or marks the cut', () => {
    expect(trimCut('You should play it because it is fun. Based on your histor')).toBe('You should play it because it is fun.');
    expect(trimCut('Great co-op puzzle games! And then')).toBe('Great co-op puzzle games!');
    expect(trimCut('A fine pick. And')).toBe('A fine pick. And…');
    expect(trimCut('Because you liked Portal and,')).toBe('Because you liked Portal and…');
    expect(trimCut('It costs 2.5 dollars and')).toBe('It costs 2.5 dollars and…');
  });

  it('is applied when a reason hits maxNewTokens', async () => {
    const reply = (): string => 'Because you played Portal, this Puzzle game fits. It also has a long tail that never ends';
    const { engine: e } = engine({ reply }, { maxNewTokens: 12, sentences: 0 });
    const [reason] = await e.explain([portal2], context);
    expect(reason).toMatchObject({ source: 'model', text: 'Because you played Portal, this Puzzle game fits.', tokens: 12 });
    // By default generation itself stops after the first sentence: no tokens spent on the cut tail.
    const { engine: short } = engine({ reply }, { maxNewTokens: 12 });
    const [one] = await short.explain([portal2], context);
    expect(one).toMatchObject({ source: 'model', text: 'Because you played Portal, this Puzzle game fits.', tokens: 8 });
  });
});

describe('cloneable (page data → postMessage-safe)', () => {
  it('keeps plain data and drops what structured clone would reject', async () => {
    const { cloneable } = await import('../../../src/worker-client.ts');
    const cyclic: Record<string, unknown> = { title: 'x' };
    cyclic.self = cyclic;
    const out = cloneable({ id: 'a', title: 'T', n: NaN, f: () => 1, s: Symbol('s'), d: new Date(0), tags: ['A', 1, null, () => 2], deep: cyclic }) as Record<string, unknown>;
    expect(out).toMatchObject({ id: 'a', title: 'T', n: null, tags: ['A', 1, null, null] });
    expect('f' in out || 's' in out || 'd' in out).toBe(false);
    expect(() => structuredClone(out)).not.toThrow();
    // A visitor context keeps every level the prompt uses.
    expect(cloneable(context)).toEqual(context);
    const throwing = new Proxy({}, { ownKeys: () => { throw new Error('no'); } });
    expect(cloneable(throwing)).toBeUndefined();
  });
});
