// Cached reasons before the onnxruntime session exists (issue 8, a returning visitor): the engine plans
// prompts and reads the reason cache with the load's tokenizer (RuntimeOptions.onTokenizer), so a hit
// answers while the session is still being created, with exactly what a lookup after the session
// would return; a miss still waits for the session and generates. The "returning visitor" is a second
// engine over the same IndexedDB (fake-indexeddb), as a second page visit is.
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Item, Reason, UserContext } from '../../../src/types.ts';
import { Engine, type EngineOptions } from '../../../src/engine/engine.ts';
import { cacheKey, modelKey, ReasonCache } from '../../../src/engine/cache.ts';
import type { Runtime, RuntimeOptions, RuntimeTokenizer } from '../../../src/runtime/runtime.ts';
import { fakeRuntime, type FakeOptions, type FakeRuntime } from '../../../scripts/reliability/fake-runtime.ts';

const context: UserContext = { domain: 'game', history: [{ title: 'Portal', attributes: { tags: ['Puzzle', 'Sci-fi'] } }] };
const portal2: Item = { id: 'p2', title: 'Portal 2', attributes: { tags: ['Puzzle', 'Co-op'] } };
const other: Item = { id: 'o1', title: 'Puzzle Quest', attributes: { tags: ['Puzzle'] } };
const PLAIN: FakeOptions = { reply: () => 'Because you played Portal and like Puzzle games.', factsVocab: ['Puzzle', 'Co-op', 'Sci-fi'] };
const SLOTS: FakeOptions = { reply: () => 'Because you <|@did|> <|@h1|>, <|@item|> is another <|@f1|> <|@noun|>.', factsVocab: ['Puzzle', 'Co-op'], slotTokens: true };

const saved = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
const open: Engine[] = [];
beforeEach(() => {
  (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory(); // one fresh "profile" per test
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.dispose()));
  (globalThis as { indexedDB?: IDBFactory }).indexedDB = saved;
});

function versioned(options: FakeOptions, version: string): FakeRuntime {
  return Object.assign(fakeRuntime(options), { modelVersion: version });
}

/** A loader that hands over the tokenizer at once and the session only when `release()` is called (never, unless called). */
function slowSession(rt: Runtime): { loadRuntime: (options: RuntimeOptions) => Promise<Runtime>; release: () => void; tokenizer: () => RuntimeTokenizer | null } {
  let release = (): void => undefined;
  let handed: RuntimeTokenizer | null = null;
  return {
    loadRuntime: (options) => {
      const { modelId, modelUrl, modelVersion, dtype, maxPositions, factsVocab, titleVocab, lexicon, encode, detokenize } = rt;
      handed = { modelId, modelUrl, modelVersion, dtype, maxPositions, factsVocab, titleVocab, lexicon, encode, detokenize };
      options.onTokenizer?.(handed);
      return new Promise<Runtime>((resolve) => (release = () => resolve(rt)));
    },
    release: () => release(),
    tokenizer: () => handed,
  };
}

function engine(options: EngineOptions): Engine {
  const e = new Engine({ maxNewTokens: 40, ...options });
  open.push(e);
  return e;
}

/** The first visit: generates and stores the reason; resolves once it is in IndexedDB. */
async function firstVisit(rt: Runtime, items: Item[]): Promise<Reason[]> {
  const e = engine({ loadRuntime: async () => rt });
  const reasons = await e.explain(items, context);
  await e.dispose(); // closes the database once its writes are done
  return reasons;
}

const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 5));
  return done;
};

const withoutMs = (r: Reason | undefined): Partial<Reason> | undefined => (r ? { ...r, ms: 0 } : r);

