// The engine with a slot model (reason model v2, docs/plan-and-slots.md): plan → v2 prompt →
// constrained decoding → filled slots → check → one regeneration with candidates → labelled fallback.
// The scripted model (fake-runtime.ts with slotTokens) tokenizes every `<|…|>` marker as one token.
import { afterEach, describe, expect, it } from 'vitest';
import type { Item, UserContext } from '../../../src/types.ts';
import { Engine } from '../../../src/engine/engine.ts';
import { fakeRuntime } from '../../../scripts/reliability/fake-runtime.ts';
import type { FakeOptions } from '../../../scripts/reliability/fake-runtime.ts';

const history: UserContext = { domain: 'game', history: [{ title: 'Portal', attributes: { tags: ['Puzzle', 'Sci-fi'] } }] };
const newVisitor: UserContext = { domain: 'game' };
const portal2: Item = { id: 'p2', title: 'Portal 2', attributes: { tags: ['Puzzle', 'Co-op'] } };

const open: Engine[] = [];
function engine(options: Omit<FakeOptions, 'slotTokens'>): Engine {
  const rt = fakeRuntime({ factsVocab: ['Puzzle', 'Co-op', 'Racing'], titleVocab: ['Half-Life 2'], ...options, slotTokens: true });
  const e = new Engine({ persistentCache: false, maxNewTokens: 40, loadRuntime: async () => rt });
  open.push(e);
  return e;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.dispose()));
});

describe('Engine with a slot model', () => {
  it('prompts with the plan only and fills the slots it writes', async () => {
    const prompts: string[] = [];
    const e = engine({
      reply: (prompt) => {
        prompts.push(prompt);
        return 'Because you <|@did|> <|@h1|>, <|@item|> is another <|@f1|> <|@noun|>.';
      },
    });
    const [reason] = await e.explain([portal2], history);
    expect(prompts[0]).toBe('<|domain|>game<|history|><|@h1|><|facts|><|@f1|>Puzzle<|reason|>');
    expect(reason).toMatchObject({ source: 'model', text: 'Because you played Portal, Portal 2 is another puzzle game.' });
    expect(reason?.facts.map((f) => `${f.from}:${f.value}`)).toEqual(['history:Portal', 'item:Portal 2', 'item:Puzzle']);
  });

  it('does not ask the model when the plan has nothing to cite (no fact of the item, no history)', async () => {
    const prompts: string[] = [];
    const e = engine({ reply: (prompt) => (prompts.push(prompt), "Don't miss out on this exciting <|@noun|>!") });
    const [bare, tagged] = await e.explain([{ id: 'b', title: 'Burger Lounge' }, portal2], newVisitor);
    expect(bare).toMatchObject({ source: 'fallback', fallbackReason: 'nothing-planned', tokens: 0 });
    expect(bare?.text).toContain('Burger Lounge');
    // The same reply under a card with facts is asked for (and fails the check: it cites none of them).
    expect(prompts.some((p) => p.includes('Puzzle'))).toBe(true);
    expect(prompts.every((p) => p.includes('<|facts|>'))).toBe(true);
    expect(tagged?.fallbackReason).not.toBe('nothing-planned');
  });

  it('never emits a slot the plan does not define (a new visitor has no history slot)', async () => {
    const e = engine({
      // The model prefers a history slot; the plan of a new visitor has none, so the mask takes the next choice.
      reply: () => ['Try <|@item|>, like <|@h1|>.', 'Try <|@item|>, like <|@f1|> and <|@f2|> <|@nouns|>.'],
    });
    const [reason] = await e.explain([portal2], newVisitor);
    expect(reason).toMatchObject({ source: 'model', text: 'Try Portal 2, like puzzle and co-op games.' });
  });

  it('regenerates with candidates when the filled text fails the check, and falls back (labelled) when every one fails', async () => {
    // Leaves the planned fact out: 'omitted' on every attempt.
    const e = engine({ reply: () => ['You might enjoy <|@item|> next.', 'Try <|@item|> after <|@h1|> tonight.'] });
    const [reason] = await e.explain([portal2], history);
    expect(reason).toMatchObject({ source: 'fallback', fallbackReason: 'omitted' });
    expect(e.stats().regenerations).toBe(1);
    expect(reason?.tokens).toBe(0);
  });

  it('keeps a passing candidate of the regeneration', async () => {
    const e = engine({ reply: () => ['You might enjoy <|@item|> next.', 'Try <|@item|>, a <|@f1|> <|@noun|> like <|@h1|>.'] });
    const [reason] = await e.explain([portal2], history);
    expect(reason).toMatchObject({ source: 'model', text: 'Try Portal 2, a puzzle game like Portal.' });
    expect(e.stats().regenerations).toBe(1);
  });
});

