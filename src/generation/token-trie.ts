// A trie of banned token sequences (HF `bad_words_ids` semantics: a sequence is banned when the
// tokens generated so far end with all of it but its last token, and then that last token is banned).
// Compiled once (per catalog or per call) and shared by every row; each row walks it with its own
// TrieCursor, so a decode step costs O(active trie nodes), not O(number of phrases).

/** Child keys pack (node, token) into one number: token ids stay below 2^24 (16.7 M). */
const TOKEN_SPAN = 0x1000000;
const NONE: readonly number[] = [];

export class TokenTrie {
  /** (node * TOKEN_SPAN + token) → child node. Node 0 is the root. */
  private readonly children = new Map<number, number>();
  /** Per node: tokens that complete a banned sequence from here (the tokens to ban next). */
  private readonly endings: number[][] = [[]];
  /** Sequences compiled (empty ones are ignored, as HF does). */
  readonly sequences: number;

  constructor(sequences: Iterable<readonly number[]>) {
    let count = 0;
    for (const seq of sequences) {
      if (seq.length === 0) continue;
      count++;
      let node = 0;
      for (const token of seq) if (!Number.isInteger(token) || token < 0 || token >= TOKEN_SPAN) throw new RangeError(`Token id ${token} is out of range for a TokenTrie.`);
      for (let k = 0; k < seq.length - 1; k++) {
        const token = seq[k] as number;
        const key = node * TOKEN_SPAN + token;
        let next = this.children.get(key);
        if (next === undefined) {
          next = this.endings.length;
          this.children.set(key, next);
          this.endings.push([]);
        }
        node = next;
      }
      const last = seq[seq.length - 1] as number;
      const ends = this.endings[node] as number[];
      if (!ends.includes(last)) ends.push(last);
    }
    this.sequences = count;
  }

  /** Nodes in the trie (root included). */
  get size(): number {
    return this.endings.length;
  }

  /** Tokens banned whatever came before: the one-token sequences. */
  get rootEndings(): readonly number[] {
    return this.endings[0] as number[];
  }

  /** The node reached from `node` by `token`, or -1. */
  child(node: number, token: number): number {
    return this.children.get(node * TOKEN_SPAN + token) ?? -1;
  }

  /** Tokens that would complete a banned sequence after reaching `node`. */
  endingsAt(node: number): readonly number[] {
    return this.endings[node] ?? NONE;
  }

  /** A cursor at the start of a generation. */
  cursor(): TrieCursor {
    return new TrieCursor(this);
  }
}

/**
 * One row's position in a TokenTrie: the non-root nodes matching a suffix of its tokens. Advancing
 * costs O(active nodes) (at most the longest sequence's length); two buffers, no per-step allocation.
 */
export class TrieCursor {
  private active: number[] = [];
  private spare: number[] = [];
  constructor(readonly trie: TokenTrie) {}

  /** Moves past one generated token. */
  advance(token: number): void {
    const next = this.spare;
    next.length = 0;
    const fromRoot = this.trie.child(0, token);
    if (fromRoot >= 0) next.push(fromRoot);
    for (const node of this.active) {
      const c = this.trie.child(node, token);
      if (c >= 0) next.push(c);
    }
    this.spare = this.active;
    this.active = next;
  }

  /**
   * Calls `ban` with every token banned next, except the root's (constant: see TokenTrie.rootEndings).
   * A token may be reported more than once.
   */
  forEachBanned(ban: (token: number) => void): void {
    for (const node of this.active) for (const t of this.trie.endingsAt(node)) ban(t);
  }

  /** Whether `token` is banned next (root endings included). */
  bans(token: number): boolean {
    if (this.trie.rootEndings.includes(token)) return true;
    for (const node of this.active) if (this.trie.endingsAt(node).includes(token)) return true;
    return false;
  }

  /** Active nodes (for tests and the cost bound). */
  get activeCount(): number {
    return this.active.length;
  }
}
