// Which facts a text cites: the item's and history's (with title aliases), and terms of a closed
// vocabulary (facts_vocab.json) that neither has (ungrounded). Pure; no DOM.
import type { CitedFact, UserContext } from '../types.ts';
import { isGenericTerm } from './generic-words.ts';
import { historyFacts, itemFacts, type ItemLike } from './item-facts.ts';
import { LIMITS, sanitizeText, sanitizeTitle } from './prompt.ts';
import { atSentenceStart, isBoundary, searchable, segment, startsUpper, TermIndex, TermList, termKey } from './term-index.ts';
import type { SearchableText, Segmented, TermHit } from './term-index.ts';

export interface CitedFactsResult {
  /** Item/history facts the text mentions, in order of first mention, one per distinct fact. */
  cited: CitedFact[];
  /** Vocabulary terms (facts or titles) the text mentions that neither the item nor the history has, as spelled in the vocabulary. */
  ungrounded: string[];
}

export interface FactMatcher {
  /** Distinct vocabulary terms compiled. */
  readonly size: number;
  /** The vocabulary's facts as given (claim-support.ts derives its feature words from them). */
  readonly facts?: readonly string[];
  citedFacts(text: string, item: ItemLike, context?: UserContext | null): CitedFactsResult;
}

export interface FactMatcherOptions {
  /** More one-word terms to treat as ordinary words (see generic-words.ts). */
  genericWords?: Iterable<string>;
}

/**
 * What a matcher looks for beyond the item and history: `facts` (facts_vocab.json's `facts`: every
 * tag/genre/category seen in training) and `titles` (other items on the page, the catalog). A plain
 * iterable is `facts` only.
 */
export type Vocabulary = Iterable<string> | { facts?: Iterable<string>; titles?: Iterable<string> };

interface VocabTerm {
  spelling: string;
  key: string;
  /** The spelling after match normalization, case kept (for the strict rule). */
  form: string;
  /** One-word ordinary word or one-word title: counts only when capitalized mid-sentence. */
  strict: boolean;
  /** From `titles`: counts only when written with a capital first letter. */
  title: boolean;
}

function vocabularyParts(vocabulary: Vocabulary): { facts: Iterable<string>; titles: Iterable<string> } {
  if (vocabulary && typeof (vocabulary as Iterable<string>)[Symbol.iterator] === 'function') {
    return { facts: vocabulary as Iterable<string>, titles: [] };
  }
  const v = (vocabulary ?? {}) as { facts?: Iterable<string>; titles?: Iterable<string> };
  return { facts: v.facts ?? [], titles: v.titles ?? [] };
}

/**
 * Compiles a vocabulary once; `citedFacts` then costs about one trie walk per word of the text
 * (measured: a few hundred µs per reason with 30k terms; see docs/grounding.md).
 *
 * Matching rules (documented in docs/grounding.md):
 * - case-insensitive on normalized text: accents, full-width forms, HTML entities, apostrophes and
 *   trademark signs folded; whitespace, hyphens and underscores equal ('free-to-play' = 'Free to Play');
 * - on word boundaries in space-separated scripts ('Action' never matches 'transaction'); in
 *   CJK/Thai/Hangul text a term may start or end next to any character; emoji are not word characters;
 * - an English plural or possessive counts ('RPGs', 'Puzzles', 'Strategies', "Portal 2's");
 * - terms shorter than 2 code points are ignored;
 * - leftmost-longest: 'Free to Play' wins over 'Play'. When the longest match is a vocabulary term the
 *   item/history lacks but its words are all covered by item/history facts ('action adventure' with
 *   facts Action and Adventure), those facts are cited instead;
 * - a vocabulary term contained in a multi-word item/history fact is implied by it and cites that fact
 *   ('multiplayer' with 'Massively Multiplayer', 'strategy' with 'Turn-Based Strategy');
 * - item/history titles are also found by their main part ('Batman' or 'Batman: Arkham Asylum' for
 *   'Batman: Arkham Asylum Game of the Year Edition'), see `titleAliases`;
 * - strict terms (a one-word title, or a one-word fact that is an ordinary English word: 'action',
 *   'free', 'casual', see GENERIC_WORDS) count as ungrounded only when written capitalized, as
 *   spelled in the vocabulary or Title-cased, and not at a sentence start ("an Action game",
 *   "like Rust"; not "action-packed", "DARK SOULS", "falls"); a multi-word title only when its first
 *   letter is capitalized ('The Team', not 'the team'). Item/history facts are always cited
 *   case-insensitively (title aliases: capitalized only).
 */
