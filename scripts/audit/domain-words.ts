// Words that belong to one kind of store: "gameplay" under a guitar, "delicious food" under a game.
// Lists are deliberately short and distinctive (no "play", "sound", "story": those fit many stores).
import { reasonWords } from '../../src/core/grounding.ts';

export const DOMAIN_WORDS: Readonly<Record<string, readonly string[]>> = {
  game: ['game', 'games', 'gameplay', 'gamer', 'gamers', 'gaming', 'multiplayer', 'singleplayer', 'single-player', 'multi-player', 'playthrough', 'fps', 'rpg', 'rpgs', 'mmo', 'pvp'],
  movie: ['movie', 'movies', 'film', 'films', 'cinema', 'watched', 'actor', 'actors', 'actress', 'screenplay'],
  news: ['news', 'article', 'articles', 'headline', 'headlines', 'journalism'],
  book: ['book', 'books', 'novel', 'novels', 'author', 'authors', 'reader', 'readers', 'chapter', 'chapters', 'page-turner'],
  business: ['business', 'restaurant', 'restaurants', 'food', 'foods', 'delicious', 'dish', 'dishes', 'menu', 'cuisine', 'dining', 'meal', 'meals', 'staff', 'waiter', 'ambiance', 'ambience', 'bacon', 'pizza', 'burger', 'burgers'],
  music: ['album', 'albums', 'song', 'songs', 'lyrics', 'vocals', 'listened', 'listening'],
};

/** Page domains that speak like one of the lists above. */
const FAMILY: Readonly<Record<string, string>> = {
  game: 'game', videogame: 'game', movie: 'movie', film: 'movie', show: 'movie', tv: 'movie', news: 'news', article: 'news',
  book: 'book', business: 'business', restaurant: 'business', music: 'music', album: 'music', podcast: 'music',
};

/**
 * The lists a page of `domain` must not use: every list but its own. A shop of products may talk
 * about songs and albums (instruments, audio gear), so `music` is not off-domain for 'product'.
 */
export function offDomainLists(domain: string): string[] {
  const own = FAMILY[domain.toLowerCase()];
  return Object.keys(DOMAIN_WORDS).filter((d) => d !== own && !(d === 'music' && (own === undefined || own === 'movie')));
}

/** Words of `text` from another store's list, unless the page itself uses them (a title "The Book of …"). */
export function offDomainWords(text: string, domain: string, pageTexts: readonly string[] = []): string[] {
  const page = new Set(pageTexts.flatMap((t) => reasonWords(t)));
  const own = new Set(DOMAIN_WORDS[FAMILY[domain.toLowerCase()] ?? ''] ?? []);
  const banned = new Set(offDomainLists(domain).flatMap((d) => DOMAIN_WORDS[d]!));
  return reasonWords(text).filter((w) => banned.has(w) && !own.has(w) && !page.has(w));
}
