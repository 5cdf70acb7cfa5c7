// The audit's dictionary: every word of the training references (human/GPT-written English of five
// domains, titles included) plus the words of the page the reason is shown on. A shown word in
// neither is a non-word ("andSC", "NecroDDDD…"), as is any run of one letter 4+ times.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reasonWords } from '../../src/core/grounding.ts';
import type { AttributeValue, Item, UserContext } from '../../src/types.ts';

export type Lexicon = ReadonlySet<string>;

const REPEATED_LETTER = /(\p{L})\1{3,}/iu;
const NUMBERISH = /^\p{N}+(?:[.,]\p{N}+)*(?:st|nd|rd|th|s|k|mm|w)?$/u;

/** Lower-cased words of texts (the grounding check's word rule). */
export function lexiconOf(texts: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const t of texts) for (const w of reasonWords(t)) out.add(w);
  return out;
}

/** Words of every `reason` in the prepared splits; null when the data is not there. */
export function trainingLexicon(dataDir: string): Set<string> | null {
  const texts: string[] = [];
  let found = false;
  for (const split of ['train', 'valid', 'test', 'xrec_test']) {
    const file = join(dataDir, `${split}.jsonl`);
    if (!existsSync(file)) continue;
    found = true;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const reason = (JSON.parse(line) as { reason?: unknown }).reason;
      if (typeof reason === 'string') texts.push(reason);
    }
  }
  return found ? lexiconOf(texts) : null;
}

function attributeTexts(attributes: Record<string, AttributeValue> | undefined, out: string[]): void {
  for (const v of Object.values(attributes ?? {})) for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') out.push(x);
}

/** Every text the page gives for this item and visitor: titles, facts, description. */
export function pageTexts(item: Item, context: UserContext, extraTitles: readonly string[] = []): string[] {
  const out = [item.title, item.description ?? '', ...extraTitles];
  attributeTexts(item.attributes, out);
  for (const h of context.history ?? []) {
    out.push(h.title);
    attributeTexts(h.attributes, out);
  }
  return out;
}

function known(word: string, lexicon: Lexicon, page: ReadonlySet<string>): boolean {
  if (lexicon.has(word) || page.has(word) || NUMBERISH.test(word)) return true;
  const bare = word.replace(/['’]s$|['’]$/u, '');
  if (bare !== word && (lexicon.has(bare) || page.has(bare))) return true;
  // A new compound of known words ("guitar-friendly") is a word.
  const parts = bare.split('-').filter(Boolean);
  return parts.length > 1 && parts.every((p) => lexicon.has(p) || page.has(p) || NUMBERISH.test(p));
}

/** The words of `text` that are in neither the lexicon nor the page's texts, plus any repeated-letter run. */
export function nonWords(text: string, lexicon: Lexicon, page: readonly string[]): string[] {
  const pageWords = lexiconOf(page);
  const out: string[] = [];
  for (const w of reasonWords(text)) if ((REPEATED_LETTER.test(w) && !pageWords.has(w)) || !known(w, lexicon, pageWords)) out.push(w);
  return out;
}
