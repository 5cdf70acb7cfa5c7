// Ordinary English words that also occur as catalog facts (genres, tags, news categories) or as
// one-word titles. Written in lower case they are almost always generic use ("action-packed",
// "a free update", "the latest news"), so the grounding check only treats a ONE-WORD vocabulary
// term from this list as a claimed fact when the text capitalizes it mid-sentence ("an Action
// game"). Multi-word terms ("Free to Play", "Great Soundtrack"; except GENERIC_PHRASES) and words not listed here
// ("RPG", "Roguelike", "Metroidvania", "Co-op") count in any case. Words are compared by termKey.
// Built by reading which vocabulary terms GPT-4's Steam reasons use in lower case
// (scripts/measure-ungrounded.ts); extend it rather than special-casing in code.

import { termKey } from './term-index.ts';

export const GENERIC_WORDS: ReadonlySet<string> = new Set([
  // Steam genres / tags that are everyday words
  'abstract', 'action', 'adventure', 'arcade', 'atmospheric', 'building', 'casual', 'cartoon', 'cinematic',
  'classic', 'colorful', 'competitive', 'conversation', 'crafting', 'crime', 'cute', 'dark', 'destruction',
  'difficult', 'driving', 'economy', 'education', 'episodic', 'experience', 'experimental', 'exploration',
  'faith', 'fantasy', 'fighting', 'flight', 'foreign', 'free', 'funny', 'futuristic', 'gaming', 'hardware',
  'historical', 'indie', 'investigation', 'linear', 'loot', 'magic', 'management', 'mature', 'medieval', 'modern',
  'movie', 'music', 'mystery', 'narration', 'physics', 'political', 'politics', 'puzzle', 'realistic', 'relaxing',
  'replay', 'retro', 'romance', 'science', 'short', 'simulation', 'singleplayer', 'single', 'software', 'soundtrack',
  'space', 'sports', 'standing', 'stats', 'strategy', 'stylized', 'supernatural', 'surreal', 'survival',
  'tactical', 'trading', 'tutorial', 'underground', 'underwater', 'utilities', 'violent', 'war', 'multiplayer',
  'racing', 'shooter', 'platformer', 'sandbox', 'horror', 'comedy', 'drama', 'thriller', 'western', 'animation',
  'documentary', 'musical', 'unknown', 'children', "children's", 'family', 'heist', 'mod', 'mods', 'early', 'access',
  'controller', 'gamepad', 'remake', 'parody', 'satire', 'stealth', 'tactics', 'combat', 'story', 'rich',
  'multi', 'player', 'online', 'local', 'co', 'op', 'massively', 'open', 'world', 'great', 'real', 'time',
  // news categories
  'news', 'video', 'videos', 'travel', 'weather', 'health', 'finance', 'lifestyle', 'entertainment', 'autos',
  'movies', 'tv', 'fitness', 'humor', 'reviews', 'recipes', 'markets', 'medical', 'nutrition', 'outdoors',
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
