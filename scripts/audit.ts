// `npm run audit`: the shipped model through the engine (in-thread, grounding ON, fallbacks as a
// visitor sees them) on pages built from catalogs: the demo's Steam games with a 0-, 1- and 5-entry
// history, and each catalog of test/fixtures/catalogs/ (untrained domains, and movies and books) with a
// 0- and 3-entry history.
// Counts what a visitor should never see on shown reasons. Definitions and results: docs/quality.md
// ("Shown-reason audit"). `npm run audit -- --help` for options.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { termKey } from '../src/core/facts.ts';
import type { DType, Explainer, Reason } from '../src/types.ts';
import { allTitles, demoCatalog, testCatalogs } from './audit/catalogs.ts';
import type { Catalog } from './audit/catalogs.ts';
import { loadEngineCheck } from './audit/engine-check.ts';
import { findingsOf } from './audit/findings.ts';
import type { AuditedReason, AuditResources } from './audit/findings.ts';
import { trainingLexicon } from './audit/lexicon.ts';
import { titleMatcher } from './audit/names.ts';
import { planOf } from './audit/plan-omission.ts';
import type { PlannedCitations } from './audit/plan-omission.ts';
import { samplesMarkdown, summaryMarkdown } from './audit/report.ts';
import { buildScenario } from './audit/scenarios.ts';
import type { Scenario } from './audit/scenarios.ts';
import { tally, targetFailures } from './audit/tally.ts';
import type { Tally } from './audit/tally.ts';
import { DEFAULT_MODEL_ID } from '../src/defaults.ts';
import { DEFAULT_DATA_DIR, DEFAULT_SHARED_DATA, ensurePreparedData } from './eval/prepare.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

