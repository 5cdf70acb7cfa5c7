// Names in a shown reason that the page does not support: titles of any catalog we know that are
// neither the item's nor the visitor's history's, other cards' titles, quoted spans that are no
// title at all, and capitalized multi-word names the page does not have.
import { createFactMatcher, termKey, titleAliases } from '../../src/core/facts.ts';
import type { FactMatcher } from '../../src/core/facts.ts';
import { keyedAttributeFacts } from '../../src/core/prompt.ts';
import type { Item, UserContext } from '../../src/types.ts';

/** Titles (and their aliases), attribute values and description of the item and the history, as match keys. */
export function supportedKeys(item: Item, context: UserContext): { titles: Set<string>; facts: Set<string> } {
  const titles = new Set<string>();
  const facts = new Set<string>();
  const addTitle = (t: string) => {
    titles.add(termKey(t));
    for (const a of titleAliases(t)) titles.add(termKey(a));
  };
  addTitle(item.title);
  for (const f of keyedAttributeFacts(item.attributes, 64)) facts.add(termKey(f.value));
  for (const h of context.history ?? []) {
    addTitle(h.title);
    for (const f of keyedAttributeFacts(h.attributes, 64)) facts.add(termKey(f.value));
  }
  titles.delete('');
  facts.delete('');
  return { titles, facts };
}

/** A matcher for titles only: `ungrounded` are the given titles a text names that are not the item's or history's. */
export function titleMatcher(titles: Iterable<string>): FactMatcher {
  return createFactMatcher({ titles });
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * True when every occurrence of a multi-word Title-Cased title in `text` has its later words in
 * lower case: "Another adventure, indie game" is a sentence, not the game "Another Adventure" (the
 * engine's matcher only asks for a capital first letter, which any sentence start has).
 */
export function onlySentenceCase(text: string, title: string): boolean {
  const words = title.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const capitalLater = words.slice(1).some((w) => /^\p{Lu}/u.test(w));
  if (words.length < 2 || !capitalLater) return false;
  const re = new RegExp(`(?<![\\p{L}\\p{N}])${words.map(escapeRe).join('[^\\p{L}\\p{N}]+')}`, 'giu');
  const found = [...text.matchAll(re)];
  if (found.length === 0) return false;
  return found.every((m) => m[0].split(/[^\p{L}\p{N}]+/u).filter(Boolean).slice(1).every((w, i) => !/^\p{Lu}/u.test(w) || !/^\p{Lu}/u.test(words[i + 1] ?? '')));
}

/** Titles from `matcher` the text names that are neither the item's nor the history's (nor one of their facts). */
export function foreignTitles(text: string, item: Item, context: UserContext, matcher: FactMatcher): string[] {
  const { facts, titles } = supportedKeys(item, context);
  return matcher
    .citedFacts(text, item, context)
    .ungrounded.filter((t) => !facts.has(termKey(t)) && !titles.has(termKey(t)) && !onlySentenceCase(text, t));
}

const QUOTED = /"([^"\n]{1,120})"|“([^”\n]{1,120})”|«([^»\n]{1,120})»|(?<![\p{L}\p{N}])['‘]([^'’\n]{2,120})['’](?![\p{L}\p{N}])/gu;

/** The quoted spans of a text (double, curly, guillemet quotes; single quotes only at word edges). */
export function quotedSpans(text: string): string[] {
  return Array.from(text.matchAll(QUOTED), (m) => (m[1] ?? m[2] ?? m[3] ?? m[4] ?? '').trim()).filter((s) => s !== '');
}

/**
 * Quoted spans that name nothing: not the item's or a history title (or alias), not one of their
 * facts, and not a title of any catalog (those are counted by foreignTitles instead).
 */
export function unlistedQuotes(text: string, item: Item, context: UserContext, knownTitleKeys: ReadonlySet<string>): string[] {
  const { facts, titles } = supportedKeys(item, context);
  const known = (key: string): boolean => titles.has(key) || facts.has(key) || knownTitleKeys.has(key);
  return quotedSpans(text).filter((span) => {
    // A sentence's period may sit inside the quotes ("… like 'Rust.'"); a title may end in its own
    // punctuation ("Sushi Go!"): either reading that names a title is a title.
    const key = termKey(span.replace(/[.,!?;:]+$/u, ''));
    return key !== '' && !known(key) && !known(termKey(span));
  });
}

/**
 * Capitalized multi-word names (two or more adjacent Capitalized words; a number may follow one:
 * "Portal 2") that are not part of a title, fact or the description of the item or history. A
 * sentence's first word is not counted as part of a name ("Because Portal 2" → "Portal 2").
 */
export function unsupportedNames(text: string, item: Item, context: UserContext): string[] {
  const { facts, titles } = supportedKeys(item, context);
  // Compared as words only, so "B.I.G." and the name's "B.I.G" (end of sentence) agree.
  const words = (key: string) => ` ${key.replace(/[^\p{L}\p{N}]+/gu, ' ').trim()} `;
  const haystack = [...titles, ...facts, termKey(item.description ?? '')].map(words);
  const covered = (name: string) => haystack.some((h) => h.includes(words(termKey(name))));
  const out: string[] = [];
  for (const sentence of text.split(/(?<=[.!?…])\s+/u)) {
    let run: string[] = [];
    const flush = () => {
      if (run.length >= 2) {
        const name = run.join(' ').replace(/['’]s$/u, '');
        if (!covered(name)) out.push(name);
      }
      run = [];
    };
    sentence
      .trim()
      .split(/\s+/)
      .forEach((raw, index) => {
        if (/^[,(\[{"“«'‘–—-]/u.test(raw)) flush(); // punctuation before a word ends a name
        const w = raw.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
        const capital = /^[\p{Lu}\p{Lt}]/u.test(w);
        const number = /^\p{N}/u.test(w) && run.length > 0;
        if (index === 0 || (!capital && !number)) flush();
        else run.push(w);
        if (/[^\p{L}\p{N}'’]$/u.test(raw)) flush(); // "Portal 2, …" ends the name
      });
    flush();
  }
  return out;
}

// "you should play Rust because …": the name a reason tells the visitor to play/watch/try/buy.
const RECOMMEND =
  /\b(?:should|must|could|might|to|would|will)\s+(?:(?:definitely|also|really|surely|certainly|likely)\s+)?(?:enjoy\s+)?(?:play(?:ing)?|try(?:ing)?|watch(?:ing)?|read(?:ing)?|listen(?:ing)? to|check(?:ing)? out|buy(?:ing)?|get|pick up|give)\s+(?:the (?:game|album|movie|film|book|product|show)\s+)?(["“']?[\p{Lu}\p{N}][^\s,.;!?"”]*(?:\s+(?:[\p{Lu}\p{N}&][^\s,.;!?"”]*|of|the|and|in|on|to|for|a|-|–))*)/gu;

/**
 * Names a reason recommends ("you should play X") that are not the item: a history title, another
 * game, an invented one. The item's own title, any part of it, is fine.
 */
export function misnamedItems(text: string, item: Item): string[] {
  const words = (s: string) => ` ${termKey(s).replace(/[^\p{L}\p{N}]+/gu, ' ').trim()} `;
  const title = words(item.title);
  const out: string[] = [];
  for (const m of text.matchAll(RECOMMEND)) {
    const name = (m[1] ?? '')
      .replace(/^["“']/u, '')
      .replace(/(?:\s+(?:of|the|and|in|on|to|for|a|-|–))+$/u, '')
      .trim();
    if (name && !title.includes(words(name))) out.push(name);
  }
  return out;
}
