// The closed-vocabulary grounding check (one input of the open-vocabulary check, check.ts), and the
// fallback reason built only from the content plan's facts (shown as `source: 'fallback'`; it is
// also the eval's *template* baseline). Pure; no DOM.
import type { CitedFact, UserContext } from '../types.ts';
import { domainWords } from './domains.ts';
import { citedFacts, historyEntryFacts, termKey } from './facts.ts';
import type { FactMatcher, ItemLike, Vocabulary } from './facts.ts';
import { contentPlan, jointlyShared, PLAN_LIMITS, type ContentPlan } from './plan.ts';
import { sanitizeText } from './prompt.ts';
import { fillSlots, isNameKind, slotToken } from './slots.ts';
import type { ProperWords } from './casing.ts';

export type ReasonProblem = 'empty' | 'too-short' | 'repetitive' | 'ungrounded';

export interface GroundingResult {
  /** True when the text can be shown as the model's reason. */
  ok: boolean;
  cited: CitedFact[];
  ungrounded: string[];
  /** Why not ok, first failing check in the order empty, too-short, repetitive, ungrounded. */
  problem?: ReasonProblem;
}

/** A reason needs at least this many words (a CJK/Thai character counts as half a word). */
export const MIN_REASON_WORDS = 4;

const UNSPACED = String.raw`\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}`;
// One CJK/Thai character, or a run of letters/digits (with inner apostrophes and hyphens) of other scripts.
const WORD = new RegExp(String.raw`[${UNSPACED}]|[\p{L}\p{N}](?:(?![${UNSPACED}])[\p{L}\p{N}\p{M}'’-])*`, 'gu');
const UNSPACED_CHAR = new RegExp(`^[${UNSPACED}]$`, 'u');

/** Lower-cased words of a text; each CJK/Thai character is its own "word". */
export function reasonWords(text: string): string[] {
  return Array.from(text.toLowerCase().matchAll(WORD), (m) => m[0]);
}

/** Words, a CJK/Thai character counting as half a word. */
function wordCount(words: readonly string[]): number {
  let n = 0;
  for (const w of words) n += UNSPACED_CHAR.test(w) ? 0.5 : 1;
  return n;
}

/**
 * Degenerate decoding: the same word 3+ times in a row, a 3-word phrase 3+ times, or (12+ words)
 * fewer than 35% distinct words. Normal reasons repeat facts once or twice, never like this.
 */
export function isRepetitive(text: string): boolean {
  const words = reasonWords(text);
  for (let i = 2; i < words.length; i++) if (words[i] === words[i - 1] && words[i] === words[i - 2]) return true;
  const trigrams = new Map<string, number>();
  for (let i = 0; i + 2 < words.length; i++) {
    const key = `${words[i]} ${words[i + 1]} ${words[i + 2]}`;
    const n = (trigrams.get(key) ?? 0) + 1;
    if (n >= 3) return true;
    trigrams.set(key, n);
  }
  return words.length >= 12 && new Set(words).size / words.length < 0.35;
}

/**
 * Checks a generated reason: not empty, at least MIN_REASON_WORDS words, not repetitive, and citing
 * no vocabulary term (fact or title) that neither the item nor the history has. `matcher` is a
 * FactMatcher from createFactMatcher (compile once per vocabulary), or a vocabulary.
 */
export function checkReason(
  text: string,
  item: ItemLike,
  context: UserContext | undefined | null,
  matcher: FactMatcher | Vocabulary,
): GroundingResult {
  const clean = sanitizeText(typeof text === 'string' ? text : '', 10_000);
  const words = reasonWords(clean);
  // 'empty': no letter or digit at all (whitespace, zero-width characters, punctuation only).
  if (words.length === 0) return { ok: false, cited: [], ungrounded: [], problem: 'empty' };
  const { cited, ungrounded } = citedFacts(clean, item, context, matcher);
  const fail = (problem: ReasonProblem): GroundingResult => ({ ok: false, cited, ungrounded, problem });
  if (wordCount(words) < MIN_REASON_WORDS) return fail('too-short');
  if (isRepetitive(clean)) return fail('repetitive');
  if (ungrounded.length > 0) return fail('ungrounded');
  return { ok: true, cited, ungrounded };
}

/** Most facts and history titles one fallback names (the content plan's limits). */
export const FALLBACK_LIMITS = { facts: PLAN_LIMITS.facts, titles: PLAN_LIMITS.history } as const;

/** The slot text of each fallback shape, two wordings each (picked by the item title, so a page varies). */
const FALLBACK_TEXT = {
  // Facts shared with the history, in a domain whose noun and verb read well ("played", "game").
  sharedSpoken: ['Since you <|@did|> {H}, here is another {F} <|@noun|>.', 'Another {F} <|@noun|>, like {H}, which you <|@did|>.'],
  // Facts shared with the history, any other domain (a storefront: we do not know what the visitor did).
  shared: ['It has {F} in common with {H} from your history.', 'Like {H} in your history, it is listed under {F}.'],
  // A history, but nothing in common: say what the item is, and that it is new ground.
  otherSpoken: ['Something new for you: a {F} <|@noun|>.', 'A {F} <|@noun|>, something different for you.'],
  other: ['Something new for you, listed under {F}.', 'Something different for you: <|@item|>, listed under {F}.'],
  // No history: what the item is, as an invitation (a conditional, never a claim about the visitor).
  freshSpoken: ['Worth a look if you like {F} <|@nouns|>.', 'A {F} <|@noun|> worth a look.'],
  fresh: ['<|@item|> is listed under {F}.', 'Worth a look: <|@item|>, listed under {F}.'],
  // No facts at all.
  titleOnly: ['<|@item|> is worth a look.', '<|@item|> is worth a look.'],
} as const;

