// The attempts behind one reason: generate, fill slots, check; regenerate once with what the check
// found banned; else the labelled fallback. A slot model (v2) decodes under its plan's constraints;
// any other causal LM gets the v1 prompt and the same check. The engine runs them (engine.ts).
import { AbortError, DisposedError, isAbortError } from '../errors.ts';
import type { ReasonCheck } from '../core/check.ts';
import type { ContentPlan } from '../core/plan.ts';
import type { ProperWords } from '../core/casing.ts';
import { buildPlanPrompt } from '../core/plan-prompt.ts';
import { fillSlots } from '../core/slots.ts';
import { DECODING } from '../defaults.ts';
import type { Backend, Item, Reason, ReasonPlan, UserContext } from '../types.ts';
import { firstBannedIndex, type GenerateRow, type RowResult } from '../generation/generate.ts';
import { ATTEMPTS, attemptPlan, encodeVariants, firstAttemptSampling, type SlotDecoding } from '../generation/slot-decoding.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { pickShown } from './pick.ts';
import type { RecentWording } from './recent-wording.ts';
import { shownText } from './trim-cut.ts';

export interface GenResult extends RowResult {
  /** This row's share of the batch's wall time. */
  ms: number;
}

/** What the attempts need of the engine. */
export interface AttemptHost {
  readonly maxNewTokens: number;
  readonly sentences: number | undefined;
  readonly disposed: () => boolean;
  generate(row: GenerateRow): Promise<GenResult>;
  check(text: string, item: Item, ctx: UserContext, rt: Runtime, plan: ContentPlan | null): ReasonCheck;
  /** Words whose facts keep their casing in the fill (the model's lexicon). */
  proper(rt: Runtime): ProperWords | undefined;
  fallback(item: Item, ctx: UserContext, why: string, backend: Backend, ms: number, plan?: ContentPlan): Reason;
  regenerated(): void;
  /** The wording of the reasons shown last (a page's worth), to avoid repeating it card after card. */
  readonly wording: RecentWording;
}

/** The public shape of a plan, carried on the Reason. */
export function publicPlan(plan: ContentPlan): ReasonPlan {
  return { mode: plan.mode, hasHistory: plan.hasHistory, domain: plan.domain, history: plan.history.map((h) => ({ title: h.title })), facts: plan.facts.map((f) => ({ value: f.value, kind: f.kind })) };
}

/** A failed generation: disposal and aborts propagate; a runtime failure still gets an honest answer. */
function failed(host: AttemptHost, error: unknown, item: Item, ctx: UserContext, rt: Runtime): Reason {
  if (host.disposed()) throw new DisposedError('The explainer was disposed while this request was running.');
  if (isAbortError(error)) throw error instanceof AbortError ? error : new AbortError('The request was aborted.', { cause: error });
  return host.fallback(item, ctx, 'model-error', rt.backend, 0);
}

export interface PlanRequest {
  signal?: AbortSignal;
  onDelta?: (text: string) => void;
  /** Literal titles a slot model may not write (one array per call, so the decode loop compiles it once). */
  titleBans?: number[][];
}

/**
 * A slot model's reason: a few seeded samples under the plan's constraints (DECODING), each filled
 * and checked, one accepted shown (pick.ts: naming the history first, then a wording the page does
 * not show yet, then the most probable); else once more with a smaller plan, greedy
 * forks and the check's findings banned; else the labelled fallback. The filled text is sent as one
 * delta (slot text is not what a visitor should see stream by).
 */
