// Runs the exported model on eval pairs through the engine's own runtime (src/runtime/runtime.ts:
// transformers.js, onnxruntime-node on CPU in Node) and decode loop (src/generation/generate.ts: batched,
// left-padded, greedy, stop at <|end|>). No grounding check and no fallback: the raw model text is scored.
// A slot model (v2) is run as the engine runs its first attempt: content plan → prompt format v2 →
// decoding under the plan's constraints → slots filled → the candidate the engine would show (pick.ts); that text is scored.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { contentPlan } from '../../src/core/plan.ts';
import type { ContentPlan } from '../../src/core/plan.ts';
import { buildPlanPrompt } from '../../src/core/plan-prompt.ts';
import type { ProperWords } from '../../src/core/casing.ts';
import { buildPrompt } from '../../src/core/prompt.ts';
import { fillSlots } from '../../src/core/slots.ts';
import type { DType } from '../../src/types.ts';
import { generateBatch } from '../../src/generation/generate.ts';
import { pickShown } from '../../src/engine/pick.ts';
import { loadRuntime } from '../../src/runtime/runtime.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { attemptPlan, firstAttemptSampling, type SlotDecoding } from '../../src/generation/slot-decoding.ts';
import { ModelCheck } from '../../src/engine/model-check.ts';
import { DECODING, DTYPE_FILES } from '../../src/defaults.ts';
import { DEFAULT_SENTENCES } from '../../src/engine/engine-options.ts';
import type { EvalPair } from './data.ts';

export const EVAL_MAX_NEW_TOKENS = 128;

export interface Generation {
  text: string;
  tokens: number;
  stop: string;
}

export interface SpeedRun {
  /** All new tokens over the summed wall time of the generate calls (prefill included). */
  tokens_per_s: number;
  /** Decode forward passes (one new token each) over their summed time: prefill excluded. */
  decode_tokens_per_s: number;
  mean_prefill_ms: number;
  /** 1-minute load average when the run ended (the machine is shared: numbers are noisy). */
  load_avg_1m: number;
}

export interface SpeedReport {
  prompts: number;
  batch: 1;
  repeats: number;
  /** Median over the repeats (each repeat runs every prompt once). */
  tokens_per_s: number;
  decode_tokens_per_s: number;
  /** Best repeat: the least disturbed by other work on the machine. */
  best_tokens_per_s: number;
  runs: SpeedRun[];
  mean_prompt_tokens: number;
  mean_new_tokens: number;
  cpus: number;
  how: string;
}

export interface ModelFiles {
  dir: string;
  file: string;
  bytes: number;
}

/** The model folder's file for a dtype, with its size; throws with what to run when it is missing. */
export function modelFiles(dir: string, dtype: DType): ModelFiles {
  const folder = resolve(dir);
  const file = join(folder, DTYPE_FILES[dtype]);
  if (!existsSync(file)) {
    throw new Error(
      `${file} does not exist. Build the model first (python3 -m training.build --data ../shared/data --out ${dir}; see training/README.md), ` +
        'pick another --model/--dtype, or pass --skip-model to score the baselines only.',
    );
  }
  return { dir: folder, file, bytes: statSync(file).size };
}

/** generation_config.json's max_new_tokens when the model folder sets one. */
export function configuredMaxNewTokens(dir: string): number | undefined {
  const file = join(dir, 'generation_config.json');
  if (!existsSync(file)) return undefined;
  const value = (JSON.parse(readFileSync(file, 'utf8')) as { max_new_tokens?: unknown }).max_new_tokens;
  return typeof value === 'number' && value > 0 ? value : undefined;
}

const firstPlans = new WeakMap<EvalPair, ContentPlan>();

/** The engine's first-attempt plan for a pair; computed once per pair (eval.ts groups pairs by it, generate() prompts with it). */
export function firstPlan(p: EvalPair): ContentPlan {
  let plan = firstPlans.get(p);
  if (!plan) firstPlans.set(p, (plan = attemptPlan(contentPlan(p.item, p.context), 0)));
  return plan;
}

export class ModelRunner {
  /** The slot rules when the model writes slots (reason model v2), else null. */
  private readonly slots: SlotDecoding | null;

  /** The lexicon's proper words: the fill keeps facts holding one as written, as the engine does. */
  private readonly proper: ProperWords;

  /** Plain greedy decoding instead of the engine's first attempt (eval --greedy: the comparison). */
  greedy = false;

  /** Stop after this many sentences, as the engine does (DEFAULT_SENTENCES); undefined: only at <|end|> or the limit. */
  sentences: number | undefined = DEFAULT_SENTENCES;

  private constructor(
    private readonly runtime: Runtime,
    readonly maxNewTokens: number,
  ) {
    // The engine's own reading of the model folder: the same slot rules and proper words.
    const model = new ModelCheck();
    this.slots = model.slotsOf(runtime);
    this.proper = model.properOf(runtime) ?? new Set();
  }

  /** `threads`: onnxruntime intra-op threads (default: onnxruntime's choice, one per core). */
  static async load(dir: string, dtype: DType, maxNewTokens: number, threads?: number): Promise<ModelRunner> {
    const sessionOptions = threads ? { intraOpNumThreads: threads } : undefined;
    const runtime = await loadRuntime({ model: resolve(dir), dtype, device: 'auto', ...(sessionOptions ? { sessionOptions } : {}) });
    return new ModelRunner(runtime, maxNewTokens);
  }

