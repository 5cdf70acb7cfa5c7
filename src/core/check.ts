// The open-vocabulary check, run on every reason after its slots are filled (or on any model's
// plain text): it rejects what the closed vocabulary cannot see — invented or memorized titles,
// quoted names, non-words and broken tokens, history claims without a history, another domain's
// words, planned facts left out. The closed-vocabulary check (grounding.ts `checkReason`) is one of
// its inputs. See docs/grounding.md. Pure; no DOM. The names a reason may give: known-names.ts;
// the words it may write: word-check.ts.
import type { CitedFact, UserContext } from '../types.ts';
import { mayOccur, regExpFor } from './word-regexp.ts';
import { historyClaims } from './claims.ts';
import { lexiconWords, pageWords, titleWords, type Lexicon } from './dictionary.ts';
import { domainWords as domainFillers, foreignNarrativeWords, foreignVerbWords } from './domains.ts';
import { createFactMatcher, historyEntryFacts, itemFacts, termKey, titleAliases } from './facts.ts';
import type { FactMatcher, ItemLike, Vocabulary } from './facts.ts';
import { featureWords, unsupportedClaims, unsupportedFeatures } from './claim-support.ts';
import { articlePluralProblems, factKindProblems } from './fact-kinds.ts';
import { checkReason } from './grounding.ts';
import { hasMarkup } from './markup.ts';
import { capitalizedRuns, quotedSpans } from './names.ts';
import { offDomainWords } from './off-domain.ts';
import { copula, phrasingProblems } from './phrasing.ts';
import type { ContentPlan } from './plan.ts';
import { isCategoryKind, planDomain } from './plan.ts';
import { hasPluralHead, singularHead } from './slots.ts';
import { LIMITS, sanitizeText } from './prompt.ts';
import { blankPhrases, phrasePattern, searchable } from './term-index.ts';
import { coverage, knownNames, loose, partOfKnown } from './known-names.ts';
import { compileLexicon, trainingDomainOf, wordProblem } from './word-check.ts';

export { trainingDomainOf } from './word-check.ts';

/** What is wrong with a reason, in the order the check reports them. */
export type ProblemKind =
  | 'empty' // no letter or digit
  | 'markup' // page markup copied into the text: a tag, an entity, a special-token marker (markup.ts)
  | 'too-short' // under MIN_REASON_WORDS words
  | 'repetitive' // degenerate repetition
  | 'quoted' // a quoted span that is not the item's or a history title
  | 'unknown-name' // a capitalized multi-word name that is not the item's/history's title or a page fact
  | 'ungrounded' // a closed-vocabulary fact or catalog title the item and history lack
  | 'page-title' // the title of another item on the page
  | 'non-word' // a word in no dictionary
  | 'broken-word' // glued tokens ('andSC')
  | 'repeated-chars' // 'DDDD'
  | 'repeated-word' // 'Global Global', 'Bacon bacon'
  | 'history-claim' // speaks of a history the visitor does not have (or that shares nothing)
  | 'off-domain' // a word tied to another domain ('delicious' under a guitar)
  | 'unsupported-claim' // a claim the item's facts do not back ('without any cost' under a paid game)
  | 'listed-noun' // the domain's noun as the last item of a list of facts ('such as action, RPG, and games', 'RPG and funny, game')
  | 'bare-noun' // the domain's noun as a bare predicate ('an action game that's game', 'that's albums you liked')
  | 'dangling' // a sentence that ends on a word that needs more ('a strategy game that's .', 'just like the.', 'allowing you to enjoy.', 'an album that has to offer.')
  | 'stacked-facts' // two planned facts sharing a word side by side, no 'and' or comma ('a strategy turn-based strategy environment')
  | 'misplaced-item' // the item's own title where only another thing can stand ('an RPG game with Undertale' under Undertale; 'a game that's <item>')
  | 'category-blend' // a category path written as a mix ('a unique blend of microphones and recording'): phrasing.ts
  | 'fact-kind' // a kind noun that is not the fact's kind ('the guitar pedals genre', 'the U2 category'): fact-kinds.ts
  | 'article-plural' // a/an right before a plural category value ('a microphones recording'): fact-kinds.ts
  | 'predicate-fact' // a one-word fact as a bare predicate ('an action game that's adventure'): phrasing.ts
  | 'plural-modifier' // a plural category value modifying the next word ('electric guitars Squier product'): phrasing.ts
  | 'title-list' // a title and a bare fact coordinated ('like Rainbow Six Siege and multiplayer.'): phrasing.ts
  | 'article-title' // an article before a title that has none ('like the Rust.'): phrasing.ts
  | 'name-stack' // a name fact stacked or coordinated with another fact ('a rock U2 album', 'hip hop and Nas'): phrasing.ts
  | 'item-history-claim' // the item as something the visitor already did ('an album that you have previously enjoyed'): phrasing.ts
  | 'title-contraction' // "<title>'s a great choice": phrasing.ts
  | 'offers-itself' // 'Borderlands 2 offers an exciting action RPG game': phrasing.ts
  | 'empty-praise' // two praise words coordinated ('a fun and engaging game'): phrasing.ts
  | 'self-comparison' // the item compared with itself ("much like 'Homogenic'" under Homogenic): phrasing.ts
  | 'falls-under-noun' // 'falls under the hard rock album': a category is what a thing falls under: phrasing.ts
  | 'empty-clause' // 'an action game with a massive game', '… with features', '…, which is a game': phrasing.ts
  | 'kind-then-fact' // 'falls under the rock category and pop.': phrasing.ts
  | 'doubled-pair' // 'adds depth and depth': phrasing.ts
  | 'mix-of-one' // 'a mix of science fiction', 'a variety of Steven Spielberg': phrasing.ts
  | 'comma-splice' // 'you enjoy action games like Rust, Counter-Strike: Source is a game.': phrasing.ts
  | 'omitted'; // a planned fact or history title the text leaves out