function variant(title: string): 0 | 1 {
  let h = 0;
  for (const c of termKey(title)) h = (h * 31 + (c.codePointAt(0) ?? 0)) | 0;
  return (h & 1) as 0 | 1;
}

/** The plan's fact slots, kinds apart from names (brand, artist): each a run of adjacent slots, filled as a list. */
function kindsAndNames(p: ContentPlan): { kinds: string; names: string } {
  const slots = (name: boolean): string => p.facts.filter((f) => isNameKind(f.kind) === name).map((f) => slotToken(f.slot)).join('');
  return { kinds: slots(false), names: slots(true) };
}

/** "listed under electric guitars from Fender": a brand or artist is no category one is listed under. */
function listedUnder(p: ContentPlan): string {
  const { kinds, names } = kindsAndNames(p);
  if (!names) return `listed under ${kinds}`;
  return kinds ? `listed under ${kinds}, from ${names}` : `from ${names}`;
}

/**
 * "{F} <noun>" with a name among the facts: the name says who made it, after the noun ("punk rock
 * albums by The Clash", "a guitar amplifier from Orange"), not as one more kind ("punk rock and The
 * Clash albums").
 */
function namedNoun(shape: string, p: ContentPlan): string {
  const { kinds, names } = kindsAndNames(p);
  if (!names) return shape;
  const by = p.facts.filter((f) => isNameKind(f.kind)).every((f) => MAKER_KINDS.test(f.kind)) ? 'from' : 'by';
  return shape.replace(/\{F\} (<\|@nouns?\|>)/, (_m, noun: string) => `${kinds ? `${kinds} ` : ''}${noun} ${by} ${names}`);
}

/** Name kinds of a maker (a product is "from" its brand; music and books are "by" their artist or author). */
const MAKER_KINDS = /brand|maker|manufacturer|label|publisher|developer|studio|company/i;

/**
 * An honest reason built only from the content plan (`contentPlan`: facts the item shares with the
 * visitor's closest history entries, else the item's own salient facts), worded as a person would
 * and filled like a model's slot text (`fillSlots`: a/an, lists, mid-sentence casing). Shapes:
 * 1. facts shared with history: "Since you played Half-Life 2 and Portal 2, here is another puzzle and
 *    first-person game." (domains with a verb: played/watched/read/listened to/visited; a storefront
 *    domain: "It has electric guitars and Fender in common with Player Telecaster from your history.");
 * 2. a history sharing nothing (and without the item itself): "Something new for you: a puzzle,
 *    first-person and philosophical game." (storefront: "Something new for you, listed under
 *    electric guitars, from Fender.");
 * 3. no history: "Worth a look if you like co-op and adventure games." (never a claim about the visitor;
 *    storefront: "Fender Player Stratocaster is listed under electric guitars, from Fender.");
 * 4. no facts: "Rust is worth a look." ("This item is worth a look." without a title).
 * Each shape has two wordings, chosen by the item title. `facts` lists exactly what the text names.
 * Text is plain text built from sanitized page values; show it with textContent, never as HTML.
 */
export function templateReason(item: ItemLike, context?: UserContext | null, plan?: ContentPlan, proper?: ProperWords): { text: string; facts: CitedFact[] } {
  // Only what is true together: "another {F} game, like {H}" credits every fact to every title.
  const p = jointlyShared(plan ?? contentPlan(item, context));
  const spoken = domainWords(p.domain).did !== 'bought';
  const v = variant(p.item.title);
  const titles = p.history.map((h) => slotToken(h.slot)).join(' and ');
  const facts = p.facts.map((f) => slotToken(f.slot)).join('');
  // "Something new for you" is true only when the history shares nothing and lacks the item itself.
  const key = termKey(p.item.title);
  const newToVisitor = p.hasHistory && !historyEntryFacts(context).some((h) => termKey(h.title) === key);
  let shape: readonly [string, string];
  if (p.facts.length === 0) {
    shape = FALLBACK_TEXT.titleOnly;
  } else if (p.mode === 'history') {
    shape = spoken ? FALLBACK_TEXT.sharedSpoken : FALLBACK_TEXT.shared;
  } else if (newToVisitor) {
    shape = spoken ? FALLBACK_TEXT.otherSpoken : FALLBACK_TEXT.other;
  } else {
    shape = spoken ? FALLBACK_TEXT.freshSpoken : FALLBACK_TEXT.fresh;
  }
  // Without a title the item is "this item" (fillSlots capitalizes it at a sentence start).
  let text = namedNoun(shape[v], p).replace('{H}', titles).replace('listed under {F}', listedUnder(p)).replace('{F}', facts);
  if (!p.item.title) text = text.replace(slotToken('item'), 'this item');
  const filled = fillSlots(text, p, proper);
  return { text: filled.text, facts: filled.facts };
}
