// Slot tokens and their deterministic filling (docs/plan-and-slots.md sections 2 and 4). The model
// writes `<|@item|>`, `<|@h1|>`, `<|@f1|>`, `<|@noun|>`…; the engine fills in the plan's titles, facts
// and the domain's words. The one home of the slot token strings. Pure; no DOM.
import type { CitedFact } from '../types.ts';
import { domainPatterns, domainWords, pluralize, singularize } from './domains.ts';
import { isCategoryKind, type ContentPlan } from './plan.ts';
import { holdsProperWord, type ProperWords } from './casing.ts';

export type Slot = 'item' | 'h1' | 'h2' | 'f1' | 'f2' | 'f3' | 'noun' | 'nouns' | 'did';

const SLOTS: readonly Slot[] = ['item', 'h1', 'h2', 'f1', 'f2', 'f3', 'noun', 'nouns', 'did'];

/** The token string of a slot: `<|@item|>`. */
export function slotToken(slot: Slot): string {
  return `<|@${slot}|>`;
}

/** Prompt-structure tokens added in prompt format v2. */
export const PLAN_PROMPT_TOKENS = { new: '<|new|>', facts: '<|facts|>' } as const;

/** Every slot token, in the order the v2 tokenizer appends them (after `<|new|>`, `<|facts|>`). */
export function slotTokens(): string[] {
  return SLOTS.map(slotToken);
}

/** The tokens v2 appends to v1's vocabulary, in id order (6000–6010; look ids up, never hard-code them). */
export function addedTokensV2(): string[] {
  return [PLAN_PROMPT_TOKENS.new, PLAN_PROMPT_TOKENS.facts, ...slotTokens()];
}

/** The slots a plan defines: item, its history and fact slots, and the domain words. */
export function planSlots(plan: ContentPlan): Slot[] {
  return ['item', ...plan.history.map((h) => h.slot), ...plan.facts.map((f) => f.slot), 'noun', 'nouns', 'did'];
}

/** The tokens of `planSlots`: what constrained decoding may emit. */
export function planSlotTokens(plan: ContentPlan): string[] {
  return planSlots(plan).map(slotToken);
}

// Any `<|…|>` marker, so an undefined or malformed one is reported, never shown.
const MARKER = /<\|([^|<>]{0,16})\|>/g;

export interface FilledReason {
  /** Plain text (show with textContent). */
  text: string;
  /** Exactly the titles and facts the slots put in, in order of first use. */
  facts: CitedFact[];
  /** The slots used, in order of first use, each once. */
  used: Slot[];
  /** Markers the plan does not define (removed from `text`): a caller should regenerate or fall back. */
  unknown: string[];
}

/** Fact kinds that are names: shown exactly as the page spells them. */
const NAME_KINDS = /^(brand|brands|artist|artists|author|authors|title|publisher|publishers|developer|developers|label|manufacturer|maker|studio|director|directors|creator|creators|band|series|franchise|platform|platforms|seller|vendor|model)$/i;

/** Whether facts of this attribute key are names (brand, artist, author…), not kinds of thing. */
export function isNameKind(kind: string): boolean {
  return NAME_KINDS.test(kind);
}

/**
 * A fact as written mid-sentence: Capitalized words lower-cased ('Open World' → 'open world'),
 * acronyms and mixed case kept ('FPS', 'PvP'); kept whole, a numbered name ('World War II', not
 * 'world war II') and one holding a word of `proper` ('Star Wars', 'America': the lexicon's
 * properWords, casing.ts).
 */