export interface Problem {
  kind: ProblemKind;
  /** The offending text as found (absent for empty/too-short/repetitive). */
  text?: string;
}

export interface ReasonCheckInput {
  item: ItemLike;
  context?: UserContext | null;
  /** The content plan the reason was written for: enables the omission and mode checks. */
  plan?: ContentPlan | null;
  /** lexicon.json of the model (parseLexicon). Without it, no dictionary and no off-domain check. */
  lexicon?: Lexicon | null;
  /** The closed vocabulary: a FactMatcher (createFactMatcher, compile once) or facts_vocab.json's facts/titles. */
  vocabulary?: FactMatcher | Vocabulary;
  /** Titles of the other items on the page (pass the same array for every item of a page: it is compiled once). */
  pageTitles?: readonly string[];
  /** The page's domain; default: the plan's, else the context's (as the prompt). */
  domain?: string;
}

export interface ReasonCheck {
  ok: boolean;
  problems: Problem[];
  /** Terms to ban on the one regeneration (names, words, phrases as written), each once. */
  banned: string[];
  /** Item/history facts the text cites (grounding.ts). */
  cited: CitedFact[];
}

const titleMatchers = new WeakMap<readonly string[], FactMatcher>();
const NO_VOCABULARY: string[] = [];
// On the lower-cased normalized text: the same word twice, or the same two words twice ("a great
// choice for you to try to try"), separated by one space.
const DOUBLED = /(?<![\p{L}\p{N}])([\p{L}\p{N}]+|[\p{L}\p{N}]+ [\p{L}\p{N}]+) \1(?![\p{L}\p{N}])/gu;
const GRAMMATICAL_DOUBLES = new Set(['that', 'had']);
/** Words after which the item's own title cannot stand: a comparison, a list, an accompaniment ("with <item>") or a predicate ("a game that's <item>"). */
const NOT_BEFORE_ITEM = String.raw`(?:with|like|and|or|than|including|such as|similar to|versus|vs\.?|alongside|that['’]s|that is|which is)`;

/** `text` with every occurrence of the item's and the history's titles blanked. */
function withoutTitles(text: string, item: ItemLike | undefined, context: UserContext | undefined | null): string {
  return blankPhrases(text, [item?.title, ...(Array.isArray(context?.history) ? context.history.map((h) => h?.title) : [])], ' ');
}

