// Names a text gives: quoted spans and capitalized multi-word names ("Grand Theft Auto: San
// Andreas", "Counter-Strike: Global Global Offensive"). The open-vocabulary check (check.ts) accepts
// them only when they are the item's or the history's titles or facts. Pure; no DOM.
import { atSentenceStart, searchable, type SearchableText } from './term-index.ts';

/** The inside of each quoted span, trimmed ("…", “…”, ‘…’, and '…' when the quotes are not apostrophes). */
export function quotedSpans(text: string): string[] {
  const out: string[] = [];
  const push = (s: string): void => {
    const inner = s.trim().replace(/[\s.,;:!?]+$/u, '');
    if (/[\p{L}\p{N}]/u.test(inner)) out.push(inner);
  };
  for (const m of text.matchAll(/"([^"\n]{1,200})"|\u201C([^\u201C\u201D\n]{1,200})\u201D|\u2018([^\u2018\u2019\n]{1,200})\u2019(?![\p{L}\p{N}])/gu)) {
    push(m[1] ?? m[2] ?? m[3] ?? '');
  }
  // Straight single quotes: an opening one after a space/bracket/start and before a letter, a closing
  // one after a non-space and before a non-letter ("the 'Co-op' mode"; not "it's" or "players' picks").
  for (const m of text.matchAll(/(?<![\p{L}\p{N}])'(?=[\p{L}\p{N}])([^'\n]{1,200}?[^\s'])'(?![\p{L}\p{N}])/gu)) push(m[1] ?? '');
  // An unmatched quote mark (a text cut mid-title: `like "DARK SOULS`) opens a span to the end.
  const straight = (text.match(/"/g) ?? []).length;
  if (straight % 2 === 1) push(text.slice(text.lastIndexOf('"') + 1));
  else if ((text.match(/\u201C/g) ?? []).length > (text.match(/\u201D/g) ?? []).length) push(text.slice(text.lastIndexOf('\u201C') + 1));
  return out;
}

/** A run of capitalized words in a text, on the matcher's normalized code points (see term-index.ts). */
export interface NameRun {
  /** As written, after match normalization (hyphens as spaces, apostrophes dropped). */
  text: string;
  /** Code point range [start, end) in `searchable(text).orig`. */
  start: number;
  end: number;
  /** Each word of the run: its range and whether it must be a known name (not the exempt sentence-start word). */
  words: { start: number; end: number; checked: boolean }[];
}

// Closed-class words that start sentences ("Because Portal 2 …", "The Talos Principle …", "In Rust …"):
// at a sentence start such a word is not part of a name.
const FUNCTION_WORDS = new Set(
  ('a an the this that these those its it if in on at by for from with without as since because like unlike and but or so ' +
    'while when where after before during into onto of to your you our their his her my we they he she i both each every any ' +
    'some all more most here there now then also just even only not no yes what which who how why once whether though although').split(' '),
);

// Small words inside names: "Call of Duty", "Lord of the Rings", "Tom Clancy's The Division".
// Not "and": "English and Japanese" are two words, not one name.
const JOINERS = new Set(['of', 'the', 'de', 'la', 'von', 'van', 'du', 'der', '&']);

interface Token {
  start: number;
  end: number;
  text: string;
  cap: boolean;
  num: boolean;
}

function tokens(seg: SearchableText): Token[] {
  const out: Token[] = [];
  const orig = seg.orig;
  let i = 0;
  while (i < orig.length) {
    const c = orig[i] as string;
    if (c === '&') {
      out.push({ start: i, end: i + 1, text: c, cap: false, num: false });
      i++;
      continue;
    }
    if (!/[\p{L}\p{N}]/u.test(c)) {
      i++;
      continue;
    }
    const start = i;
    while (i < orig.length && /[\p{L}\p{N}\p{M}]/u.test(orig[i] as string)) i++;
    const text = orig.slice(start, i).join('');
    out.push({ start, end: i, text, cap: /^\p{Lu}/u.test(text), num: /^\p{N}+$/u.test(text) });
  }
  return out;
}

/** Only spaces between two tokens (a comma, colon or bracket ends a run). */
function adjacent(seg: SearchableText, a: Token, b: Token): boolean {
  for (let k = a.end; k < b.start; k++) if (seg.orig[k] !== ' ') return false;
  return b.start > a.end;
}

/**
 * Runs of two or more capitalized words (numbers after a capitalized word count: "Portal 2"; "of"
 * and "the" may join: "Call of Duty"), in order. At a sentence start a closed-class first word is
 * not part of the run ("Because Portal 2 …" names "Portal 2"; "In Rust …" names nothing), and any
 * other first word is not `checked` ("Dark Souls fans …": "Souls" must be a known name).
 */
export function capitalizedRuns(seg: SearchableText): NameRun[] {
  const toks = tokens(seg);
  const runs: NameRun[] = [];
  let i = 0;
  while (i < toks.length) {
    const first = toks[i] as Token;
    if (!first.cap) {
      i++;
      continue;
    }
    const words: Token[] = [first];
    let j = i + 1;
    while (j < toks.length) {
      const t = toks[j] as Token;
      const prev = toks[j - 1] as Token;
      if (!adjacent(seg, prev, t)) break;
      if (t.cap || (t.num && prev.cap) || (t.num && prev.num)) {
        words.push(t);
        j++;
        continue;
      }
      // Joiners: only when a capitalized word follows ("Call of Duty", not "Portal of mine").
      let k = j;
      while (k < toks.length && JOINERS.has((toks[k] as Token).text.toLowerCase()) && !(toks[k] as Token).cap && adjacent(seg, toks[k - 1] as Token, toks[k] as Token)) k++;
      if (k > j && k < toks.length && (toks[k] as Token).cap && adjacent(seg, toks[k - 1] as Token, toks[k] as Token)) {
        j = k;
        continue;
      }
      break;
    }
    let named = words.filter((w) => w.cap || w.num);
    const start = atSentenceStart(seg.orig, first.start);
    // "Because Portal 2": the sentence's first word is grammar, the name is what follows (two words or more).
    if (start && FUNCTION_WORDS.has(first.text.toLowerCase())) named = named.slice(1);
    // "Dark Souls fans": the first word is capitalized because it starts the sentence; the rest must be a name.
    const exemptFirst = start && named[0] === first;
    if (named.length >= 2) {
      const from = named[0] as Token;
      const last = words[words.length - 1] as Token;
      runs.push({
        text: seg.orig.slice(from.start, last.end).join(''),
        start: from.start,
        end: last.end,
        words: named.map((w, k) => ({ start: w.start, end: w.end, checked: !(exemptFirst && k === 0) })),
      });
    }
    i = Math.max(j, i + 1);
  }
  return runs;
}

export { searchable };
