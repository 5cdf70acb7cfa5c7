// The words a reason may use: the training corpus' words (lexicon.json, built by
// scripts/build-lexicon.ts, shipped with the model) plus the page's own words. Building and checking
// share one tokenizer (`lexiconWords`), so both sides split text the same way. Pure; no DOM.
import type { UserContext } from '../types.ts';
import type { ItemLike } from './facts.ts';
import { historyEntryFacts, itemFacts } from './facts.ts';
import { InvalidInputError } from '../errors.ts';
import { normalizeForMatch } from './term-index.ts';

export const LEXICON_VERSION = 1;

/** lexicon.json: the corpus' words (lower-cased, sorted) and, per training domain, the words tied to it. */
export interface Lexicon {
  version: number;
  /** Words seen at least this often in the corpus. */
  minCount: number;
  words: string[];
  /** Per training domain ('game', 'movie', …): words that occur almost only there (see off-domain.ts). */
  domainWords: Record<string, string[]>;
  /** Per training domain, the strong ones among `domainWords` (one is enough to show that domain). */
  strongWords?: Record<string, string[]>;
  /** Reference words everyday shop English does not use (off-domain.ts foreignWordList): off-domain on an untrained domain's page. */
  foreignWords?: string[];
  /** Words the corpus writes Capitalized mid-sentence (casing.ts): a fact holding one keeps the page's casing. */
  properWords?: string[];
}

/** One word of a text: `word` lower-cased for lookup, `written` as written (after match normalization). */
export interface LexWord {
  word: string;
  written: string;
}

const TOKEN = /[\p{L}\p{M}\p{N}]+/gu;
// Latin-script words only: the corpus is English, so it says nothing about words of other scripts.
const LATIN_WORD = /^(?=[^]*\p{Script=Latin})[\p{Script=Latin}\p{M}0-9]+$/u;
const DIGITS = /^[0-9]+$/;

/**
 * The Latin-script words of a text after match normalization (accents folded, apostrophes dropped,
 * hyphens split: "don't" → 'dont', "action-packed" → 'action', 'packed'). Numbers are skipped.
 */
export function lexiconWords(text: string): LexWord[] {
  const out: LexWord[] = [];
  for (const m of normalizeForMatch(typeof text === 'string' ? text : '').matchAll(TOKEN)) {
    const written = m[0];
    if (DIGITS.test(written) || !LATIN_WORD.test(written)) continue;
    out.push({ word: written.toLowerCase(), written });
  }
  return out;
}

/** Throws InvalidInputError unless `value` is a lexicon.json object; returns it typed. */
export function parseLexicon(value: unknown): Lexicon {
  const v = value as Partial<Lexicon> | null;
  const lists = (x: unknown): x is Record<string, string[]> => typeof x === 'object' && x !== null && Object.values(x).every((list) => Array.isArray(list));
  const ok = typeof v === 'object' && v !== null && v.version === LEXICON_VERSION && Array.isArray(v.words) && lists(v.domainWords) && (v.strongWords === undefined || lists(v.strongWords)) && (v.foreignWords === undefined || Array.isArray(v.foreignWords)) && (v.properWords === undefined || Array.isArray(v.properWords));
  if (!ok) throw new InvalidInputError(`Not a lexicon.json of version ${LEXICON_VERSION}: rebuild it with scripts/build-lexicon.ts.`);
  return {
    version: v.version as number,
    minCount: Number(v.minCount) || 1,
    words: v.words as string[],
    domainWords: v.domainWords as Record<string, string[]>,
    strongWords: (v.strongWords ?? {}) as Record<string, string[]>,
    foreignWords: (v.foreignWords ?? []) as string[],
    properWords: (v.properWords ?? []) as string[],
  };
}

const PREFIXES = ['un', 're', 'non', 'pre', 'co', 'multi', 'over', 'under', 'sub', 'super', 'anti', 'mis', 'out', 'self'];
const VOWEL = /[aeiou]/;