/**
 * Checks a filled reason. `ok` when no problem was found; otherwise `problems` say what (all of
 * them, not only the first) and `banned` lists the names, words and phrases to ban on the one
 * regeneration. Item/history titles and facts are always fine; so are the page's words.
 */
export function checkFilledReason(text: string, input: ReasonCheckInput): ReasonCheck {
  const { item, plan } = input;
  const context = input.context ?? undefined;
  const clean = sanitizeText(typeof text === 'string' ? text : '', 10_000);
  const problems: Problem[] = [];
  const banned = new Map<string, string>();
  // `ban`: what to ban when it differs from what was found ("Dark Souls fans": found "Dark Souls", ban "Souls").
  const flag = (kind: ProblemKind, found?: string, ban = found): void => {
    if (found !== undefined && problems.some((p) => p.kind === kind && p.text === found)) return;
    problems.push(found === undefined ? { kind } : { kind, text: found });
    if (ban !== undefined && kind !== 'omitted' && !banned.has(ban.toLowerCase())) banned.set(ban.toLowerCase(), ban);
  };

  const closed = checkReason(clean, item, context, input.vocabulary ?? NO_VOCABULARY);
  if (closed.problem === 'empty') return { ok: false, problems: [{ kind: 'empty' }], banned: [], cited: [] };
  if (closed.problem === 'too-short' || closed.problem === 'repetitive') flag(closed.problem);
  if (hasMarkup(typeof text === 'string' ? text : '')) flag('markup');

  // Quoted spans: a title of the item or the history, or a part of one. Not a fact: 'just like "The
  // Notorious B.I.G."' under one of its albums reads as a title the visitor knows (the audit's rule).
  const known = knownNames(item, context);
  const { titles } = known;
  for (const span of quotedSpans(clean)) {
    const key = termKey(span);
    if (!titles.keys.has(loose(key)) && !partOfKnown(key, titles)) flag('quoted', span);
  }

  // Capitalized names: each checked word inside a known title or fact, or the run a part of one.
  const seg = searchable(clean);
  const { covered, spans } = coverage(seg, known.list);
  for (const run of capitalizedRuns(seg)) {
    const checked = run.words.filter((w) => w.checked);
    if (checked.every((w) => covered.subarray(w.start, w.end).every((c) => c === 1))) continue;
    const from = checked[0]?.start ?? run.start;
    if (partOfKnown(seg.lower.slice(from, run.end).join(''), known)) continue;
    flag('unknown-name', run.text, seg.orig.slice(from, run.end).join(''));
  }

  // A word (or two) written twice in a row ("Global Global Offensive"), unless one known name has both ("Bacon Bacon").
  for (const m of seg.joined.matchAll(DOUBLED)) {
    const at = seg.cpAt[m.index] as number;
    const end = at + Array.from(m[0]).length;
    if (at < 0 || GRAMMATICAL_DOUBLES.has(m[1] as string) || spans.some(([a, b]) => a <= at && b >= end)) continue;
    flag('repeated-word', seg.orig.slice(at, end).join(''));
  }

  for (const term of closed.ungrounded) flag('ungrounded', term);
  if (input.pageTitles && input.pageTitles.length > 0) {
    let matcher = titleMatchers.get(input.pageTitles);
    if (!matcher) {
      matcher = createFactMatcher({ titles: input.pageTitles });
      titleMatchers.set(input.pageTitles, matcher);
    }
    for (const title of matcher.citedFacts(clean, item, context).ungrounded) flag('page-title', title);
  }

  // Words: in the corpus or on the page.
  const words = lexiconWords(clean);
  const page = pageWords(item, context);
  for (const w of titleWords(input.pageTitles)) page.add(w);
  if (plan) for (const f of plan.facts) for (const w of lexiconWords(f.value)) page.add(w.word);
  const lexicon = input.lexicon ? compileLexicon(input.lexicon) : undefined;
  for (const w of words) {
    const kind = wordProblem(w, lexicon?.dictionary, page);
    if (kind) flag(kind, w.written);
  }

  // History claims: only with a history that the plan uses.
  const hasHistory = plan ? plan.hasHistory : historyEntryFacts(context).length > 0;
  if (!hasHistory || plan?.mode === 'new') for (const claim of historyClaims(clean)) flag('history-claim', claim);

  // Another domain's words.
  if (lexicon) {
    const domain = sanitizeText(input.domain, 16).toLowerCase() || plan?.domain || planDomain(context);
    const own = trainingDomainOf(domain, lexicon.trained);
    const allowed = new Set(page);
    for (const w of lexiconWords(Object.values(domainFillers(domain)).join(' '))) allowed.add(w.word);
    for (const word of offDomainWords(words, lexicon.domains, own, allowed)) flag('off-domain', word);
    if (own === '') for (const w of words) if (lexicon.foreign.has(w.word) && !allowed.has(w.word)) flag('off-domain', w.written);
    const verbs = new Set([...foreignVerbWords(domain), ...foreignNarrativeWords(domain)]);
    for (const w of words) if (verbs.has(w.word) && !allowed.has(w.word)) flag('off-domain', w.written);
  }

  // The noun slot written as a list item: "genres such as action, RPG, and games".
  if (lexicon || plan) {
    const { noun, nouns } = domainFillers(plan?.domain || planDomain(context));
    const escape = phrasePattern;
    // With or without the comma: "both electric guitars and products" lists the noun as a kind of thing.
    // "combines RPG and funny, game": a comma between the last fact and its noun.
    // "… strategy games, and bought products like …": a participle before the noun changes nothing.
    const listed = regExpFor(clean, `(?:,?\\s*\\b(?:and|or)\\s+(?:(?:bought|played|enjoyed|liked|loved|owned|watched|read|purchased)\\s+)?|(?<=[\\p{L}\\p{N}])\\s*,\\s+)(?:${escape(nouns)}|${escape(noun)})(?=[\\s.,;!?]|$)`, 'iu').exec(clean);
    if (listed) flag('listed-noun', listed[0].replace(/^,?\s*/, ''));
    // A singular count noun needs a determiner after a copula; a plural one cannot follow "that's/it's".
    const bare = regExpFor(clean, `\\b${copula('that|it|which|this')}(?:${escape(noun)}|${escape(nouns)})(?=[\\s.,;!?]|$)`, 'iu').exec(clean);
    if (bare) flag('bare-noun', bare[0]);
    // The same for a plural category value: "This product is guitars" ("it is free to play" is fine: a tag, no noun).
    for (const f of plan?.facts ?? []) {
      if (!isCategoryKind(f.kind) || !hasPluralHead(f.value)) continue;
      const escaped = escape(f.value);
      const m = regExpFor(clean, `\\b${copula('that|it|which|this|product')}${escaped}(?![\\p{L}\\p{N}])`, 'iu').exec(clean);
      if (m) flag('bare-noun', m[0]);
    }
  }

  // A sentence that stops where a word must follow: what is left when a fill or a cut went missing.
  for (const m of clean.matchAll(DANGLING)) flag('dangling', m[0].trim());
  const lostWhat = WHAT_LEFT_OUT.exec(clean);
  if (lostWhat) flag('dangling', lostWhat[0]);
  // A list item left empty: "the genres of science fiction, , and watched."
  const emptyItem = /[,;]\s*[,;]/u.exec(clean);
  if (emptyItem) flag('dangling', emptyItem[0]);

  // Free-text claims that need a fact: price, other players, updates (claim-support.ts).
  // A title's words claim nothing: "Since you played The Elder Scrolls Online" says nothing of playing online.
  const own = itemFacts(item).filter((f) => f.kind !== 'title').map((f) => f.value);
  for (const word of unsupportedClaims(lexiconWords(withoutTitles(clean, item, context)), own)) flag('unsupported-claim', word);
  // Features named in free text ('character classes'): the item's or history's own words must have them.
  const vocabularyFacts = factsOf(input.vocabulary);
  if (vocabularyFacts.length > 0) {
    const supported = pageWords(item, context);
    if (plan) for (const f of plan.facts) for (const w of lexiconWords(f.value)) supported.add(w.word);
    for (const w of lexiconWords(Object.values(domainFillers(plan?.domain || planDomain(context))).join(' '))) supported.add(w.word);
    for (const word of unsupportedFeatures(words, featureWords(vocabularyFacts), supported)) flag('unsupported-claim', word);
  }

  // Two planned facts side by side that share a word read as one garbled phrase ("strategy turn-based
  // strategy", "progressive rock psychedelic rock"); "action adventure" or "free to play action" read fine.
  if (plan) {
    const lower = clean.toLowerCase();
    const wordsOf = (v: string): Set<string> => new Set(lexiconWords(v).map((w) => w.word).filter((w) => w.length >= 3));
    for (const a of plan.facts) {
      for (const b of plan.facts) {
        const pair = `${a.value} ${b.value}`.toLowerCase();
        const at = lower.indexOf(pair);
        if (a === b || at < 0) continue;
        const shared = wordsOf(b.value);
        if ([...wordsOf(a.value)].some((w) => shared.has(w))) flag('stacked-facts', clean.slice(at, at + pair.length));
      }
    }
  }

  // The item's title where it cannot stand: "an indie RPG game with Undertale" under Undertale.
  const misplaced = misplacedItem(clean, item) ?? ownedByItem(clean, item, plan?.domain || planDomain(context));
  if (misplaced) flag('misplaced-item', misplaced);

  // A kind noun that is not the fact's kind; a/an before a plural category. The ban covers both numbers.
  for (const p of [...factKindProblems(clean, item, context, plan), ...articlePluralProblems(clean, plan)]) {
    flag(p.kind, p.text, p.bans[0]);
    for (const b of p.bans) if (!banned.has(b.toLowerCase())) banned.set(b.toLowerCase(), b);
  }

  // True but reads wrong: a bare fact predicate, a plural category as a modifier, coordinated praise.
  for (const p of phrasingProblems(clean, plan)) flag(p.kind, p.text, p.ban);

  // Planned facts left out. A planned history title may stay unnamed ("Based on your gaming history,
  // …" is true of the plan): most references never name one (docs/plan-and-slots.md, section 5).
  if (plan) {
    const cited = new Set(closed.cited.map((f) => termKey(f.value)));
    // Written out counts too: the closed matcher reads "an action adventure game" as one longer term.
    const { noun } = domainFillers(plan.domain);
    for (const f of plan.facts) if (!cited.has(termKey(f.value)) && !writesOut(clean, f.value, noun)) flag('omitted', f.value);
  }

  return { ok: problems.length === 0, problems, banned: [...banned.values()], cited: closed.cited };
}

