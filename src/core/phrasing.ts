// Phrasings that are true but read wrong, found by reading shown reasons as a shopper
// (docs/quality.md): each was on a card labelled `model` after every other check passed. One rule
// per finding, each with its example; the list with the reasons is docs/plan-and-slots.md
// ("Phrasings that are true but read wrong"). In short: a genre or brand cannot stand alone after a
// copula, a plural category does not modify, a category path is no blend, a name is who made it
// ("by U2", not "rock U2"), the item is not something the visitor already did nor offers itself
// ("it offers an exciting action game"), and two coordinated
// praise words say nothing. The praise words are a small list on purpose, as in claim-support.ts:
// what the words mean is the point, not where they came from.
// Pure; no DOM.
import type { ContentPlan } from './plan.ts';
import { isCategoryKind } from './plan.ts';
import { domainWords } from './domains.ts';
import { AFTER_HEAD, ARTICLE_RUN, QUANTIFIER_NOUNS, articleRun, hasPluralHead, isNameKind } from './slots.ts';
import { phrasePattern } from './term-index.ts';
import { mayMatch, mayOccur, mayOccurAround, regExpFor } from './word-regexp.ts';

export interface PhrasingProblem {
  kind: 'predicate-fact' | 'bare-noun' | 'plural-modifier' | 'category-blend' | 'misplaced-item' | 'title-list' | 'article-title' | 'name-stack' | 'item-history-claim' | 'title-contraction' | 'article-plural' | 'offers-itself' | 'empty-praise' | 'self-comparison' | 'falls-under-noun' | 'empty-clause' | 'kind-then-fact' | 'doubled-pair' | 'comma-splice' | 'mix-of-one';
  /** The phrase as found. */
  text: string;
  /** What the regeneration should not write. */
  ban: string;
}

const escape = phrasePattern;
const WORD_END = String.raw`(?![\p{L}\p{N}])`;
const WORD_START = String.raw`(?<![\p{L}\p{N}])`;

/** Endings of words that are adjectives in English ('-ing' and '-y' are not here: 'racing', 'strategy'). */
const ADJECTIVE_ENDING = /(?:ous|ive|ful|ish|less|able|ible|ic|al|ed)$/iu;
/**
 * "that's ", "it is ", "is " … before a predicate (regex source, no leading boundary: the caller's):
 * one of `subjects` then 's or is, or a bare verb of `bare`.
 */
export function copula(subjects: string, bare = 'is'): string {
  return String.raw`(?:(?:${subjects})(?:['’]s|\s+is)|${bare})\s+`;
}

/** A copula right before the predicate: "that's ", "it is ", "which is ", "is ", "are ". */
const COPULA = WORD_START + copula('that|it|which|this', 'is|are');
/** The end of the predicate: punctuation, the end, or a conjunction that starts the next part. */
const CLAUSE_END = String.raw`(?=\s*(?:[.,;:!?]|$)|\s+(?:and|or|but|so|allowing|offering|making|with)(?![\p{L}\p{N}]))`;
/** Kind nouns a category value may be followed by ("the classical guitars category"). */
const KIND_NOUN = /^\s+(?:categor(?:y|ies)|genres?|sections?|departments?|types?|kinds?|range|family|line)(?![\p{L}\p{N}])/iu;

const PRAISE = [
  'fun', 'engaging', 'engaged', 'entertaining', 'entertained', 'exciting', 'excited', 'enjoyable', 'captivating',
  'immersive', 'thrilling', 'amazing', 'fantastic', 'incredible', 'awesome', 'compelling', 'addictive', 'gripping',
  'delightful', 'unique', 'wonderful', 'memorable', 'unforgettable', 'satisfying', 'rewarding', 'enthralling',
  'new', 'fresh', // "a new and exciting overdrive experiences"
];
const PRAISE_PAIR = new RegExp(String.raw`(?<![\p{L}\p{N}])(${PRAISE.join('|')})(?:\s*,\s*|\s+(?:and|&)\s+)(${PRAISE.join('|')})(?![\p{L}\p{N}])`, 'iu');

