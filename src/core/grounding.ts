// The grounding check run on every generated reason, and the fallback reason built only from real
// facts (shown as `source: 'fallback'`; it is also the eval's *template* baseline). Pure; no DOM.
import type { CitedFact, UserContext } from '../types.ts';
import { citedFacts, historyEntryFacts, itemFacts, sharedFacts } from './facts.ts';
import type { FactMatcher, ItemLike, SharedFact, Vocabulary } from './facts.ts';
import { sanitizeText, sanitizeTitle } from './prompt.ts';

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

/** How the fallback speaks about a history entry, per domain. */
const VERBS: Record<string, string> = {
  game: 'played',
  movie: 'watched',
  film: 'watched',
  show: 'watched',
  tv: 'watched',
  book: 'read',
  news: 'read',
  article: 'read',
  music: 'listened to',
  podcast: 'listened to',
  business: 'visited',
  restaurant: 'visited',
};

/** The noun for "a ___" in item-only sentences, per domain. */
const NOUNS: Record<string, string> = {
  game: 'game',
  movie: 'movie',
  film: 'film',
  show: 'show',
  tv: 'show',
  book: 'book',
  news: 'story',
  article: 'article',
  music: 'album',
  podcast: 'podcast',
  business: 'place',
  restaurant: 'restaurant',
};

/** Most facts and history titles one fallback sentence names. */
export const FALLBACK_LIMITS = { facts: 3, titles: 2 } as const;

function list(values: readonly string[]): string {
  if (values.length <= 1) return values[0] ?? '';
  return `${values.slice(0, -1).join(', ')} and ${values[values.length - 1]}`;
}

function article(phrase: string): string {
  return /^[aeiou]/i.test(phrase) && !/^(uni|use|eu|one)/i.test(phrase) ? 'an' : 'a';
}

function domainOf(context: UserContext | undefined | null): string {
  return sanitizeText(context?.domain, 16).toLowerCase();
}

/**
 * Picks the shared facts to name: those of the most recent history title that shares the most,
 * then a second title sharing the same facts. Returns the facts (≤ 3) and titles (≤ 2).
 */
function pickShared(shared: readonly SharedFact[]): { facts: SharedFact[]; titles: string[] } {
  const byTitle = new Map<string, SharedFact[]>();
  for (const f of shared) for (const t of f.titles) byTitle.set(t, [...(byTitle.get(t) ?? []), f]);
  let best: string | undefined;
  for (const [title, facts] of byTitle) if (!best || facts.length > (byTitle.get(best)?.length ?? 0)) best = title;
  if (!best) return { facts: [], titles: [] };
  const facts = (byTitle.get(best) ?? []).slice(0, FALLBACK_LIMITS.facts);
  const titles = [best];
  for (const [title, theirs] of byTitle) {
    if (titles.length >= FALLBACK_LIMITS.titles) break;
    if (title !== best && facts.every((f) => theirs.includes(f))) titles.push(title);
  }
  return { facts, titles };
}

/**
 * An honest reason built only from real facts, in one of four shapes:
 * 1. facts shared with history: "Because you played Portal 2 and Half-Life 2: The Talos Principle is also Puzzle and First-Person."
 *    (verb by domain: played/watched/read/listened to/visited; other domains "Like X in your history, …")
 * 2. history but nothing shared: "Something different from your usual picks: a Co-op and Puzzle game."
 * 3. no history: "A Co-op and Puzzle game." (noun by domain; without a known noun "Portal 2: Co-op and Puzzle.")
 * 4. no facts at all: "Portal 2 is worth a look."
 * `facts` lists exactly the facts the text names (item facts `from: 'item'`, history titles `from: 'history'`).
 * Text is plain text built from sanitized page values; show it with textContent, never as HTML.
 */
export function fallbackReason(item: ItemLike, context?: UserContext | null): { text: string; facts: CitedFact[] } {
  const title = sanitizeTitle(item?.title) || 'This item';
  const domain = domainOf(context);
  const own = itemFacts(item, { scope: 'prompt' }).filter((f) => f.kind !== 'title');
  const { facts, titles } = pickShared(sharedFacts(item, context));

  if (facts.length > 0) {
    const names = list(facts.map((f) => f.value));
    const who = list(titles);
    const verb = VERBS[domain];
    const text = verb ? `Because you ${verb} ${who}: ${title} is also ${names}.` : `Like ${who} in your history, ${title} is ${names}.`;
    return {
      text,
      facts: [
        ...titles.map((t): CitedFact => ({ value: t, from: 'history', kind: 'title' })),
        ...facts.map((f): CitedFact => ({ value: f.value, from: 'item', kind: f.kind })),
      ],
    };
  }

  const named = own.slice(0, FALLBACK_LIMITS.facts);
  if (named.length === 0) {
    return { text: `${title} is worth a look.`, facts: title === 'This item' ? [] : [{ value: title, from: 'item', kind: 'title' }] };
  }
  const names = list(named.map((f) => f.value));
  const noun = NOUNS[domain];
  const hasHistory = historyEntryFacts(context).length > 0;
  let text: string;
  if (noun) {
    const phrase = `${names} ${noun}`;
    text = hasHistory ? `Something different from your usual picks: ${article(phrase)} ${phrase}.` : `${capitalize(article(phrase))} ${phrase}.`;
  } else {
    text = hasHistory ? `Something different from your usual picks: ${title} is ${names}.` : `${title}: ${names}.`;
  }
  return { text, facts: named };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
