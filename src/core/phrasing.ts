// Phrasings that are true but read wrong, found by reading shown reasons as a shopper
// (docs/quality.md): each was on a card labelled `model` after every other check passed.
// - predicate-fact: a one-word fact as the bare predicate of a clause ("an action game that's
//   adventure", "It's indie, allowing you…"). A genre, tag or brand noun cannot stand alone after
//   a copula; a multi-word or hyphenated fact reads as an adjective ("that's free to play",
//   "that's turn-based") and so does a word with an adjective's ending ("that's atmospheric").
// - plural-modifier: a plural category value that modifies the next word ("a top electric guitars
//   Squier product"); the fill writes it as a head noun or a list item only.
// - category-blend: a category path written as a mix ("a unique blend of microphones and recording",
//   "It blends classical guitars with Cordoba elements"): a path is where the item is listed, one
//   inside the other, not ingredients; genres and tags ("blends action and adventure") may mix.
// - misplaced-item: "which <item> is a …" ("you enjoy adventure games, which Papers, Please is a
//   game"): the relative clause has no gap; "which <item> offers" is fine.
// - title-list: a title and a bare fact coordinated at a clause end ("an action game like Rainbow
//   Six Siege and multiplayer."): a game is like a game, not like a tag; "like Rust and other
//   survival games" has its noun.
// - article-title: a/an/the before a title that has none, at a clause end ("like the Rust.").
// - name-stack: a name fact (artist, brand) stacked with or coordinated with another fact ("a rock
//   U2 album", "a blend of hip hop and Nas", "guitar amplifiers and Orange"): a name is who made it
//   ("by U2", "from Orange"), not a kind of music or product; "a U2 album" passes.
// - item-history-claim: the item described as something the visitor already did ("it is a punk rock
//   album that you have previously enjoyed"): false of a recommendation.
// - title-contraction: "<title>'s a …" ("The Dark Side of the Moon's a great choice"); a possessive
//   ("Portal 2's puzzles") passes.
// - article-plural (also fact-kinds.ts): a/an before the domain's plural noun a few words on ("a
//   well-rounded pop R&B albums").
// - bare-noun (also check.ts): "particularly those with products" — the plural noun as the object of
//   the very things it names.
// - empty-praise: two praise words coordinated ("a fun and engaging game", "keep you engaged and
//   entertained"): an evaluation no fact backs that says nothing about this item. A small word list
//   on purpose, like claim-support.ts: what the words mean is the point, not where they came from.
// Pure; no DOM.
import type { ContentPlan } from './plan.ts';
import { isCategoryKind } from './plan.ts';
import { domainWords } from './domains.ts';
import { AFTER_HEAD, hasPluralHead, isNameKind } from './slots.ts';

export interface PhrasingProblem {
  kind: 'predicate-fact' | 'bare-noun' | 'plural-modifier' | 'category-blend' | 'misplaced-item' | 'title-list' | 'article-title' | 'name-stack' | 'item-history-claim' | 'title-contraction' | 'article-plural' | 'empty-praise';
  /** The phrase as found. */
  text: string;
  /** What the regeneration should not write. */
  ban: string;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
}

/** Endings of words that are adjectives in English ('-ing' and '-y' are not here: 'racing', 'strategy'). */
const ADJECTIVE_ENDING = /(?:ous|ive|ful|ish|less|able|ible|ic|al|ed)$/iu;
/** A copula right before the predicate: "that's ", "it is ", "which is ", "is ". */
const COPULA = String.raw`(?<![\p{L}\p{N}])(?:(?:that|it|which|this)(?:['’]s|\s+is)|is|are)\s+`;
/** The end of the predicate: punctuation, the end, or a conjunction that starts the next part. */
const CLAUSE_END = String.raw`(?=\s*(?:[.,;:!?]|$)|\s+(?:and|or|but|so|allowing|offering|making|with)(?![\p{L}\p{N}]))`;
/** Kind nouns a category value may be followed by ("the classical guitars category"). */
const KIND_NOUN = /^\s+(?:categor(?:y|ies)|genres?|sections?|departments?|types?|kinds?|range|family|line)(?![\p{L}\p{N}])/iu;