  get backend(): string {
    return `${this.runtime.backend} (${this.runtime.backendReason})`;
  }

  private rows(pairs: readonly EvalPair[], greedy = this.greedy) {
    const sentences = this.sentences;
    return pairs.map((p) => {
      if (!this.slots) return { ids: this.runtime.encode(buildPrompt(p.item, p.context)), maxNewTokens: this.maxNewTokens, sentences };
      const plan = firstPlan(p);
      const prompt = buildPlanPrompt(plan);
      // The engine's first attempt: its seeded samples; generate() picks among them as the engine does (no check).
      const decoding = greedy ? {} : { candidates: DECODING.candidates, sampling: firstAttemptSampling(this.runtime.modelId, prompt, plan) };
      return { ids: this.runtime.encode(prompt), maxNewTokens: this.maxNewTokens, sentences, constraints: this.slots.constraints(plan), plan, ...decoding };
    });
  }

  /**
   * Greedy reasons for every pair, `batch` prompts per forward pass. Prompts are grouped by token
   * length so that batches carry little padding; results come back keyed by pair id.
   */
  async generate(pairs: readonly EvalPair[], batch: number, onProgress?: (done: number, total: number) => void): Promise<Map<string, Generation>> {
    const rows = this.rows(pairs).map((row, index) => ({ row, pair: pairs[index]! }));
    rows.sort((a, b) => a.row.ids.length - b.row.ids.length);
    const out = new Map<string, Generation>();
    for (let start = 0; start < rows.length; start += batch) {
      const group = rows.slice(start, start + batch);
      const { results } = await generateBatch(this.runtime.step, this.runtime.detokenize, group.map((g) => g.row), {
        eosId: this.runtime.eosId,
        padId: this.runtime.padId,
      });
      results.forEach((r, k) => {
        const plan = (group[k]!.row as { plan?: ContentPlan }).plan;
        if (!plan) return out.set(group[k]!.pair.id, { text: r.text.trim(), tokens: r.tokens.length, stop: r.stop });
        // Picked as the engine picks among accepted candidates (src/engine/pick.ts), with no check.
        const filled = (r.candidates ?? [r]).map((c) => ({ ...fillSlots(c.text.trim(), plan, this.proper), tokens: c.tokens.length, stop: c.stop }));
        const shown = pickShown(filled, plan.history.length > 0)!;
        out.set(group[k]!.pair.id, { text: shown.text, tokens: shown.tokens, stop: shown.stop });
      });
      onProgress?.(Math.min(start + batch, rows.length), rows.length);
    }
    return out;
  }

  /** Greedy decode speed at batch 1: one warm-up call, then `repeats` passes over the prompts, each prompt alone. */
  async speed(pairs: readonly EvalPair[], repeats = 3): Promise<SpeedReport> {
    const rows = this.rows(pairs, true); // decode speed of one greedy lane
    const options = { eosId: this.runtime.eosId, padId: this.runtime.padId };
    if (rows[0]) await generateBatch(this.runtime.step, this.runtime.detokenize, [rows[0]], options);
    const runs: SpeedRun[] = [];
    let tokens = 0;
    for (let rep = 0; rep < repeats; rep++) {
      let wall = 0;
      let decodeSteps = 0;
      let decodeMs = 0;
      let prefillMs = 0;
      tokens = 0;
      for (const row of rows) {
        const t0 = performance.now();
        const { stats } = await generateBatch(this.runtime.step, this.runtime.detokenize, [row], options);
        wall += performance.now() - t0;
        tokens += stats.tokens;
        decodeSteps += stats.steps - 1;
        decodeMs += stats.decodeMs;
        prefillMs += stats.prefillMs;
      }
      runs.push({
        tokens_per_s: wall > 0 ? (tokens / wall) * 1000 : 0,
        decode_tokens_per_s: decodeMs > 0 ? (decodeSteps / decodeMs) * 1000 : 0,
        mean_prefill_ms: prefillMs / Math.max(rows.length, 1),
        load_avg_1m: loadavg()[0] ?? 0,
      });
    }
    const n = Math.max(rows.length, 1);
    return {
      prompts: rows.length,
      batch: 1,
      repeats,
      tokens_per_s: median(runs.map((r) => r.tokens_per_s)),
      decode_tokens_per_s: median(runs.map((r) => r.decode_tokens_per_s)),
      best_tokens_per_s: Math.max(0, ...runs.map((r) => r.tokens_per_s)),
      runs,
      mean_prompt_tokens: rows.reduce((sum, r) => sum + r.ids.length, 0) / n,
      mean_new_tokens: tokens / n,
      cpus: cpus().length,
      how:
        `src/generation/generate.ts generateBatch at batch 1 on ${rows.length} held-out prompts, one warm-up call, then ${repeats} passes; ` +
        'tokens_per_s = new tokens / summed wall time of the calls (prefill + decode + detokenize), median of the passes; ' +
        'decode_tokens_per_s = decode forward passes / their summed time',
    };
  }

  async dispose(): Promise<void> {
    await this.runtime.dispose();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length === 0 ? 0 : sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