export function createFactMatcher(vocabulary: Vocabulary, options: FactMatcherOptions = {}): FactMatcher {
  const extra = new Set([...(options.genericWords ?? [])].map((w) => termKey(w)));
  const index = new TermIndex<VocabTerm>();
  const keys = new Set<string>();
  const { facts, titles } = vocabularyParts(vocabulary);
  const add = (raw: unknown, title: boolean): void => {
    if (typeof raw !== 'string') return;
    const spelling = title ? sanitizeTitle(raw) : sanitizeText(raw, LIMITS.title);
    const key = termKey(spelling);
    if (!spelling || keys.has(key)) return;
    const form = segment(spelling).orig.join('');
    const strict = title ? !key.includes(' ') : isGenericTerm(key, extra);
    if (index.add(spelling, { spelling, key, form, strict, title })) keys.add(key);
  };
  const factList = [...facts].filter((f): f is string => typeof f === 'string');
  for (const f of factList) add(f, false);
  for (const t of titles) add(t, true);
  return {
    get size() {
      return index.size;
    },
    facts: factList,
    citedFacts: (text, item, context) => matchText(typeof text === 'string' ? text : '', item, context ?? undefined, index),
  };
}

const EDITION = /\s+(?:[-\u2013\u2014:]\s*)?(?:(?:game of the year|goty|definitive|enhanced|complete|ultimate|deluxe|gold|special|anniversary|remastered|classic|director'?s cut|digital|standard|collector'?s|premium|legendary)\b.*?\s*)?(?:edition|remastered|goty|director'?s cut)$/i;

/**
 * Other ways a text names a title: without bracketed parts ('Star Wars: Battlefront 2 (Classic, 2005)'
 * → 'Star Wars: Battlefront 2'), without an edition suffix ('… Game of the Year Edition'), the main
 * part before ':' or ' - ' ('Batman: Arkham Origins' → 'Batman'), the part after it when it has two
 * words or more ('Call of Duty: Modern Warfare 2' → 'Modern Warfare 2'), and leading word prefixes of
 * two words or more ('Assassin's Creed IV Black Flag' → "Assassin's Creed IV", "Assassin's Creed").
 * The matcher only accepts an alias written with a capital first letter.
 */
export function titleAliases(title: string): string[] {
  const cached = aliasCache.get(title);
  if (cached) return [...cached];
  const aliases = computeAliases(title);
  if (aliasCache.size >= 5000) aliasCache.clear();
  aliasCache.set(title, aliases);
  return [...aliases];
}

const aliasCache = new Map<string, readonly string[]>();

function computeAliases(title: string): string[] {
  const out = new Set<string>();
  const base = title.replace(/\s*\([^)]*\)\s*/g, ' ').trim();
  const noEdition = base.replace(EDITION, '').trim();
  for (const t of [base, noEdition]) {
    out.add(t);
    const parts = t.split(/\s*:\s+|\s+[-\u2013\u2014]\s+/).map((p) => p.trim());
    if (parts[0]) out.add(parts[0]);
    for (const part of parts.slice(1)) if (part.split(' ').length >= 2) out.add(part);
    const words = t.split(/\s+/);
    for (let n = 2; n < words.length; n++) out.add(words.slice(0, n).join(' ').replace(/[\s:,\-\u2013\u2014]+$/, ''));
  }
  out.delete(title);
  return [...out].filter((t) => termKey(t).length >= 3);
}

/** An item/history fact as the known-facts index stores it; `alias` for a title alias. */
interface KnownTerm {
  fact: CitedFact;
  alias: boolean;
}

