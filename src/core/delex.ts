// Delexicalization of training references (docs/plan-and-slots.md section 5): every mention of the
// item's title, a planned history title or a planned fact becomes its slot; the training domains'
// nouns and verbs become `<|@noun|>`/`<|@nouns|>`/`<|@did|>`; a sentence naming anything else the
// fact matcher knows is dropped (target cleaning). Used by scripts/prepare-v2.ts. Pure; no DOM.
import type { UserContext } from '../types.ts';
import { hasHistoryClaim } from './claims.ts';
import { domainPatterns, FACT_SYNONYMS } from './domains.ts';
import { citedFacts, historyFacts, itemFacts, termKey, titleAliases, type FactMatcher, type ItemLike, type Vocabulary } from './facts.ts';
import { restrictPlan, type ContentPlan, type PlanFact } from './plan.ts';
import { slotToken, type Slot } from './slots.ts';

/** Why a sentence of a reference was not kept. */
export type DropReason =
  | 'unplanned-title' // names a history title the plan does not have
  | 'unplanned-fact' // names an item or history fact the plan does not have
  | 'vocabulary-term' // names a vocabulary fact or title that neither the item nor the history has
  | 'missed-mention' // the matcher still finds a planned title or fact after slotting (an unslottable form)
  | 'history-claim' // speaks of a history the plan does not show
  | 'unslotted-name' // a capitalized name or quoted span that is no slot (a title the data does not know)
  | 'too-many-facts' // more facts than a plan holds
  | 'too-short' // under MIN_TARGET_WORDS words with nothing to join it
  | 'anaphora' // a first sentence pointing back at sentences that are not kept ("these two features")
  | 'no-slot' // cites nothing of the plan (first sentence only)
  | 'not-selected'; // fine, but the target already has its sentences

export interface DelexSentence {
  /** The sentence with slots (temporary numbering: candidate order). */
  text: string;
  dropped?: DropReason;
}

export interface DelexResult {
  /** The plan restricted to the slots `text` uses, renumbered in order of first use. */
  plan: ContentPlan;
  /** The slot text: one sentence, or two when the first is shorter than 6 words. */
  text: string;
}

export interface DelexDetail {
  result: DelexResult | null;
  /** Up to `maxTargets` targets from one reference, `result` first. */
  results: DelexResult[];
  sentences: DelexSentence[];
}

export interface DelexOptions {
  /** The vocabulary (facts_vocab.json facts, catalog titles) or its compiled matcher. */
  vocabulary?: Vocabulary | FactMatcher;
  /**
   * Facts that may be slotted beyond the plan's own (training: every item fact for a new-visitor row,
   * every shared fact for a history row); the result keeps at most 3, the ones used.
   */
  extraFacts?: readonly Omit<PlanFact, 'slot'>[];
  /** How many targets one reference may give (its later kept sentences); default 1. */
  maxTargets?: number;
}

/** Sentences shorter than this take the next one with them. */
export const MIN_TARGET_WORDS = 6;

type Target = { kind: 'slot'; slot: string } | { kind: 'literal' } | { kind: 'forbidden'; why: 'unplanned-title' | 'unplanned-fact' };

interface Term {
  target: Target;
  /** Must be written with a capital first letter (titles and their aliases). */
  capital: boolean;
  isTitle: boolean;
}

const FORBID = '\u0000'; // marks a forbidden mention inside the working text
const FORBID_TITLE = `${FORBID}T`;
const FORBID_FACT = `${FORBID}F`;

/** 'Lion King, The' → 'The Lion King' (MovieLens writes articles last). */
function articleFirst(title: string): string[] {
  const m = /^(.*), (The|A|An|La|Le|Les|Il|Das|Der|Die|El)( \(.*\))?$/.exec(title);
  return m ? [`${m[2]} ${m[1]}`] : [];
}

/**
 * The names a reference may use for a title, each filled back with the whole title: the title, without
 * brackets or an edition suffix, article first, and (not for news headlines) the main part before ':'.
 * Word-prefix aliases ('Taylor Swift' of a headline) are not names of the title: the matcher still
 * finds them, and the sentence is dropped as a missed mention.
 */
