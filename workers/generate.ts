// The batched decode loop. Many prompts run as ONE batch: left padding, an attention mask,
// explicit position ids, the KV cache carried between steps (on the GPU when the runtime keeps it
// there), greedy decoding, per-row stop at <|end|> or a token limit, per-row streaming of text deltas.
// It knows nothing about transformers.js: the runtime passes a `DecoderStep` (see runtime.ts), so the
// padding, stopping, banning and streaming logic is unit-tested with a fake model.

/** An opaque KV cache owned by the runtime (tensors on CPU or GPU). */
export type KvCache = { readonly __brand: 'KvCache' };

export interface StepResult {
  /** Logits of the last position of every row, row-major [rows, vocab]. */
  logits: Float32Array;
  vocab: number;
  past: KvCache;
}

/** One forward pass of the model; implemented by the runtime. */
export interface DecoderStep {
  /** `past` is null for the prefill. Shapes: ids/mask/positions [rows, width]; mask width = past + width. */
  run(feeds: {
    inputIds: BigInt64Array;
    attentionMask: BigInt64Array;
    positionIds: BigInt64Array;
    rows: number;
    width: number;
    maskWidth: number;
    past: KvCache | null;
  }): Promise<StepResult>;
  /**
   * Repeats a one-row cache `rows` times (for a prompt prefix shared by every row); null when it cannot.
   * Left undefined where the cache lives on the GPU: there the shared prefix is simply prefilled per row.
   */
  expand?(past: KvCache, rows: number): KvCache | null;
  /** Keeps only the given rows of the cache (frees the rest); null when it cannot (e.g. GPU tensors). */
  compact?(past: KvCache, keep: readonly number[]): KvCache | null;
  /** Frees the cache (GPU buffers are released at once; CPU ones are left to GC). */
  release(past: KvCache): void;
}

/** Turns token ids into text; the tokenizer's decode. */
export type Detokenize = (ids: readonly number[]) => string;

export interface GenerateRow {
  /** Prompt token ids (no padding); ends with `prior` when that is given. */
  ids: readonly number[];
  /**
   * Tokens this row already generated (the tail of `ids`): a resumed generation. They count toward
   * `maxNewTokens`, the banned-sequence checks and the returned tokens/text.
   */
  prior?: readonly number[];
  maxNewTokens: number;
  /**
   * Stop once the text holds this many complete sentences (each of at least SENTENCE_MIN_WORDS words
   * counted from the start): seen when a token starting with whitespace follows sentence-final
   * punctuation; that token is dropped. Unset: only <|end|> and maxNewTokens stop the row.
   */
  sentences?: number;
  /** Token sequences that must not be produced (HF `bad_words_ids` semantics). */
  badWords?: readonly (readonly number[])[];
  /** Called with each new piece of text, never splitting a multi-byte character. */
  onDelta?: (text: string) => void;
  /** Aborting stops this row only; the rest of the batch goes on. */
  signal?: AbortSignal;
}

export type StopReason = 'eos' | 'length' | 'sentence' | 'aborted';

export interface RowResult {
  tokens: number[];
  text: string;
  stop: StopReason;
}

export interface GenerateStats {
  rows: number;
  /** Padded prompt width of the prefill (shared prefix included). */
  width: number;
  /** Prompt tokens every row shares, prefilled once (0 when not used). */
  sharedPrefix: number;
  /** Forward passes (1 prefill + decode steps). */
  steps: number;
  prefillMs: number;
  decodeMs: number;
  /** Generated tokens over all rows (eos excluded). */
  tokens: number;
  /** Rows dropped from the cache mid-batch because they had finished. */
  compactions: number;
}

export interface GenerateOptions {
  eosId: number;
  padId: number;
  /** Prefill a common prompt prefix once when it is at least this long (default 16) and the runtime can expand it. */
  minSharedPrefix?: number;
  /** Shrink the batch once this share of its rows has finished (only where the runtime can). */
  compactShare?: number;
  now?: () => number;
}

export interface Padded {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  positionIds: BigInt64Array;
  width: number;
}

/**
 * Left-pads prompts to one width. Positions count real tokens only (0..len-1, pads get 1 as in
 * transformers), so a padded row sees exactly what it would see alone.
 */
export function leftPad(rows: readonly (readonly number[])[], padId: number): Padded {
  const width = Math.max(1, ...rows.map((r) => r.length));
  const n = rows.length * width;
  const inputIds = new BigInt64Array(n).fill(BigInt(padId));
  const attentionMask = new BigInt64Array(n);
  const positionIds = new BigInt64Array(n).fill(1n);
  rows.forEach((row, r) => {
    const offset = r * width + (width - row.length);
    row.forEach((id, j) => {
      inputIds[offset + j] = BigInt(id);
      attentionMask[offset + j] = 1n;
      positionIds[offset + j] = BigInt(j);
    });
  });
  return { inputIds, attentionMask, positionIds, width };
}

