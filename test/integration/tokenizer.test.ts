// The shipped tokenizer gives the same ids in transformers.js as in training/ (Python).
// Vectors: test/fixtures/tokenizer-vectors.json, written by `python3 -m training.vectors` (see docs/training.md).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';

interface Vector {
  text: string;
  ids: number[];
  decoded: string;
}

const MODELS = fileURLToPath(new URL('../../public/models/', import.meta.url));
const MODEL = 'because-reason-v2';
// docs/plan-and-slots.md section 2: appended after v1's 6,000 tokens, in this order.
const V2_TOKENS = ['<|new|>', '<|facts|>', '<|@item|>', '<|@h1|>', '<|@h2|>', '<|@f1|>', '<|@f2|>', '<|@f3|>', '<|@noun|>', '<|@nouns|>', '<|@did|>'];
const fixture = JSON.parse(readFileSync(new URL('../fixtures/tokenizer-vectors.json', import.meta.url), 'utf8')) as {
  tokenizer_sha256: string;
  vectors: Vector[];
};

type Tok = Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
let tokenizer: Tok;

beforeAll(async () => {
  env.localModelPath = MODELS;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  tokenizer = await AutoTokenizer.from_pretrained(MODEL);
});

describe('shipped tokenizer (transformers.js) vs training/tokenizer.py', () => {
  it('the vectors were written for this tokenizer.json', () => {
    const sha = createHash('sha256').update(readFileSync(`${MODELS}${MODEL}/tokenizer.json`)).digest('hex');
    expect(sha).toBe(fixture.tokenizer_sha256);
  });

  it('has 500 vectors with emoji, CJK, accents and very long strings', () => {
    const texts = fixture.vectors.map((v) => v.text);
    expect(texts.length).toBe(500);
    expect(texts.some((t) => /\p{Extended_Pictographic}/u.test(t))).toBe(true);
    expect(texts.some((t) => /\p{Script=Han}/u.test(t))).toBe(true);
    expect(texts.some((t) => /[\u00C0-\u017F]/.test(t))).toBe(true);
    expect(texts.some((t) => Array.from(t).length > 300)).toBe(true);
  });

  it('special tokens have the contract ids', () => {
    const ids = tokenizer.encode('<|pad|><|end|><|domain|><|profile|><|history|><|sep|><|item|><|about|><|reason|>', {
      add_special_tokens: false,
    });
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('v2 tokens are ids 6000-6010; slots survive decode with skip_special_tokens, prompt markers do not', () => {
    expect(V2_TOKENS.map((t) => tokenizer.encode(t, { add_special_tokens: false }))).toEqual(V2_TOKENS.map((_, k) => [6000 + k]));
    const target = 'Because you <|@did|> <|@h1|>, <|@item|> is an <|@f1|> <|@noun|>.';
    const ids = tokenizer.encode(`<|domain|>game<|history|><|@h1|><|facts|><|@f1|>FPS<|reason|>${target}<|end|>`, { add_special_tokens: false });
    expect(ids.filter((id) => id >= 6000).length).toBe(8);
    const plain = tokenizer.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false });
    expect(plain.endsWith(target)).toBe(true);
    expect(plain).not.toContain('<|reason|>');
    expect(plain).not.toContain('<|facts|>');
  });

  it('encodes every vector to the same ids', () => {
    const mismatches: string[] = [];
    for (const v of fixture.vectors) {
      const ids = tokenizer.encode(v.text, { add_special_tokens: false });
      if (JSON.stringify(ids) !== JSON.stringify(v.ids)) mismatches.push(v.text.slice(0, 60));
    }
    expect(mismatches).toEqual([]);
  });

  it('decodes every vector to the same text (byte-level round trip)', () => {
    const mismatches: string[] = [];
    for (const v of fixture.vectors) {
      if (v.ids.length === 0) continue;
      const text = tokenizer.decode(v.ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
      if (text !== v.decoded || text !== v.text) mismatches.push(v.text.slice(0, 60));
    }
    expect(mismatches).toEqual([]);
  });
});
