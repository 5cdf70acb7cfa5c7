import { describe, expect, it } from 'vitest';
import { InvalidInputError, InvalidItemError, InvalidOptionsError, TooManyItemsError } from '../../../src/errors.ts';
import { buildPrompt } from '../../../src/core/prompt.ts';
import { sanitizeAttributes, validateContext, validateItems, VALIDATION_LIMITS } from '../../../src/core/validate.ts';
import { validateOptions } from '../../../src/core/options.ts';

describe('validateItems', () => {
  it('keeps good items as sanitized copies and drops unknown fields', () => {
    const input = [{ id: 'a', title: '  Portal\u00A02 ', attributes: { tags: ['Puzzle'] }, description: 'Think.', price: 9.99, html: '<b>' }];
    const { valid, rejected, indices } = validateItems(input);
    expect(rejected).toEqual([]);
    expect(indices).toEqual([0]);
    expect(valid).toEqual([{ id: 'a', title: 'Portal 2', attributes: { tags: ['Puzzle'] }, description: 'Think.' }]);
    expect(valid[0]).not.toBe(input[0]);
  });

  it('rejects missing, empty and non-string titles, one item at a time', () => {
    const { valid, rejected } = validateItems([
      { id: 'ok', title: 'Fine' },
      { id: 'missing' },
      { id: 'empty', title: '' },
      { id: 'blank', title: ' \n\t\u200B'.replace('\u200B', '') },
      { id: 'control', title: '\u0000\u0001\u202E' },
      { id: 'number', title: 42 },
      { id: 'object', title: { toString: () => 'x' } },
      { id: 'ok2', title: 'Also fine' },
    ]);
    expect(valid.map((i) => i.id)).toEqual(['ok', 'ok2']);
    expect(rejected.map((r) => [r.index, r.id])).toEqual([
      [1, 'missing'],
      [2, 'empty'],
      [3, 'blank'],
      [4, 'control'],
      [5, 'number'],
      [6, 'object'],
    ]);
    for (const r of rejected) {
      expect(r.error).toBeInstanceOf(InvalidItemError);
      expect(r.error.message).toMatch(/title/);
      expect(r.error.details).toMatchObject({ index: r.index, itemId: r.id });
    }
  });

  it('rejects non-objects and unusable ids; stringifies numeric ids', () => {
    const { valid, rejected } = validateItems([null, 'str', [1], { title: 'no id' }, { id: '', title: 'x' }, { id: {}, title: 'x' }, { id: NaN, title: 'x' }, { id: 42, title: 'n' }, { id: 'x'.repeat(2000), title: 'long id' }]);
    expect(valid).toEqual([{ id: '42', title: 'n' }]);
    expect(rejected.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 8]);
    expect(rejected[0]?.error.message).toMatch(/null/);
    expect(rejected[3]?.error.message).toMatch(/id/);
    expect(rejected[7]?.error.message).toMatch(/at most 1024/);
  });

  it('caps and sanitizes 100 KB attributes instead of failing', () => {
    const huge = 'x'.repeat(100_000);
    const many = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, `v${i}`]));
    const { valid, rejected } = validateItems([
      { id: 'a', title: 'A', attributes: { blob: huge, list: Array.from({ length: 10_000 }, (_, i) => `tag${i}`) }, description: huge },
      { id: 'b', title: 'B', attributes: many },
    ]);
    expect(rejected).toEqual([]);
    const a = valid[0]!;
    expect((a.attributes?.blob as string).length).toBe(VALIDATION_LIMITS.attributeValueLength);
    expect(a.attributes?.list).toHaveLength(VALIDATION_LIMITS.attributeValues);
    expect(a.description).toHaveLength(VALIDATION_LIMITS.description);
    expect(Object.keys(valid[1]!.attributes ?? {})).toHaveLength(VALIDATION_LIMITS.attributeKeys);
    expect(JSON.stringify(valid).length).toBeLessThan(20_000);
    expect(buildPrompt(a).length).toBeLessThan(1000);
  });

  it('skips non-string values per the prompt spec, keeping finite numbers and booleans for ranking', () => {
    const attrs = sanitizeAttributes({ tags: ['Co-op', 3, null, { a: 1 }, ['nested'], true, NaN, '  '], rating: 4.5, bad: Infinity, n: null, f: () => 1, o: { x: 1 }, s: Symbol('s') as never });
    expect(attrs).toEqual({ tags: ['Co-op', 3, true], rating: 4.5 });
    expect(sanitizeAttributes('tags')).toBeUndefined();
    expect(sanitizeAttributes(['a'])).toBeUndefined();
    expect(sanitizeAttributes({ x: null })).toBeUndefined();
  });

  it('keeps a __proto__ key as plain data', () => {
    const attrs = sanitizeAttributes(JSON.parse('{"__proto__": ["Evil"], "tags": ["Ok"]}'));
    expect(Object.getPrototypeOf(attrs)).toBe(Object.prototype);
    expect(Object.keys(attrs ?? {})).toEqual(['__proto__', 'tags']);
    expect(({} as Record<string, unknown>).length).toBeUndefined();
  });

  it('survives hostile objects (throwing getters, proxies)', () => {
    const getter = { id: 'g', title: 'G', get attributes(): never { throw new Error('boom'); } };
    const proxy = new Proxy({}, { ownKeys: () => { throw new Error('nope'); } });
    const { valid, rejected } = validateItems([getter, { id: 'p', title: 'P', attributes: proxy }, { id: 'q', get title(): never { throw new Error('x'); } }]);
    expect(valid.map((i) => i.id)).toEqual(['g', 'p']);
    expect(rejected.map((r) => r.id)).toEqual(['q']);
  });

  it('keeps emoji, RTL and CJK text; removes bidi overrides and control characters', () => {
    const { valid } = validateItems([
      { id: 'e', title: '🎮 Party 🎉', attributes: { tags: ['👾'] } },
      { id: 'r', title: 'مغامرة رائعة' },
      { id: 'c', title: 'ドラゴンクエスト' },
      { id: 'b', title: 'evil\u202Etxt.exe\u0007' },
    ]);
    expect(valid.map((i) => i.title)).toEqual(['🎮 Party 🎉', 'مغامرة رائعة', 'ドラゴンクエスト', 'eviltxt.exe']);
    expect(valid[0]?.attributes).toEqual({ tags: ['👾'] });
  });

  it('allows duplicate ids, lists them, and keeps every position', () => {
    const { valid, indices, duplicates } = validateItems([
      { id: 'a', title: 'One' },
      { id: 'b', title: 'Two' },
      { id: 'a', title: 'One again' },
      { id: 'a', title: 'One more' },
    ]);
    expect(valid.map((i) => i.title)).toEqual(['One', 'Two', 'One again', 'One more']);
    expect(indices).toEqual([0, 1, 2, 3]);
    expect(duplicates).toEqual([
      { index: 2, firstIndex: 0, id: 'a' },
      { index: 3, firstIndex: 0, id: 'a' },
    ]);
  });

  it(`accepts ${VALIDATION_LIMITS.itemsPerCall} items and throws TooManyItemsError beyond`, () => {
    const items = Array.from({ length: VALIDATION_LIMITS.itemsPerCall }, (_, i) => ({ id: `i${i}`, title: `Item ${i}` }));
    expect(validateItems(items).valid).toHaveLength(VALIDATION_LIMITS.itemsPerCall);
    const more = [...items, { id: 'x', title: 'one too many' }];
    expect(() => validateItems(more)).toThrow(TooManyItemsError);
    expect(() => validateItems(more)).toThrow(/at most 1000/);
  });

  it('throws InvalidInputError when items is not an array', () => {
    for (const bad of [undefined, null, 'items', { length: 1, 0: { id: 'a', title: 'A' } }]) expect(() => validateItems(bad)).toThrow(InvalidInputError);
  });
});

