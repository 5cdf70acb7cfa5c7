// Prompt format v2: the content plan as the model sees it (docs/plan-and-slots.md section 3).
// Titles never reach the prompt, only which slots exist; fact values do (the model needs them for
// grammar: "an <|@f1|> game"). Training reads prompts built here (scripts/prepare-v2.ts).
import { SPECIAL_TOKENS } from './prompt.ts';
import type { ContentPlan } from './plan.ts';
import { PLAN_PROMPT_TOKENS, slotToken } from './slots.ts';

export const PLAN_PROMPT_FORMAT_VERSION = 2;

/**
 * `<|domain|>D(<|history|><|@h1|>[<|@h2|>] | <|new|>)[<|facts|><|@f1|>F1[<|@f2|>F2[<|@f3|>F3]]]<|reason|>`.
 * A 'history' plan without entries (not produced by contentPlan) is written as 'new'.
 */
export function buildPlanPrompt(plan: ContentPlan): string {
  let prompt = SPECIAL_TOKENS.domain + plan.domain;
  prompt += plan.mode === 'history' && plan.history.length > 0 ? SPECIAL_TOKENS.history + plan.history.map((h) => slotToken(h.slot)).join('') : PLAN_PROMPT_TOKENS.new;
  if (plan.facts.length > 0) prompt += PLAN_PROMPT_TOKENS.facts + plan.facts.map((f) => slotToken(f.slot) + f.value).join('');
  return prompt + SPECIAL_TOKENS.reason;
}