/** Item or history facts compiled for lookup, with the keys of every name (aliases included). */
interface Known {
  list: TermList<KnownTerm>;
  keys: Set<string>;
  /** Word runs inside multi-word attribute facts ('multiplayer' in 'Massively Multiplayer') → that fact. */
  implied: Map<string, CitedFact>;
}

function compileKnown(facts: readonly CitedFact[]): Known {
  const list = new TermList<KnownTerm>();
  const keys = new Set<string>();
  const add = (name: string, fact: CitedFact, alias: boolean): void => {
    const key = termKey(name);
    if (keys.has(key)) return;
    keys.add(key);
    list.addKey(key, { fact, alias });
  };
  // Full names first, aliases after, so an alias never shadows a real fact.
  for (const fact of facts) add(fact.value, fact, false);
  for (const fact of facts) if (fact.kind === 'title') for (const alias of titleAliases(fact.value)) add(alias, fact, true);
  // A specific fact implies the general one it contains: 'Massively Multiplayer' → 'Multiplayer',
  // 'Turn-Based Strategy' → 'Strategy', 'Online Co-op' → 'Co-op'. Titles imply nothing ('Dead Space' is no 'Space' fact).
  const implied = new Map<string, CitedFact>();
  for (const fact of facts) {
    if (fact.kind === 'title') continue;
    const words = termKey(fact.value).split(' ');
    if (words.length < 2 || words.length > 8) continue;
    for (let from = 0; from < words.length; from++) {
      for (let to = from + 1; to <= words.length; to++) {
        const sub = words.slice(from, to).join(' ');
        if (to - from < words.length && !implied.has(sub)) implied.set(sub, fact);
      }
    }
  }
  return { list, keys, implied };
}

// The history side is the expensive part (up to 200 entries with aliases) and is the same for every
// item of a page, so it is compiled once per history array. Treat a history passed here as
// immutable; a changed length is noticed and recompiled, other in-place edits are not.
const historyCache = new WeakMap<object, { length: number; known: Known }>();

function knownHistory(context: UserContext | undefined): Known {
  const history = context?.history;
  if (!Array.isArray(history)) return compileKnown([]);
  const hit = historyCache.get(history);
  if (hit && hit.length === history.length) return hit.known;
  const known = compileKnown(historyFacts(context));
  historyCache.set(history, { length: history.length, known });
  return known;
}

/** Item and history facts, and where they occur in the text being checked. */
interface KnownFacts {
  item: Known;
  history: Known;
  itemHits: Map<number, TermHit<KnownTerm>[]>;
  historyHits: Map<number, TermHit<KnownTerm>[]>;
}

function knownFacts(item: ItemLike, context: UserContext | undefined, text: SearchableText): KnownFacts {
  const own = compileKnown(itemFacts(item));
  const history = knownHistory(context);
  return { item: own, history, itemHits: own.list.hits(text), historyHits: history.list.hits(text) };
}

function isKnown(known: KnownFacts, key: string): boolean {
  return known.item.keys.has(key) || known.history.keys.has(key);
}

/** The item/history fact that implies a vocabulary term, if any (the item's first). */
function impliedBy(known: KnownFacts, key: string): CitedFact | undefined {
  return known.item.implied.get(key) ?? known.history.implied.get(key);
}

function leftBoundary(text: Segmented, i: number): boolean {
  return text.orig[i] !== ' ' && isBoundary(text.orig[i - 1], text.orig[i]);
}

/** The longest item/history fact at `start` ending by `end` (the item's on a tie); an alias only when written capitalized. */
function knownAt(text: Segmented, start: number, known: KnownFacts, end = Infinity): TermHit<KnownTerm> | undefined {
  const ok = (h: TermHit<KnownTerm>): boolean => h.end <= end && (!(h.terms[0] as KnownTerm).alias || startsUpper(text.orig, start));
  const fromItem = known.itemHits.get(start)?.find(ok);
  const fromHistory = known.historyHits.get(start)?.find(ok);
  if (!fromHistory) return fromItem;
  if (!fromItem) return fromHistory;
  return fromHistory.length > fromItem.length ? fromHistory : fromItem;
}

