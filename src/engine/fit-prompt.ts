// A v1 prompt that fits the model's positions (a slot model's v2 prompt holds no page text: it fits).
import { buildPrompt } from '../core/prompt.ts';
import type { Item, UserContext } from '../types.ts';

/** The prompt and its ids, dropping the oldest history, then profile and description, until `budget` tokens hold it. */
export function fitPrompt(encode: (text: string) => number[], budget: number, item: Item, ctx: UserContext): { prompt: string; ids: number[] } {
  let history = ctx.history ?? [];
  let context: UserContext = ctx;
  let target: Item = item;
  for (;;) {
    const prompt = buildPrompt(target, context);
    const ids = encode(prompt);
    if (ids.length <= budget) return { prompt, ids };
    if (history.length > 0) {
      history = history.slice(1);
      context = { ...context, history };
    } else if (context.profile) {
      context = { ...context, profile: undefined };
    } else if (target.description) {
      target = { ...target, description: undefined };
    } else {
      return { prompt, ids: ids.slice(-Math.max(1, budget)) }; // cannot happen with the prompt limits; stay safe
    }
  }
}
