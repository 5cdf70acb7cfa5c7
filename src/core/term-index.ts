// Finding known terms (facts, vocabulary, titles) in free text: one normalization for terms and
// text, a character trie for fast lookup, and the word-boundary rules. Pure; no DOM.
import { regExpFor } from './word-regexp.ts';

/** Text split into code points, as written (`orig`) and lower-cased (`lower`), after match normalization. */
export interface Segmented {
  orig: string[];
  lower: string[];
}

/** A segmented text with its lower-cased string and the code point index of each UTF-16 offset (-1 inside one). */
export interface SearchableText extends Segmented {
  joined: string;
  cpAt: Int32Array;
}

export function searchable(text: string): SearchableText {
  const seg = segment(text);
  const joined = seg.lower.join('');
  const cpAt = new Int32Array(joined.length + 1).fill(-1);
  let offset = 0;
  seg.lower.forEach((c, k) => {
    cpAt[offset] = k;
    offset += c.length;
  });
  cpAt[joined.length] = seg.lower.length;
  return { ...seg, joined, cpAt };
}

const ENTITIES: Record<string, string> = { amp: '&', quot: '"', apos: "'", '#39': "'", lt: '<', gt: '>' };
const ENTITY = /&(amp|quot|apos|#39|lt|gt);/g;
// Trademark signs: NFKC would turn '™' into 'TM' glued to the word before it.
const SIGNS = /[\u2122\u00AE\u00A9\u2120]/g;
// Latin/Greek/Cyrillic combining accents only: 'Pokémon' matches 'Pokemon'. Marks of other scripts stay.
const ACCENTS = /[\u0300-\u036F]/g;
const INVISIBLE = /[\u00AD\u200B-\u200D\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/g;
// Apostrophes are dropped: "Baldur's Gate" = 'Baldurs Gate', and "Portal 2's" = 'Portal 2s' (a plural-like suffix).
const APOSTROPHES = /['\u2018\u2019\u02BC\u2032`\u00B4]/g;
// Whitespace, hyphens, dashes and underscores are one separator: 'free-to-play' = 'Free to Play'.
const SEPARATORS = /[\s\-\u2010-\u2015\u2212_]+/gu;
const PLAIN_ASCII = /^[\x20-\x25\x28-\x2C\x2E-\x5E\x61-\x7E]*$/;
const SPACE_RUN = / {2,}/g;

/**
 * Normalization for matching (not for display): HTML entities decoded (some catalogs store
 * 'Animation &amp; Modeling'), trademark signs dropped, NFKC (full-width letters, ligatures),
 * Latin accents stripped, invisible characters and apostrophes removed, and every run of
 * whitespace/hyphens/underscores made one space.
 */
export function normalizeForMatch(text: string): string {
  // Fast path: plain printable ASCII without entities or apostrophes/hyphens/underscores/backticks needs only space folding.
  if (PLAIN_ASCII.test(text)) return text.replace(SPACE_RUN, ' ').trim();
  return text
    .replace(ENTITY, (_m, name: string) => ENTITIES[name] ?? _m)
    .replace(SIGNS, '')
    .normalize('NFKD')
    .replace(ACCENTS, '')
    .normalize('NFC')
    .replace(INVISIBLE, '')
    .replace(APOSTROPHES, '')
    .replace(SEPARATORS, ' ')
    .trim();
}

export function segment(text: string): Segmented {
  const normalized = normalizeForMatch(text);
  const orig = Array.from(normalized);
  const lowered = normalized.toLowerCase();
  // Lower-casing the whole string is much faster; per code point only when it changes lengths ('İ').
  const lower = lowered.length === normalized.length && orig.length === normalized.length ? lowered.split('') : orig.map((c) => c.toLowerCase());
  return { orig, lower };
}

// Keys of recently seen terms (facts and titles repeat across calls); cleared when full.
const keyCache = new Map<string, string>();
const KEY_CACHE_MAX = 20_000;

/** `phrase` as a regex source: special characters escaped, any run of spaces matching any whitespace. */
export function phrasePattern(phrase: string): string {
  return phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
}

/** `text` with every whole-word occurrence (any case) of each phrase longer than one character replaced by `blank`. */
export function blankPhrases(text: string, phrases: readonly unknown[], blank: string): string {
  let out = text;
  for (const p of phrases) {
    const phrase = typeof p === 'string' ? p.trim() : '';
    if (phrase.length > 1) out = out.replace(regExpFor(out, `(?<![\\p{L}\\p{N}])${phrasePattern(phrase)}(?![\\p{L}\\p{N}])`, 'giu'), blank);
  }
  return out;
}

/** The lookup key of a term: normalized and lower-cased (= segment(text).lower.join('')). Two spellings with one key are one fact. */
export function termKey(text: string): string {
  const cached = keyCache.get(text);
  if (cached !== undefined) return cached;
  const normalized = normalizeForMatch(text);
  const lowered = normalized.toLowerCase();
  const key = lowered.length === normalized.length ? lowered : Array.from(normalized, (c) => c.toLowerCase()).join('');
  if (text.length <= 200) {
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    keyCache.set(text, key);
  }
  return key;
}

const WORD = /[\p{L}\p{N}\p{M}]/u;
// Scripts written without spaces between words (or, for Hangul, with particles glued to nouns):
// a term may start or end anywhere next to these characters.
const UNSPACED = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}]/u;
const LATIN_OR_DIGIT = /[\p{Script=Latin}0-9]/u;
const UPPER = /\p{Lu}/u;

function spacedWordChar(c: string | undefined): boolean {
  return c !== undefined && WORD.test(c) && !UNSPACED.test(c);
}

/** A word boundary lies between two characters unless both are letters/digits of a space-separated script. */
export function isBoundary(before: string | undefined, after: string | undefined): boolean {
  return !(spacedWordChar(before) && spacedWordChar(after));
}

/** Sentence start: nothing before, or only spaces/quotes/brackets after . ! ? : ; or a line start. */
export function atSentenceStart(orig: readonly string[], index: number): boolean {
  for (let k = index - 1; k >= 0; k--) {
    const c = orig[k] as string;
    if (c === ' ' || c === '"' || c === "'" || c === '(' || c === '\u201C' || c === '\u00AB' || c === '*') continue;
    return c === '.' || c === '!' || c === '?' || c === ':' || c === ';' || c === '\u3002' || c === '\uFF01' || c === '\uFF1F';
  }
  return true;
}

export function startsUpper(orig: readonly string[], index: number): boolean {
  const c = orig[index];
  return c !== undefined && UPPER.test(c);
}

interface TrieNode<T> {
  next: Map<string, TrieNode<T>>;
  /** Payloads of the terms that end here. */
  terms: T[] | undefined;
  /** Terms ending here end in a Latin letter or digit (plural/possessive suffix allowed). */
  latinEnd: boolean;
  /** Terms ending here end in s, x, z or h ('-es' plural allowed). */
  esEnd: boolean;
}

function node<T>(): TrieNode<T> {
  return { next: new Map(), terms: undefined, latinEnd: false, esEnd: false };
}

/** One place in the text where a term matched. `end` includes a plural suffix when there was one. */
export interface TermHit<T> {
  start: number;
  end: number;
  /** Code points of the term itself (without the plural suffix). */
  length: number;
  terms: readonly T[];
}

/** Minimum term length in code points: one letter would match articles and initials everywhere. */
export const MIN_TERM_LENGTH = 2;

/**
 * A set of terms compiled into a trie keyed by lower-cased code points.
 * `hitsAt` lists every term that matches at a position, longest first.
 */
export class TermIndex<T> {
  private readonly root: TrieNode<T> = node();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds a term; returns false (and adds nothing) when it normalizes to fewer than MIN_TERM_LENGTH code points. */
  add(term: string | Segmented, payload: T): boolean {
    const { lower } = typeof term === 'string' ? segment(term) : term;
    if (lower.length < MIN_TERM_LENGTH) return false;
    let at = this.root;
    for (const c of lower) {
      let child = at.next.get(c);
      if (!child) {
        child = node();
        at.next.set(c, child);
      }
      at = child;
    }
    if (!at.terms) {
      at.terms = [];
      this.count++;
    }
    at.terms.push(payload);
    const last = lower[lower.length - 1] as string;
    at.latinEnd = LATIN_OR_DIGIT.test(last);
    at.esEnd = /[sxzh]/.test(last);
    return true;
  }

  /**
   * Every term matching at `start` in `text`, longest first. The caller checks the left boundary.
   * Right boundary: a word boundary after the term, or after an English plural suffix
   * ('RPGs', 'Boxes', 'Strategies', "Portal 2's") when the term ends in a Latin letter or digit.
   */
  hitsAt(text: Segmented, start: number): TermHit<T>[] {
    const { orig, lower } = text;
    const hits: TermHit<T>[] = [];
    let at: TrieNode<T> | undefined = this.root;
    let pos = start;
    while (at) {
      if (at.terms && pos > start) {
        const end = this.rightEnd(text, pos, at);
        if (end >= 0) hits.push({ start, end, length: pos - start, terms: at.terms });
      }
      // 'y' → 'ies' ('Strategy' matches 'strategies').
      const y = at.next.get('y');
      if (y?.terms && lower[pos] === 'i' && lower[pos + 1] === 'e' && lower[pos + 2] === 's' && isBoundary(orig[pos + 2], orig[pos + 3])) {
        hits.push({ start, end: pos + 3, length: pos + 1 - start, terms: y.terms });
      }
      const c = lower[pos];
      if (c === undefined) break;
      at = at.next.get(c);
      pos++;
    }
    return hits.sort((a, b) => b.length - a.length || b.end - a.end);
  }

  private rightEnd(text: Segmented, pos: number, at: TrieNode<T>): number {
    return rightEnd(text, pos, at.latinEnd, at.esEnd);
  }
}

/**
 * Where a match ending at `pos` really ends: `pos` at a word boundary, or after an English plural
 * suffix ('s', or 'es' after s/x/z/h) when the term ends in a Latin letter or digit; -1 otherwise.
 */
function rightEnd(text: Segmented, pos: number, latinEnd: boolean, esEnd: boolean): number {
  const { orig, lower } = text;
  if (isBoundary(orig[pos - 1], orig[pos])) return pos;
  if (!latinEnd) return -1;
  if (lower[pos] === 's' && isBoundary(orig[pos], orig[pos + 1])) return pos + 1;
  if (esEnd && lower[pos] === 'e' && lower[pos + 1] === 's' && isBoundary(orig[pos + 1], orig[pos + 2])) return pos + 2;
  return -1;
}

interface ListedTerm<T> {
  key: string;
  /** Code points of the key. */
  length: number;
  latinEnd: boolean;
  esEnd: boolean;
  payload: T;
}

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

/**
 * A small term set searched with indexOf instead of a trie: cheap to build (item and history facts
 * change with every call), fast enough for a few thousand terms on a reason-sized text. Same
 * matching rules as TermIndex; the caller checks the left boundary.
 */
export class TermList<T> {
  private readonly terms: ListedTerm<T>[] = [];

  get size(): number {
    return this.terms.length;
  }

  /** Adds a term by its key (see termKey); false when shorter than MIN_TERM_LENGTH code points. */
  addKey(key: string, payload: T): boolean {
    const length = codePoints(key);
    if (length < MIN_TERM_LENGTH) return false;
    const last = key.slice(-1);
    this.terms.push({ key, length, latinEnd: LATIN_OR_DIGIT.test(last), esEnd: /[sxzh]/.test(last), payload });
    return true;
  }

  /** Every match in the text, grouped by start position, each group longest first (first added on a tie). */
  hits(text: SearchableText): Map<number, TermHit<T>[]> {
    const byStart = new Map<number, TermHit<T>[]>();
    const push = (hit: TermHit<T>): void => {
      const list = byStart.get(hit.start);
      if (list) list.push(hit);
      else byStart.set(hit.start, [hit]);
    };
    const { joined, cpAt, orig, lower } = text;
    for (const term of this.terms) {
      for (let from = joined.indexOf(term.key); from !== -1; from = joined.indexOf(term.key, from + 1)) {
        const start = cpAt[from] as number;
        const pos = cpAt[from + term.key.length] as number;
        if (start < 0 || pos < 0) continue;
        const end = rightEnd(text, pos, term.latinEnd, term.esEnd);
        if (end >= 0) push({ start, end, length: term.length, terms: [term.payload] });
      }
      // 'y' → 'ies' ('Strategy' matches 'strategies').
      if (term.key.endsWith('y')) {
        const stem = term.key.slice(0, -1);
        for (let from = joined.indexOf(stem + 'ies'); from !== -1; from = joined.indexOf(stem + 'ies', from + 1)) {
          const start = cpAt[from] as number;
          const pos = cpAt[from + stem.length + 3] as number;
          if (start >= 0 && pos >= 0 && lower[pos - 1] === 's' && isBoundary(orig[pos - 1], orig[pos])) push({ start, end: pos, length: term.length, terms: [term.payload] });
        }
      }
    }
    for (const list of byStart.values()) list.sort((a, b) => b.length - a.length || b.end - a.end);
    return byStart;
  }
}