/**
 * Whether `text` writes `value` out as words (any case, word-bounded). The fact matcher finds the
 * longest vocabulary term, so "an action adventure game" cites a tag 'Action-Adventure' and neither
 * planned 'Action' nor 'Adventure'; this is the omission rule's second reading (and the audit's).
 */
export function writesOut(text: string, value: string, noun?: string): boolean {
  const v = value.trim().toLowerCase();
  if (!v) return false;
  const lower = text.toLowerCase();
  if (regExpFor(lower, `(?<![\\p{L}\\p{N}])${phrasePattern(v)}(?![\\p{L}\\p{N}])`, 'u').test(lower)) return true;
  // A plural category written singular right after a/an, naming the item: "It is an electric guitar"
  // (the fill's own merge of '<|@f1|> <|@noun|>' for 'Electric Guitars'). Not the domain's own noun:
  // "It is a game" says nothing of 'Games'. Only there: elsewhere ("a fun, game", "the board games
  // family game") the plural's absence is what tells a broken sentence.
  const one = singularHead(v);
  if (!hasPluralHead(v) || one === noun?.toLowerCase()) return false;
  return regExpFor(lower, `(?<![\\p{L}\\p{N}])an?\\s+${phrasePattern(one)}(?![\\p{L}\\p{N}])`, 'u').test(lower);
}

