// `npm run eval`: scores the exported model (raw output, no grounding/fallback) against the template
// and retrieval baselines (and XRec's own predictions on the held-out XRec pairs) on the held-out
// split. Metric definitions and results: docs/quality.md. `npm run eval -- --help` for options.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { termKey } from '../src/core/facts.ts';
import { parseArgs } from 'node:util';
import type { DType } from '../src/types.ts';
import { DTYPE_FILES } from '../src/defaults.ts';
import { createBaselines } from './eval/baselines.ts';
import { loadOptionalSplit, loadSplit, samplePairs } from './eval/data.ts';
import type { EvalPair } from './eval/data.ts';
import { buildVocabularies, createFactChecker, readFactsVocab } from './eval/factuality.ts';
import type { FactCheck } from './eval/factuality.ts';
import { factualScores, openScores, scoreSystem } from './eval/metrics.ts';
import type { SystemScores } from './eval/metrics.ts';
import { compareSystems, type Comparison } from './eval/significance.ts';
import { configuredMaxNewTokens, EVAL_MAX_NEW_TOKENS, firstPlan, ModelRunner, modelFiles } from './eval/model-runner.ts';
import type { Generation, ModelFiles, SpeedReport } from './eval/model-runner.ts';
import { formatMarkdown, formatTable } from './eval/report.ts';
import { loadEngineCheck } from './audit/engine-check.ts';
import { trainingLexicon } from './audit/lexicon.ts';
import { createOpenChecker, pairSkeleton } from './eval/open-check.ts';
import type { OpenCheck } from './eval/open-check.ts';
import { ensurePreparedData } from './eval/prepare.ts';
import { DEFAULT_MODEL_ID } from '../src/defaults.ts';
import { DEFAULT_SENTENCES } from '../src/engine/engine-options.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

const HELP = `Usage: npm run eval -- [options]
  --data DIR            prepared data (default training/out/data, prepared from ../shared/data when missing; CI-size: training/fixtures)
  --shared DIR          ../shared/data, to prepare the default data folder from (default ../shared/data)
  --model DIR           model folder (default public/models/${DEFAULT_MODEL_ID}, the engine's default)
  --dtype D             ${Object.keys(DTYPE_FILES).join('|')} (default q8)
  --limit N             score a seeded sample of N held-out pairs (default: all)
  --xrec-limit N        of the held-out XRec pairs (default: all)
  --seed N              sampling seed (default 0)
  --batch N             prompts per forward pass for the quality run (default 8)
  --threads N           onnxruntime intra-op threads (default: onnxruntime's, one per core)
  --max-new-tokens N    default: generation_config.json's max_new_tokens, else ${EVAL_MAX_NEW_TOKENS}
  --sentences N         stop after N sentences (default ${DEFAULT_SENTENCES}, the engine's; 0: only at <|end|> or the limit)
  --speed-prompts N     prompts for the batch-1 speed measurement (default 20; 0 skips it)
  --speed-repeats N     passes over those prompts; the median is reported (default 3)
  --skip-model          score only the baselines (and XRec)
  --greedy              decode a slot model greedily (one lane) instead of the engine's first attempt
  --json                print one JSON object instead of tables
  --markdown            print the tables as Markdown (for docs/quality.md)
  --by-source           also print per-source tables
  --json-out FILE       also write the JSON object to FILE
  --save FILE           write every pair's texts and ungrounded terms as JSON lines`;

