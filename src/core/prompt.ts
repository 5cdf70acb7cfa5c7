// The prompt format shared with training/ (Python). The spec is docs/prompt-format.md; both sides
// check test/fixtures/prompt-vectors.json. Change neither side without the other and the vectors.
import type { AttributeValue, HistoryEntry, Item, UserContext } from '../types.ts';

export const PROMPT_FORMAT_VERSION = 1;

export const SPECIAL_TOKENS = {
  pad: '<|pad|>',
  end: '<|end|>',
  domain: '<|domain|>',
  profile: '<|profile|>',
  history: '<|history|>',
  sep: '<|sep|>',
  item: '<|item|>',
  about: '<|about|>',
  reason: '<|reason|>',
} as const;

/** Limits, in Unicode code points or counts. They keep prompts short (prefill dominates cost). */
export const LIMITS = {
  domain: 16,
  title: 80,
  fact: 40,
  itemFacts: 8,
  historyFacts: 3,
  historyEntries: 8,
  profile: 200,
  description: 160,
} as const;

export const DEFAULT_DOMAIN = 'product';

const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g;
// Bidi overrides/isolates and BOM can make displayed text differ from stored text.
const INVISIBLE = /[\u202A-\u202E\u2066-\u2069\uFEFF]/g;
// Spelled out (not \s) so that Python's re gives the same set. A run of these becomes one ' '; a
// lone ' ' already is one, so it is not matched (same result as training/prompt.py, less work).
const SPACES = /[\t\n\v\f\r\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000][\t\n\v\f\r \u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]*| [\t\n\v\f\r \u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+/g;

/** Cut to at most `max` code points (never splits a surrogate pair). Linear in `max`, not in the input. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text; // code units ≥ code points
  const end = codePointOffset(text, max);
  return end >= text.length ? text : text.slice(0, end).replace(/ $/, '');
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** The UTF-16 offset after the first `count` code points of `text` (or text.length). */
function codePointOffset(text: string, count: number): number {
  if (!SURROGATE.test(text.slice(0, count))) return Math.min(count, text.length); // one unit per point
  let i = 0;
  for (let n = 0; n < count && i < text.length; n++) i += isPairAt(text, i) ? 2 : 1;
  return i;
}

function isPairAt(text: string, i: number): boolean {
  const hi = text.charCodeAt(i);
  const lo = text.charCodeAt(i + 1);
  return hi >= 0xd800 && hi <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff;
}

/**
 * Raw input kept before sanitizing, in code points: sanitizing only shrinks text (it removes and
 * collapses characters), so 8× the limit plus 64 leaves room for whitespace-heavy page text while
 * bounding the cost of every later pass, whatever the page passes in.
 */
export function inputBound(max: number): number {
  return max * 8 + 64;
}

// Characters that attach to the one before (combining marks, Hangul medial/final jamo): NFC may fold
// them into it, so the raw cut never falls just before one.
const JOINS_PREVIOUS = /^[\p{M}\u1160-\u11FF]/u;
const MAX_BACKOFF = 32;

/**
 * The first inputBound(max) code points of `text`, moved back (at most 32 code points) so that the
 * cut never separates a character from the marks that follow it. Runs before any other pass.
 */
export function cutInput(text: string, max: number): string {
  const bound = inputBound(max);
  if (text.length <= bound) return text;
  let end = codePointOffset(text, bound);
  for (let k = 0; k < MAX_BACKOFF && end > 0 && end < text.length && JOINS_PREVIOUS.test(text.slice(end, end + 2)); k++) {
    end -= end >= 2 && isPairAt(text, end - 2) ? 2 : 1;
  }
  return text.slice(0, end);
}

/**
 * Breaks up the special-token markers in one pass: a run of `|` right after `<` or right before `>`
 * is dropped (`<|||x` → `<x`, `a||>` → `a>`), which is what removing one `|` of `<|`/`|>` at a
 * time until nothing changes gives, in linear time.
 */
function breakMarkers(text: string): string {
  if (!text.includes('|')) return text;
  return text.replace(/\|+/g, (run: string, at: number) => (text[at - 1] === '<' || text[at + run.length] === '>' ? '' : run));
}

/**
 * The one text sanitizer: input cut to its bound (cutInput), NFC, control and bidi-override
 * characters removed, special-token markers `<|` and `|>` broken up, whitespace collapsed, trimmed,
 * truncated to `max` code points. Every pass is linear and runs on at most inputBound(max) code points.
 */
export function sanitizeText(value: unknown, max: number): string {
  if (typeof value !== 'string') return '';
  const text = breakMarkers(cutInput(value, max).normalize('NFC').replace(INVISIBLE, '').replace(CONTROL, ' '));
  return truncate(text.replace(SPACES, ' ').replace(/^ | $/g, ''), max);
}

const brackets = (text: string): string => text.replace(/\[/g, '(').replace(/\]/g, ')');

/** Titles may not contain the fact brackets. */
export function sanitizeTitle(value: unknown): string {
  return sanitizeText(typeof value === 'string' ? brackets(cutInput(value, LIMITS.title)) : value, LIMITS.title);
}

/** One fact: no brackets or commas (they delimit the fact list), no URLs. '' when unusable. */
export function sanitizeFact(value: unknown): string {
  if (typeof value !== 'string') return '';
  const text = cutInput(value, LIMITS.fact);
  if (text.includes('://')) return '';
  return sanitizeText(brackets(text).replace(/,/g, ' '), LIMITS.fact);
}

/** An attribute fact with the key it came from. */
export interface KeyedFact {
  value: string;
  /** The attribute key ('tags', 'genres', ...). */
  kind: string;
}

/**
 * The facts of an attribute map, in key order then value order: strings and arrays of strings only
 * (numbers, booleans, objects are skipped), deduplicated case-insensitively (a value found under two
 * keys keeps the first key), at most `max`.
 */
export function keyedAttributeFacts(attributes: Record<string, AttributeValue> | undefined | null, max: number): KeyedFact[] {
  const out: KeyedFact[] = [];
  const seen = new Set<string>();
  if (!attributes || typeof attributes !== 'object' || Array.isArray(attributes)) return out;
  for (const key of Object.keys(attributes)) {
    const raw = attributes[key];
    const values = Array.isArray(raw) ? raw : [raw];
    for (const value of values) {
      const fact = sanitizeFact(value);
      const folded = fact.toLowerCase();
      if (!fact || seen.has(folded)) continue;
      seen.add(folded);
      out.push({ value: fact, kind: key });
      if (out.length >= max) return out;
    }
  }
  return out;
}

/** The fact values of an attribute map (see keyedAttributeFacts): what the prompt shows. */
export function attributeFacts(attributes: Record<string, AttributeValue> | undefined | null, max: number): string[] {
  return keyedAttributeFacts(attributes, max).map((f) => f.value);
}

function entry(title: string, facts: string[]): string {
  return facts.length > 0 ? `${title} [${facts.join(', ')}]` : title;
}

/** The history entries that reach the prompt: valid titles only, the most recent LIMITS.historyEntries, oldest first. */
export function promptHistory(history: readonly HistoryEntry[] | undefined): { title: string; facts: string[] }[] {
  if (!Array.isArray(history)) return [];
  const valid = history
    .map((h) => ({ title: sanitizeTitle(h?.title), facts: attributeFacts(h?.attributes, LIMITS.historyFacts) }))
    .filter((h) => h.title !== '');
  return valid.slice(-LIMITS.historyEntries);
}

/**
 * Builds the model prompt for one item and one visitor:
 * `<|domain|>D[<|profile|>P][<|history|>E(<|sep|>E)*]<|item|>E[<|about|>A]<|reason|>`
 * where E is `Title [fact, fact]` (brackets only when there are facts).
 * The item title must be non-empty after sanitizing (validate first).
 */
export function buildPrompt(item: Pick<Item, 'title' | 'attributes' | 'description'>, context: UserContext = {}): string {
  const t = SPECIAL_TOKENS;
  const domain = sanitizeText(context.domain, LIMITS.domain).toLowerCase() || DEFAULT_DOMAIN;
  let prompt = `${t.domain}${domain}`;
  const profile = sanitizeText(context.profile, LIMITS.profile);
  if (profile) prompt += `${t.profile}${profile}`;
  const history = promptHistory(context.history);
  if (history.length > 0) prompt += t.history + history.map((h) => entry(h.title, h.facts)).join(t.sep);
  prompt += t.item + entry(sanitizeTitle(item.title), attributeFacts(item.attributes, LIMITS.itemFacts));
  const about = sanitizeText(item.description, LIMITS.description);
  if (about) prompt += `${t.about}${about}`;
  return prompt + t.reason;
}
