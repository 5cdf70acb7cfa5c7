// A scripted stand-in for src/runtime/runtime.ts: word tokens (each word with its leading space), and a
// "model" that continues with the first of the test's candidate texts that agrees with what it has
// generated so far; the next agreeing candidate is its second choice (what a ban falls back to).
// It goes through the real decode loop (generate.ts): batching, streaming, banning, abort and the
// KV carry are exercised; only the network is fake.
import type { DecoderStep, KvCache } from '../../src/generation/generate.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';

const VOCAB = 4096;
const EOS = 1;
const REASON = '<|reason|>';

export interface FakeRuntime extends Runtime {
  /** Prefill calls per prompt (the text up to <|reason|>). */
  attempts: Map<string, number>;
  disposed: number;
  /** Largest batch seen by the model. */
  maxRows: number;
}

export interface FakeOptions {
  /** The model's continuations for a prompt, preferred first. */
  reply: (prompt: string) => string | string[];
  factsVocab?: string[];
  titleVocab?: string[];
  /** Tokenize every `<|…|>` marker as one token, like a slot model's added tokens (reason model v2). */
  slotTokens?: boolean;
  /** lexicon.json contents (dictionary and domain words of the check); default none. */
  lexicon?: unknown;
  /** Delay per forward pass (ms), to let tests abort mid-generation. */
  stepMs?: number;
}

type Rows = { rows: number[][] };

const pieces: string[] = ['<pad>', '<end>', ' x'];
const ids = new Map<string, number>(pieces.map((p, i) => [p, i]));
const OTHER = 2; // ' x': what the model writes when no candidate agrees

/** Whitespace-separated pieces; with `markers`, every `<|…|>` is a piece of its own (as added tokens are). */
const piecesOf = (text: string, markers: boolean): string[] => (markers ? text.match(/<\|[^|<>]*\|>|\s*(?:(?!<\|)\S)+|\s+/g) : text.match(/\s*\S+/g)) ?? [];

export const encodeWith = (text: string, markers: boolean): number[] =>
  piecesOf(text, markers).map((piece) => {
    let id = ids.get(piece);
    if (id === undefined) {
      id = pieces.length;
      if (id >= VOCAB) throw new Error('fake vocabulary full');
      pieces.push(piece);
      ids.set(piece, id);
    }
    return id;
  });
export const encode = (text: string): number[] => encodeWith(text, false);
export const detokenize = (tokens: readonly number[]): string => tokens.map((t) => (t > 2 ? pieces[t] : '')).join('');

export function fakeRuntime(options: FakeOptions): FakeRuntime {
  const encode = (text: string): number[] => encodeWith(text, options.slotTokens ?? false);
  const attempts = new Map<string, number>();
  const rt: FakeRuntime = {
    backend: 'cpu',
    backendReason: 'fake runtime',
    modelId: 'fake-model',
    modelUrl: 'test/fake-model',
    dtype: 'q8',
    maxPositions: 4096,
    eosId: EOS,
    padId: 0,
    factsVocab: options.factsVocab ?? [],
    lexicon: options.lexicon ?? null,
    titleVocab: options.titleVocab ?? [],
    kvLocation: 'cpu',
    encode,
    detokenize,
    attempts,
    disposed: 0,
    maxRows: 0,
    step: undefined as unknown as DecoderStep,
    async dispose() {
      rt.disposed++;
    },
  };
  const step: DecoderStep = {
    async run(f) {
      if (options.stepMs) await new Promise((r) => setTimeout(r, options.stepMs));
      rt.maxRows = Math.max(rt.maxRows, f.rows);
      const prev = f.past ? (f.past as unknown as Rows).rows : null;
      const rows = Array.from({ length: f.rows }, (_, r) => {
        const row = [...(prev?.[r] ?? [])];
        for (let j = 0; j < f.width; j++) if (f.attentionMask[r * f.maskWidth + (f.maskWidth - f.width) + j] === 1n) row.push(Number(f.inputIds[r * f.width + j]));
        return row;
      });
      const logits = new Float32Array(f.rows * VOCAB);
      rows.forEach((row, r) => {
        const text = detokenize(row);
        const cut = text.indexOf(REASON) + REASON.length;
        const prompt = text.slice(0, cut);
        if (!prev) attempts.set(prompt, (attempts.get(prompt) ?? 0) + 1);
        const generated = encode(text.slice(cut));
        const replies = options.reply(prompt);
        // Steps of 10 between the scripted choices: the engine's seeded sampling (src/defaults.ts DECODING)
        // then keeps to the script (a runner-up is e^-12 as likely at temperature 0.8), as greedy does.
        let score = 30;
        logits[r * VOCAB + OTHER] = 10;
        for (const candidate of Array.isArray(replies) ? replies : [replies]) {
          const tokens = encode(candidate);
          if (!generated.every((t, k) => tokens[k] === t)) continue;
          const next = tokens[generated.length] ?? EOS;
          if (logits[r * VOCAB + next] === 0) {
            logits[r * VOCAB + next] = score;
            score -= 10;
          }
        }
      });
      return { logits, vocab: VOCAB, past: { rows } as unknown as KvCache };
    },
    release() {},
  };
  (rt as { step: DecoderStep }).step = step;
  return rt;
}
