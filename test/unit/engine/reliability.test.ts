// Regression tests for the reproducers of issue 9 ("hold under fire"): each failed on the code before
// the fix. Quadratic or unbounded sanitizing, the abort-listener leak, DisposedError for requests
// pending before the model loaded, typed errors for bad call options, invisible titles.
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { startLoopMonitor } from '../../../scripts/reliability/loop-monitor.ts';
import { cutInput, inputBound, sanitizeText } from '../../../src/core/prompt.ts';
import { validateContext, validateItems, VALIDATION_LIMITS } from '../../../src/core/validate.ts';
import { BecauseError, DisposedError, InvalidItemError, InvalidOptionsError, TooManyItemsError } from '../../../src/errors.ts';
import type { Item, UserContext } from '../../../src/types.ts';
import { Engine } from '../../../src/engine/engine.ts';
import type { Runtime } from '../../../src/runtime/runtime.ts';
import { fakeRuntime } from '../../../scripts/reliability/fake-runtime.ts';

const context: UserContext = { domain: 'game', history: [{ title: 'Portal', attributes: { tags: ['Puzzle'] } }] };
const portal2: Item = { id: 'p2', title: 'Portal 2', attributes: { tags: ['Puzzle', 'Co-op'] } };

const open: Engine[] = [];
function engine(extra: Partial<ConstructorParameters<typeof Engine>[0]> = {}): Engine {
  const rt = fakeRuntime({ factsVocab: ['Puzzle', 'Co-op'], reply: () => 'A Puzzle game you will like.' });
  const e = new Engine({ persistentCache: false, loadRuntime: async () => rt, ...extra });
  open.push(e);
  return e;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.dispose()));
});

describe('abort listeners', () => {
  it('leave the caller\'s shared signal when each call ends (explain and stream)', async () => {
    const e = engine();
    const shared = new AbortController();
    await e.explain([portal2], context, { signal: shared.signal }); // a miss, then hits
    for (let i = 0; i < 5500; i++) await e.explain([{ ...portal2, id: `p${i}` }], context, { signal: shared.signal });
    for (let i = 0; i < 20; i++) for await (const chunk of e.stream(portal2, context, { signal: shared.signal })) void chunk;
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
  });

  it('still abort a running call through the shared signal', async () => {
    const e = engine({ loadRuntime: async () => fakeRuntime({ reply: () => 'A Puzzle game you will like.', stepMs: 20 }) });
    const shared = new AbortController();
    const running = e.explain([portal2], context, { signal: shared.signal });
    setTimeout(() => shared.abort(), 5);
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
  });
});

describe('dispose before the model loaded', () => {
  it('rejects the pending requests with DisposedError, not AbortError', async () => {
    let release!: (rt: Runtime) => void;
    const e = engine({ loadRuntime: () => new Promise<Runtime>((resolve) => (release = resolve)) });
    const pending = e.explain([portal2], context);
    const streamed = (async () => {
      for await (const chunk of e.stream(portal2, context)) void chunk;
    })();
    pending.catch(() => undefined);
    streamed.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 5));
    const disposing = e.dispose();
    release(fakeRuntime({ reply: () => 'x' }));
    await disposing;
    await expect(pending).rejects.toBeInstanceOf(DisposedError);
    await expect(streamed).rejects.toBeInstanceOf(DisposedError);
  });
});

describe('bad call options', () => {
  const bad: [string, unknown][] = [
    ['signal: {}', { signal: {} }],
    ["signal: 'abort'", { signal: 'abort' }],
    ['signal: 42', { signal: 42 }],
    ["options 'fast'", 'fast'],
    ['a getter that throws', { get signal() { throw new Error('boom'); } }],
  ];
  it.each(bad)('explain and stream reject %s with InvalidOptionsError naming the option', async (_name, options) => {
    const e = engine();
    await expect(e.explain([portal2], context, options as never)).rejects.toBeInstanceOf(InvalidOptionsError);
    const consume = async (): Promise<void> => {
      for await (const chunk of e.stream(portal2, context, options as never)) void chunk;
    };
    await expect(consume()).rejects.toBeInstanceOf(InvalidOptionsError);
  });

  it('null options and a null signal count as absent', async () => {
    const e = engine();
    await expect(e.explain([portal2], context, null as never)).resolves.toHaveLength(1);
    await expect(e.explain([portal2], context, { signal: null } as never)).resolves.toHaveLength(1);
    for await (const chunk of e.stream(portal2, context, null as never)) void chunk;
  });
});