/** Fewer words than this before a full stop do not count as a sentence ("Dear customer." goes on). */
export const SENTENCE_MIN_WORDS = 4;
const SENTENCE_END = /[.!?…。！？]["'”’)\]]*$/u;
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Whether `text` (ending with the newest token `last`) has just completed its `n`-th sentence: `last`
 * starts with whitespace and what precedes it ends a sentence. Sentences are counted as sentence-final
 * punctuation followed by whitespace, after at least SENTENCE_MIN_WORDS words.
 */
export function completesSentences(text: string, last: string, n: number): boolean {
  if (!/^\s/u.test(last) || last.length > text.length) return false;
  const before = text.slice(0, text.length - last.length);
  if (!SENTENCE_END.test(before)) return false;
  if ((before.match(WORD)?.length ?? 0) < SENTENCE_MIN_WORDS) return false;
  const ends = before.match(/[.!?…。！？]["'”’)\]]*(?=\s)/gu)?.length ?? 0;
  return ends + 1 >= n;
}

/**
 * Length of the prompt prefix all rows share (e.g. domain + the visitor's history, identical for every
 * item of a page), leaving each row at least one token of its own so its last logits are its own.
 */
export function sharedPrefixLength(rows: readonly (readonly number[])[]): number {
  if (rows.length < 2) return 0;
  const first = rows[0] as readonly number[];
  let n = Math.min(...rows.map((r) => r.length)) - 1;
  for (const row of rows) {
    let k = 0;
    while (k < n && row[k] === first[k]) k++;
    n = k;
  }
  return Math.max(0, n);
}

/**
 * Feeds for the rows' own suffixes after a shared prefix of `shared` tokens is in the cache: suffixes
 * left-padded to one width S, so the pads sit between prefix and suffix (masked out); positions continue
 * from the prefix. The mask covers prefix + S.
 */
export function suffixPad(rows: readonly (readonly number[])[], shared: number, padId: number): Padded & { maskWidth: number } {
  const width = Math.max(1, ...rows.map((r) => r.length - shared));
  const maskWidth = shared + width;
  const inputIds = new BigInt64Array(rows.length * width).fill(BigInt(padId));
  const positionIds = new BigInt64Array(rows.length * width).fill(1n);
  const attentionMask = new BigInt64Array(rows.length * maskWidth);
  rows.forEach((row, r) => {
    attentionMask.fill(1n, r * maskWidth, r * maskWidth + shared);
    const suffix = row.slice(shared);
    const offset = width - suffix.length;
    suffix.forEach((id, j) => {
      inputIds[r * width + offset + j] = BigInt(id);
      positionIds[r * width + offset + j] = BigInt(shared + j);
      attentionMask[r * maskWidth + shared + offset + j] = 1n;
    });
  });
  return { inputIds, attentionMask, positionIds, width, maskWidth };
}

/**
 * Splits rows (by prompt length) into groups whose padded prefill (rows × longest prompt) stays within
 * `budget` tokens: prefill returns logits for every position, so this bounds its memory. Rows are
 * grouped shortest first; one row always forms a group. Returns row indices per group.
 */
export function splitForPrefill(lengths: readonly number[], budget: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => (lengths[a] as number) - (lengths[b] as number) || a - b);
  const groups: number[][] = [];
  let current: number[] = [];
  for (const i of order) {
    const width = Math.max(1, lengths[i] as number); // sorted: the newest row is the longest
    if (current.length > 0 && (current.length + 1) * width > budget) {
      groups.push(current);
      current = [];
    }
    current.push(i);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Tokens banned next for one row: the last token of every bad sequence whose prefix was just generated. */
export function bannedNext(generated: readonly number[], badWords: readonly (readonly number[])[] | undefined): number[] {
  const out: number[] = [];
  for (const seq of badWords ?? []) {
    if (seq.length === 0) continue;
    const prefix = seq.length - 1;
    if (prefix > generated.length) continue;
    let match = true;
    for (let k = 0; k < prefix && match; k++) match = generated[generated.length - prefix + k] === seq[k];
    if (match) out.push(seq[prefix] as number);
  }
  return out;
}

/**
 * The first position where greedy decoding with `badWords` would leave `tokens` (a token that
 * completes a banned sequence), or -1 when no ban fires: then a greedy regeneration with these bans
 * would reproduce `tokens` exactly, and up to the returned position it always does.
 */
export function firstBannedIndex(tokens: readonly number[], badWords: readonly (readonly number[])[]): number {
  for (let i = 0; i < tokens.length; i++) if (bannedNext(tokens.slice(0, i), badWords).includes(tokens[i] as number)) return i;
  return -1;
}

/** Index of the largest logit of one row, skipping banned ids; ties go to the lowest id (deterministic). */
export function argmax(logits: Float32Array, offset: number, vocab: number, banned: readonly number[] = []): number {
  const skip = banned.length > 0 ? new Set(banned) : null;
  let best = -1;
  let bestValue = -Infinity;
  for (let v = 0; v < vocab; v++) {
    const x = logits[offset + v] as number;
    if (x > bestValue && !(skip && skip.has(v))) {
      bestValue = x;
      best = v;
    }
  }
  return best < 0 ? 0 : best;
}

/**
 * Incremental detokenizer: re-decodes the row's tokens and emits only the new suffix. Text ending in
 * U+FFFD (a multi-byte character cut between tokens) is held back until the next token completes it.
 */
export class TextDelta {
  private emitted = '';
  constructor(private readonly detokenize: Detokenize) {}

  /** New text since the last call ('' when nothing is safe to emit yet). */
  push(tokens: readonly number[]): string {
    const text = this.detokenize(tokens);
    if (text.endsWith('\uFFFD') || !text.startsWith(this.emitted)) return '';
    const delta = text.slice(this.emitted.length);
    this.emitted = text;
    return delta;
  }

  /** The remaining text at the end (whatever the decoder gives, even a lone U+FFFD). */
  flush(tokens: readonly number[]): { text: string; delta: string } {
    const text = this.detokenize(tokens);
    const delta = text.startsWith(this.emitted) ? text.slice(this.emitted.length) : '';
    this.emitted = text;
    return { text, delta };
  }
}

interface RowState {
  index: number;
  row: GenerateRow;
  /** This row's attention mask over the prompt part of the cache (set at prefill). */
  promptMask: BigInt64Array;
  tokens: number[];
  done: StopReason | null;
  stream: TextDelta | null;
  position: number;
}

/**
 * Generates a continuation for every row in one batch. Rows that finish keep a slot (fed pad tokens)
 * until enough of them have finished to compact the cache, where the runtime supports it.
 */
export async function generateBatch(
  step: DecoderStep,
  detokenize: Detokenize,
  rows: readonly GenerateRow[],
  options: GenerateOptions,
): Promise<{ results: RowResult[]; stats: GenerateStats }> {
  const now = options.now ?? (() => performance.now());
  const compactShare = options.compactShare ?? 0.25;
  const states: RowState[] = rows.map((row, index) => ({
    index,
    row,
    promptMask: new BigInt64Array(0),
    tokens: [...(row.prior ?? [])],
    done: row.signal?.aborted ? 'aborted' : row.maxNewTokens <= (row.prior?.length ?? 0) ? 'length' : null,
    stream: row.onDelta ? new TextDelta(detokenize) : null,
    position: row.ids.length,
  }));
  const stats: GenerateStats = { rows: rows.length, width: 0, sharedPrefix: 0, steps: 0, prefillMs: 0, decodeMs: 0, tokens: 0, compactions: 0 };
  const active = states.filter((s) => s.done === null);
  if (active.length === 0) return { results: finish(states, detokenize), stats };

  let t0 = now();
  const { out: first, maskWidth: promptWidth, mask, shared, steps } = await prefill(step, active.map((s) => s.row.ids), options);
  let out = first;
  let maskWidth = promptWidth;
  active.forEach((s, r) => (s.promptMask = mask.slice(r * promptWidth, (r + 1) * promptWidth)));
  stats.prefillMs = now() - t0;
  stats.width = promptWidth;
  stats.sharedPrefix = shared;
  stats.steps = steps;
  let past: KvCache | null = out.past;
  // `slots` are the rows currently in the cache, in cache order.
  let slots = active;
  try {
    for (;;) {
      // Pick the next token of every live row.
      slots.forEach((s, r) => {
        if (s.done) return;
        if (s.row.signal?.aborted) {
          s.done = 'aborted';
          return;
        }
        const token = argmax(out.logits, r * out.vocab, out.vocab, bannedNext(s.tokens, s.row.badWords));
        if (token === options.eosId) {
          s.done = 'eos';
          return;
        }
        s.tokens.push(token);
        stats.tokens++;
        if (s.row.sentences && completesSentences(detokenize(s.tokens), detokenize([token]), s.row.sentences)) {
          s.tokens.pop(); // the whitespace-led token that showed the sentence had ended
          s.done = 'sentence';
          return;
        }
        if (s.stream) {
          const delta = s.stream.push(s.tokens);
          if (delta) s.row.onDelta?.(delta);
        }
        if (s.tokens.length >= s.row.maxNewTokens) s.done = 'length';
      });
      const live = slots.filter((s) => !s.done);
      if (live.length === 0) break;

      // Drop finished rows from the cache when enough have finished and the runtime can.
      if (step.compact && past && (slots.length - live.length) / slots.length >= compactShare) {
        const keep = slots.flatMap((s, r) => (s.done ? [] : [r]));
        const smaller = step.compact(past, keep);
        if (smaller) {
          past = smaller;
          slots = live;
          stats.compactions++;
        }
      }

      // One decode step: every slot feeds its last token (finished ones feed a pad, masked out of nothing
      // that matters: their outputs are ignored).
      const n = slots.length;
      const inputIds = new BigInt64Array(n);
      const positionIds = new BigInt64Array(n);
      slots.forEach((s, r) => {
        inputIds[r] = BigInt(s.done ? options.padId : (s.tokens[s.tokens.length - 1] as number));
        positionIds[r] = BigInt(s.position);
        s.position++;
      });
      maskWidth++;
      const attentionMask = buildMask(slots, maskWidth);
      t0 = now();
      const previous: KvCache | null = past;
      out = await step.run({ inputIds, attentionMask, positionIds, rows: n, width: 1, maskWidth, past });
      stats.decodeMs += now() - t0;
      stats.steps++;
      past = out.past;
      if (previous && previous !== past) step.release(previous);
    }
  } finally {
    if (past) step.release(past);
  }
  return { results: finish(states, detokenize), stats };
}

/**
 * The prompt pass. With a shared prefix (and a runtime that can expand a cache): the prefix once as a
 * batch of 1, its cache repeated for every row, then each row's own suffix. Otherwise all prompts
 * left-padded in one pass. Either way each row sees exactly its own prompt.
 */
async function prefill(
  step: DecoderStep,
  ids: readonly (readonly number[])[],
  options: GenerateOptions,
): Promise<{ out: StepResult; maskWidth: number; mask: BigInt64Array; shared: number; steps: number }> {
  const shared = step.expand ? sharedPrefixLength(ids) : 0;
  if (step.expand && shared >= (options.minSharedPrefix ?? 16)) {
    const prefix = BigInt64Array.from((ids[0] as readonly number[]).slice(0, shared), (x) => BigInt(x));
    const head = await step.run({
      inputIds: prefix,
      attentionMask: new BigInt64Array(shared).fill(1n),
      positionIds: BigInt64Array.from({ length: shared }, (_, j) => BigInt(j)),
      rows: 1,
      width: shared,
      maskWidth: shared,
      past: null,
    });
    const wide = step.expand(head.past, ids.length);
    if (wide) {
      if (wide !== head.past) step.release(head.past);
      const feeds = suffixPad(ids, shared, options.padId);
      const out = await step.run({ ...feeds, rows: ids.length, past: wide });
      if (out.past !== wide) step.release(wide);
      return { out, maskWidth: feeds.maskWidth, mask: feeds.attentionMask, shared, steps: 2 };
    }
    step.release(head.past);
  }
  const padded = leftPad(ids, options.padId);
  const out = await step.run({ ...padded, rows: ids.length, maskWidth: padded.width, past: null });
  return { out, maskWidth: padded.width, mask: padded.attentionMask, shared: 0, steps: 1 };
}

/** Attention mask for a decode step: each row's prompt mask, then ones for everything generated since. */
function buildMask(slots: readonly RowState[], maskWidth: number): BigInt64Array {
  const mask = new BigInt64Array(slots.length * maskWidth);
  slots.forEach((s, r) => {
    mask.set(s.promptMask, r * maskWidth);
    mask.fill(1n, r * maskWidth + s.promptMask.length, (r + 1) * maskWidth);
  });
  return mask;
}

function finish(states: readonly RowState[], detokenize: Detokenize): RowResult[] {
  return states.map((s) => {
    let text: string;
    if (s.stream) {
      const rest = s.stream.flush(s.tokens);
      if (rest.delta) s.row.onDelta?.(rest.delta);
      text = rest.text;
    } else {
      text = detokenize(s.tokens);
    }
    return { tokens: s.tokens, text, stop: s.done ?? 'length' };
  });
}
