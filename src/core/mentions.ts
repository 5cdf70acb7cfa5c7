// Mentions in a reference text, for delexicalization (delex.ts): titles (and their aliases, articles
// first) and facts found leftmost-longest and replaced by their slot tokens or forbidden markers; the
// training domains' nouns and verbs by <|@noun|>/<|@nouns|>/<|@did|>. Pure; no DOM.
import { domainPatterns } from './domains.ts';
import { termKey, titleAliases } from './facts.ts';
import { slotToken, type Slot } from './slots.ts';

export type Target = { kind: 'slot'; slot: string } | { kind: 'literal' } | { kind: 'forbidden'; why: 'unplanned-title' | 'unplanned-fact' };

export interface Term {
  target: Target;
  /** Must be written with a capital first letter (titles and their aliases). */
  capital: boolean;
  isTitle: boolean;
}

const FORBID = '\u0000'; // marks a forbidden mention inside the working text
export const FORBID_TITLE = `${FORBID}T`;
export const FORBID_FACT = `${FORBID}F`;

/** 'Lion King, The' → 'The Lion King' (MovieLens writes articles last). */
export function articleFirst(title: string): string[] {
  const m = /^(.*), (The|A|An|La|Le|Les|Il|Das|Der|Die|El)( \(.*\))?$/.exec(title);
  return m ? [`${m[2]} ${m[1]}`] : [];
}

/**
 * The names a reference may use for a title, each filled back with the whole title: the title, without
 * brackets or an edition suffix, article first, and (not for news headlines) the main part before ':'.
 * Word-prefix aliases ('Taylor Swift' of a headline) are not names of the title: the matcher still
 * finds them, and the sentence is dropped as a missed mention.
 */
export function titleNames(title: string, domain: string): string[] {
  const names = new Set<string>([title, ...articleFirst(title)]);
  for (const t of [...names]) {
    const base = t.replace(/\s*\([^)]*\)\s*/g, ' ').trim();
    names.add(base);
    const noEdition = titleAliases(base).filter((a) => a.length < base.length && base.startsWith(a) && /edition|remastered|goty|cut$/i.test(base.slice(a.length)));
    noEdition.forEach((a) => names.add(a));
    if (domain !== 'news') {
      const main = base.split(/\s*:\s+|\s+[-\u2013\u2014]\s+/)[0]?.trim();
      if (main && main !== base && termKey(main).length >= 3) names.add(main);
    }
  }
  return [...names];
}

interface Word {
  start: number;
  end: number;
}

// Words as the span finder sees them: letters/digits with inner apostrophes and periods ('U.S.').
const WORD = /[\p{L}\p{N}]+(?:['’.&][\p{L}\p{N}]+)*/gu;

function words(text: string): Word[] {
  return Array.from(text.matchAll(WORD), (m) => ({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length }));
}

/** A word glued to the previous or next one by a hyphen is part of a compound ('action-packed'). */
function gluedBefore(text: string, at: number): boolean {
  return /[\p{L}\p{N}][-\u2010\u2011]$/u.test(text.slice(Math.max(0, at - 2), at));
}
function gluedAfter(text: string, at: number): boolean {
  return /^[-\u2010\u2011][\p{L}\p{N}]/u.test(text.slice(at, at + 2));
}

// 'action-packed game' says no more than 'action game': with a planned fact, the compound becomes the slot.
const FACT_COMPOUND = /^[-\u2010\u2011](packed|oriented|filled|heavy|themed|focused|driven|inspired|style|styled|centric|laden)(?![\p{L}\p{N}-])/iu;

const MAX_SPAN_WORDS = 16;

/**
 * Replaces every mention of a term, leftmost-longest, with its slot token (or a forbidden marker).
 * A fact in the plural ('RPGs') becomes the slot and the domain's plural noun.
 */
export function replaceMentions(text: string, terms: Map<string, Term>, pluralNoun: boolean): string {
  const ws = words(text);
  let out = '';
  let last = 0;
  for (let i = 0; i < ws.length; i++) {
    const start = (ws[i] as Word).start;
    if (start < last || gluedBefore(text, start)) continue;
    let found: { end: number; term: Term; suffix: string; nextI: number } | undefined;
    for (let j = Math.min(ws.length - 1, i + MAX_SPAN_WORDS - 1); j >= i && !found; j--) {
      let end = (ws[j] as Word).end;
      const compound = FACT_COMPOUND.exec(text.slice(end, end + 12));
      if (gluedAfter(text, end) && !compound) continue;
      const span = text.slice(start, end);
      const key = termKey(span);
      const candidates: { key: string; suffix: string }[] = [{ key, suffix: '' }];
      if (/['’]s$/i.test(span)) candidates.push({ key: key.slice(0, -1), suffix: span.slice(-2) });
      else if (/s$/.test(span)) {
        candidates.push({ key: key.slice(0, -1), suffix: 'PLURAL' });
        if (/es$/.test(span)) candidates.push({ key: key.slice(0, -2), suffix: 'PLURAL' });
        if (/ies$/.test(span)) candidates.push({ key: key.slice(0, -3) + 'y', suffix: 'PLURAL' });
      }
      for (const c of candidates) {
        const term = terms.get(c.key);
        if (!term) continue;
        if (term.capital && !/^\p{Lu}|^\p{N}/u.test(span)) continue;
        if (term.isTitle && c.suffix === 'PLURAL') continue;
        if (compound) {
          if (term.isTitle || term.target.kind !== 'slot' || c.suffix !== '') continue;
          end += compound[0].length;
        }
        found = { end, term, suffix: c.suffix, nextI: j };
        break;
      }
    }
    if (!found) continue;
    out += text.slice(last, start);
    const { target } = found.term;
    if (target.kind === 'literal') out += text.slice(start, found.end);
    else if (target.kind === 'forbidden') out += target.why === 'unplanned-title' ? FORBID_TITLE : FORBID_FACT;
    else {
      out += `<|@${target.slot}|>`;
      if (found.suffix === 'PLURAL') out += pluralNoun ? ` ${slotToken('nouns')}` : '';
      else out += found.suffix;
    }
    last = found.end;
    i = found.nextI;
  }
  return out + text.slice(last);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The training domain's nouns and verbs as slots. */
export function replaceDomainWords(text: string, domain: string): string {
  const patterns = domainPatterns(domain);
  if (!patterns) return text;
  const alt = (list: readonly string[]): string => list.map(escapeRegExp).join('|');
  const noun = (list: readonly string[], slot: Slot, s: string): string =>
    s.replace(new RegExp(String.raw`(?<![\p{L}\p{N}@-])(${alt(list)})(?![\p{L}\p{N}|-])`, 'giu'), slotToken(slot));
  let out = noun(patterns.nouns, 'nouns', text);
  out = noun(patterns.noun, 'noun', out);
  out = out.replace(
    new RegExp(String.raw`(\byou(?:['’]ve| have| had)?(?: (?:already|previously|recently|also|just|once|ever|often|frequently))? )(${alt(patterns.did)})(?![\p{L}\p{N}-])`, 'giu'),
    (_m, pre: string) => pre + slotToken('did'),
  );
  return out;
}

/** 'A, B and C' of fact slots → adjacent slots, which fillSlots writes as a list. */
export function collapseFactLists(text: string): string {
  const F = String.raw`<\|@f\d\|>`;
  return text.replace(new RegExp(String.raw`${F}(?:,\s*${F})*,?\s+(?:and|&)\s+${F}`, 'g'), (m) => (m.match(/<\|@f\d\|>/g) ?? []).join(''));
}
