// No repeated n-gram (HF `no_repeat_ngram_size` semantics) over one row's generated tokens: a token
// is banned next when it would complete an n-gram that already occurs in them. Each generated token
// adds one n-gram to a map keyed by its first n-1 tokens, so a step costs O(n), not O(length).

/** Keys pack up to two token ids (below 2^24) into one number; longer prefixes use a string. */
const SPAN = 0x1000000;
const NONE: readonly number[] = [];

export class NgramBlocker {
  private readonly seen = new Map<number | string, number[]>();
  private readonly tokens: number[] = [];

  constructor(readonly n: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`no-repeat n-gram size must be a positive integer, got ${n}.`);
  }

  /** Records one generated token. */
  push(token: number): void {
    this.tokens.push(token);
    const end = this.tokens.length;
    if (end < this.n) return;
    const key = this.key(end - this.n);
    const next = this.seen.get(key);
    if (next === undefined) this.seen.set(key, [token]);
    else if (!next.includes(token)) next.push(token);
  }

  /** Tokens that would repeat an n-gram if generated next. */
  banned(): readonly number[] {
    const start = this.tokens.length - (this.n - 1);
    if (start < 0) return NONE;
    return this.seen.get(this.key(start)) ?? NONE;
  }

  /** Key of the n-1 tokens starting at `start`. */
  private key(start: number): number | string {
    const m = this.n - 1;
    if (m === 0) return 0;
    if (m === 1) return this.tokens[start] as number;
    if (m === 2) return (this.tokens[start] as number) * SPAN + (this.tokens[start + 1] as number);
    return this.tokens.slice(start, start + m).join(',');
  }
}
