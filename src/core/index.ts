// The pure core (no DOM, no model runtime): the prompt format, facts and grounding, input validation.
// Published as `because/core` for tools (eval, training data checks) that need no engine.
export * from './prompt.ts';
export * from './facts.ts';
export * from './grounding.ts';
export * from './validate.ts';
export { DEVICES, MAX_NEW_TOKENS_LIMIT, validateOptions } from './options.ts';
export { DTYPES } from '../defaults.ts';
export { GENERIC_WORDS, GENERIC_PHRASES, isGenericTerm } from './generic-words.ts';
export { normalizeForMatch } from './term-index.ts';
// Reason model v2: content plan, slots, prompt format v2, delexicalization, history claims (docs/plan-and-slots.md).
export * from './plan.ts';
export * from './domains.ts';
export * from './slots.ts';
export * from './plan-prompt.ts';
export * from './delex.ts';
export * from './claims.ts';
// The open-vocabulary check and its lexicon (docs/grounding.md).
export * from './check.ts';
export * from './dictionary.ts';
export * from './off-domain.ts';