const PRAISE = [
  'fun', 'engaging', 'engaged', 'entertaining', 'entertained', 'exciting', 'excited', 'enjoyable', 'captivating',
  'immersive', 'thrilling', 'amazing', 'fantastic', 'incredible', 'awesome', 'compelling', 'addictive', 'gripping',
  'delightful', 'unique', 'wonderful', 'memorable', 'unforgettable', 'satisfying', 'rewarding', 'enthralling',
];
const PRAISE_PAIR = new RegExp(String.raw`(?<![\p{L}\p{N}])(${PRAISE.join('|')})(?:\s*,\s*|\s+(?:and|&)\s+)(${PRAISE.join('|')})(?![\p{L}\p{N}])`, 'iu');

const BLEND = /(?<![\p{L}\p{N}])(?:blend(?:s|ed|ing)?|combin(?:e|es|ed|ing|ation|ations)|mix(?:es|ed|ing|ture)?|fusion|fuses|elements|merges?)(?![\p{L}\p{N}])/iu;

/** "it is a … album that you have previously enjoyed": the item described as already done. */
const ITEM_DONE = /(?<![\p{L}\p{N}])(?:it|this\s+[\p{L}-]+)\s+(?:is|['’]s)\s+(?:a|an)\s+[^.!?]*?\bthat\s+you(?:['’]ve|\s+have|\s+had)?\s+(?:previously\s+|already\s+|recently\s+)?(?:enjoyed|played|liked|loved|bought|purchased|watched|read|listened\s+to|owned|heard|visited)(?![\p{L}\p{N}])/iu;