describe('invisible titles', () => {
  const titles = ['\u200b\u200b\u200b', '\u2060\u200c\u200d', '\ud800', 'Portal \udc00', '\u00ad\ufe0f', '\u0301'];
  it.each(titles.map((t) => [JSON.stringify(t), t]))('%s is an invalid item with an empty fallback, never a shown reason', async (_name, title) => {
    const e = engine();
    const [reason] = await e.explain([{ id: 'x', title }], context);
    expect(reason).toMatchObject({ itemId: 'x', source: 'fallback', fallbackReason: 'invalid-item', text: '' });
    const streamed: string[] = [];
    for await (const chunk of e.stream({ id: 'x', title }, context)) if (chunk.type === 'reason') streamed.push(chunk.reason.fallbackReason ?? '');
    expect(streamed).toEqual(['invalid-item']);
    expect(await e.rank([{ id: 'x', title }], context)).toEqual([]);
  });

  it('keeps visible titles that contain zero-width characters, emoji and marks', async () => {
    const e = engine();
    const reasons = await e.explain(['Por\u200btal', '😀', 'Pokémon', 'نور'].map((title, i) => ({ id: `v${i}`, title })), context);
    expect(reasons.map((r) => r.fallbackReason ?? 'model')).not.toContain('invalid-item');
  });
});

/** The longest event-loop block while `run` runs, in ms of CPU time (a loaded machine does not inflate it). */
async function longestBlock(run: () => Promise<unknown>): Promise<number> {
  const monitor = startLoopMonitor();
  await monitor.ready;
  monitor.reset();
  try {
    await run();
    return monitor.maxBlockCpuMs;
  } finally {
    monitor.stop();
  }
}

describe('bounded cost on hostile input', () => {
  const pipes = '<' + '|'.repeat(100_000);

  it("'<' + 100,000 pipes in a description, the profile or through rank() blocks < 1 s (was 30 s)", async () => {
    const e = engine();
    await e.explain([portal2], context); // warm: the model "loads" first
    expect(await longestBlock(() => e.explain([{ id: 'x', title: 'Portal 2', description: pipes }], context))).toBeLessThan(1000);
    expect(await longestBlock(() => e.explain([portal2], { ...context, profile: pipes }))).toBeLessThan(1000);
    expect(await longestBlock(() => e.rank([{ id: 'x', title: pipes, description: pipes }], { profile: pipes }))).toBeLessThan(1000);
  });

  it('breaks the markers exactly as removing one pipe at a time would', () => {
    expect(sanitizeText(pipes, 160)).toBe('<');
    expect(sanitizeText('a<|||b||>c|||d<|>e', 100)).toBe('a<b>c|||d<>e');
    expect(sanitizeText('<<||>>|><|reason|>', 100)).toBe('<<>>><reason>');
  });

  it('cuts raw input before any pass, never inside a surrogate pair or before a combining mark', () => {
    const bound = inputBound(10);
    expect(cutInput('a'.repeat(bound - 1) + '😀😀', 10)).toBe('a'.repeat(bound - 1) + '😀');
    expect(cutInput('a'.repeat(bound - 1) + 'e\u0301\u0301x', 10)).toBe('a'.repeat(bound - 1));
    expect(cutInput('a'.repeat(bound + 5), 10)).toHaveLength(bound);
  });

  it('1,000 items with a 1 MB title and description: < 1 s, items past the read budget rejected with TooManyItemsError (was 22 s)', async () => {
    const mb = 'x'.repeat(1 << 20);
    const items = Array.from({ length: 1000 }, (_, i) => ({ id: `i${i}`, title: mb, description: mb }));
    let checked!: ReturnType<typeof validateItems>;
    expect(await longestBlock(async () => (checked = validateItems(items)))).toBeLessThan(1000);
    expect(checked.valid.length).toBeGreaterThan(100);
    expect(checked.rejected.length).toBe(1000 - checked.valid.length);
    expect(checked.rejected.every((r) => r.error instanceof TooManyItemsError)).toBe(true);
    expect(checked.rejected[0]?.error.message).toMatch(/budget of 8 MB.*fewer items/);
    const e = engine();
    const reasons = await e.explain(items, context);
    expect(reasons).toHaveLength(1000);
    expect(reasons.filter((r) => r.fallbackReason === 'invalid-item')).toHaveLength(checked.rejected.length);
  });

  it('wide attribute maps, 100,000 keys, a huge history: each call reads at most its budget', async () => {
    const mb = 'y'.repeat(1 << 20);
    const wide = Object.fromEntries(Array.from({ length: 32 }, (_, k) => [`k${k}`, Array(128).fill(mb)]));
    const manyKeys = Object.fromEntries(Array.from({ length: 100_000 }, (_, k) => [`k${k}`, 'v']));
    expect(await longestBlock(async () => validateItems(Array.from({ length: 1000 }, (_, i) => ({ id: `w${i}`, title: `T${i}`, attributes: wide }))))).toBeLessThan(1000);
    expect(await longestBlock(async () => validateItems(Array.from({ length: 1000 }, (_, i) => ({ id: `k${i}`, title: `T${i}`, attributes: manyKeys }))))).toBeLessThan(1000);
    let ctx!: UserContext;
    const history = Array.from({ length: 200_000 }, (_, i) => (i % 2 ? { title: '\u200b' } : { title: `Game ${i}`, attributes: wide }));
    expect(await longestBlock(async () => (ctx = validateContext({ history })))).toBeLessThan(1000);
    expect(ctx.history?.length).toBeGreaterThan(0);
    expect(ctx.history?.map((h) => h.title)).toEqual(['Game 199998']); // the newest entry is kept, older ones past the budget dropped
  });

  it('a normal page of 1,000 items fits the budget', () => {
    const items = Array.from({ length: VALIDATION_LIMITS.itemsPerCall }, (_, i) => ({
      id: `d${i}`,
      title: `Game number ${i}`,
      description: 'A fine game. '.repeat(80),
      attributes: { tags: ['Puzzle', 'Co-op', `t${i}`], genres: ['Indie'], rating: 4.5 },
    }));
    expect(validateItems(items).rejected).toEqual([]);
  });
});