const BLEND = /(?<![\p{L}\p{N}])(?:blend(?:s|ed|ing)?|combin(?:e|es|ed|ing|ation|ations)|mix(?:es|ed|ing|ture)?|fusion|fuses|elements|merges?)(?![\p{L}\p{N}])/iu;

/** "it is a … album that you have previously enjoyed", "it's an action game, which you've played": the item described as already done. */
const ITEM_DONE = /(?<![\p{L}\p{N}])(?:it|this\s+[\p{L}-]+)(?:\s+is|['’]s)\s+(?:a|an)\s+[^.!?]*?(?:\bthat|,\s*which)\s+you(?:['’]ve|\s+have|\s+had)?\s+(?:previously\s+|already\s+|recently\s+)?(?:enjoyed|played|liked|loved|bought|purchased|watched|read|listened\s+to|owned|heard|visited|shown\s+(?:an\s+)?interest\s+in)(?![\p{L}\p{N}])/iu;

type Rule = (text: string, plan: ContentPlan) => PhrasingProblem[];
const found = (kind: PhrasingProblem['kind'], m: RegExpExecArray | null, ban = m?.[0]): PhrasingProblem[] => (m ? [{ kind, text: m[0].trim(), ban: (ban ?? m[0]).trim() }] : []);
/**
 * The plan's fact values as one regex alternation ('' when it has none); with `text`, only those that
 * may occur in it (a value that cannot match anywhere changes no match, and its regexes need not run).
 */
const factAlternation = (plan: ContentPlan, text?: string): string =>
  plan.facts.map((f) => f.value.trim()).filter((v) => v !== '' && (text === undefined || mayOccur(text, v))).map(escape).join('|');
/** The sentences of a filled reason (a rule that must not reach across a sentence end reads them one by one). */
const sentencesOf = (text: string): string[] => text.split(/(?<=[.!?])\s+/u);
const titlesOf = (plan: ContentPlan): string[] => [plan.item?.title, ...plan.history.map((h) => h.title)].map((t) => t?.trim() ?? '').filter((t) => t !== '');