const NO_FACTS: readonly string[] = [];
const iterableFacts = new WeakMap<object, readonly string[]>();

/** The vocabulary's facts (facts_vocab.json), from a FactMatcher or a plain Vocabulary. */
function factsOf(vocabulary: FactMatcher | Vocabulary | undefined): readonly string[] {
  if (!vocabulary) return NO_FACTS;
  if ('citedFacts' in vocabulary) return (vocabulary as FactMatcher).facts ?? NO_FACTS;
  const source = typeof (vocabulary as Iterable<string>)[Symbol.iterator] === 'function' ? (vocabulary as Iterable<string>) : ((vocabulary as { facts?: Iterable<string> }).facts ?? NO_FACTS);
  if (Array.isArray(source)) return source as readonly string[];
  let list = iterableFacts.get(source as object);
  if (!list) iterableFacts.set(source as object, (list = [...source].filter((f): f is string => typeof f === 'string')));
  return list;
}

/** "Scythe's products like Monopoly": the item owns no things of its own kind (another item would be its). */
function ownedByItem(text: string, item: ItemLike, domain: string): string | null {
  const title = sanitizeText(item?.title, LIMITS.title);
  if (!title || !mayOccur(text, title)) return null;
  const { noun, nouns } = domainFillers(domain);
  return regExpFor(text, `(?<![\\p{L}\\p{N}])${phrasePattern(title)}['’]s\\s+(?:${phrasePattern(nouns)}|${phrasePattern(noun)})(?![\\p{L}\\p{N}])`, 'iu').exec(text)?.[0] ?? null;
}