describe('validateContext', () => {
  it('never throws on junk and returns {}', () => {
    for (const junk of [undefined, null, 42, 'ctx', [], () => 1]) expect(validateContext(junk)).toEqual({});
  });

  it('sanitizes fields and drops wrong types', () => {
    expect(validateContext({ domain: ' GAME\u0000 ', profile: 'x'.repeat(5000), history: 'nope', extra: 1 })).toEqual({ domain: 'game', profile: 'x'.repeat(200) });
    expect(validateContext({ domain: 7, profile: {}, history: undefined })).toEqual({});
  });

  it('keeps valid history entries, newest 200, with cleaned fields', () => {
    const history = [
      null,
      { title: '' },
      { title: 'Portal 2', id: 5, weight: 2, attributes: { tags: ['Puzzle', 1] } },
      { title: 'Doom', weight: -1, id: {} },
      'Half-Life',
      ...Array.from({ length: 300 }, (_, i) => ({ title: `G${i}` })),
    ];
    const out = validateContext({ history }).history ?? [];
    expect(out).toHaveLength(200);
    expect(out[0]?.title).toBe('G100');
    expect(out[199]?.title).toBe('G299');
    const small = validateContext({ history: history.slice(0, 5) }).history;
    expect(small).toEqual([{ title: 'Portal 2', id: '5', weight: 2, attributes: { tags: ['Puzzle', 1] } }, { title: 'Doom' }]);
  });
});

describe('validateOptions', () => {
  it('accepts the documented options and drops unknown ones', () => {
    const onProgress = (): void => undefined;
    const opts = { model: '/models/x/', device: 'wasm', dtype: 'q8', maxNewTokens: 48, onProgress, worker: false, wasmPaths: '/ort/', persistentCache: false, futureOption: 1 };
    const out = validateOptions(opts);
    expect(out).toEqual({ model: '/models/x/', device: 'wasm', dtype: 'q8', maxNewTokens: 48, onProgress, worker: false, wasmPaths: '/ort/', persistentCache: false });
    expect(validateOptions(undefined)).toEqual({});
    expect(validateOptions({ device: undefined })).toEqual({});
  });

  it.each([
    ['options', 'fast', /must be an object/],
    ['model', { model: '' }, /'model'/],
    ['device', { device: 'gpu' }, /'auto', 'webgpu', 'wasm'/],
    ['dtype', { dtype: 'int4' }, /'dtype'/],
    ['maxNewTokens 0', { maxNewTokens: 0 }, /1 to 512/],
    ['maxNewTokens float', { maxNewTokens: 2.5 }, /integer/],
    ['maxNewTokens huge', { maxNewTokens: 10_000 }, /1 to 512/],
    ['onProgress', { onProgress: 'log' }, /function/],
    ['worker', { worker: 'yes' }, /true or false/],
    ['wasmPaths', { wasmPaths: 3 }, /wasmPaths/],
    ['typo', { devcie: 'wasm' }, /did you mean 'device'/],
  ])('rejects bad %s with InvalidOptionsError', (_name, opts, message) => {
    expect(() => validateOptions(opts)).toThrow(InvalidOptionsError);
    expect(() => validateOptions(opts)).toThrow(message);
  });
});
