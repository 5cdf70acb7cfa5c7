// `npm run fuzz -- --runs N [--seed S] [--json]`: the fuzz properties of test/unit/scripts/fuzz.test.ts
// (scripts/reliability/fuzz-properties.ts) over N random scenarios (default 2000; each makes 1-3
// calls). Prints the counts; exits 1 with the shrunk counterexample when a property fails.
import { parseArgs } from 'node:util';
import { emptyStats, fuzz, type FuzzStats } from './reliability/fuzz-properties.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '2000' }, seed: { type: 'string' }, json: { type: 'boolean', default: false } },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got '${values.runs}'`);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);

const t0 = performance.now();
const stats: FuzzStats = emptyStats();
let failure: unknown = null;
try {
  await fuzz({ stats, runs, seed, onProgress: (s) => !values.json && s.runs % 500 === 0 && console.error(`… ${s.runs} runs, ${s.calls} calls`) });
} catch (error) {
  failure = error;
}
const report = { seed, requestedRuns: runs, seconds: Math.round((performance.now() - t0) / 100) / 10, ok: failure === null, ...stats, failure: failure ? String((failure as Error).message) : undefined };
if (values.json) console.log(JSON.stringify(report, null, 2));
else {
  console.log(`fuzz: seed ${seed}, ${stats.runs} runs, ${stats.calls} calls in ${report.seconds} s: ${stats.resolved} resolved, rejected ${JSON.stringify(stats.rejected)}`);
  console.log(`  reasons: ${stats.modelReasons} model, fallbacks ${JSON.stringify(stats.fallbacks)}; longest event-loop block ${stats.maxBlockMs.toFixed(0)} ms wall / ${stats.maxBlockCpuMs.toFixed(0)} ms CPU, longest call ${stats.maxCallMs.toFixed(0)} ms`);
  if (failure) console.log(`FAILED: ${report.failure}`);
}
process.exitCode = failure ? 1 : 0;
