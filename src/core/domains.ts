// The domain lexicon: how a reason names the kind of thing (the `<|@noun|>`/`<|@nouns|>` slots) and
// what the visitor did with it (`<|@did|>`). A new catalog or domain needs only new fillers here,
// never a retrained model. Pure; no DOM.

/** The fillers of the domain-word slots. */
export interface DomainWords {
  /** Singular noun: 'game', 'album', 'guitar'. */
  noun: string;
  /** Plural noun: 'games', 'albums', 'guitars'. */
  nouns: string;
  /** Past tense of what the visitor did: 'played', 'listened to', 'bought'. */
  did: string;
}

const KNOWN: Record<string, DomainWords> = {
  game: { noun: 'game', nouns: 'games', did: 'played' },
  movie: { noun: 'movie', nouns: 'movies', did: 'watched' },
  film: { noun: 'film', nouns: 'films', did: 'watched' },
  show: { noun: 'show', nouns: 'shows', did: 'watched' },
  tv: { noun: 'show', nouns: 'shows', did: 'watched' },
  news: { noun: 'article', nouns: 'articles', did: 'read' },
  article: { noun: 'article', nouns: 'articles', did: 'read' },
  book: { noun: 'book', nouns: 'books', did: 'read' },
  business: { noun: 'place', nouns: 'places', did: 'visited' },
  restaurant: { noun: 'restaurant', nouns: 'restaurants', did: 'visited' },
  music: { noun: 'album', nouns: 'albums', did: 'listened to' },
  album: { noun: 'album', nouns: 'albums', did: 'listened to' },
  podcast: { noun: 'podcast', nouns: 'podcasts', did: 'listened to' },
  product: { noun: 'product', nouns: 'products', did: 'bought' },
};

/** English plural of one noun (the last word of a phrase): 'guitar' → 'guitars', 'accessory' → 'accessories'. */
export function pluralize(noun: string): string {
  if (noun === '') return noun;
  if (/[^aeiou]y$/i.test(noun)) return noun.slice(0, -1) + 'ies';
  if (/(s|x|z|ch|sh)$/i.test(noun)) return noun + 'es';
  return noun + 's';
}

/** English singular of a plural noun, the inverse of `pluralize` for regular nouns ('guitars' → 'guitar'). */
export function singularize(noun: string): string {
  if (/[^aeiou]ies$/i.test(noun)) return noun.slice(0, -3) + 'y';
  if (/(ss|x|z|ch|sh)es$/i.test(noun)) return noun.slice(0, -2);
  if (/[^s]s$/i.test(noun)) return noun.slice(0, -1);
  return noun;
}

/**
 * The words of a domain. Known domains use the table; any other domain ('guitar', 'instruments',
 * 'camera lens') is taken as the noun itself (its last word, singular), with "bought" as the verb:
 * a storefront's domain names what it sells.
 */
export function domainWords(domain: string): DomainWords {
  const key = domain.trim().toLowerCase();
  // Own keys only: a page's domain '__proto__' or 'constructor' must not find Object.prototype's.
  const own = (k: string): DomainWords | undefined => (Object.prototype.hasOwnProperty.call(KNOWN, k) ? KNOWN[k] : undefined);
  const known = own(key) ?? own(singularize(key));
  if (known) return known;
  const words = key.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const last = words[words.length - 1];
  // A domain with no usable word (digits, punctuation) reads as a product.
  if (!last || !/\p{L}/u.test(last)) return KNOWN.product as DomainWords;
  const noun = [...words.slice(0, -1), singularize(last)].join(' ');
  return { noun, nouns: pluralize(noun), did: 'bought' };
}

/**
 * How the training references write the domain words, per training domain, so the delexicalizer can
 * turn them into slots. Longest phrase first; each pattern matches a whole word (a hyphenated
 * compound such as 'game-changer' is one word and never matches).
 */
export interface DomainPatterns {
  nouns: readonly string[];
  noun: readonly string[];
  /** Past-tense verbs, replaced only after "you", "you've", "you have" (+ already/recently/...). */
  did: readonly string[];
}

