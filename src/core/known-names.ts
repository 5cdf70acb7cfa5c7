// The names a reason may give (the check's name rules, check.ts): the item's and history's titles,
// their short forms and facts, and where they occur in a text. Pure; no DOM.
import type { UserContext } from '../types.ts';
import { ALL_FACTS_LIMITS, historyFacts, itemFacts, termKey, titleAliases, type ItemLike } from './facts.ts';
import { LIMITS, sanitizeText } from './prompt.ts';
import { isBoundary, TermList, type SearchableText } from './term-index.ts';

/** The names a reason may give: item and history titles (with their short forms) and facts. */
export interface KnownNames {
  /** Every full name, for finding them in the text. */
  list: TermList<true>;
  /** Keys of titles, their short forms and facts: what may be quoted. */
  keys: Set<string>;
  /** ' key ' of each title and fact: a name may be a part of one ("Taylor Swift" of a headline). */
  padded: string[];
  /** The same two for titles alone (and their short forms): what a quote may be. */
  titles: Pick<KnownNames, 'keys' | 'padded'>;
}

export function knownNames(item: ItemLike, context: UserContext | undefined | null): KnownNames {
  const list = new TermList<true>();
  const keys = new Set<string>();
  const padded: string[] = [];
  const titles = { keys: new Set<string>(), padded: [] as string[] };
  const add = (name: string, isTitle: boolean): void => {
    const key = termKey(name);
    if (key && isTitle) titles.keys.add(loose(key));
    if (!key || keys.has(loose(key))) return;
    keys.add(loose(key));
    list.addKey(key, true);
  };
  const title = (t: string): void => {
    add(t, true);
    const key = ` ${loose(termKey(t))} `;
    padded.push(key);
    titles.padded.push(key);
    for (const alias of titleAliases(t)) add(alias, true);
    // Catalog order "Fugitive, The" is written "The Fugitive".
    const m = /^(.+), (the|a|an)( \(.*\))?$/i.exec(t);
    if (m) title(`${m[2]} ${m[1]}${m[3] ?? ''}`);
    // Initials with the number: "GTA V" for "Grand Theft Auto V", "L4D 2"-style short forms aside.
    const words = t.split(/[\s:–—-]+/).filter(Boolean);
    const last = words[words.length - 1] ?? '';
    if (words.length >= 4 && /^(\d+|[IVX]+)$/.test(last) && words.slice(0, -1).every((w) => /^\p{Lu}/u.test(w))) add(`${words.slice(0, -1).map((w) => w[0]).join('')} ${last}`, true);
  };
  for (const f of [...itemFacts(item), ...historyFacts(context)]) {
    if (f.kind === 'title') title(f.value);
    else {
      add(f.value, false);
      padded.push(` ${loose(termKey(f.value))} `);
    }
  }
  // The prompt cuts titles to 80 characters; a reason quoting the whole title is still right.
  for (const t of [item?.title, ...(Array.isArray(context?.history) ? context.history.slice(-ALL_FACTS_LIMITS.historyEntries).map((h) => h?.title) : [])]) {
    const full = sanitizeText(t, 300);
    if (full.length > LIMITS.title) title(full);
  }
  return { list, keys, padded, titles };
}

/** A key for comparing names: letters, digits and single spaces only ('Dog!' = 'Dog', `Say "Awww"` = "Say 'Awww'"). */
export function loose(key: string): string {
  return /^[\p{L}\p{N} ]*$/u.test(key) ? key : key.replace(/[^\p{L}\p{N} ]+/gu, ' ').replace(/ {2,}/g, ' ').trim();
}

/** Whether `key` is a run of whole words of a known title or fact (a plural/possessive 's' allowed after it). */
export function partOfKnown(key: string, known: Pick<KnownNames, 'padded'>): boolean {
  const k = loose(key);
  if (!k) return false;
  return known.padded.some((p) => p.includes(` ${k} `) || p.includes(` ${k}s `));
}

/** Where known names occur in `seg`: per code point whether one covers it, and each occurrence's range. */
export function coverage(seg: SearchableText, known: TermList<true>): { covered: Uint8Array; spans: [number, number][] } {
  const covered = new Uint8Array(seg.orig.length);
  const spans: [number, number][] = [];
  for (const hits of known.hits(seg).values()) {
    for (const hit of hits) {
      if (!isBoundary(seg.orig[hit.start - 1], seg.orig[hit.start])) continue;
      covered.fill(1, hit.start, hit.end);
      spans.push([hit.start, hit.end]);
    }
  }
  return { covered, spans };
}