function positiveInt(name: string, raw: string | undefined, fallback: number | undefined, allowZero = false): number | undefined {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) throw new Error(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got '${raw}'`);
  return value;
}

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: 'training/out/data' },
    shared: { type: 'string', default: '../shared/data' },
    model: { type: 'string', default: `public/models/${DEFAULT_MODEL_ID}` },
    dtype: { type: 'string', default: 'q8' },
    limit: { type: 'string' },
    'xrec-limit': { type: 'string' },
    seed: { type: 'string' },
    batch: { type: 'string' },
    threads: { type: 'string' },
    'max-new-tokens': { type: 'string' },
    sentences: { type: 'string' },
    'speed-prompts': { type: 'string' },
    'speed-repeats': { type: 'string' },
    'skip-model': { type: 'boolean', default: false },
    greedy: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    markdown: { type: 'boolean', default: false },
    'by-source': { type: 'boolean', default: false },
    save: { type: 'string' },
    'json-out': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

const log = (message: string): void => void process.stderr.write(`${message}\n`);

type SystemName = 'model' | 'template' | 'retrieval' | 'xrec';
type Texts = Partial<Record<SystemName, string>>;

async function main(): Promise<void> {
  if (args.help) {
    console.log(HELP);
    return;
  }
  if (!(args.dtype! in DTYPE_FILES)) throw new Error(`--dtype must be one of ${Object.keys(DTYPE_FILES).join(', ')}`);
  const dtype = args.dtype as DType;
  const limit = positiveInt('limit', args.limit, undefined);
  const xrecLimit = positiveInt('xrec-limit', args['xrec-limit'], undefined);
  const seed = positiveInt('seed', args.seed, 0, true)!;
  const batch = positiveInt('batch', args.batch, 8)!;
  const threads = positiveInt('threads', args.threads, undefined);
  const speedPrompts = positiveInt('speed-prompts', args['speed-prompts'], 20, true)!;
  const speedRepeats = positiveInt('speed-repeats', args['speed-repeats'], 3)!;
  const started = performance.now();

  // Data: held-out pairs, the training split (retrieval + vocabulary), the held-out XRec pairs.
  const dataDir = args.data!;
  // A fresh clone has no prepared data: the default folder is prepared here (once, ~2 min).
  if (resolve(dataDir) === resolve(ROOT, 'training/out/data')) ensurePreparedData('training/out/data', { root: ROOT, shared: resolve(args.shared!), log });
  const train = loadSplit(dataDir, 'train');
  const valid = loadOptionalSplit(dataDir, 'valid') ?? [];
  const testAll = loadSplit(dataDir, 'test');
  const xrecAll = loadOptionalSplit(dataDir, 'xrec_test');
  const test = samplePairs(testAll, limit, seed);
  const xrecPairs = xrecAll ? samplePairs(xrecAll.filter((p) => p.xrecPrediction !== undefined), xrecLimit, seed) : [];
  log(`data ${dataDir}: train ${train.length}, test ${test.length}/${testAll.length}, xrec held-out ${xrecPairs.length}/${xrecAll?.length ?? 0}`);

  // The model first, so a missing model fails before minutes of baseline work.
  let files: ModelFiles | undefined;
  let runner: ModelRunner | undefined;
  const maxNewTokens = positiveInt('max-new-tokens', args['max-new-tokens'], undefined) ?? configuredMaxNewTokens(args.model!) ?? EVAL_MAX_NEW_TOKENS;
  if (!args['skip-model']) {
    files = modelFiles(args.model!, dtype);
    runner = await ModelRunner.load(files.dir, dtype, maxNewTokens, threads);
    runner.greedy = args.greedy === true;
    runner.sentences = positiveInt('sentences', args.sentences, DEFAULT_SENTENCES, true) || undefined;
    log(`model ${files.file} (${files.bytes} bytes) on ${runner.backend}, max ${maxNewTokens} new tokens`);
  }

  const factsVocab = files ? readFactsVocab(files.dir) : readFactsVocab(resolve(args.model!));
  const checker = createFactChecker(buildVocabularies([...train, ...valid, ...testAll, ...(xrecAll ?? [])], factsVocab), factsVocab);
  const baselines = createBaselines(train);
  // The open-vocabulary check: the engine's (src/core/check.ts + the model's lexicon.json) when this
  // tree has it, else the audit's rules with the training references as dictionary.
  const engineCheck = await loadEngineCheck(files?.dir ?? resolve(args.model!));
  const titleKeys = new Map<string, Set<string>>();
  for (const p of [...train, ...valid, ...testAll, ...(xrecAll ?? [])]) {
    const domain = p.domain.toLowerCase();
    let keys = titleKeys.get(domain);
    if (!keys) titleKeys.set(domain, (keys = new Set()));
    keys.add(termKey(p.item.title));
    for (const h of p.context.history ?? []) keys.add(termKey(h.title));
  }
  const openChecker = createOpenChecker(checker, engineCheck, engineCheck?.hasLexicon ? null : trainingLexicon(dataDir), titleKeys);

  // Every distinct pair once: the XRec pairs are part of the held-out split too.
  const pairs = new Map<string, EvalPair>();
  for (const p of [...test, ...xrecPairs]) pairs.set(p.id, p);
  const texts = new Map<string, Texts>();
  for (const p of pairs.values()) {
    const t: Texts = { template: baselines.template(p), retrieval: baselines.retrieval(p) };
    if (p.xrecPrediction !== undefined) t.xrec = p.xrecPrediction;
    texts.set(p.id, t);
  }

  let generations: Map<string, Generation> | undefined;
  let speed: SpeedReport | undefined;
  let generateSeconds = 0;
  if (runner) {
    const t0 = performance.now();
    let last = 0;
    generations = await runner.generate([...pairs.values()], batch, (done, total) => {
      if (done === total || performance.now() - last > 15_000) {
        last = performance.now();
        log(`generated ${done}/${total} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      }
    });
    generateSeconds = (performance.now() - t0) / 1000;
    for (const [id, g] of generations) texts.get(id)!.model = g.text;
    if (speedPrompts > 0) {
      // The same prompts whatever --limit says: the first of the seeded order.
      speed = await runner.speed(samplePairs(testAll, speedPrompts, seed), speedRepeats);
      log(`speed: ${speed.runs.map((r) => r.tokens_per_s.toFixed(1)).join(', ')} tok/s end-to-end (batch 1)`);
    }
    await runner.dispose();
  }

  // Fact checks once per (pair, system).
  const checks = new Map<string, Partial<Record<SystemName | 'reference', FactCheck>>>();
  const opens = new Map<string, Partial<Record<SystemName | 'reference', OpenCheck & { skeleton: string }>>>();
  for (const p of pairs.values()) {
    const t = texts.get(p.id)!;
    const c: Partial<Record<SystemName | 'reference', FactCheck>> = { reference: checker.check(p.reason, p) };
    for (const name of Object.keys(t) as SystemName[]) c[name] = checker.check(t[name]!, p);
    checks.set(p.id, c);
    const o: Partial<Record<SystemName | 'reference', OpenCheck & { skeleton: string }>> = {};
    for (const [name, text] of [['reference', p.reason], ...Object.entries(t)] as [SystemName | 'reference', string][]) {
      o[name] = { ...openChecker.check(text, p, c[name]!), skeleton: pairSkeleton(text, p, c[name]!) };
    }
    opens.set(p.id, o);
  }

  const score = (system: SystemName, subset: readonly EvalPair[]): SystemScores | undefined => {
    const rows = subset.filter((p) => texts.get(p.id)![system] !== undefined);
    if (rows.length === 0 || rows.length !== subset.length) return undefined;
    return scoreSystem(
      rows.map((p) => {
        const check = checks.get(p.id)![system]!;
        const open = opens.get(p.id)![system]!;
        return { generated: texts.get(p.id)![system]!, reference: p.reason, features: check.features, facts: check, open, skeleton: open.skeleton };
      }),
    );
  };
  const systems = (subset: readonly EvalPair[], withXrec: boolean) => {
    const out: Partial<Record<SystemName, SystemScores>> = {};
    for (const name of ['model', 'template', 'retrieval', ...(withXrec ? ['xrec'] : [])] as SystemName[]) {
      const s = score(name, subset);
      if (s) out[name] = s;
    }
    return out;
  };
  const referenceFactual = (subset: readonly EvalPair[]) => ({
    ...factualScores(subset.map((p) => checks.get(p.id)!.reference!)),
    ...openScores(subset.map((p) => ({ open: opens.get(p.id)!.reference!, skeleton: opens.get(p.id)!.reference!.skeleton }))),
  });

  const main = systems(test, false);
  // The held-out split repeats inputs (one item for many users, many places with no facts): pairs
  // with the same content plan get the same reason from any system that reads only the plan, so USR
  // over `test` cannot pass distinct plans / n. One pair per plan shows whether the model repeats itself.
  const plans = new Map(test.map((p) => [p, firstPlan(p)] as const));
  const onePerPlan = [...new Map(test.map((p) => [JSON.stringify(plans.get(p)), p] as const)).values()];
  const perPlan = systems(onePerPlan, false);
  // The engine asks the model only when the plan cites something (src/engine/attempts.ts
  // 'nothing-planned'): the model's text on these pairs is the text a visitor can see.
  const planned = test.filter((p) => plans.get(p)!.facts.length > 0 || plans.get(p)!.history.length > 0);
  const plannedSystems = systems(planned, false);
  const xrecSystems = xrecPairs.length > 0 ? systems(xrecPairs, true) : undefined;
  const sources = [...new Set(test.map((p) => p.source))].sort();
  const bySource = Object.fromEntries(sources.map((s) => [s, systems(test.filter((p) => p.source === s), false)]));
  // Is the model's lead real? Paired bootstrap over the same pairs (1000 resamples, seed 1).
  const compare = (subset: readonly EvalPair[], a: SystemName, b: SystemName): { bleu4: Comparison; rougeL: Comparison } | undefined => {
    if (!subset.every((p) => texts.get(p.id)![a] !== undefined && texts.get(p.id)![b] !== undefined) || subset.length === 0) return undefined;
    return compareSystems(subset.map((p) => texts.get(p.id)![a]!), subset.map((p) => texts.get(p.id)![b]!), subset.map((p) => p.reason));
  };
  const comparisons = runner
    ? {
        test: { model_vs_retrieval: compare(test, 'model', 'retrieval'), model_vs_template: compare(test, 'model', 'template') },
        ...(xrecPairs.length ? { xrec_pairs: { model_vs_xrec: compare(xrecPairs, 'model', 'xrec'), model_vs_retrieval: compare(xrecPairs, 'model', 'retrieval') } } : {}),
      }
    : undefined;
  const stops: Record<string, number> = {};
  for (const g of generations?.values() ?? []) stops[g.stop] = (stops[g.stop] ?? 0) + 1;

  const result = {
    ...main,
    ...(xrecSystems?.xrec ? { xrec: xrecSystems.xrec } : {}),
    ...(xrecSystems ? { xrec_pairs: xrecSystems } : {}),
    by_source: bySource,
    one_per_plan: { pairs: onePerPlan.length, usr_ceiling: onePerPlan.length / Math.max(test.length, 1), ...perPlan },
    planned: { pairs: planned.length, ...plannedSystems },
    ...(comparisons ? { comparisons } : {}),
    reference_factual: { test: referenceFactual(test), ...(xrecPairs.length ? { xrec_pairs: referenceFactual(xrecPairs) } : {}) },
    meta: {
      data: dataDir,
      split: 'test',
      test_pairs: test.length,
      test_pairs_total: testAll.length,
      xrec_pairs: xrecPairs.length,
      sample: limit === undefined ? 'all' : `seeded hash sample, seed ${seed}`,
      train_pairs: train.length,
      model: files ? { dir: args.model, dtype, file: DTYPE_FILES[dtype], bytes: files.bytes, backend: 'onnxruntime-node CPU via transformers.js (src/runtime/runtime.ts)' } : null,
      decoding: { greedy: args.greedy === true, sentences: runner?.sentences ?? null, batch, threads: threads ?? 'onnxruntime default', max_new_tokens: maxNewTokens, grounding: 'off (raw model text)', stops },
      generate_seconds: generateSeconds,
      speed: speed ?? null,
      vocabulary_terms: checker.sizes,
      open_check: openChecker.source,
      seconds: (performance.now() - started) / 1000,
      tokenization: 'NFKC, lower-case, word tokens = runs of letters/digits (inner apostrophes kept); punctuation dropped',
    },
  };

  if (args.save) {
    const lines = [...pairs.values()].map((p) =>
      JSON.stringify({
        id: p.id,
        source: p.source,
        reference: p.reason,
        ...texts.get(p.id),
        ungrounded: Object.fromEntries(Object.entries(checks.get(p.id)!).map(([k, c]) => [k, c!.ungroundedTerms])),
        open_problems: Object.fromEntries(Object.entries(opens.get(p.id)!).map(([k, o]) => [k, o!.problems])),
      }),
    );
    writeFileSync(args.save, lines.join('\n') + '\n');
    log(`wrote ${lines.length} pairs to ${args.save}`);
  }

  if (args['json-out']) writeFileSync(args['json-out'], JSON.stringify(result, null, 1) + '\n');
  if (args.json) {
    console.log(JSON.stringify(result));
    return;
  }
  const table = (title: string, rows: Partial<Record<SystemName, SystemScores>>): string =>
    args.markdown ? `**${title}**\n\n${formatMarkdown(rows)}` : formatTable(title, rows);
  console.log(table(`Held-out split: ${test.length} pairs (${result.meta.sample})`, main));
  console.log('\n' + table(`Pairs whose plan cites something (the engine asks the model only for these): ${planned.length} of ${test.length}`, plannedSystems));
  console.log('\n' + table(`One pair per distinct content plan: ${onePerPlan.length} of ${test.length} (the USR any plan-reading system can reach on the split: ${result.one_per_plan.usr_ceiling.toFixed(3)})`, perPlan));
  if (xrecSystems) console.log('\n' + table(`Held-out XRec pairs: ${xrecPairs.length} (xrec = XRec's own predictions)`, xrecSystems));
  if (args['by-source']) for (const s of sources) console.log('\n' + table(`Source ${s}`, bySource[s]!));
  if (comparisons) console.log('\nPaired bootstrap, 1000 resamples: A − B with 95% interval');
  for (const [set, pairsOf] of Object.entries(comparisons ?? {})) {
    for (const [name, c] of Object.entries(pairsOf as Record<string, { bleu4: Comparison; rougeL: Comparison } | undefined>)) {
      if (!c) continue;
      const show = (m: Comparison) => `${m.diff >= 0 ? '+' : ''}${m.diff.toFixed(4)} [${m.ci95[0].toFixed(4)}, ${m.ci95[1].toFixed(4)}] (A better in ${(m.win_share * 100).toFixed(1)}%)`;
      console.log(`  ${set} ${name}: BLEU-4 ${show(c.bleu4)}; ROUGE-L ${show(c.rougeL)}`);
    }
  }
  const ref = result.reference_factual.test;
  console.log(`\nReference reasons' own factual precision (the metric's ceiling on this data): ${ref.factual_precision?.toFixed(3) ?? '-'}`);
  console.log(
    `References under the open-vocabulary check (${openChecker.source}): precision ${ref.open_factual_precision?.toFixed(3) ?? '-'}, ` +
      `pass ${ref.open_check_pass?.toFixed(3) ?? '-'}, distinct skeletons ${ref.distinct_skeletons?.toFixed(3) ?? '-'}`,
  );
  if (files) console.log(`Model file: ${DTYPE_FILES[dtype]} ${(files.bytes / 1e6).toFixed(2)} MB (${files.bytes} bytes); stops: ${JSON.stringify(stops)}`);
  if (speed) {
    console.log(
      `Speed (batch 1, ${speed.prompts} prompts × ${speed.repeats} passes, warm, ${speed.cpus} CPUs): median ${speed.tokens_per_s.toFixed(1)} tok/s end-to-end ` +
        `(best ${speed.best_tokens_per_s.toFixed(1)}), ${speed.decode_tokens_per_s.toFixed(1)} tok/s decode-only; mean prompt ${speed.mean_prompt_tokens.toFixed(0)} tokens; ` +
        `load average ${speed.runs.map((r) => r.load_avg_1m.toFixed(1)).join(', ')}`,
    );
  }
  console.log(`Done in ${result.meta.seconds.toFixed(0)} s.`);
}

main().catch((error: unknown) => {
  process.stderr.write(`eval: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