export function factCase(value: string, kind: string, proper?: ProperWords): string {
  if (NAME_KINDS.test(kind) || /\s(?:I|II|III|IV|V|VI|VII|VIII|IX|X)$/u.test(value.trim()) || holdsProperWord(value, proper)) return value;
  return value.replace(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu, (word) => (/^\p{Lu}[\p{Ll}'’]*$/u.test(word) && Array.from(word).length > 1 ? word.toLowerCase() : word));
}

const LETTER_AN = /^[AEFHILMNORSX]/;

/** 'a' or 'an' before a phrase, by how it sounds: 'an FPS', 'a unique', 'an open world', 'an 8-bit', 'a one-off'. */
export function indefiniteArticle(phrase: string): 'a' | 'an' {
  const word = phrase.trim().split(/[\s-]/)[0] ?? '';
  if (word === '') return 'a';
  if (/^\d/.test(word)) return /^8|^1[18](\D|$)/.test(word) ? 'an' : 'a';
  // An acronym is read letter by letter: 'an FPS', 'an RPG', 'a VR'.
  if (/^[A-Z]{2,}s?$/.test(word.replace(/[^A-Za-z]/g, '')) && word.length <= 5) return LETTER_AN.test(word) ? 'an' : 'a';
  const lower = word.toLowerCase();
  if (/^(hour|honest|honou?r|heir)/.test(lower)) return 'an';
  if (/^(uni(?!n)|use|usu|uti|ura|ure|uro|eu|ewe|one|once|ouija|u[bcfhjkqrstn][aeiou])/.test(lower) && !/^(under|unde|unt|ush|upt)/.test(lower)) return 'a';
  return /^[aeiou]/.test(lower) ? 'an' : 'a';
}

/** "A", "A and B", "A, B and C". */
export function listPhrase(values: readonly string[]): string {
  if (values.length <= 1) return values[0] ?? '';
  return `${values.slice(0, -1).join(', ')} and ${values[values.length - 1]}`;
}

function capitalizeFirst(text: string): string {
  return text.replace(/^(\P{L}*)(\p{Ll})/u, (_m, pre: string, c: string) => pre + c.toUpperCase());
}

/**
 * A fact that names the kind of thing takes the noun's place: one ending in the domain's noun
 * ('Electric Guitars' in a guitar shop), or a store's category outside the training domains (there
 * categories are nouns; in news, 'sports' is a topic: "a sports article").
 */
function isNounFact(value: string, kind: string, domain: string, noun: string): boolean {
  const last = (value.split(' ').pop() ?? '').toLowerCase();
  return singularize(last) === noun.split(' ').pop() || (isCategoryKind(kind) && domainPatterns(domain) === null);
}

/**
 * Whether a noun phrase ends in a regular English plural ('Guitar Pedals', 'Accessories'), not a
 * word that only ends in s ('Bass', 'Electronics', 'Chorus', 'Analysis').
 */
export function hasPluralHead(value: string): boolean {
  const last = (value.trim().split(/\s+/).pop() ?? '').toLowerCase();
  return /^\p{L}+$/u.test(last) && singularize(last) !== last && !/(ics|ss|us|is)$/.test(last);
}

/** The phrase with its last word singular: 'guitar pedals' → 'guitar pedal'. */
export function singularHead(phrase: string): string {
  const last = phrase.split(' ').pop() ?? '';
  return phrase.slice(0, phrase.length - last.length) + singularize(last);
}

/** Nouns after a/an that quantify what follows ("a few", "a variety of", "a world of"): regex alternation. */
export const QUANTIFIER_NOUNS = 'few|lot|lots|couple|number|variety|range|bunch|handful|host|dozen|selection|collection|mix|series|set|list|pair|world|fan';

/**
 * a/an and up to `words` words of the same noun phrase before what follows it (regex source): not
 * a/an that quantifies ("a few", "a variety of"), and no word that starts another phrase ("a choice
 * from the").
 */
export function articleRun(words: number): string {
  return String.raw`(?<![\p{L}\p{N}])(?:a|an)\s+(?!(?:${QUANTIFIER_NOUNS})(?![\p{L}\p{N}]))(?:(?!(?:of|and|or|for|with|to|in|from|among|by|on|at|the|your|its|their|like|than)(?![\p{L}\p{N}]))[\p{L}\p{N}&'’-]+\s+){0,${words}}`;
}

/** a/an and up to four words before a noun (articleRun). */
export const ARTICLE_RUN = articleRun(4);

/** What may follow a noun that heads its phrase: punctuation, the end, or a word that starts a new phrase. */
export const AFTER_HEAD = /^(\s*$|\s*[^\s\p{L}\p{N}]|\s+(from|by|with|for|that|which|you|in|on|at|to|of|made|built|designed)(?![\p{L}\p{N}]))/iu;

interface Piece {
  slot?: Slot;
  text: string;
  /** One category fact filled as a plural noun (not a list, not merged with the noun slot). */
  plural?: boolean;
}

/** "the <|@noun|> "<|@item|>"" (quotes optional): the title with its noun and quotes. */
const APPOSITIVE_TITLE = /\bthe <\|@noun\|> ["“]?(<\|@(?:item|h\d)\|>)["”]?/gi;

// "just like the <|@h1|>." — an article before a title that heads its phrase (the check's
// 'article-title'): the title is written alone ("just like Team Fortress 2."; "the The Witcher" never).
const ARTICLE_TITLE = /(?<![\p{L}\p{N}])(?:a|an|the)\s+(["“]?<\|@(?:item|h\d)\|>["”]?)(?=\s*(?:[.,;:!?]|$)|\s+(?:and|or|but|so|allowing|offering|making|with)(?![\p{L}\p{N}]))/giu;

// "you enjoy <|@f1|>, <|@f2|>, and <|@nouns|>" lists the noun as if it were one more fact ("you enjoy
// action, indie, and games"): what the model meant is the facts before the noun, "action and indie
// games". The most frequent rejection on the bench's game page. Only after a verb of liking or "is a"
// ("it is an action, adventure, and game"): after "combines" or "a blend of" the same repair would
// make the item a mix of games.
const NOUN_LISTED = /(?<=(?:(?<![\p{L}\p{N}])(?:enjoy|enjoys|enjoyed|love|loved|like|liked|prefer|preferred|preference\s+for|interest\s+in|fan\s+of|fond\s+of|is\s+an?)|['’]s\s+an?)\s+)((?:<\|@f\d\|>\s*,\s*)*<\|@f\d\|>)\s*,?\s+and\s+(<\|@nouns?\|>)/giu;

// "Based on your history, you enjoy a mix of <|@f1|>, <|@item|> is a perfect choice for you.": two main
// clauses joined by a comma (the check's 'comma-splice'), which the model writes where a reference had
// "so". Only after a sentence that opens with what the visitor likes, where "so" is what it meant; after
// "Given that you …" or "Like <|@h1|>, …" the comma is right and nothing changes.
const SPLICED_ITEM = /((?:^|[.!?]\s+)(?:based\s+on\s+your\s+(?:[\p{L}-]+\s+)?history,\s+)?you\s+(?:(?:seem\s+to|also|really|clearly)\s+)?(?:enjoy|like|love|prefer)(?![\p{L}\p{N}])[^.!?;,]*),\s+(["“]?<\|@item\|>["”]?\s+(?:is|will|would|should|offers?|makes?)(?![\p{L}\p{N}]))/giu;

// "you seem to enjoy a variety of <|@f1|>, …" with one fact: a variety of one thing (the check's
// 'mix-of-one'). After a verb of liking, the fact's things are what was meant ("you seem to enjoy crime
// movies, so …": "enjoy crime" alone reads otherwise); after "offers" or "combines" nothing changes.
const MIX_OF_ONE = /(?<=(?<![\p{L}\p{N}])(?:enjoy|enjoys|enjoyed|love|loved|like|liked|prefer|preferred|preference\s+for|interest\s+in|fan\s+of|fond\s+of)\s+)(?:an?\s+)?(?:(?:wide|broad|diverse|great|unique)\s+)?(?:mix|mixture|variety|blend|combination|range)\s+of\s+(<\|@f\d\|>)(?=\s*(?:[.,;:!?]|$))/giu;

// "it falls under the <|@f1|> <|@noun|>" (the check's 'falls-under-noun': a category is what a thing
// falls under, a movie is not) and "falls under the <|@f1|> genre" where the fact is a name ("the
// Stanley Kubrick genre"): what the model meant is what the item is, "it is a crime movie", "it is a
// Stanley Kubrick movie". The models learned "falls under" on genres and categories only. Only where
// the sentence ends or a comparison follows: "…, which is a genre you enjoyed" would call a brand a genre.
const FALLS_UNDER = /(?<![\p{L}\p{N}])falls\s+(?:under|within|into)\s+the\s+(<\|@f\d\|>)\s+(<\|@noun\|>|genre|category|tag)(?=\s*(?:[.!?]|$)|\s*,\s*(?:(?:just|much)\s+)?(?:like|similar\s+to)(?![\p{L}\p{N}]))/giu;

// A category path's value called by a game's kind noun ("the <|@f1|> genre", "genres of <|@f1|>"): the
// model learned "genre" and "tag" on games; a category is a category ("the strategy games category").
const KIND_NOUN_AFTER = /^(\s+)(genre|tag)(s?)(?![\p{L}\p{N}-])/iu;
// Two or more facts listed ("<|@f1|><|@f2|>", "<|@f1|> and <|@f2|>") before one kind noun that ends its
// phrase take the plural: "the adventure and RPG genres", "the cables and musical instruments
// categories" (not "an action and adventure genre game", where the noun modifies).
const LISTED_KIND_NOUN = /^(\s+)(genre|tag|category)(?=\s*(?:[.,;:!?]|$)|\s+(?:that|which|you|similar|like|just|much)(?![\p{L}\p{N}]))/iu;
const LIST_JOIN = /^\s*,?\s*(?:and|or)\s+$/iu;
const KIND_NOUN_BEFORE = /(?<![\p{L}\p{N}])(genre|tag)(s?)(\s+of\s+(?:the\s+)?|,?\s+(?:including|such\s+as|like)\s+(?:the\s+)?)$/iu;

/**
 * Fills a model's slot text with the plan (docs/plan-and-slots.md section 4): titles verbatim, facts
 * cased for mid-sentence (factCase, `proper` from the lexicon), a/an agreeing with what follows, adjacent fact slots as a list, a capital
 * at each sentence start, "category" for a category path's value where the model wrote "genre" or
 * "tag". `<|end|>` and anything after it is ignored.
 */
export function fillSlots(slotText: string, plan: ContentPlan, proper?: ProperWords): FilledReason {
  const end = slotText.indexOf('<|end|>');
  // "the <noun> "<title>"" is a film reference's habit ('the movie "Toy Story"'): under a card it
  // reads stiff ('the product "Korg Minilogue"'), so the fill writes the title alone.
  const source = (end >= 0 ? slotText.slice(0, end) : slotText)
    .replace(APPOSITIVE_TITLE, '$1')
    .replace(ARTICLE_TITLE, '$1')
    .replace(NOUN_LISTED, (_m, facts: string, noun: string) => `${facts.replace(/\s*,\s*/g, '')} ${noun}`)
    .replace(SPLICED_ITEM, '$1, so $2')
    .replace(MIX_OF_ONE, '$1 <|@nouns|>')
    .replace(FALLS_UNDER, (m, fact: string, noun: string) => {
      const kind = plan.facts.find((f) => slotToken(f.slot) === fact)?.kind ?? '';
      return noun === '<|@noun|>' || isNameKind(kind) ? `is a ${fact} <|@noun|>` : m;
    });
  const words = domainWords(plan.domain);
  const titles = new Map<string, { value: string; from: CitedFact['from'] }>([['item', { value: plan.item.title, from: 'item' }]]);
  for (const h of plan.history) titles.set(h.slot, { value: h.title, from: 'history' });
  const facts = new Map(plan.facts.map((f) => [f.slot as string, f]));

  const used: Slot[] = [];
  const cited: CitedFact[] = [];
  const unknown: string[] = [];
  const use = (slot: Slot): void => {
    if (used.includes(slot)) return;
    used.push(slot);
    const title = titles.get(slot);
    if (title) cited.push({ value: title.value, from: title.from, kind: 'title' });
    const fact = facts.get(slot);
    if (fact) cited.push({ value: fact.value, from: 'item', kind: fact.kind });
  };

  // Split into literal text and known slots; unknown markers are dropped and reported.
  const pieces: Piece[] = [];
  let last = 0;
  for (const m of source.matchAll(MARKER)) {
    pieces.push({ text: source.slice(last, m.index) });
    last = (m.index ?? 0) + m[0].length;
    const name = (m[1] ?? '').startsWith('@') ? (m[1] as string).slice(1) : '';
    const slot = SLOTS.includes(name as Slot) ? (name as Slot) : undefined;
    const defined = slot !== undefined && (titles.has(slot) || facts.has(slot) || slot === 'noun' || slot === 'nouns' || slot === 'did');
    if (defined) pieces.push({ slot, text: '' });
    else unknown.push(m[0]);
  }
  pieces.push({ text: source.slice(last) });

  // Fill, joining runs of adjacent fact slots (nothing between them) into one list.
  const out: Piece[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i] as Piece;
    if (!piece.slot) {
      if (piece.text !== '') out.push(piece);
      continue;
    }
    if (facts.has(piece.slot)) {
      const run = [piece.slot];
      while (pieces[i + 1]?.text === '' && !pieces[i + 1]?.slot && pieces[i + 2]?.slot && facts.has(pieces[i + 2]?.slot as string)) {
        run.push(pieces[i + 2]?.slot as Slot);
        i += 2;
      }
      run.forEach(use);
      // A category is itself a noun: '<|@f1|> <|@noun|>' with 'Electric Guitars' is 'electric guitar'.
      const only = run.length === 1 ? facts.get(piece.slot) : undefined;
      const gap = pieces[i + 1];
      const after = pieces[i + 2]?.slot;
      if (only && gap && !gap.slot && /^ +$/.test(gap.text) && (after === 'noun' || after === 'nouns') && isNounFact(only.value, only.kind, plan.domain, words.noun)) {
        use(after);
        const cased = factCase(only.value, only.kind, proper);
        const last = cased.split(' ').pop() ?? '';
        const head = cased.slice(0, cased.length - last.length);
        out.push({ slot: piece.slot, text: head + (after === 'noun' ? singularize(last) : pluralize(singularize(last))) });
        i += 2;
        continue;
      }
      const values = run.map((s) => facts.get(s)).map((f) => factCase(f?.value ?? '', f?.kind ?? '', proper));
      const next = pieces[i + 1];
      if (run.every((s) => isCategoryKind(facts.get(s)?.kind ?? ''))) {
        const before = out[out.length - 1];
        if (before && !before.slot) before.text = before.text.replace(KIND_NOUN_BEFORE, (_m, _noun: string, s: string, rest: string) => (s ? 'categories' : 'category') + rest);
        if (next && !next.slot) next.text = next.text.replace(KIND_NOUN_AFTER, (_m, space: string, _noun: string, s: string) => space + (s ? 'categories' : 'category'));
      }
      const joined = out[out.length - 1];
      const listed = run.length > 1 || (joined !== undefined && !joined.slot && LIST_JOIN.test(joined.text) && facts.has(out[out.length - 2]?.slot ?? ''));
      if (listed && next && !next.slot) next.text = next.text.replace(LISTED_KIND_NOUN, (_m, space: string, noun: string) => space + pluralize(noun));
      out.push({ slot: piece.slot, text: listPhrase(values), plural: only !== undefined && isCategoryKind(only.kind) && hasPluralHead(only.value) });
      continue;
    }
    use(piece.slot);
    const title = titles.get(piece.slot);
    const text = title ? title.value : piece.slot === 'noun' ? words.noun : piece.slot === 'nouns' ? words.nouns : words.did;
    out.push({ slot: piece.slot, text });
  }

  // a/an before a filled slot; capitals at sentence starts (titles keep their own casing).
  let text = '';
  for (let k = 0; k < out.length; k++) {
    const piece = out[k] as Piece;
    let chunk = piece.text;
    const next = out[k + 1];
    if (!piece.slot && next?.slot) {
      // "a microphones." reads wrong: a plural category heading its phrase after a/an is written singular.
      if (next.plural && /(^|[^\p{L}\p{N}])(a|an)\s+$/iu.test(chunk) && AFTER_HEAD.test(out.slice(k + 2).map((p) => p.text).join(''))) {
        next.text = singularHead(next.text);
        next.plural = false;
      }
      chunk = chunk.replace(/(^|[^\p{L}\p{N}])(a|an|A|An)(\s+)$/u, (_m, pre: string, art: string, space: string) => {
        const right = indefiniteArticle(next.text);
        const cased = art[0] === 'A' ? right.charAt(0).toUpperCase() + right.slice(1) : right;
        return pre + cased + space;
      });
    }
    if (piece.slot && !titles.has(piece.slot) && /(^|[.!?]\s+)["“'(]*$/.test(text)) chunk = capitalizeFirst(chunk);
    text += chunk;
  }
  // A title that ends in a period ends the sentence too: "The Notorious B.I.G.." → one period.
  text = text.replace(/\s+/g, ' ').replace(/(?<!\.)\.\.(?!\.)/g, '.').trim();
  if (!(out[0]?.slot && titles.has(out[0].slot))) text = capitalizeFirst(text);
  return { text, facts: cited, used, unknown };
}