describe('page markup', () => {
  it('a model that copies markup from a hostile description gets a labelled fallback, never model text', async () => {
    const rt = fakeRuntime({ reply: () => 'You will like it <b>a lot</b> for sure.' });
    const e = new Engine({ persistentCache: false, loadRuntime: async () => rt });
    open.push(e);
    const [reason] = await e.explain([{ id: 'x', title: 'Portal 2', description: 'You will like it <b>a lot</b>' }], context);
    expect(reason).toMatchObject({ source: 'fallback', fallbackReason: 'markup' });
    expect(reason?.text).not.toMatch(/<b>/);
  });

  it('hasMarkup: tags, entities and special-token markers, not "a < b" or "<3"', async () => {
    const { hasMarkup } = await import('../../../src/core/markup.ts');
    for (const t of ['<b>', '</div>', '<img src=x onerror=alert(1)>', 'Because <img src=x onerr', '&lt;', '&#60;', '<|reason|>', 'a |> b', '<!-- x']) expect(hasMarkup(t), t).toBe(true);
    for (const t of ['a < b and c > d', 'I <3 it', 'R&D team', 'Fast & fun', 'Tom & Jerry; more']) expect(hasMarkup(t), t).toBe(false);
  });
});

describe('bad call options on the page side of the worker', () => {
  it('WorkerExplainer.explain/stream reject a bogus signal with InvalidOptionsError', async () => {
    const { WorkerExplainer } = await import('../../../src/worker-client.ts');
    const channel = new MessageChannel();
    const port = channel.port1 as unknown as Worker & { terminate: () => void };
    port.terminate = () => channel.port1.close();
    const x = new WorkerExplainer(port, { persistentCache: false });
    await expect(x.explain([portal2], context, { signal: {} } as never)).rejects.toBeInstanceOf(InvalidOptionsError);
    const consume = async (): Promise<void> => {
      for await (const chunk of x.stream(portal2, context, { signal: 'abort' } as never)) void chunk;
    };
    await expect(consume()).rejects.toBeInstanceOf(InvalidOptionsError);
    port.dispatchEvent(new Event('error'));
    await x.dispose();
    channel.port2.close();
  });
});

describe('found by the fuzz suite', () => {
  it.each(['__proto__', 'constructor'])("context.domain '%s' gives a labelled fallback, not a TypeError", async (domain) => {
    const e = new Engine({ persistentCache: false, loadRuntime: async () => { throw new Error('no model'); } });
    open.push(e);
    const [reason] = await e.explain([{ id: 'a', title: 'Game', attributes: { tags: ['Puzzle'] } }], { domain });
    expect(reason).toMatchObject({ source: 'fallback', fallbackReason: 'model-unavailable' });
    expect(reason?.text).toContain('Game');
  });
});
