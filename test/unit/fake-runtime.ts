// A scripted stand-in for workers/runtime.ts: character tokens, and a "model" whose reply to a prompt
// is chosen by the test (per attempt). It goes through the real decode loop (generate.ts), so batching,
// streaming, abort and the KV carry are exercised; only the network is fake.
import type { DecoderStep, KvCache } from '../../workers/generate.ts';
import type { Runtime } from '../../workers/runtime.ts';

const VOCAB = 256;
const EOS = 1;
const REASON = '<|reason|>';

export interface FakeRuntime extends Runtime {
  /** Prefill calls per prompt (the 2nd is the regeneration). */
  attempts: Map<string, number>;
  disposed: number;
  /** Largest batch seen by the model. */
  maxRows: number;
}

export interface FakeOptions {
  /** The text the model writes for a prompt on its n-th attempt (1-based). */
  reply: (prompt: string, attempt: number) => string;
  factsVocab?: string[];
  /** Delay per forward pass (ms), to let tests abort mid-generation. */
  stepMs?: number;
}

type Rows = { rows: { ids: number[]; prompt: string; attempt: number }[] };

export const encode = (text: string): number[] => Array.from(text, (c) => {
  const code = c.codePointAt(0) as number;
  return code > 1 && code < VOCAB ? code : 63; // '?'
});
export const detokenize = (ids: readonly number[]): string => String.fromCharCode(...ids);

export function fakeRuntime(options: FakeOptions): FakeRuntime {
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
        const ids = [...(prev?.[r]?.ids ?? [])];
        for (let j = 0; j < f.width; j++) if (f.attentionMask[r * f.maskWidth + (f.maskWidth - f.width) + j] === 1n) ids.push(Number(f.inputIds[r * f.width + j]));
        let prompt = prev?.[r]?.prompt ?? '';
        let attempt = prev?.[r]?.attempt ?? 0;
        if (!prev) {
          prompt = detokenize(ids);
          attempt = (attempts.get(prompt) ?? 0) + 1;
          attempts.set(prompt, attempt);
        }
        return { ids, prompt, attempt };
      });
      const logits = new Float32Array(f.rows * VOCAB);
      rows.forEach((row, r) => {
        const text = detokenize(row.ids);
        const generated = text.slice(text.lastIndexOf(REASON) + REASON.length);
        const reply = encode(options.reply(row.prompt, row.attempt));
        const next = reply[generated.length] ?? EOS;
        logits[r * VOCAB + next] = 2;
        logits[r * VOCAB + 120] = Math.max(logits[r * VOCAB + 120] as number, 1); // 'x': second best
      });
      return { logits, vocab: VOCAB, past: { rows } as unknown as KvCache };
    },
    release() {},
  };
  (rt as { step: DecoderStep }).step = step;
  return rt;
}
