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
// Spelled out (not \s) so that Python's re gives the same set.
const SPACES = /[\t\n\v\f\r \u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+/g;

/** Cut to at most `max` code points (never splits a surrogate pair). */
export function truncate(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : points.slice(0, max).join('').replace(/ $/, '');
}

/**
 * The one text sanitizer: NFC, control and bidi-override characters removed, special-token
 * markers `<|` and `|>` broken up, whitespace collapsed, trimmed, truncated.
 */
export function sanitizeText(value: unknown, max: number): string {
  if (typeof value !== 'string') return '';
  let text = value.normalize('NFC').replace(INVISIBLE, '').replace(CONTROL, ' ');
  let previous: string;
  do {
    previous = text;
    text = text.replace(/<\|/g, '<').replace(/\|>/g, '>');
  } while (text !== previous);
  return truncate(text.replace(SPACES, ' ').replace(/^ | $/g, ''), max);
}

/** Titles may not contain the fact brackets. */
export function sanitizeTitle(value: unknown): string {
  return sanitizeText(typeof value === 'string' ? value.replace(/\[/g, '(').replace(/\]/g, ')') : value, LIMITS.title);
}

/** One fact: no brackets or commas (they delimit the fact list), no URLs. '' when unusable. */
export function sanitizeFact(value: unknown): string {
  if (typeof value !== 'string' || value.includes('://')) return '';
  return sanitizeText(value.replace(/\[/g, '(').replace(/\]/g, ')').replace(/,/g, ' '), LIMITS.fact);
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