/** "with <item>", "like <item>", "and <item>": the item named where another thing must stand; the phrase, or null. */
export function misplacedItem(text: string, item: ItemLike): string | null {
  const title = sanitizeText(item?.title, LIMITS.title);
  if (!title) return null;
  // Find the name by indexOf, then test only the words before it: one unicode regex over the whole
  // text per candidate was a fifth of a page's JS time in the bench's profile. (Lower-casing that
  // changes a length, as 'İ' does, would shift the indices: then the whole-text regex.)
  const lower = text.toLowerCase();
  for (const name of [title, ...titleAliases(title)]) {
    const key = name.toLowerCase();
    if (!key) continue;
    if (lower.length !== text.length || key.length !== name.length) {
      const m = regExpFor(text, `(?<![\\p{L}\\p{N}])${NOT_BEFORE_ITEM}\\s+(?:the\\s+)?["\u201C]?${phrasePattern(name)}(?![\\p{L}\\p{N}])`, 'iu').exec(text);
      if (m) return m[0];
      continue;
    }
    for (let at = lower.indexOf(key); at >= 0; at = lower.indexOf(key, at + 1)) {
      if (/[\p{L}\p{N}]/u.test(text[at + key.length] ?? '')) continue;
      const m = BEFORE_ITEM.exec(text.slice(Math.max(0, at - 40), at));
      if (m) return m[0] + text.slice(at, at + key.length);
    }
  }
  return null;
}

/** A sentence end right after a word that cannot end one (article, copula, preposition, conjunction). */
const DANGLING = /\b(?:a|an|the|that['’]s|it['’]s|and|or|of|its|your|than|(?:that['’]s|it['’]s|is)\s+both|(?:that|which)\s+(?:has|have)\s+to\s+offer|(?:allowing|letting|helping|enabling)\s+you\s+(?:to\s+)?(?:enjoy|experience|explore|discover|have|try)|that['’]s\s+(?:played|led|packed|enjoyed)|(?<!(?:enjoyed|liked|loved|bought|owned|watched|heard|read)\s+)(?:and|or)\s+(?:played|led|packed|watched|visited))\s*[.!?](?=\s|$)/giu;

/** "enjoy the casual game has to offer": the "what" (or "everything") before the object was left out. */
const WHAT_LEFT_OUT = /(?<![\p{L}\p{N}])(?:enjoy|experience|explore|discover|see|try)\s+(?:the|this|its)\s+(?:[\p{L}\p{N}'’-]+\s+){0,4}(?:has|have)\s+to\s+offer/iu;

/** The words before the item's name that make it misplaced, anchored at the name. */
const BEFORE_ITEM = new RegExp(`(?<![\\p{L}\\p{N}])${NOT_BEFORE_ITEM}\\s+(?:the\\s+)?["\u201C]?$`, 'iu');