/** Base forms a word may come from by one English suffix: 'games' → 'game', 'stopped' → 'stop', 'easily' → 'easy'. */
function baseForms(w: string): string[] {
  const out: string[] = [];
  const add = (s: string): void => {
    if (s.length >= 2) out.push(s);
  };
  const undouble = (s: string): void => {
    if (s.length >= 3 && s[s.length - 1] === s[s.length - 2] && !VOWEL.test(s[s.length - 1] as string)) add(s.slice(0, -1));
  };
  if (w.endsWith('ies')) add(`${w.slice(0, -3)}y`);
  if (w.endsWith('es')) add(w.slice(0, -2));
  if (w.endsWith('s')) add(w.slice(0, -1));
  for (const suffix of ['ed', 'ing', 'er', 'est', 'ers']) {
    if (!w.endsWith(suffix) || w.length < suffix.length + 3) continue;
    const stem = w.slice(0, -suffix.length);
    add(stem);
    add(`${stem}e`);
    undouble(stem);
    if (stem.endsWith('i')) add(`${stem.slice(0, -1)}y`);
  }
  if (w.endsWith('ily')) add(`${w.slice(0, -3)}y`);
  if (w.endsWith('ly')) add(w.slice(0, -2));
  for (const suffix of ['ness', 'ful', 'less', 'ment', 'able']) if (w.endsWith(suffix) && w.length > suffix.length + 2) add(w.slice(0, -suffix.length));
  return out;
}

/**
 * A set of known words with English inflection, derivation and common prefixes. Both sides are
 * reduced by one suffix, so 'dependable' is known from 'depends' (both → 'depend') and 'tune' from
 * 'tuned'. Base forms of 3 letters or more only: 'ga' is no stem of 'games'.
 */
export class Dictionary {
  private readonly words: ReadonlySet<string>;
  private stemSet: Set<string> | undefined;

  constructor(words: Iterable<string>) {
    this.words = words instanceof Set ? (words as ReadonlySet<string>) : new Set(words);
  }

  /**
   * The words' base forms, built on the first word that is not in the set as is: ≈ 50 ms for the
   * shipped lexicon's 20k words, which used to be spent on the way to a visit's first reason.
   */
  private get stems(): ReadonlySet<string> {
    if (!this.stemSet) {
      this.stemSet = new Set<string>();
      for (const w of this.words) for (const b of baseForms(w)) if (b.length >= 3) this.stemSet.add(b);
    }
    return this.stemSet;
  }

  get size(): number {
    return this.words.size;
  }

  /** True when `word` (lower-cased) is known, as is or through one suffix or prefix, in this set or `extra`. */
  has(word: string, extra?: ReadonlySet<string>): boolean {
    const known = (w: string): boolean => this.words.has(w) || (extra?.has(w) ?? false);
    if (known(word) || this.stems.has(word)) return true;
    if (baseForms(word).some((b) => known(b) || (b.length >= 3 && this.stems.has(b)))) return true;
    for (const p of PREFIXES) {
      if (word.length < p.length + 3 || !word.startsWith(p)) continue;
      const rest = word.slice(p.length);
      if (known(rest) || baseForms(rest).some(known)) return true;
    }
    return false;
  }
}

/** Every word of a list of texts (lower-cased). */
export function wordsOf(texts: Iterable<string>, into: Set<string> = new Set()): Set<string> {
  for (const t of texts) for (const w of lexiconWords(t)) into.add(w.word);
  return into;
}

// History words are the same for every item of a page: computed once per history array (treat it as immutable).
const historyWordsCache = new WeakMap<object, { length: number; words: ReadonlySet<string> }>();
const titleWordsCache = new WeakMap<object, ReadonlySet<string>>();

function historyWords(context: UserContext | undefined | null): ReadonlySet<string> {
  const history = context?.history;
  if (!Array.isArray(history)) return new Set();
  const hit = historyWordsCache.get(history);
  if (hit && hit.length === history.length) return hit.words;
  const texts: string[] = [];
  for (const h of historyEntryFacts(context)) texts.push(h.title, ...h.facts.map((f) => f.value));
  const words = wordsOf(texts);
  historyWordsCache.set(history, { length: history.length, words });
  return words;
}

/** Words of the page's other titles (cached per array: pass the same array for every item of a page). */
export function titleWords(titles: readonly string[] | undefined): ReadonlySet<string> {
  if (!titles) return new Set();
  let words = titleWordsCache.get(titles);
  if (!words) {
    words = wordsOf(titles.filter((t): t is string => typeof t === 'string'));
    titleWordsCache.set(titles, words);
  }
  return words;
}

/**
 * The page's own words: the item's title, facts and description and the history's titles and facts.
 * A reason may use them even when the corpus never did (a guitar shop's 'humbucker').
 */
export function pageWords(item: ItemLike, context: UserContext | undefined | null): Set<string> {
  const texts = itemFacts(item).map((f) => f.value);
  if (typeof item?.description === 'string') texts.push(item.description);
  const words = wordsOf(texts);
  for (const w of historyWords(context)) words.add(w);
  return words;
}