function titleNames(title: string, domain: string): string[] {
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
function replaceMentions(text: string, terms: Map<string, Term>, pluralNoun: boolean): string {
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
function replaceDomainWords(text: string, domain: string): string {
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
function collapseFactLists(text: string): string {
  const F = String.raw`<\|@f\d\|>`;
  return text.replace(new RegExp(String.raw`${F}(?:,\s*${F})*,?\s+(?:and|&)\s+${F}`, 'g'), (m) => (m.match(/<\|@f\d\|>/g) ?? []).join(''));
}

const ABBREVIATION = /\b(Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|etc|e\.g|i\.e|Vol|No|U\.S|U\.K|Inc|Ltd|Co)\.$/;

/** Sentences of a (slotted) text. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  const boundary = /([.!?]+["”')]*)\s+(?=["“'(]*(?:\p{Lu}|\p{N}|<\|))/gu;
  for (const m of text.matchAll(boundary)) {
    const end = (m.index ?? 0) + (m[1] as string).length;
    if (ABBREVIATION.test(text.slice(from, end))) continue;
    out.push(text.slice(from, end).trim());
    from = (m.index ?? 0) + m[0].length;
  }
  const rest = text.slice(from).trim();
  if (rest) out.push(rest);
  return out.filter((s) => s !== '');
}

const SLOT_ANY = /<\|@(\w+)\|>/g;

/** Slot text with each slot as a plain word, for the phrase patterns of claims.ts. */
function asWords(text: string): string {
  const stand: Record<string, string> = { did: 'played', noun: 'game', nouns: 'games' };
  return text.replace(SLOT_ANY, (_m, s: string) => stand[s] ?? 'thing');
}

/** Words, a slot counting as one. */
export function slotWordCount(text: string): number {
  return (text.replace(SLOT_ANY, ' w ').match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) ?? []).length;
}

// Capitalized words that are not names.
const NOT_NAMES = new Set(['I', "I'm", "I'd", "I've", "I'll", 'OK', 'TV']);

/** A capitalized word mid-sentence, or a quoted span, that is not a slot: a name the plan does not hold. */
function unslottedName(sentence: string): boolean {
  const bare = sentence.replace(SLOT_ANY, ' ');
  if (/["“][^"”]*[\p{L}\p{N}][^"”]*["”]/u.test(bare)) return true;
  for (const m of bare.matchAll(/[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu)) {
    const w = m[0];
    if (!/^\p{Lu}/u.test(w) || NOT_NAMES.has(w)) continue;
    const before = bare.slice(0, m.index).replace(/["“'(\s]+$/, '');
    if (before === '' || /[.!?:]$/.test(before)) continue;
    return true;
  }
  return false;
}

interface Candidate {
  slot: string;
  value: string;
  kind: string;
  from: PlanFact['from'];
}

/**
 * Delexicalizes a reference against a plan, sentence by sentence, and says why each sentence not
 * kept was dropped. `context` is the real visitor's (its titles and facts are forbidden unless planned,
 * even when `plan` is a new-visitor plan).
 */
export function delexicalizeDetailed(reference: string, item: ItemLike, context: UserContext | null | undefined, plan: ContentPlan, options: DelexOptions = {}): DelexDetail {
  const terms = new Map<string, Term>();
  const add = (name: string, term: Term): void => {
    const key = termKey(name);
    if (key.length >= 2 && !terms.has(key)) terms.set(key, term);
  };
  const slotTitle = (title: string, slot: string): void => {
    for (const [k, name] of titleNames(title, plan.domain).entries()) add(name, { target: { kind: 'slot', slot }, capital: k > 0 || /^\p{Lu}/u.test(title), isTitle: true });
  };
  slotTitle(plan.item.title, 'item');
  for (const h of plan.history) slotTitle(h.title, h.slot);

  // Facts: the plan's, then the extra candidates, under temporary slot names x1, x2, …
  const candidates: Candidate[] = plan.facts.map((f) => ({ slot: f.slot, value: f.value, kind: f.kind, from: f.from }));
  for (const f of options.extraFacts ?? []) {
    if (!candidates.some((c) => termKey(c.value) === termKey(f.value))) candidates.push({ slot: `x${candidates.length + 1}`, ...f });
  }
  const patterns = domainPatterns(plan.domain);
  const domainWordKeys = new Set([...(patterns?.noun ?? []), ...(patterns?.nouns ?? []), 'news'].map(termKey));
  for (const c of candidates) {
    if (domainWordKeys.has(termKey(c.value))) continue;
    const slot: Term = { target: { kind: 'slot', slot: c.slot }, capital: false, isTitle: false };
    add(c.value, slot);
    for (const same of FACT_SYNONYMS[termKey(c.value)]?.same ?? []) add(same, slot);
    // A related form of a planned fact stays literal: shadow it so no other fact claims it.
    for (const related of FACT_SYNONYMS[termKey(c.value)]?.related ?? []) add(related, { target: { kind: 'literal' }, capital: false, isTitle: false });
  }

  // Everything else the item and history have is forbidden.
  for (const f of [...itemFacts(item), ...historyFacts(context)]) {
    if (domainWordKeys.has(termKey(f.value))) continue;
    if (f.kind === 'title') for (const name of [f.value, ...titleAliases(f.value), ...articleFirst(f.value)]) add(name, { target: { kind: 'forbidden', why: 'unplanned-title' }, capital: true, isTitle: true });
    else {
      const forbidden: Term = { target: { kind: 'forbidden', why: 'unplanned-fact' }, capital: false, isTitle: false };
      add(f.value, forbidden);
      const synonyms = FACT_SYNONYMS[termKey(f.value)];
      for (const other of [...(synonyms?.same ?? []), ...(synonyms?.related ?? [])]) add(other, forbidden);
    }
  }

  // 'RPGs' → 'RPG games' where facts are genres; a news category in the plural ('finances') just drops the s.
  const genreDomain = patterns !== null && plan.domain !== 'news' && plan.domain !== 'business';
  const slotted = collapseFactLists(replaceDomainWords(replaceMentions(reference, terms, genreDomain), plan.domain));
  const vocabulary = options.vocabulary ?? [];
  const sentences: DelexSentence[] = splitSentences(slotted).map((text) => {
    const drop = (dropped: DropReason): DelexSentence => ({ text, dropped });
    if (text.includes(FORBID_TITLE)) return drop('unplanned-title');
    if (text.includes(FORBID_FACT)) return drop('unplanned-fact');
    const usesHistory = /<\|@h\d\|>/.test(text);
    if (!usesHistory && plan.mode === 'new' && hasHistoryClaim(asWords(text))) return drop('history-claim');
    const check = citedFacts(text.replace(SLOT_ANY, ' \u00A7 '), item, context, vocabulary);
    if (check.cited.some((f) => !domainWordKeys.has(termKey(f.value)))) return drop('missed-mention');
    if (check.ungrounded.length > 0) return drop('vocabulary-term');
    if (unslottedName(text)) return drop('unslotted-name');
    return { text };
  });

  // The target: the first kept sentence citing the plan, and the next one when it is short.
  const results = selectTargets(sentences, plan, candidates, options.maxTargets ?? 1);
  return { result: results[0] ?? null, results, sentences };
}

// Openers that only make sense after another sentence, or address the reader as a letter would.
const OPENER = /^(?:(?:dear )?(?:customer|user|reader|viewer|player|gamer)|as (?:a|your) recommender(?: system)?|furthermore|moreover|additionally|also|plus|besides|in addition|what's more|what’s more|lastly|finally|on top of that|overall|in summary|in conclusion|ultimately|however|firstly|secondly|thirdly|first|second|third|hello|hi|hey)\s*[,!:]?\s+/i;

// A first sentence pointing back at sentences that are not there ("These two features make…", "falls into both categories").
const ANAPHORA = /^(these|those|such|both)\b|\b(both|these|those|the two|all these|all of these|the above|the mentioned)\s+(\w+\s+)?(genres|categories|elements|features|aspects|qualities|factors|preferences|criteria|reasons|things|interests|types|tags)\b|\b(this|that|these) (criteria|criterion|description|profile|bill|combination|mix)\b/i;

/** A sentence as the first of a reason: without a leading connective or salutation. */
function standalone(sentence: string): string {
  let out = sentence;
  while (OPENER.test(out)) out = out.replace(OPENER, '');
  return out.replace(/^\p{Ll}/u, (c) => c.toUpperCase());
}

/**
 * Targets from the kept sentences: each the next kept sentence citing the plan, with the one after it
 * when it is short (< MIN_TARGET_WORDS words); at most `max` targets.
 */
function selectTargets(sentences: DelexSentence[], plan: ContentPlan, candidates: readonly Candidate[], max: number): DelexResult[] {
  const cites = (s: string): boolean => /<\|@(item|h\d|f\d|x\d+)\|>/.test(s);
  const results: DelexResult[] = [];
  const taken = new Set<number>();
  for (let k = 0; k < sentences.length && results.length < max; k++) {
    const s = sentences[k] as DelexSentence;
    if (s.dropped || taken.has(k)) continue;
    if (!cites(s.text)) {
      if (results.length === 0) s.dropped = 'no-slot';
      continue;
    }
    const chosen = [k];
    const next = sentences[k + 1];
    if (slotWordCount(s.text) < MIN_TARGET_WORDS && next && !next.dropped) chosen.push(k + 1);
    chosen.forEach((c) => taken.add(c));
    if (slotWordCount(chosen.map((c) => (sentences[c] as DelexSentence).text).join(' ')) < MIN_TARGET_WORDS) {
      chosen.forEach((c) => ((sentences[c] as DelexSentence).dropped = 'too-short'));
      continue;
    }
    const result = buildTarget(sentences, chosen, plan, candidates);
    if (result) results.push(result);
  }
  sentences.forEach((s, k) => {
    if (!s.dropped && !taken.has(k)) s.dropped = 'not-selected';
  });
  return results;
}

function buildTarget(sentences: DelexSentence[], chosen: number[], plan: ContentPlan, candidates: readonly Candidate[]): DelexResult | null {
  if (ANAPHORA.test((sentences[chosen[0] as number] as DelexSentence).text)) {
    chosen.forEach((k) => ((sentences[k] as DelexSentence).dropped = 'anaphora'));
    return null;
  }
  const text = chosen.map((k, n) => (n === 0 ? standalone((sentences[k] as DelexSentence).text) : (sentences[k] as DelexSentence).text)).join(' ');

  // Restrict and renumber by first use.
  const used = Array.from(text.matchAll(SLOT_ANY), (m) => m[1] as string);
  const titleOrder = [...new Set(used.filter((s) => /^h\d$/.test(s)))];
  const factOrder = [...new Set(used.filter((s) => /^(f|x)\d+$/.test(s)))];
  if (factOrder.length > 3) {
    chosen.forEach((k) => ((sentences[k] as DelexSentence).dropped = 'too-many-facts'));
    return null;
  }
  const titles = titleOrder.map((s) => plan.history.find((h) => h.slot === s)?.title ?? '');
  // Facts: every candidate may be used; restrictPlan needs them in the plan, so widen it first.
  const wide: ContentPlan = {
    ...plan,
    facts: candidates.map((c, k) => ({ slot: (['f1', 'f2', 'f3'][k] ?? 'f3') as PlanFact['slot'], value: c.value, kind: c.kind, from: c.from })),
  };
  const values = factOrder.map((s) => candidates.find((c) => c.slot === s)?.value ?? '');
  let restricted = restrictPlan(wide, titles, values);
  // A history row that speaks of the history without naming a title keeps h1: the claim is true.
  if (restricted.history.length === 0 && plan.mode === 'history' && hasHistoryClaim(asWords(text)) && plan.history[0]) {
    restricted = { ...restricted, mode: 'history', history: [{ ...plan.history[0], slot: 'h1' }] };
  }
  const rename = new Map<string, string>();
  titleOrder.forEach((s, k) => rename.set(s, `h${k + 1}`));
  factOrder.forEach((s, k) => rename.set(s, `f${k + 1}`));
  const renamed = text.replace(SLOT_ANY, (m, s: string) => (rename.has(s) ? `<|@${rename.get(s)}|>` : m));
  return { plan: restricted, text: renamed };
}

/** Delexicalizes a reference against a plan: the restricted, renumbered plan and the slot text, or null when no sentence survives. */
export function delexicalize(reference: string, item: ItemLike, context: UserContext | null | undefined, plan: ContentPlan, options: DelexOptions = {}): DelexResult | null {
  return delexicalizeDetailed(reference, item, context, plan, options).result;
}
