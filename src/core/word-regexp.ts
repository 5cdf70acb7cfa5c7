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