describe('cached reasons before the session exists', () => {
  for (const [name, options] of [['a plain model (v1 prompt)', PLAIN], ['a slot model (plan prompt)', SLOTS]] as const) {
    it(`${name}: a hit answers while session creation never resolves; a miss waits`, async () => {
      const [first] = await firstVisit(versioned(options, 'm1'), [portal2]);
      expect(first).toMatchObject({ source: 'model' });

      const load = slowSession(versioned(options, 'm1'));
      const e = engine({ loadRuntime: load.loadRuntime });
      const [hit] = await e.explain([portal2], context);
      expect(hit).toMatchObject({ itemId: 'p2', text: first?.text, source: 'model', cached: true });
      const chunks: string[] = [];
      for await (const chunk of e.stream({ ...portal2, id: 'again' }, context)) chunks.push(chunk.type === 'delta' ? chunk.text : `reason:${chunk.reason.cached}`);
      expect(chunks).toEqual([first?.text, 'reason:true']);
      expect(e.stats()).toMatchObject({ generateCalls: 0, cacheHits: 2 });

      // A miss (and a call with one) needs the model: nothing answers before the session exists.
      const miss = e.explain([other], context);
      const mixed = e.explain([portal2, other], context);
      expect(await settled(miss)).toBe(false);
      expect(await settled(mixed)).toBe(false);
      load.release(); // dispose() waits for the load
      await Promise.all([miss, mixed]);
    });

    it(`${name}: the early hit is what a lookup after the session returns; a miss then generates`, async () => {
      const [first] = await firstVisit(versioned(options, 'm1'), [portal2]);
      const load = slowSession(versioned(options, 'm1'));
      const e = engine({ loadRuntime: load.loadRuntime });
      const [early] = await e.explain([portal2], context);
      const miss = e.explain([other, portal2], context);
      load.release();
      const [generated, later] = await miss;
      expect(generated).toMatchObject({ itemId: 'o1', source: 'model' });
      expect(generated?.cached).toBeUndefined();
      expect(withoutMs(later)).toEqual(withoutMs(early));
      expect(early?.text).toBe(first?.text);
      expect(e.stats()).toMatchObject({ generateCalls: 1, cacheHits: 2 });

      // The same key function either way: the key of the tokenizer handed early is the runtime's.
      const tokenizer = load.tokenizer() as RuntimeTokenizer;
      expect(modelKey(tokenizer)).toBe('test/fake-model#m1');
      const cache = new ReasonCache<Reason>();
      const keyOf = (prompt: string): string => cacheKey(modelKey(tokenizer), tokenizer.dtype, 40, prompt);
      expect(keyOf('x')).toBe(cacheKey(modelKey(versioned(options, 'm1')), 'q8', 40, 'x'));
      await cache.close();
    });
  }

  it('new model files under the same URL (another manifest digest) never answer with the old reasons', async () => {
    await firstVisit(versioned(PLAIN, 'm1'), [portal2]);
    const load = slowSession(versioned({ ...PLAIN, reply: () => 'Because you played Portal and like Co-op Puzzle games.' }, 'm2'));
    const e = engine({ loadRuntime: load.loadRuntime });
    const reason = e.explain([portal2], context);
    expect(await settled(reason)).toBe(false); // no hit: it waits for the (new) model
    load.release();
    expect((await reason)[0]).toMatchObject({ source: 'model', text: 'Because you played Portal and like Co-op Puzzle games.' });
    expect((await reason)[0]?.cached).toBeUndefined();
  });

  it('a session that fails after the tokenizer: hits still answer, misses are labelled model-unavailable', async () => {
    await firstVisit(versioned(PLAIN, 'm1'), [portal2]);
    const rt = versioned(PLAIN, 'm1');
    const e = engine({
      loadRuntime: (options) => {
        options.onTokenizer?.(rt);
        return Promise.reject(new Error('session creation failed'));
      },
    });
    const [hit, miss] = await e.explain([portal2, other], context);
    expect(hit).toMatchObject({ source: 'model', cached: true });
    expect(miss).toMatchObject({ source: 'fallback', fallbackReason: 'model-unavailable' });
  });

  it('a loader that never hands over a tokenizer: lookups wait for the runtime, as before', async () => {
    await firstVisit(versioned(PLAIN, 'm1'), [portal2]);
    let release = (): void => undefined;
    const rt = versioned(PLAIN, 'm1');
    const e = engine({ loadRuntime: () => new Promise<Runtime>((resolve) => (release = () => resolve(rt))) });
    const reason = e.explain([portal2], context);
    expect(await settled(reason)).toBe(false);
    release();
    expect((await reason)[0]).toMatchObject({ cached: true, source: 'model' });
  });
});

describe('the slot rules\' phrase encodings, stored for the next visit', () => {
  /** A slot model (versioned: it read a manifest) that records every text its tokenizer encodes. */
  function recording(version?: string): { rt: FakeRuntime; encoded: string[] } {
    const rt = version ? versioned(SLOTS, version) : fakeRuntime(SLOTS);
    const encoded: string[] = [];
    const inner = rt.encode.bind(rt);
    rt.encode = (text: string) => (encoded.push(text), inner(text));
    return { rt, encoded };
  }

  /** One visit whose session comes only after the engine's warm-up (prepare) had its turn. */
  async function visit(rt: FakeRuntime, item: Item): Promise<Reason[]> {
    const load = slowSession(rt);
    const e = engine({ loadRuntime: load.loadRuntime });
    const reasons = e.explain([item], context);
    await settled(reasons); // the warm-up reads the store and compiles while the session is "created"
    load.release();
    const out = await reasons;
    await e.dispose(); // closes the databases once their writes are done
    return out;
  }

  it('a second visit of the same model version encodes none of them again; another version does', async () => {
    const first = recording('m1');
    const [a] = await visit(first.rt, portal2);
    // 'Co-op' is a vocabulary fact: the trie bans its spellings, each encoded once.
    expect(first.encoded).toContain(' co-op');

    const second = recording('m1');
    const [b] = await visit(second.rt, other); // another item: no reason cache hit, so the trie is needed
    expect(second.encoded).not.toContain(' co-op');
    expect(second.encoded.length).toBeGreaterThan(0); // its prompt was encoded: the visit did generate
    expect(b).toMatchObject({ source: 'model' });
    expect(a).toMatchObject({ source: 'model' });

    const next = recording('m2');
    await visit(next.rt, portal2);
    expect(next.encoded).toContain(' co-op');
  });

  it('without a manifest digest nothing is stored: a new tokenizer under the same URL could give other ids', async () => {
    const first = recording();
    await visit(first.rt, portal2);
    const second = recording();
    await visit(second.rt, other); // another item: the reason cache (keyed by URL alone here) misses
    expect(first.encoded).toContain(' co-op');
    expect(second.encoded).toContain(' co-op');
  });
});