describe('Engine with a slot model: which accepted candidate is shown', () => {
  // Two shared facts: the first attempt's prompt has <|@f2|> and leaves a fact out (omitted); the
  // regeneration's plan keeps one fact, and its two greedy forks both pass the check.
  const sciFi: Item = { id: 'p2', title: 'Portal 2', attributes: { tags: ['Puzzle', 'Sci-fi'] } };
  const reply = (prompt: string) =>
    prompt.includes('<|@f2|>') ? 'You might enjoy <|@item|> next.' : ['Try <|@item|>, a <|@f1|> <|@noun|>.', 'Like <|@h1|>, <|@item|> is a <|@f1|> <|@noun|>.'];
  it('with a history, the most probable accepted one that names a history title', async () => {
    const e = engine({ factsVocab: ['Puzzle', 'Sci-fi'], reply });
    const [reason] = await e.explain([sciFi], history);
    expect(e.stats().regenerations).toBe(1);
    expect(reason).toMatchObject({ source: 'model', text: 'Like Portal, Portal 2 is a puzzle game.' });
  });
  it('for a new visitor, the most probable accepted one', async () => {
    const e = engine({ factsVocab: ['Puzzle', 'Sci-fi'], reply: (prompt) => (prompt.includes('<|@f2|>') ? 'You might enjoy <|@item|> next.' : ['Try <|@item|>, a <|@f1|> <|@noun|>.', 'Yes, <|@item|> is a <|@f1|> <|@noun|>.']) });
    const [reason] = await e.explain([sciFi], newVisitor);
    expect(reason).toMatchObject({ source: 'model', text: 'Try Portal 2, a puzzle game.' });
  });
  const cards: Item[] = ['Portal 2', 'Talos', 'Braid'].map((title, k) => ({ id: `c${k}`, title, attributes: { tags: ['Puzzle', 'Sci-fi'] } }));
  it('a wording already shown on the page gives way to an accepted one that is not', async () => {
    const e = engine({ factsVocab: ['Puzzle', 'Sci-fi'], reply: (prompt) => (prompt.includes('<|@f2|>') ? 'You might enjoy <|@item|> next.' : ['Try <|@item|>, a <|@f1|> <|@noun|>.', 'Yes, <|@item|> is a <|@f1|> <|@noun|>.']) });
    // Cards arrive one call each, as the embed streams them.
    const texts: string[] = [];
    for (const card of cards) texts.push(((await e.explain([card], newVisitor))[0] as { text: string }).text);
    // The third card has no unused wording left: the most probable one again.
    expect(texts).toEqual(['Try Portal 2, a puzzle game.', 'Yes, Talos is a puzzle game.', 'Try Braid, a puzzle game.']);
  });
  it('naming the history still comes before a new wording', async () => {
    const e = engine({ factsVocab: ['Puzzle', 'Sci-fi'], reply });
    const texts: string[] = [];
    for (const card of cards.slice(0, 2)) texts.push(((await e.explain([card], history))[0] as { text: string }).text);
    expect(texts).toEqual(['Like Portal, Portal 2 is a puzzle game.', 'Like Portal, Talos is a puzzle game.']);
  });
});

describe('Engine when the tokenizer throws on an item', () => {
  it('answers that item with a labelled fallback and the others normally', async () => {
    const rt = fakeRuntime({ reply: () => 'A Puzzle game you will like.' });
    const encode = rt.encode;
    const e = new Engine({ persistentCache: false, loadRuntime: async () => ({ ...rt, encode: (text: string) => (text.includes('Broken') ? (() => { throw new Error('tokenizer failed'); })() : encode(text)) }) });
    open.push(e);
    const reasons = await e.explain([{ id: 'b', title: 'Broken', attributes: { tags: ['Puzzle'] } }, { id: 'g', title: 'Good', attributes: { tags: ['Puzzle'] } }], { domain: 'game' });
    expect(reasons.map((r) => [r.itemId, r.source, r.fallbackReason])).toEqual([['b', 'fallback', 'model-error'], ['g', 'model', undefined]]);
  });
});