export const TRAINING_DOMAIN_PATTERNS: Record<string, DomainPatterns> = {
  game: { nouns: ['video games', 'games'], noun: ['video game', 'game'], did: ['played'] },
  movie: { nouns: ['movies', 'films'], noun: ['movie', 'film'], did: ['watched', 'seen'] },
  news: {
    nouns: ['news articles', 'news stories', 'articles', 'stories'],
    noun: ['news article', 'news story', 'article', 'story'],
    did: ['read'],
  },
  book: { nouns: ['books', 'novels'], noun: ['book', 'novel'], did: ['read'] },
  business: {
    nouns: ['businesses', 'restaurants', 'places', 'establishments'],
    noun: ['business', 'restaurant', 'place', 'establishment'],
    did: ['visited'],
  },
};

/** The delexicalization patterns of a domain; null for a domain that is not in training. */
export function domainPatterns(domain: string): DomainPatterns | null {
  return TRAINING_DOMAIN_PATTERNS[domain.trim().toLowerCase()] ?? null;
}

/**
 * The words of a way of using things, keyed by the `did` verb they belong to: "a must-watch with a
 * great viewing experience" is movie or news talk, wrong wherever visitors do not watch (a guitar
 * shop, a game page). The check flags a family's words on a page whose `did` is another verb.
 * Only families whose words have no everyday shop meaning ('play' and 'read' do, so they are absent).
 */
export const VERB_FAMILIES: Readonly<Record<string, readonly string[]>> = {
  watched: ['watch', 'watches', 'watching', 'watched', 'viewing', 'viewed', 'viewer', 'viewers'],
};

/** The words of `VERB_FAMILIES` foreign to a domain (those of the families of other verbs). */
export function foreignVerbWords(domain: string): string[] {
  const did = domainWords(domain).did;
  return Object.entries(VERB_FAMILIES).flatMap(([verb, words]) => (verb === did ? [] : words));
}

/** Words of a told story ("which adds to the story"): a guitar or a board game bought in a shop has none. */
const NARRATIVE_WORDS: readonly string[] = ['story', 'stories', 'storyline', 'storylines', 'plot', 'plots', 'narrative', 'narratives'];

/**
 * The narrative words where visitors buy things (a store's products, an unknown domain), unless the
 * page has them (the check allows page words: a board game whose description tells a story). Only
 * in the check, not banned while decoding: a word denied to the first attempt moved the model's
 * failures elsewhere before (docs/quality.md, the kind-noun bans).
 */
export function foreignNarrativeWords(domain: string): readonly string[] {
  return domainWords(domain).did === 'bought' ? NARRATIVE_WORDS : [];
}

/**
 * Other spellings of common facts in the training references, by the fact's termKey-like lower-case
 * value. `same`: written instead of the fact ('science fiction' for Sci-Fi), so it becomes the fact's
 * slot; `related`: an adjective form ('romantic' for Romance) that claims the fact, so a sentence
 * using it is kept only when the fact is planned (it then stays literal).
 */
export const FACT_SYNONYMS: Record<string, { same?: readonly string[]; related?: readonly string[] }> = {
  'sci fi': { same: ['science fiction', 'science-fiction', 'scifi'] },
  rpg: { same: ['role-playing', 'role playing', 'roleplaying'] },
  fps: { same: ['first-person shooter', 'first person shooter'] },
  'massively multiplayer': { same: ['MMO', 'MMORPG', 'massively multiplayer online'] },
  'film noir': { same: ['noir'] },
  "children's": { same: ['children', 'kids', "kids'"], related: ['family-friendly'] },
  romance: { related: ['romantic'] },
  animation: { related: ['animated'] },
  comedy: { related: ['comedic', 'funny', 'hilarious', 'humorous'] },
  adventure: { related: ['adventurous'] },
  strategy: { related: ['strategic'] },
  horror: { related: ['scary', 'horrifying', 'terrifying'] },
  thriller: { related: ['suspenseful'] },
  mystery: { related: ['mysterious'] },
  musical: { related: ['musicals'] },
  documentary: { related: ['documentaries'] },
  indie: { related: ['independent'] },
  simulation: { related: ['simulator', 'simulators'] },
  multiplayer: { related: ['multi-player', 'online play'] },
  singleplayer: { related: ['single-player', 'single player'] },
  'war': { related: ['wartime'] },
  fantasy: { related: ['fantastical'] },
};
