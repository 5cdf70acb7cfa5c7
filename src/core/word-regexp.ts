// The check builds regexes around each reason's own titles and facts, so V8 compiles them anew for
// every card. A `\p{L}` class costs ≈ 0.6 ms to compile, `[A-Za-z]` ≈ 0.05 ms (Node 20, /iu), and a
// card's check compiles dozens: before this, the check took as long as the page's whole decode.
// On a text whose non-ASCII characters are no letters, digits or marks (curly quotes, dashes, ™),
// `\p{L}` and `[A-Za-z]` match the same characters, even case-insensitively, so the cheap form gives
// the same matches there (test/unit/core/word-regexp.test.ts checks both, class by class).

const CHEAP: Readonly<Record<string, string>> = { L: 'A-Za-z', N: '0-9', Lu: 'A-Z', Ll: 'a-z', M: '' };
const PROPERTY = /\\p\{(L|N|Lu|Ll|M)\}/y;
/** A character the cheap classes would judge differently: a non-ASCII letter, digit or mark. */
const WORDLIKE_NON_ASCII = /(?![\0-\x7F])[\p{L}\p{N}\p{M}]/u;

/** Whether `text` holds no non-ASCII letter, digit or mark (then cheap classes match as `\p{…}` would). */
export const asciiWordText = (text: string): boolean => !WORDLIKE_NON_ASCII.test(text);

/** `source` with `\p{L}`, `\p{N}`, `\p{Lu}`, `\p{Ll}`, `\p{M}` as ASCII ranges (inside a class or as one). */
export function cheapSource(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (c === '\\') {
      PROPERTY.lastIndex = i;
      const m = PROPERTY.exec(source);
      if (m) {
        const range = CHEAP[m[1] as string] as string;
        out += inClass ? range : `[${range}]`;
        i += m[0].length - 1;
      } else {
        out += source.slice(i, i + 2);
        i++;
      }
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return out;
}

/**
 * `new RegExp(source, flags)` for running on `subject` (or any part of it): compiled with ASCII classes
 * where the subject allows, with the same matches on it. A fresh object each call (a `g` regex keeps state).
 */
export function regExpFor(subject: string, source: string, flags: string): RegExp {
  return new RegExp(asciiWordText(subject) ? cheapSource(source) : source, flags);
}

const fold = (text: string): string => text.replace(/\s+/gu, ' ').toLowerCase();

/**
 * False only when `phrasePattern(phrase)` (term-index.ts) cannot match anywhere in `text`, with or
 * without /i: lets a rule skip the regexes that need the phrase (a history title the reason does not
 * name). On ASCII-word texts /iu matches a character only as its ASCII case or itself (the other
 * characters that fold to ASCII, K and ſ, are letters), so a folded substring test decides it;
 * otherwise true.
 */
export function mayOccur(text: string, phrase: string): boolean {
  if (!asciiWordText(text) || !asciiWordText(phrase)) return true;
  return fold(text).includes(fold(phrase));
}

// Prefilters. A rule's regex holds the card's own titles and facts, so V8 compiles it anew for every
// card, and runs it first in its regex interpreter: ≈ 2 ms of phrasing rules per new card against
// ≈ 0.7 ms when the same sources come again (Node 20, 400 audit checks). Most reasons are clean, so a
// rule first asks a necessary condition that holds no title or fact: a fixed regex (compiled once
// per session), or a folded substring test around the phrase. Only when it holds is the card's own
// regex built and run, so every finding is the one that regex gives.

/** Tests turn the prefilters off to show they change no finding (test/unit/core/phrasing-prefilter.test.ts). */
export const PREFILTERS = { on: true };

const FIXED_MAX = 512;
const fixed = new Map<string, RegExp>();

/**
 * `regExpFor(subject, source, flags)` for a source that does not depend on the card: compiled once
 * (per source, flags and subject kind) and shared, so no `g` or `y` flag (those keep state).
 */
export function fixedRegExp(subject: string, source: string, flags: string): RegExp {
  if (/[gy]/.test(flags)) throw new TypeError('fixedRegExp: a shared regex cannot be global or sticky');
  const ascii = asciiWordText(subject);
  const key = `${ascii ? 'a' : 'u'}/${flags}/${source}`;
  let re = fixed.get(key);
  if (!re) {
    re = new RegExp(ascii ? cheapSource(source) : source, flags);
    if (fixed.size >= FIXED_MAX) fixed.clear();
    fixed.set(key, re);
  }
  return re;
}

/**
 * False only when `phrasePattern(phrase)` matches nowhere in `text` with a match of `before` ending
 * right before it and of `after` starting right after it. Both are tested on the folded text (spaces
 * collapsed, lower case) around each folded occurrence of the phrase, so they must be anchored (`$`,
 * `^`) and hold nothing that folding changes the meaning of; a match in `text` is one in the folded
 * text. True wherever `mayOccur` cannot tell.
 */
export function mayOccurAround(text: string, phrase: string, around: { before?: RegExp; after?: RegExp }): boolean {
  if (!PREFILTERS.on) return true;
  if (!asciiWordText(text) || !asciiWordText(phrase)) return true;
  const folded = fold(text);
  const p = fold(phrase);
  if (p === '') return true;
  for (let i = folded.indexOf(p); i >= 0; i = folded.indexOf(p, i + 1)) {
    if ((!around.before || around.before.test(folded.slice(0, i))) && (!around.after || around.after.test(folded.slice(i + p.length)))) return true;
  }
  return false;
}

/** False only when `necessary` (a source that holds no card's title or fact) matches nowhere in `text`. */
export function mayMatch(text: string, necessary: string): boolean {
  return !PREFILTERS.on || fixedRegExp(text, necessary, 'iu').test(text);
}
