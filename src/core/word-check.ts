// Which words a reason may write (the check's word rules, check.ts): the lexicon compiled once per
// lexicon.json (dictionary, domain words, foreign words), the training domain a page domain speaks
// like, and why a word is no word (non-word, broken token, repeated letters). Pure; no DOM.
import { Dictionary, type Lexicon, type LexWord } from './dictionary.ts';
import { domainWords as domainFillers } from './domains.ts';
import { domainIndex, type DomainIndex } from './off-domain.ts';

export interface CompiledLexicon {
  dictionary: Dictionary;
  domains: DomainIndex;
  /** Training domains, for mapping a page domain onto one. */
  trained: string[];
  /** lexicon.foreignWords: off-domain on a page whose domain training does not have. */
  foreign: ReadonlySet<string>;
}

const compiledLexicons = new WeakMap<Lexicon, CompiledLexicon>();
const ROMAN = /^(?=[MDCLXVI])M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$/;
/**
 * Words of one or two letters a reason may write: English is a closed class here. The lexicon holds
 * every 1–2 letter string of its corpus (titles' 'le', 'la', contraction pieces 'll', 've'), so its
 * say-so is no evidence: a fragment left by a masked token ("le-play" for role-play, "y games") passes
 * it. Page words (a title's 'de') are still fine.
 */
const SHORT_WORDS = new Set(
  'a i am an as at be by do go he hi if in is it me my no of oh ok on or so to up us we ad ai cd co dj ep ex hd id lp mr ms dr op pc re st tv ui uk ux vr vs e x'.split(' '),
);
export function compileLexicon(lexicon: Lexicon): CompiledLexicon {
  let c = compiledLexicons.get(lexicon);
  if (!c) {
    c = { dictionary: new Dictionary(lexicon.words), domains: domainIndex(lexicon.domainWords, lexicon.strongWords), trained: Object.keys(lexicon.domainWords), foreign: new Set(lexicon.foreignWords ?? []) };
    compiledLexicons.set(lexicon, c);
  }
  return c;
}

/**
 * The training domain a page domain speaks like: itself, else the one with the same noun ('games'),
 * else the only one with the same verb ('film' and 'tv' → movie, 'restaurant' → business). '' for
 * none ('product', 'guitar', 'music'): then every training domain's words are foreign.
 */
export function trainingDomainOf(domain: string, trained: readonly string[]): string {
  if (trained.includes(domain)) return domain;
  const mine = domainFillers(domain);
  const byNoun = trained.filter((d) => domainFillers(d).noun === mine.noun);
  if (byNoun.length === 1) return byNoun[0] as string;
  const byVerb = trained.filter((d) => domainFillers(d).did === mine.did);
  return byVerb.length === 1 && mine.did !== 'bought' ? (byVerb[0] as string) : '';
}

/** Why a word is in no dictionary, or null when it is a word. */
export function wordProblem(w: LexWord, dictionary: Dictionary | undefined, page: ReadonlySet<string>): 'repeated-chars' | 'non-word' | 'broken-word' | null {
  if (page.has(w.word)) return null;
  if (/(\p{L})\1\1\1/u.test(w.word)) return 'repeated-chars';
  if (ROMAN.test(w.written)) return null;
  if (!dictionary) return null;
  if (/\d/.test(w.word) && /^\d+(s|st|nd|rd|th|d|k|p|x|m|gb|mb|hz|khz|mm|cm|in|ft|lb|lbs|oz|w)?$/.test(w.word)) return null;
  if (w.word.length <= 2 && /^\p{L}+$/u.test(w.word) && !SHORT_WORDS.has(w.word)) return 'non-word';
  if (dictionary.has(w.word, page)) return null;
  if (/(\p{L})\1\1/u.test(w.word)) return 'repeated-chars';
  return /\p{Ll}\p{Lu}/u.test(w.written) ? 'broken-word' : 'non-word';
}
