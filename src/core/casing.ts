// Which words are names however they are used ('Rome', 'Batman', 'Wars' of Star Wars): counted in a
// corpus by how it writes them mid-sentence, outside quotes and titles. The lexicon ships the list
// (scripts/build-lexicon.ts, lexicon.json `properWords`); the fill keeps a fact that holds one as the
// page spells it ('a Star Wars game', not 'a star wars game'). Pure; no DOM.
import { blankPhrases } from './term-index.ts';

/** Lower-cased words that are names (lexicon.json `properWords`). */
export type ProperWords = ReadonlySet<string>;

/** Mid-sentence counts per lower-cased word: written Capitalized, written lower-case. */
export interface CasingCounts {
  cap: Map<string, number>;
  low: Map<string, number>;
}

export function newCasingCounts(): CasingCounts {
  return { cap: new Map(), low: new Map() };
}

const WORD = /\p{L}[\p{L}\p{M}]*/gu;
// What a sentence (or a list entry, a heading, a parenthesis) starts after: its first word says nothing.
const STARTS_AFTER = /(?:^|[.!?:;()[\]{}"“”‘’«»•*#|\n\r\t]|\s-|\d[.)])\s*$/u;
const QUOTED = /"[^"\n]{0,200}"|“[^”\n]{0,200}”|‘[^’\n]{0,200}’|(?<![\p{L}\p{N}])'[^'\n]{1,80}'(?![\p{L}\p{N}])/gu;
const TITLE_CASE = /^\p{Lu}\p{Ll}+$/u;
const LOWER = /^\p{Ll}+$/u;

/**
 * Adds the mid-sentence casings of `text` to `counts`. Titles are blanked first, since a title is
 * Capitalized because it is a title, not because its words are names: `names` (the titles the text
 * may give), quoted spans, and any run of Capitalized words that `isTitle` knows (lower-cased; a
 * catalog's titles: "Rogue Legacy" says nothing of "rogue"). A text in title case or capitals
 * throughout (a heading) counts nothing.
 */
export function countCasing(text: string, names: readonly string[], counts: CasingCounts, isTitle?: (lowered: string) => boolean): void {
  if (typeof text !== 'string' || text === '') return;
  let t = text.replace(QUOTED, BLANK);
  t = blankPhrases(t, names, BLANK);
  if (isTitle) t = blankTitles(t, isTitle);
  const words = [...t.matchAll(WORD)];
  const lower = words.filter((m) => LOWER.test(m[0])).length;
  if (words.length >= 4 && lower < words.length / 4) return;
  for (const m of words) {
    const w = m[0];
    if (Array.from(w).length < 2) continue;
    const before = t.slice(Math.max(0, (m.index ?? 0) - 6), m.index);
    if (STARTS_AFTER.test(before) || before.includes(BLANK.trim())) continue;
    const key = w.toLowerCase();
    if (TITLE_CASE.test(w)) counts.cap.set(key, (counts.cap.get(key) ?? 0) + 1);
    else if (LOWER.test(w)) counts.low.set(key, (counts.low.get(key) ?? 0) + 1);
  }
}

const BLANK = ' \u2060 ';
// A word of a title as written: Capitalized, a number, or capitals; and the small words inside one.
const TITLE_WORD = /^(?:\p{Lu}|\p{N})/u;
const TITLE_JOINER = /^(?:of|the|and|a|an|in|on|to|for|at)$/u;
const LONGEST_TITLE = 8;

/** `text` with each longest run of title words that `isTitle` knows blanked. */
function blankTitles(text: string, isTitle: (lowered: string) => boolean): string {
  const tokens = [...text.matchAll(/[\p{L}\p{N}][\p{L}\p{M}\p{N}'’]*/gu)].map((m) => ({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length, word: m[0] }));
  const cuts: [number, number][] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!TITLE_WORD.test(tokens[i]!.word)) continue;
    for (let j = Math.min(tokens.length - 1, i + LONGEST_TITLE - 1); j >= i; j--) {
      const last = tokens[j]!.word;
      if (!TITLE_WORD.test(last) && !TITLE_JOINER.test(last)) continue;
      if (!isTitle(text.slice(tokens[i]!.start, tokens[j]!.end).toLowerCase())) continue;
      cuts.push([tokens[i]!.start, tokens[j]!.end]);
      i = j;
      break;
    }
  }
  let out = text;
  for (const [a, b] of cuts.reverse()) out = out.slice(0, a) + BLANK + out.slice(b);
  return out;
}

/** Words written Capitalized mid-sentence at least `minCount` times and in at least `share` of their mid-sentence uses; sorted. */
export function properWordList(counts: CasingCounts, minCount = 5, share = 0.95): string[] {
  const out: string[] = [];
  for (const [w, cap] of counts.cap) {
    const low = counts.low.get(w) ?? 0;
    if (cap >= minCount && cap >= share * (cap + low)) out.push(w);
  }
  return out.sort();
}

/**
 * Whether a fact holds a word the corpus treats as a name: then it is shown as the page spells it.
 * Not inside a compound with a lower-case part: 'Rogue-like' is a genre whatever Rogue guitars are.
 */
export function holdsProperWord(value: string, proper: ProperWords | undefined): boolean {
  if (!proper || proper.size === 0) return false;
  for (const compound of value.split(/\s+/u)) {
    const parts = compound.match(WORD) ?? [];
    if (compound.includes('-') && parts.some((p) => LOWER.test(p))) continue;
    if (parts.some((p) => TITLE_CASE.test(p) && proper.has(p.toLowerCase()))) return true;
  }
  return false;
}
