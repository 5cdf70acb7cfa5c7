// The facts of an item and of a visitor's history (item-facts.ts), and which of them a text cites
// (cited-facts.ts). The grounding check, the fallback reason and the eval's factual precision all
// use them; this file is their one entry.
export * from './item-facts.ts';
export * from './cited-facts.ts';