/** The phrasing problems of a filled reason; `plan` gives the facts that slots wrote. */
export function phrasingProblems(text: string, plan: ContentPlan | null | undefined): PhrasingProblem[] {
  const out: PhrasingProblem[] = [];
  for (const f of plan?.facts ?? []) {
    const value = f.value.trim();
    if (!value) continue;
    if (!/[\s-]/u.test(value) && !ADJECTIVE_ENDING.test(value)) {
      const m = new RegExp(`${COPULA}${escape(value)}${CLAUSE_END}`, 'iu').exec(text);
      if (m) out.push({ kind: 'predicate-fact', text: m[0].trim(), ban: m[0].trim() });
    }
    if (isCategoryKind(f.kind) && hasPluralHead(value)) {
      const re = new RegExp(`(?<![\\p{L}\\p{N}])${escape(value)}(?![\\p{L}\\p{N}])`, 'giu');
      for (const m of text.matchAll(re)) {
        const rest = text.slice(m.index + m[0].length);
        if (AFTER_HEAD.test(rest) || KIND_NOUN.test(rest) || /^\s+(?:and|or|&)(?![\p{L}\p{N}])/iu.test(rest)) continue;
        const next = /^\s+[\p{L}\p{N}][\p{L}\p{N}'’-]*/u.exec(rest)?.[0] ?? '';
        out.push({ kind: 'plural-modifier', text: `${m[0]}${next}`, ban: `${m[0]}${next}` });
        break;
      }
    }
  }
  const paths = (plan?.facts ?? []).filter((f) => isCategoryKind(f.kind) && f.value.trim() !== '');
  if (paths.length > 0) {
    for (const sentence of text.split(/(?<=[.!?])\s+/u)) {
      const blend = BLEND.exec(sentence);
      if (!blend) continue;
      const after = sentence.slice(blend.index).toLowerCase();
      if (paths.some((f) => after.includes(f.value.trim().toLowerCase()))) {
        out.push({ kind: 'category-blend', text: blend[0], ban: blend[0] });
        break;
      }
    }
  }
  const title = plan?.item?.title?.trim();
  if (title) {
    const m = new RegExp(`(?<![\\p{L}\\p{N}])which\\s+${escape(title)}\\s+(?:is|are)\\s+(?:a|an|the)(?![\\p{L}\\p{N}])`, 'iu').exec(text);
    if (m) out.push({ kind: 'misplaced-item', text: m[0], ban: m[0] });
  }
  const titles = [plan?.item?.title, ...(plan?.history ?? []).map((h) => h.title)].map((t) => t?.trim() ?? '').filter((t) => t !== '');
  for (const t of titles) {
    if (!/^(?:the|a|an)\s/iu.test(t)) {
      const m = new RegExp(`(?<![\\p{L}\\p{N}])(?:a|an|the)\\s+${escape(t)}${CLAUSE_END}`, 'iu').exec(text);
      if (m) out.push({ kind: 'article-title', text: m[0], ban: m[0] });
    }
    for (const f of plan?.facts ?? []) {
      const m = new RegExp(`${escape(t)}\\s*(?:,\\s*)?(?:and|or|&)\\s+${escape(f.value)}${CLAUSE_END}`, 'iu').exec(text);
      if (m) out.push({ kind: 'title-list', text: m[0], ban: m[0] });
    }
  }
  const facts = plan?.facts ?? [];
  for (const name of facts.filter((f) => isNameKind(f.kind) && f.value.trim() !== '')) {
    for (const other of facts) {
      if (other === name || isNameKind(other.kind)) continue;
      const stacked = new RegExp(`(?<![\\p{L}\\p{N}])${escape(other.value)}\\s+${escape(name.value)}(?![\\p{L}\\p{N}])`, 'iu').exec(text);
      const joined = new RegExp(`(?<![\\p{L}\\p{N}])(?:${escape(other.value)}\\s*(?:,\\s*)?(?:and|or|&)\\s+${escape(name.value)}|${escape(name.value)}\\s*(?:,\\s*)?(?:and|or|&)\\s+${escape(other.value)})(?![\\p{L}\\p{N}])`, 'iu').exec(text);
      const m = stacked ?? joined;
      if (m) {
        out.push({ kind: 'name-stack', text: m[0], ban: m[0] });
        break;
      }
    }
  }
  const item = ITEM_DONE.exec(text);
  if (item) out.push({ kind: 'item-history-claim', text: item[0], ban: item[0].replace(/^.*?\bthat\s+/iu, 'that ') });
  const itemTitle = plan?.item?.title?.trim();
  if (itemTitle) {
    const m = new RegExp(`(?<![\\p{L}\\p{N}])${escape(itemTitle)}['’]s\\s+(?:a|an|the|great|perfect|definitely|sure)(?![\\p{L}\\p{N}])`, 'iu').exec(text);
    if (m) out.push({ kind: 'title-contraction', text: m[0], ban: m[0] });
  }
  if (plan) {
    const nouns = domainWords(plan.domain).nouns;
    const m = new RegExp(`(?<![\\p{L}\\p{N}])(?:a|an)\\s+(?!(?:few|lot|lots|couple|number|variety|range|bunch|handful|host|dozen|selection|collection|mix|series|set|list|pair|world|fan)(?![\\p{L}\\p{N}]))(?:(?!(?:of|and|or|for|with|to|in)(?![\\p{L}\\p{N}]))[\\p{L}\\p{N}&'’-]+\\s+){0,4}${escape(nouns)}(?![\\p{L}\\p{N}])`, 'iu').exec(text);
    if (m && !/,/.test(m[0])) out.push({ kind: 'article-plural', text: m[0], ban: m[0] });
  }
  if (plan) {
    // "particularly those with products": the plural noun as the object of the thing it names.
    const nouns = domainWords(plan.domain).nouns;
    const m = new RegExp(`(?<![\\p{L}\\p{N}])(?:those|ones)\\s+(?:with|on|of|for|in|about)\\s+(?:(?:an?|the)\\s+)?(?:[\\p{L}-]+\\s+){0,2}${escape(nouns)}(?![\\p{L}\\p{N}])`, 'iu').exec(text);
    if (m) out.push({ kind: 'bare-noun', text: m[0], ban: m[0] });
  }
  const praise = PRAISE_PAIR.exec(text);
  if (praise) out.push({ kind: 'empty-praise', text: praise[0], ban: praise[0] });
  return out;
}
