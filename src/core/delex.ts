// Delexicalization of training references (docs/plan-and-slots.md section 5): every mention of the
// item's title, a planned history title or a planned fact becomes its slot; the training domains'
// nouns and verbs become `<|@noun|>`/`<|@nouns|>`/`<|@did|>`; a sentence naming anything else the
// fact matcher knows is dropped (target cleaning). Used by scripts/prepare-v2.ts. Pure; no DOM.
// Finding and replacing the mentions: mentions.ts.
import type { UserContext } from '../types.ts';
import { hasHistoryClaim } from './claims.ts';
import { domainPatterns, FACT_SYNONYMS } from './domains.ts';
import { citedFacts, historyFacts, itemFacts, termKey, titleAliases, type FactMatcher, type ItemLike, type Vocabulary } from './facts.ts';
import { restrictPlan, type ContentPlan, type PlanFact } from './plan.ts';
import type { Slot } from './slots.ts';
import { articleFirst, collapseFactLists, FORBID_FACT, FORBID_TITLE, replaceDomainWords, replaceMentions, titleNames, type Term } from './mentions.ts';

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
