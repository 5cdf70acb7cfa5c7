// Ordinary English words that also occur as catalog facts (tags, news categories) or as one-word
// titles, and that reasons mostly use in their everyday sense ("action-packed", "a free update",
// "layers of strategy", "a great soundtrack", "the latest news"). The grounding check treats a
// ONE-WORD vocabulary term from this list as a claimed fact only when the text capitalizes it
// mid-sentence ("an Action game"). Multi-word terms ("Free to Play", "Open World"; except
// GENERIC_PHRASES) and words not listed here count in any case: genre, setting and mode nouns
// ("RPG", "roguelike", "shooter", "puzzle", "horror", "sandbox", "multiplayer", "survival",
// "crafting", "medieval") are claims even in lower case. Words are compared by termKey.
// Chosen by reading GPT-4's Steam reasons (scripts/measure-ungrounded.ts, docs/grounding.md):
// moving the genre nouns out of this list added 6 flagged reasons out of 3000, all of them real
// claims missing from the prompt ("a team-based shooter", "an extensive crafting system").

import { termKey } from './term-index.ts';

export const GENERIC_WORDS: ReadonlySet<string> = new Set([
  // Steam tags that are everyday words or praise
  'abstract', 'action', 'adventure', 'atmospheric', 'building', 'casual', 'cinematic', 'classic', 'colorful',
  'competitive', 'conversation', 'cute', 'dark', 'destruction', 'difficult', 'driving', 'economy', 'education',
  'experience', 'experimental', 'faith', 'flight', 'foreign', 'free', 'funny', 'gaming', 'hardware',
  'historical', 'investigation', 'linear', 'loot', 'magic', 'management', 'mature', 'modern', 'movie', 'music', 'narration',
  'physics', 'political', 'politics', 'realistic', 'relaxing', 'replay', 'retro', 'science', 'short', 'single',
  'software', 'soundtrack', 'space', 'standing', 'stats', 'strategy', 'stylized', 'surreal', 'trading',
  'tutorial', 'utilities', 'violent', 'war', 'combat', 'story', 'controller', 'gamepad', 'mod', 'mods',
  // movie genres / misc facts used as plain words
  'unknown', 'children', "children's", 'family',
  // parts of multi-word tags (only matter if a catalog uses them alone)
  'early', 'access', 'rich', 'multi', 'player', 'online', 'local', 'co', 'op', 'massively', 'open', 'world',
  'great', 'real', 'time',
  // news categories
  'news', 'video', 'videos', 'travel', 'weather', 'health', 'finance', 'lifestyle', 'entertainment', 'autos',
  'movies', 'sports', 'tv', 'fitness', 'humor', 'reviews', 'recipes', 'markets', 'medical', 'nutrition', 'outdoors',
  'wellness', 'wines', 'voices', 'viral', 'holidays', 'celebrity', 'golf', 'tennis', 'soccer', 'animals',
  // everyday words that are also one-word titles or facts
  'the', 'a', 'an', 'and', 'or', 'of', 'to', 'in', 'on', 'for', 'with', 'it', 'you', 'your', 'new', 'more',
  'best', 'top', 'good', 'fun', 'play', 'game', 'games', 'home', 'life', 'love', 'journey', 'inside', 'control',
  'rust', 'prey', 'limbo', 'portal', 'brawl', 'dirt', 'grow',
]);

/** Multi-word vocabulary terms that are everyday phrases ("influence game development"); same strict rule. */
export const GENERIC_PHRASES: ReadonlySet<string> = new Set(['game development']);

const KEYS = new Set([...GENERIC_WORDS, ...GENERIC_PHRASES].map(termKey));

/** True when a term key (see termKey) is a single word from GENERIC_WORDS or `extra`, or a GENERIC_PHRASES phrase. */
export function isGenericTerm(key: string, extra?: ReadonlySet<string>): boolean {
  if (KEYS.has(key)) return true;
  return !key.includes(' ') && (extra?.has(key) ?? false);
}
