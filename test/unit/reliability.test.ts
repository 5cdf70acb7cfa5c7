// Regression tests for the reproducers of issue 9 ("hold under fire"): each failed on the code before
// the fix. Quadratic or unbounded sanitizing, the abort-listener leak, DisposedError for requests
// pending before the model loaded, typed errors for bad call options, invisible titles.
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { BecauseError, DisposedError, InvalidItemError, InvalidOptionsError, TooManyItemsError } from '../../src/errors.ts';
import type { Item, UserContext } from '../../src/types.ts';
import { Engine } from '../../workers/engine.ts';
import type { Runtime } from '../../workers/runtime.ts';
import { fakeRuntime } from './fake-runtime.ts';

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
    for (let i = 0; i < 200; i++) await e.explain([{ ...portal2, id: `p${i}` }], context, { signal: shared.signal });
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