/** Grounded hits inside [start, end) covering every letter/digit there, or null. */
function coveredBy(text: Segmented, start: number, end: number, known: KnownFacts): TermHit<KnownTerm>[] | null {
  const hits: TermHit<KnownTerm>[] = [];
  let i = start;
  while (i < end) {
    const hit = leftBoundary(text, i) ? knownAt(text, i, known, end) : undefined;
    if (hit) {
      hits.push(hit);
      i = hit.end;
    } else if (/[\p{L}\p{N}]/u.test(text.orig[i] as string)) {
      return null;
    } else {
      i++;
    }
  }
  return hits;
}

/**
 * Whether a vocabulary match is a claim: titles only when written with a capital first letter;
 * strict terms only capitalized mid-sentence, spelled as in the vocabulary or Title-cased.
 */
function claims(text: Segmented, hit: TermHit<VocabTerm>, term: VocabTerm): boolean {
  if (term.title && !startsUpper(text.orig, hit.start)) return false;
  if (!term.strict) return true;
  if (!startsUpper(text.orig, hit.start) || atSentenceStart(text.orig, hit.start)) return false;
  const written = text.orig.slice(hit.start, hit.start + hit.length).join('');
  if (written === term.form) return true;
  const points = Array.from(term.form.toLowerCase());
  return written === (points[0] ?? '').toUpperCase() + points.slice(1).join('');
}

function matchText(text: string, item: ItemLike, context: UserContext | undefined, vocab: TermIndex<VocabTerm>): CitedFactsResult {
  const seg = searchable(text);
  const known = knownFacts(item, context, seg);
  const cited = new Map<string, CitedFact>();
  const ungrounded = new Map<string, string>();
  const citeFact = (fact: CitedFact): void => {
    const key = termKey(fact.value);
    if (!cited.has(key)) cited.set(key, fact);
  };
  const cite = (hit: TermHit<KnownTerm>): void => citeFact((hit.terms[0] as KnownTerm).fact);
  let i = 0;
  while (i < seg.orig.length) {
    if (!leftBoundary(seg, i)) {
      i++;
      continue;
    }
    const grounded = knownAt(seg, i, known);
    const claim = vocab
      .hitsAt(seg, i)
      .filter((h) => h.length > (grounded?.length ?? 0))
      .map((h) => ({ hit: h, term: h.terms[0] as VocabTerm }))
      .find(({ hit, term }) => !isKnown(known, term.key) && claims(seg, hit, term));
    if (claim) {
      const parts = coveredBy(seg, i, claim.hit.end, known);
      const implying = parts ? undefined : impliedBy(known, claim.term.key);
      if (parts) parts.forEach(cite);
      else if (implying) citeFact(implying);
      else if (!ungrounded.has(claim.term.key)) ungrounded.set(claim.term.key, claim.term.spelling);
      i = claim.hit.end;
    } else if (grounded) {
      cite(grounded);
      i = grounded.end;
    } else {
      i++;
    }
  }
  return { cited: [...cited.values()], ungrounded: [...ungrounded.values()] };
}

const matchers = new WeakMap<object, FactMatcher>();

function isMatcher(v: unknown): v is FactMatcher {
  return typeof v === 'object' && v !== null && typeof (v as FactMatcher).citedFacts === 'function';
}

/**
 * Which item/history facts `text` cites and which vocabulary terms it mentions that neither has.
 * Convenience over `createFactMatcher`: the compiled matcher is cached per vocabulary object, so
 * pass the same array each time (or a FactMatcher); a mutated array is not recompiled.
 */
export function citedFacts(
  text: string,
  item: ItemLike,
  context: UserContext | undefined | null,
  vocabulary: Vocabulary | FactMatcher = [],
): CitedFactsResult {
  if (isMatcher(vocabulary)) return vocabulary.citedFacts(text, item, context);
  let matcher = matchers.get(vocabulary as object);
  if (!matcher) {
    matcher = createFactMatcher(vocabulary);
    matchers.set(vocabulary as object, matcher);
  }
  return matcher.citedFacts(text, item, context);
}