const HELP = `Usage: npm run audit -- [options]
  --model DIR        model folder (default: the engine's default model)
  --limit N          items per page (scenario), default 12
  --seed N           page/history sampling seed (default 0)
  --json             print one JSON object instead of tables
  --json-out FILE    also write the JSON object to FILE
  --save FILE        write every shown reason with its findings as JSON lines
  --samples          also print 40 shown reasons (demo and musical instruments, with and without history) as Markdown
  --data DIR         prepared data, for the dictionary and the training titles (default ${DEFAULT_DATA_DIR}; prepared from ../shared/data when missing)
  --shared DIR       ../shared/data (default ${DEFAULT_SHARED_DATA})
  --max-new-tokens N engine's maxNewTokens (default: the engine's)
  --dtype D          model weights variant (q8, q4, …; default: the engine's)`;

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    limit: { type: 'string', default: '12' },
    seed: { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
    'json-out': { type: 'string' },
    samples: { type: 'boolean', default: false },
    save: { type: 'string' },
    data: { type: 'string', default: DEFAULT_DATA_DIR },
    shared: { type: 'string', default: DEFAULT_SHARED_DATA },
    'max-new-tokens': { type: 'string' },
    dtype: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

const log = (message: string): void => void process.stderr.write(`${message}\n`);

function int(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got '${raw}'`);
  return n;
}

/** History sizes per catalog: the demo is audited as a returning and a new visitor more finely. */
const HISTORY_SIZES = (catalog: Catalog): number[] => (catalog.name === 'steam-demo' ? [0, 1, 5] : [0, 3]);
/** The four scenarios of --samples (10 reasons each). */
const SAMPLE_SCENARIOS = ['steam-demo/history-0', 'steam-demo/history-5', 'musical-instruments/history-0', 'musical-instruments/history-3'];

type PlanFn = (item: Scenario['items'][number], context: Scenario['context']) => PlannedCitations | undefined;

/** The engine's content plan (src/core/plan.ts, v2), when the tree has one; reasons may also carry their own. */
async function loadPlanner(): Promise<PlanFn | undefined> {
  try {
    const mod = (await import(new URL('../src/core/plan.ts', import.meta.url).href)) as { contentPlan?: PlanFn };
    return typeof mod.contentPlan === 'function' ? mod.contentPlan : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  if (args.help) {
    console.log(HELP);
    return;
  }
  const limit = int('limit', args.limit, 1)!;
  const seed = int('seed', args.seed, 0)!;
  const maxNewTokens = int('max-new-tokens', args['max-new-tokens'], 1);
  const started = performance.now();

  // Dictionary and training titles come from the prepared data; prepare it on a fresh clone.
  ensurePreparedData(args.data!, { root: ROOT, shared: args.shared, log });
  const dataDir = resolve(ROOT, args.data!);
  const catalogs = [demoCatalog(ROOT), ...testCatalogs(ROOT)];
  const titles = allTitles(ROOT, catalogs, { data: dataDir, shared: resolve(ROOT, args.shared!) });
  const lexicon = trainingLexicon(dataDir);
  const modelDir = resolve(ROOT, args.model ?? `public/models/${DEFAULT_MODEL_ID}`);
  const engineCheck = await loadEngineCheck(modelDir);
  const resources: AuditResources = {
    allTitles: titleMatcher(titles.titles),
    allTitleKeys: new Set(titles.titles.map(termKey)),
    lexicon,
    engineCheck,
  };
  log(`titles ${titles.titles.length} (${JSON.stringify(titles.counts)}); dictionary ${lexicon?.size ?? 'none'} words`);
  const planner = await loadPlanner();

  const { createExplainer } = await import('../src/index.ts');
  const { namesHistory } = await import('../src/engine/pick.ts');
  const rows: AuditedReason[] = [];
  const scenarios: Scenario[] = [];
  let modelInfo: Awaited<ReturnType<Explainer['info']>> | undefined;
  for (const catalog of catalogs) {
    // One explainer per store: the engine remembers the titles it has seen on that store's pages.
    const explainer = createExplainer({ worker: false, persistentCache: false, ...(args.model ? { model: resolve(args.model) } : {}), ...(maxNewTokens ? { maxNewTokens } : {}), ...(args.dtype ? { dtype: args.dtype as DType } : {}) });
    modelInfo = await explainer.info();
    if (!modelInfo.modelLoaded) throw new Error(`the model did not load: ${modelInfo.backendReason}`);
    for (const size of HISTORY_SIZES(catalog)) {
      const scenario = buildScenario(catalog, size, limit, seed);
      scenarios.push(scenario);
      const t0 = performance.now();
      const reasons: Reason[] = await explainer.explain(scenario.items, scenario.context);
      const pageTitleList = scenario.items.map((i) => i.title);
      const pageTitles = titleMatcher(pageTitleList);
      reasons.forEach((reason, k) => {
        const item = scenario.items[k]!;
        const plan = planOf(reason) ?? planner?.(item, scenario.context);
        rows.push({
          scenario: scenario.name,
          itemId: item.id,
          title: item.title,
          text: reason.text,
          source: reason.source,
          ...(reason.fallbackReason ? { fallbackReason: reason.fallbackReason } : {}),
          namesHistory: namesHistory(reason.facts),
          findings: findingsOf(reason.text, { item, context: scenario.context, domain: scenario.domain, pageTitles, pageTitleList, ...(plan ? { plan } : {}) }, resources),
        });
      });
      log(`${scenario.name}: ${reasons.length} reasons, ${reasons.filter((r) => r.source === 'model').length} model (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
    await explainer.dispose();
  }

  const byScenario: Record<string, Tally & { history: number; domain: string; target_failures: string[] }> = {};
  for (const s of scenarios) {
    const t = tally(rows.filter((r) => r.scenario === s.name));
    byScenario[s.name] = { history: s.historySize, domain: s.domain, ...t, target_failures: targetFailures(t, s.historySize > 0) };
  }
  const overall = tally(rows);
  const failures = Object.entries(byScenario).flatMap(([name, t]) => t.target_failures.map((f) => `${name}: ${f}`));
  const samples = args.samples ? rows.filter((r) => SAMPLE_SCENARIOS.includes(r.scenario)) : [];
  const sampleRows = SAMPLE_SCENARIOS.flatMap((name) => samples.filter((r) => r.scenario === name).slice(0, 10));
  const result = {
    overall,
    scenarios: byScenario,
    targets_met: failures.length === 0,
    target_failures: failures,
    ...(args.samples ? { samples: sampleRows.map(({ scenario, title, text, source, fallbackReason }) => ({ scenario, title, text, source, ...(fallbackReason ? { fallbackReason } : {}) })) } : {}),
    meta: {
      model: modelInfo ? { id: modelInfo.modelId, dtype: modelInfo.dtype, backend: modelInfo.backend, dir: args.model ?? 'engine default' } : null,
      engine: { worker: false, grounding: 'on (engine default: check, one regeneration, labelled fallback)', max_new_tokens: maxNewTokens ?? 'engine default' },
      plan: planner ? 'src/core/plan.ts contentPlan (or the plan a reason carries)' : 'none (no plan in this engine): planned_omitted is null',
      limit_per_scenario: limit,
      seed,
      catalogs: catalogs.map((c) => ({ name: c.name, domain: c.domain, items: c.items.length, source: c.source })),
      titles_checked: titles.counts,
      dictionary: engineCheck?.hasLexicon ? `the engine's (${engineCheck.source})` : lexicon ? `training references' words (${lexicon.size})` : 'none: non_words not counted',
      engine_check: engineCheck?.source ?? 'none in this tree',
      seconds: (performance.now() - started) / 1000,
    },
  };
  if (args.save) writeFileSync(args.save, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  if (args['json-out']) writeFileSync(args['json-out'], JSON.stringify(result, null, 1) + '\n');
  if (args.json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(summaryMarkdown(byScenario, overall));
  if (args.samples) console.log('\n' + samplesMarkdown(sampleRows));
  console.log(`\nTargets (issue 7): ${failures.length === 0 ? 'met' : `not met: ${failures.length} failures`}. Done in ${result.meta.seconds.toFixed(0)} s.`);
}

main().catch((error: unknown) => {
  process.stderr.write(`audit: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