// Necessary conditions of the rules' own regexes (word-regexp.ts, "Prefilters"): what the folded text
// must hold right before (ENDS_…) or right after (STARTS_…) a title or fact for the regex to match.
const ENDS_IN_COPULA = /(?:(?:that|it|which|this)(?:['’]s|\s+is)|is|are)\s+$/u;
const STARTS_AT_END = /^(?:\s*[.!?;]|$)/u;
const ENDS_IN_WHICH = /which\s+$/u;
const STARTS_WITH_CONTRACTION = /^['’]s\s+(?:a|an|the|great|perfect|definitely|sure)/u;
const STARTS_A_LIST = /^\s*(?:,\s*)?(?:and|or|&)\s+/u;
const STARTS_A_LIST_QUOTED = /^["'”’]?\s*(?:,\s*)?(?:and|or|&)\s+/u;
const ENDS_IN_ARTICLE = /(?:a|an|the)\s+$/u;
const ENDS_IN_COMMA = /,\s+["'“‘]?$/u;

/** "an action game that is adventure": a one-word, non-adjective fact as a bare predicate. */
const predicateFact: Rule = (text, plan) =>
  plan.facts
    .map((f) => f.value.trim())
    .filter((v) => v !== '' && !/[\s-]/u.test(v) && !ADJECTIVE_ENDING.test(v) && mayOccurAround(text, v, { before: ENDS_IN_COPULA }))
    .flatMap((v) => found('predicate-fact', regExpFor(text, `${COPULA}${escape(v)}${CLAUSE_END}`, 'iu').exec(text)));

/** Whether a fact can head a noun phrase ("an indie RPG", "a co-op shooter", "an action adventure"). */
const nounLikeFact = (value: string): boolean => /^[\p{Lu}\p{N}-]{2,}$/u.test(value) || /(?:er|ers|like|lite|adventure|simulation|strategy|shooter|puzzle|sandbox)$/iu.test(value);

/**
 * "Give it a try for a thrilling action indie!": a/an, a word or two, then facts where the noun should
 * be, the last of them no noun. One fact alone is not flagged ("an indie." may be said).
 */
const headlessFacts: Rule = (text, plan) => {
  const any = factAlternation(plan, text);
  // The last fact of the run ends the sentence or the text.
  if (any === '' || !plan.facts.some((f) => f.value.trim() !== '' && mayOccurAround(text, f.value.trim(), { after: STARTS_AT_END }))) return [];
  const m = regExpFor(text, `${articleRun(2)}(?:(?:${any})[\\s,]+(?:and\\s+)?)+(${any})(?=\\s*[.!?;]|$)`, 'iu').exec(text);
  return m && !nounLikeFact(m[1]?.trim() ?? '') ? found('predicate-fact', m) : [];
};

/** "electric guitars Squier product": a plural category value modifying the next word. */
const pluralModifier: Rule = (text, plan) => {
  const out: PhrasingProblem[] = [];
  for (const f of plan.facts) {
    if (!isCategoryKind(f.kind) || !hasPluralHead(f.value.trim()) || !mayOccur(text, f.value.trim())) continue;
    for (const m of text.matchAll(regExpFor(text, `${WORD_START}${escape(f.value.trim())}${WORD_END}`, 'giu'))) {
      const rest = text.slice(m.index + m[0].length);
      if (AFTER_HEAD.test(rest) || KIND_NOUN.test(rest) || /^\s+(?:and|or|&)(?![\p{L}\p{N}])/iu.test(rest)) continue;
      const phrase = m[0] + (/^\s+[\p{L}\p{N}][\p{L}\p{N}'’-]*/u.exec(rest)?.[0] ?? '');
      out.push({ kind: 'plural-modifier', text: phrase, ban: phrase });
      break;
    }
  }
  return out;
};

/** "a unique blend of microphones and recording", "combines elements of Yamaha": a blend word before a category value or a maker, same sentence. */
const categoryBlend: Rule = (text, plan) => {
  const paths = plan.facts.filter((f) => (isCategoryKind(f.kind) || isNameKind(f.kind)) && f.value.trim() !== '').map((f) => f.value.trim().toLowerCase());
  if (paths.length === 0) return [];
  for (const sentence of sentencesOf(text)) {
    const blend = BLEND.exec(sentence);
    if (blend && paths.some((v) => sentence.slice(blend.index).toLowerCase().includes(v))) return found('category-blend', blend);
  }
  return [];
};

/** "like", "similar to" … before a phrase (regex source): a comparison, not the verb ("you'll like"). */
const COMPARED = String.raw`(?:(?:just|much)\s+like|(?<!(?:you|['’]ll|will|would|might|may|could|to|also|really)\s+)like|similar\s+to|akin\s+to|reminiscent\s+of|elements\s+of|in\s+the\s+vein\s+of)\s+`;

/** "which <item> is a game" (no gap in the clause); "<item>'s a great choice"; the item compared with itself or its maker. */
const itemPhrases: Rule = (text, plan) => {
  const title = plan.item?.title?.trim();
  if (!title) return [];
  // Who made the item is no comparison either ("just like The Notorious B.I.G." under Ready to Die).
  const compared = mayMatch(text, `${WORD_START}${COMPARED}`);
  const makers = plan.facts.filter((f) => isNameKind(f.kind) && f.from === 'item' && f.value.trim() !== '' && mayOccur(text, f.value.trim())).map((f) => escape(f.value.trim()));
  const byMaker = makers.length && compared ? found('self-comparison', regExpFor(text, `${WORD_START}${COMPARED}["'“‘]?(?:${makers.join('|')})${WORD_END}`, 'iu').exec(text)) : [];
  if (!mayOccur(text, title)) return byMaker;
  return [
    ...byMaker,
    ...(mayOccurAround(text, title, { before: ENDS_IN_WHICH }) ? found('misplaced-item', regExpFor(text, `${WORD_START}which\\s+${escape(title)}\\s+(?:is|are)\\s+(?:a|an|the)${WORD_END}`, 'iu').exec(text)) : []),
    ...(mayOccurAround(text, title, { after: STARTS_WITH_CONTRACTION }) ? found('title-contraction', regExpFor(text, `${WORD_START}${escape(title)}['’]s\\s+(?:a|an|the|great|perfect|definitely|sure)${WORD_END}`, 'iu').exec(text)) : []),
    // "much like 'Homogenic'" under Homogenic: the item compared with itself reads as a history it is not.
    // ... also further down the list ("like 'Team Fortress 2' and 'SMITE®'" under SMITE®); not after
    // a comma, which may end the phrase ("Like Portal, Portal 2 is a puzzle game").
    ...(compared ? found('self-comparison', regExpFor(text, `${WORD_START}${COMPARED}(?:[^.!?;]*?(?:\\band|\\bor|\\bin)\\s+)?["'“‘]?${escape(title)}${WORD_END}`, 'iu').exec(text)) : []),
  ];
};

/** What may follow "<title> and": another title or fact, a determiner, a pronoun that starts a clause. */
const AFTER_TITLE_AND = ['other', 'more', 'similar', 'many', 'some', 'all', 'any', 'the', 'its', 'their', 'a', 'an', 'it', 'you', 'this', 'that', 'they', 'which'];

/**
 * "like the Rust." and "like Rainbow Six Siege and multiplayer.": a title with an article, or listed
 * with a bare fact; "like Team Fortress 2 and tender", "… and played games": a history title listed
 * with a word that is neither a title, a fact nor a determiner; "combines action and co-op with Team
 * Fortress 2": a title as an ingredient.
 */
const titlePhrases: Rule = (text, plan) => {
  const titles = titlesOf(plan);
  const starts = [...titles, ...plan.facts.map((f) => f.value)].map((v) => escape(v.trim().split(/\s+/u)[0] ?? '')).filter((v) => v !== '');
  const allowed = `(?:${[...starts, ...AFTER_TITLE_AND].join('|')})${WORD_END}`;
  const noun = escape(domainWords(plan.domain).noun);
  const blendWith = mayMatch(text, `${BLEND.source}[^.!?;]*?\\bwith\\s+`);
  const partOf = `(?:${noun}\\s+with|packed\\s+with|full\\s+of|focus\\s+on|${noun}\\s*,?\\s+and)\\s+`;
  const withPart = mayMatch(text, partOf);
  return plan.history.map((h) => h.title.trim()).filter((t) => t !== '' && mayOccur(text, t)).flatMap((t) => [
    ...(mayOccurAround(text, t, { after: STARTS_A_LIST_QUOTED }) ? found('title-list', regExpFor(text, `${escape(t)}["'”’]?\\s*(?:,\\s*)?(?:and|or|&)\\s+(?!["'“‘]|${allowed})[\\p{L}\\p{N}][\\p{L}\\p{N}'’-]*`, 'iu').exec(text)) : []),
    ...(blendWith ? found('category-blend', regExpFor(text, `${BLEND.source}[^.!?;]*?\\bwith\\s+["'“‘]?${escape(t)}${WORD_END}`, 'iu').exec(text)) : []),
    // "an action multiplayer game with Grim Dawn", "… packed with Grim Dawn", "… a strong focus on Grim
    // Dawn", "an RPG, funny game, and Borderlands 2": a history title is not part of the item.
    ...(withPart ? found('category-blend', regExpFor(text, `${partOf}["'“‘]?${escape(t)}${WORD_END}`, 'iu').exec(text)) : []),
  ]).concat(titles.filter((t) => mayOccur(text, t)).flatMap((t) => [
    ...(/^(?:the|a|an)\s/iu.test(t) || !mayOccurAround(text, t, { before: ENDS_IN_ARTICLE }) ? [] : found('article-title', regExpFor(text, `${WORD_START}(?:a|an|the)\\s+${escape(t)}${CLAUSE_END}`, 'iu').exec(text))),
    ...(mayOccurAround(text, t, { after: STARTS_A_LIST }) ? plan.facts.filter((f) => mayOccur(text, f.value)).flatMap((f) => found('title-list', regExpFor(text, `${escape(t)}\\s*(?:,\\s*)?(?:and|or|&)\\s+${escape(f.value)}${CLAUSE_END}`, 'iu').exec(text))) : []),
  ]));
};

/** "a rock U2 album", "hip hop and Nas": a name fact stacked or coordinated with another fact. */
const nameStack: Rule = (text, plan) => {
  const out: PhrasingProblem[] = [];
  for (const name of plan.facts.filter((f) => isNameKind(f.kind) && f.value.trim() !== '' && mayOccur(text, f.value))) {
    const n = escape(name.value);
    const hit = plan.facts
      .filter((o) => o !== name && !isNameKind(o.kind) && mayOccur(text, o.value))
      .map((o) => escape(o.value))
      .map((o) => regExpFor(text, `${WORD_START}(?:${o}\\s+${n}|${o}\\s*(?:,\\s*)?(?:and|or|&)\\s+${n}|${n}\\s*(?:,\\s*)?(?:and|or|&)\\s+${o})${WORD_END}`, 'iu').exec(text))
      .find((m) => m !== null);
    out.push(...found('name-stack', hit ?? null));
  }
  return out;
};

/**
 * "an album that you have previously enjoyed": the item as something the visitor already did. Not
 * when a history title comes before the "that"/"which" ("an action game like Rust, which you've
 * played": that is Rust).
 */
const itemDone = (text: string, plan?: ContentPlan): PhrasingProblem[] => {
  const m = ITEM_DONE.exec(text);
  if (m && plan?.history.some((h) => h.title.trim() !== '' && regExpFor(text, `${WORD_START}${escape(h.title.trim())}${WORD_END}`, 'iu').test(m[0]))) return [];
  return found('item-history-claim', m, m?.[0].replace(/^.*?(?:\bthat|,\s*which)\s+/iu, (w) => (/which/iu.test(w) ? 'which ' : 'that ')));
};

/** "a well-rounded pop R&B albums" and "those with products": the domain's plural noun misused. */
const pluralNoun: Rule = (text, plan) => {
  const words = domainWords(plan.domain);
  const nouns = escape(words.nouns);
  const article = regExpFor(text, `${ARTICLE_RUN}${nouns}${WORD_END}`, 'iu').exec(text);
  // "a unique sci-fi and singleplayer games": the same across an "and" of modifiers (no noun before it).
  const either = `(?:${escape(words.noun)}|${nouns})${WORD_END}`;
  const modifier = `(?!${either})[\\p{L}\\p{N}&'’-]+`;
  const coordinated = regExpFor(text, `${WORD_START}(?:a|an)\\s+(?!(?:${QUANTIFIER_NOUNS})${WORD_END})(?:${modifier},?\\s+){1,3}(?:and|or)\\s+(?:${modifier}\\s+){1,2}${nouns}${WORD_END}`, 'iu').exec(text);
  const those = regExpFor(text, `${WORD_START}(?:those|ones)\\s+(?:with|on|of|for|in|about)\\s+(?:(?:an?|the)\\s+)?(?:[\\p{L}-]+\\s+){0,2}${nouns}${WORD_END}`, 'iu').exec(text);
  // "a focus on album.": the singular noun alone after a preposition.
  const bare = regExpFor(text, `${WORD_START}(?:on|of|in|about)\\s+${escape(words.noun)}(?=\\s*(?:[.,;:!?]|$))`, 'iu').exec(text);
  return [...found('article-plural', (article && !article[0].includes(',') ? article : null) ?? coordinated), ...found('bare-noun', those ?? bare)];
};

/** "Borderlands 2 offers an exciting action RPG game": the item offering the thing it is. */
const offersItself: Rule = (text, plan) => {
  const noun = escape(domainWords(plan.domain).noun);
  return found('offers-itself', regExpFor(text, `${WORD_START}(?:offers?|provides?|delivers?)\\s+(?:you\\s+)?(?:a|an)\\s+(?:[\\p{L}\\p{N}&'’-]+\\s+){0,4}${noun}(?=\\s*(?:[.,;!?]|$))`, 'iu').exec(text));
};

/** "falls under the hard rock album", "… the hard rock industry", "is in the electronic art pop album": what something falls under is a category, not a thing. */
const fallsUnderNoun: Rule = (text, plan) => {
  const { noun, nouns } = domainWords(plan.domain);
  const things = [noun, nouns, 'industry', 'world', 'scene', 'market', 'space'].map(escape).join('|');
  return found('falls-under-noun', regExpFor(text, `${WORD_START}(?:falls?\\s+(?:under|within|into|in)|is\\s+in)\\s+(?:the\\s+)?(?:[\\p{L}\\p{N}&'’-]+\\s+){1,5}?(?:${things})(?=\\s*(?:[.,;:!?]|$))`, 'iu').exec(text));
};

/**
 * "an action adventure game with a massive game", "… with features", "combines action and
 * multiplayer, which is a game", "…, so <item> is a game.": a clause that adds nothing but the domain's noun.
 */
const emptyClause: Rule = (text, plan) => {
  const { noun, nouns } = domainWords(plan.domain);
  const either = [noun, nouns].map(escape).join('|');
  const things = `${either}|features`;
  const end = String.raw`(?=\s*(?:[.,;:!?]|$)|\s+(?:and|or)${WORD_END})`;
  const facts = factAlternation(plan, text);
  // "a unique combination of games": a blend of the domain's noun is no blend of anything.
  const blendOfNoun = regExpFor(text, `${WORD_START}(?:blend|combination|mix|mixture|fusion)\\s+of\\s+(?:(?:different|various|many|other|several)\\s+)?(?:${either})${WORD_END}`, 'iu').exec(text);
  if (blendOfNoun) return found('empty-clause', blendOfNoun);
  // "a strong preference for in the past": no object, unless a relative clause moved it ("…, which you
  // have shown a preference for in the past").
  for (const sentence of sentencesOf(text)) {
    const stranded = /(?<![\p{L}\p{N}])(?:for|of|with)\s+in\s+the\s+past(?![\p{L}\p{N}])/iu.exec(sentence);
    if (stranded && !/(?<![\p{L}\p{N}])(?:which|that|what)(?![\p{L}\p{N}])/iu.test(sentence.slice(0, stranded.index))) return found('empty-clause', stranded);
  }
  // "an action and FPS game with games you have enjoyed": the item holds no other items.
  const holds = regExpFor(text, `${WORD_START}(?:${either})\\s+with\\s+(?:the\\s+|other\\s+)?(?:${escape(nouns)})\\s+(?:you|that|which|like)${WORD_END}`, 'iu').exec(text);
  if (holds) return found('empty-clause', holds);
  // "with pick elements": elements of something the plan does not have.
  const elements = mayMatch(text, `${WORD_START}with\\s+(?:an?\\s+)?[\\p{L}\\p{N}&'’-]+\\s+elements${WORD_END}`) ? regExpFor(text, `${WORD_START}with\\s+(?:an?\\s+)?(?!(?:${facts || '(?!)'})\\s+elements${WORD_END})[\\p{L}\\p{N}&'’-]+\\s+elements${WORD_END}`, 'iu').exec(text) : null;
  if (elements) return found('empty-clause', elements);
  // "with packed with", "with played like …", "with games like …": a "with" the model lost its way in;
  // "a co-op game that's but with …", "… that's and packed with", "… that's to the game.", "… that's
  // choice for you", "… that's elements you enjoy", "a guitar that's also incorporates": a clause that never got its predicate; "action, FPS, and played in …": a list
  // that ends in a participle; "… for in before": a preposition that lost its object.
  const strayed = `(?:for|of|with)\\s+in\\s+before|(?:for|of)\\s+before|with\\s+(?:packed|played|(?:${either})\\s+like)|(?:that|it|which)(?:['’]s|\\s+is)\\s+(?:and|but|or|nor|to|choice|pick|option|fit|addition|elements|(?:also\\s+)?(?:incorporates|offers|combines|features|includes|provides|delivers|brings|gives|has))`;
  const listEnd = `(?:and|or)\\s+(?:played|packed|enjoyed|loved)`;
  // The facts' branch needs its tail only ("…, and played") to be possible.
  const lost = mayMatch(text, `(?:${WORD_START}(?:${strayed})|${listEnd})${WORD_END}`)
    ? regExpFor(text, `${WORD_START}(?:${strayed}|(?:${facts || '(?!)'})\\s*,?\\s+${listEnd})${WORD_END}`, 'iu').exec(text)
    : null;
  // "…, so Counter-Strike: Source is a game.", "It's a game.": the item said to be what every card is.
  const item = plan.item?.title?.trim() ?? '';
  const subject = ['which', 'that', 'it', ...(item !== '' && mayOccur(text, item) ? [escape(item)] : [])].join('|');
  const withNoun = `with\\s+(?:an?\\s+)?(?:(?:massive|unique|great|huge|large|strong|lot\\s+of|variety\\s+of)\\s+)?(?:${things})`;
  const isNoun = `(?:\\s+is|['’]s)\\s+(?:an?\\s+)?(?:${things})`;
  // Before the item's title in the subject, only the verb and the noun are needed.
  if (lost || !mayMatch(text, `(?:${WORD_START}${withNoun}|${isNoun})${end}`)) return found('empty-clause', lost);
  return found('empty-clause', regExpFor(text, `${WORD_START}(?:${withNoun}|(?:${subject})${isNoun})${end}`, 'iu').exec(text));
};

/**
 * "falls under the rock category and pop.", "… and U2.": a fact left hanging after its kind noun;
 * "the punk rock category, specifically The Clash": a maker is no sub-genre.
 */
const kindThenFact: Rule = (text, plan) => {
  if (factAlternation(plan) === '') return [];
  const facts = factAlternation(plan, text) || '(?!)';
  const makers = plan.facts.filter((f) => isNameKind(f.kind) && f.value.trim() !== '' && mayOccur(text, f.value.trim())).map((f) => escape(f.value.trim()));
  const specifically = makers.length && mayMatch(text, `${WORD_START}(?:categor(?:y|ies)|genres?)\\s*,?\\s+(?:specifically|namely|especially|particularly)\\s+`) ? regExpFor(text, `${WORD_START}(?:categor(?:y|ies)|genres?)\\s*,?\\s+(?:specifically|namely|especially|particularly)\\s+(?:${makers.join('|')})${WORD_END}`, 'iu').exec(text) : null;
  if (specifically || !mayMatch(text, `${WORD_START}(?:categor(?:y|ies)|genres?)\\s+and\\s+`)) return found('kind-then-fact', specifically);
  return found('kind-then-fact', regExpFor(text, `${WORD_START}(?:categor(?:y|ies)|genres?)\\s+and\\s+(?:${facts})(?=\\s*(?:[.,;:!?]|$))`, 'iu').exec(text));
};

/** Subordinators that may open a sentence before a comma and the item as its subject ("Like Rust, Robocraft is …"). */
const SUBORDINATE_OPENING = /^\s*(?:if|since|as|because|when|while|unlike|like|just\s+like|much\s+like|similar\s+to|for\s+fans\s+of|fans\s+of|after|once)(?![\p{L}\p{N}])/iu;
/** A subject and its verb: the sentence has its main clause already. */
const MAIN_CLAUSE = /(?<![\p{L}\p{N}])(?:(?:you|it|this(?:\s+[\p{L}-]+)?)\s+(?:(?:seem\s+to\s+|also\s+|really\s+)?(?:enjoy|enjoyed|like|liked|love|loved|prefer|have|has|had|is|are|was|offers?|combines?|falls?|provides?|delivers?|features?|blends?)|['’](?:ve|re|s|ll))|(?:it|that)['’]s)(?![\p{L}\p{N}])/iu;

/**
 * "Based on your history, you enjoy action games like Rust, Counter-Strike: Source is a game.": a
 * second sentence spliced on with a comma, the item as its subject.
 */
const commaSplice: Rule = (text, plan) => {
  const title = plan.item?.title?.trim();
  if (!title || !mayOccur(text, title)) return [];
  if (!mayOccurAround(text, title, { before: ENDS_IN_COMMA })) return [];
  const splice = regExpFor(text, `,\\s+["'“‘]?${escape(title)}["'”’]?\\s+(?:is|was|will|would|offers?|has|combines?|features?|provides?|delivers?|makes?|comes?)${WORD_END}`, 'iu');
  for (const sentence of sentencesOf(text)) {
    const m = splice.exec(sentence);
    if (!m || SUBORDINATE_OPENING.test(sentence)) continue;
    if (MAIN_CLAUSE.test(sentence.slice(0, m.index))) return found('comma-splice', m);
  }
  return [];
};

/** "adds depth and depth": a word coordinated with itself (not a title's word: two entries may share a name). */
const doubledPair: Rule = (text, plan) => {
  const m = /(?<![\p{L}\p{N}])([\p{L}]{3,})\s+(?:and|or|&)\s+\1(?![\p{L}\p{N}])/iu.exec(text);
  const word = m?.[1]?.toLowerCase() ?? '';
  return m && !titlesOf(plan).some((t) => t.toLowerCase().split(/[^\p{L}\p{N}]+/u).includes(word)) ? found('doubled-pair', m) : [];
};

/**
 * "you enjoy a mix of science fiction", "a variety of Steven Spielberg": a mix of one thing (or of a
 * person). A mix of two facts, or "a variety of genres including adventure", is fine.
 */
const mixOfOne: Rule = (text, plan) => {
  const facts = factAlternation(plan, text);
  if (facts === '') return [];
  const m = mayMatch(text, `${WORD_START}(?:mix|mixture|variety|blend|combination|range)\\s+of\\s+`) ? regExpFor(text, `${WORD_START}(?:mix|mixture|variety|blend|combination|range)\\s+of\\s+(?:${facts})(?=\\s*(?:[.,;:!?]|$))`, 'iu').exec(text) : null;
  return found('mix-of-one', m, m?.[0].replace(/\s+of\s+[\s\S]*$/u, ' of'));
};

/** "a fun and engaging game": two praise words coordinated. */
const emptyPraise = (text: string): PhrasingProblem[] => found('empty-praise', PRAISE_PAIR.exec(text));

const RULES: readonly Rule[] = [predicateFact, headlessFacts, pluralModifier, categoryBlend, itemPhrases, titlePhrases, nameStack, itemDone, pluralNoun, offersItself, fallsUnderNoun, emptyClause, kindThenFact, commaSplice, doubledPair, mixOfOne, emptyPraise];

/** The phrasing problems of a filled reason; `plan` gives the facts that slots wrote (none without a plan but empty-praise and item-history-claim). */
export function phrasingProblems(text: string, plan: ContentPlan | null | undefined): PhrasingProblem[] {
  if (!plan) return [...itemDone(text), ...emptyPraise(text)];
  return RULES.flatMap((rule) => rule(text, plan));
}