export async function reasonFromPlan(host: AttemptHost, rt: Runtime, slots: SlotDecoding, item: Item, ctx: UserContext, first: ContentPlan, firstIds: number[], options: PlanRequest): Promise<Reason> {
  // Nothing to cite (an item without facts, and no history that shares any): whatever the model
  // wrote would fit every card ("Don't miss out on this exciting place!"), so it is not asked.
  if (first.facts.length === 0 && first.history.length === 0) return host.fallback(item, ctx, 'nothing-planned', rt.backend, 0, first);
  let ms = 0;
  let banned: string[] = [];
  let problem = 'ungrounded';
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (attempt > 0) host.regenerated();
      const plan = attempt === 0 ? first : attemptPlan(first, attempt, item);
      const prompt = buildPlanPrompt(plan);
      const ids = attempt === 0 ? firstIds : rt.encode(prompt);
      const badWords = banned.length > 0 ? [...(options.titleBans ?? []), ...encodeVariants(rt, banned)] : options.titleBans;
      const decoding = attempt === 0 ? { candidates: DECODING.candidates, sampling: firstAttemptSampling(rt.modelId, prompt, plan) } : { candidates: DECODING.retryCandidates };
      const result = await host.generate({ ids, maxNewTokens: host.maxNewTokens, sentences: host.sentences, constraints: slots.constraints(plan), badWords, ...decoding, signal: options.signal });
      ms += result.ms;
      // Checked lazily as pickShown reads them; a rejected one's findings are banned next attempt.
      const accepted = function* () {
        for (const candidate of result.candidates ?? [result]) {
          const skeleton = shownText(candidate);
          const filled = fillSlots(skeleton, plan, host.proper(rt));
          const check = host.check(filled.text, item, ctx, rt, plan);
          if (check.ok && filled.unknown.length === 0) {
            yield { ...filled, tokens: candidate.tokens.length, skeleton };
            continue;
          }
          problem = filled.unknown.length > 0 ? 'unknown-slot' : (check.problems[0]?.kind ?? problem);
          banned = [...new Set([...banned, ...check.banned])];
        }
      };
      const chosen = pickShown(accepted(), plan.history.length > 0, (c) => host.wording.has(c.skeleton));
      if (chosen) {
        host.wording.add(chosen.skeleton);
        options.onDelta?.(chosen.text);
        return { itemId: item.id, text: chosen.text, facts: chosen.facts, source: 'model', backend: rt.backend, tokens: chosen.tokens, ms, plan: publicPlan(plan) };
      }
    }
    return host.fallback(item, ctx, problem, rt.backend, ms, first);
  } catch (error) {
    return failed(host, error, item, ctx, rt);
  }
}

/** A v1 model's reason: greedy, streamed; once more with the check's findings banned; else the fallback. */
export async function reasonFromPrompt(host: AttemptHost, rt: Runtime, item: Item, ctx: UserContext, ids: number[], signal: AbortSignal | undefined, onDelta?: (text: string) => void): Promise<Reason> {
  try {
    const first = await host.generate({ ids, maxNewTokens: host.maxNewTokens, sentences: host.sentences, onDelta, signal });
    let text = shownText(first);
    let check = host.check(text, item, ctx, rt, null);
    let tokens = first.tokens.length;
    let ms = first.ms;
    if (!check.ok && check.banned.length > 0) {
      // Once more with the offending terms banned, still greedy (deterministic). Greedy decoding with
      // bans repeats the first attempt until a ban fires, so generation resumes at that token (same
      // result as starting over, for a fraction of the work); if no ban would fire, the retry would
      // repeat the first attempt exactly, so it is skipped.
      const badWords = encodeVariants(rt, check.banned);
      const cut = firstBannedIndex(first.tokens, badWords);
      if (cut >= 0) {
        host.regenerated();
        const prior = first.tokens.slice(0, cut);
        const second = await host.generate({ ids: [...ids, ...prior], prior, maxNewTokens: host.maxNewTokens, sentences: host.sentences, badWords, signal });
        text = shownText(second);
        check = host.check(text, item, ctx, rt, null);
        tokens = second.tokens.length;
        ms += second.ms;
      }
    }
    if (!check.ok) return host.fallback(item, ctx, check.problems[0]?.kind ?? 'ungrounded', rt.backend, ms);
    return { itemId: item.id, text, facts: check.cited, source: 'model', backend: rt.backend, tokens, ms };
  } catch (error) {
    return failed(host, error, item, ctx, rt);
  }
}
