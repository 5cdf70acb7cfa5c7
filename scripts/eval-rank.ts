// `npm run eval:rank [-- --json] [--data ../shared/data] [--seed 7] [--users N] [--datasets a,b] [--tune]`
// Leave-one-out evaluation of src/core/rank.ts on real interaction histories: the last item of each
// user is ranked among 99 sampled unseen items; HR@10 and NDCG@10 against popularity and random.
// --tune grid-searches the weights on the validation split (second-to-last item) only.
import { rankItems, type RankWeights, DEFAULT_RANK_WEIGHTS, DEFAULT_RECENCY_HALF_LIFE } from '../src/core/rank.ts';
import type { HistoryEntry, Item } from '../src/types.ts';
import { datasetsAvailable, type EvalDataset, loadAmazon, loadLlmxrec } from './eval-rank/data.ts';
import { hashString, MetricSum, type Metrics, pairedDelta, sampleNegatives, seededRandom, shuffle } from './eval-rank/metrics.ts';

interface Args {
  data: string;
  json: boolean;
  seed: number;
  users: number;
  datasets: string[];
  tune: boolean;
}

const ALL = ['movielens-100k', 'steam', 'mind', 'amazon-musical-instruments'];

function parseArgs(argv: string[]): Args {
  const args: Args = { data: '../shared/data', json: false, seed: 7, users: Infinity, datasets: ALL, tune: false };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i]!;
    const next = () => argv[++i] ?? '';
    if (a === '--json') args.json = true;
    else if (a === '--tune') args.tune = true;
    else if (a === '--data') args.data = next();
    else if (a === '--seed') args.seed = Number(next());
    else if (a === '--users') args.users = Number(next());
    else if (a === '--datasets') args.datasets = next().split(',');
    else if (!a.startsWith('--')) args.data = a;
    else throw new Error(`unknown option ${a}`);
  }
  return args;
}

type Split = 'valid' | 'test';
type Method = 'rank' | 'popularity' | 'random';

interface Config {
  weights: RankWeights;
  halfLife: number;
}

/** One prepared leave-one-out case: candidates in random order, the target among them. */
interface Case {
  history: HistoryEntry[];
  candidates: Item[];
  target: string;
}

function prepare(ds: EvalDataset, split: Split, seed: number, maxUsers: number): Case[] {
  const cut = split === 'test' ? 1 : 2;
  const users = ds.sequences.filter((s) => s.length >= cut + 1).slice(0, maxUsers);
  // Priors only from the training part of every user's sequence (no held-out interaction leaks in).
  const popularity = new Map<string, number>();
  const ratingSum = new Map<string, number>();
  ds.sequences.forEach((seq, u) => {
    for (const key of seq.slice(0, Math.max(0, seq.length - cut))) {
      popularity.set(key, (popularity.get(key) ?? 0) + 1);
      const r = ds.ratings?.get(`${u}\t${key}`);
      if (r !== undefined) ratingSum.set(key, (ratingSum.get(key) ?? 0) + r);
    }
  });
  const pool = [...ds.items.keys()];
  const toItem = (key: string): Item => {
    const item = ds.items.get(key)!;
    const count = popularity.get(key) ?? 0;
    const attributes = { ...item.attributes, popularity: count };
    if (ds.ratings && count > 0) Object.assign(attributes, { rating: ratingSum.get(key)! / count, ratingCount: count });
    return { id: key, title: item.title, attributes };
  };
  return users.map((seq) => {
    const random = seededRandom(hashString(`${seed}:${ds.name}:${split}:${seq.join('\u0001')}`));
    const target = seq[seq.length - cut]!;
    const history = seq.slice(0, seq.length - cut).map((key) => {
      const item = ds.items.get(key)!;
      return { id: key, title: item.title, attributes: item.attributes };
    });
    const negatives = sampleNegatives(pool, new Set(seq), 99, random);
    return { history, candidates: shuffle([target, ...negatives], random).map(toItem), target };
  });
}

/** 0-based position of the target; ties keep the (random) candidate order, so they never favour it. */
function position(order: readonly string[], target: string): number {
  return order.indexOf(target);
}

function evaluate(cases: readonly Case[], method: Method, config: Config): MetricSum {
  const sum = new MetricSum();
  for (const c of cases) {
    let order: string[];
    if (method === 'random') order = c.candidates.map((i) => i.id);
    else if (method === 'popularity') {
      order = c.candidates
        .map((item, index) => ({ id: item.id, p: Number(item.attributes?.popularity ?? 0), index }))
        .sort((a, b) => b.p - a.p || a.index - b.index)
        .map((x) => x.id);
    } else {
      order = rankItems(c.candidates, { history: c.history }, { weights: config.weights, recencyHalfLife: config.halfLife }).map((r) => r.itemId);
    }
    sum.add(position(order, c.target));
  }
  return sum;
}

function loadAll(args: Args): EvalDataset[] {
  const out: EvalDataset[] = [];
  for (const name of args.datasets) {
    if (name === 'movielens-100k') out.push(loadLlmxrec(args.data, 'ml-100k'));
    else if (name === 'steam') out.push(loadLlmxrec(args.data, 'steam'));
    else if (name === 'mind') out.push(loadLlmxrec(args.data, 'mind_small_dev'));
    else if (name === 'amazon-musical-instruments') out.push(loadAmazon(args.data));
    else throw new Error(`unknown dataset ${name} (known: ${ALL.join(', ')})`);
  }
  return out;
}

/** Raw feature values per candidate (rank once with unit weights), so a weight grid is cheap. */
function featureTable(cases: readonly Case[], halfLife: number): { target: number; rows: Float64Array[] }[] {
  const unit = { facts: 1, title: 1, popularity: 1, rating: 1 };
  const names = ['shared-facts', 'similar-titles', 'popularity', 'rating'];
  return cases.map((c) => {
    const ranked = rankItems(c.candidates, { history: c.history }, { weights: unit, recencyHalfLife: halfLife });
    const byId = new Map(ranked.map((r) => [r.itemId, r]));
    const rows = c.candidates.map((item) => {
      const row = new Float64Array(4);
      for (const f of byId.get(item.id)?.features ?? []) row[names.indexOf(f.name)] = f.value;
      return row;
    });
    return { target: c.candidates.findIndex((i) => i.id === c.target), rows };
  });
}

function tune(datasets: EvalDataset[], args: Args): void {
  const cases = datasets.map((ds) => prepare(ds, 'valid', args.seed, args.users));
  const pop = cases.map((c) => evaluate(c, 'popularity', { weights: { ...DEFAULT_RANK_WEIGHTS }, halfLife: 1 }).result().ndcg10);
  const rows: { config: Config; macro: number; per: number[] }[] = [];
  for (const halfLife of [5, 10, 20, 1e9]) {
    const tables = cases.map((c) => featureTable(c, halfLife));
    for (const title of [0, 0.5, 1])
      for (const popularity of [1, 1.5, 2, 2.5, 3])
        for (const rating of [0, 0.25, 0.5, 1]) {
          const w = [1, title, popularity, rating];
          const per = tables.map((table) => {
            const sum = new MetricSum();
            for (const { target, rows: r } of table) {
              const score = r.map((row) => row.reduce((acc, v, k) => acc + v * w[k]!, 0));
              const mine = score[target]!;
              // Position with ties broken by candidate order (random), as in evaluate().
              let pos = 0;
              score.forEach((s, i) => (s > mine || (s === mine && i < target)) && (pos += 1));
              sum.add(pos);
            }
            return sum.result().ndcg10;
          });
          rows.push({ config: { weights: { facts: 1, title, popularity, rating }, halfLife }, macro: per.reduce((a, b) => a + b, 0) / per.length, per });
        }
  }
  rows.sort((a, b) => b.macro - a.macro);
  console.log(`validation NDCG@10 (${datasets.map((d) => d.name).join(', ')}), best first; popularity: ${pop.map((x) => x.toFixed(4)).join(' ')}`);
  for (const row of rows.slice(0, 15)) console.log(row.macro.toFixed(4), row.per.map((x) => x.toFixed(4)).join(' '), JSON.stringify(row.config));
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  if (!datasetsAvailable(args.data)) {
    console.error(`no data under ${args.data}: pass the shared data folder (default ../shared/data)`);
    process.exit(2);
  }
  const datasets = loadAll(args);
  if (args.tune) return tune(datasets, args);
  const config: Config = { weights: { ...DEFAULT_RANK_WEIGHTS }, halfLife: DEFAULT_RECENCY_HALF_LIFE };
  const methods: Method[] = ['rank', 'popularity', 'random'];
  const total = Object.fromEntries(methods.map((m) => [m, new MetricSum()])) as Record<Method, MetricSum>;
  const per: Record<string, unknown> = {};
  for (const ds of datasets) {
    const cases = prepare(ds, 'test', args.seed, args.users);
    const results = {} as Record<Method, Metrics>;
    const sums = {} as Record<Method, MetricSum>;
    for (const m of methods) {
      sums[m] = evaluate(cases, m, config);
      total[m].merge(sums[m]);
      results[m] = sums[m].result();
    }
    per[ds.name] = { note: ds.note, items: ds.items.size, ...results, rank_minus_popularity: pairedDelta(sums.rank, sums.popularity) };
  }
  const report = {
    rank: total.rank.result(),
    popularity: total.popularity.result(),
    random: total.random.result(),
    rank_minus_popularity: pairedDelta(total.rank, total.popularity),
    seed: args.seed,
    negatives: 99,
    k: 10,
    split: 'test: last interaction per user; history = all earlier ones',
    config,
    datasets: per,
  };
  if (args.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(`seed ${args.seed}, 99 sampled negatives, leave-last-out; pooled over ${report.rank.users} users`);
  console.log('dataset'.padEnd(28), 'method'.padEnd(11), 'HR@10  NDCG@10 users');
  const line = (name: string, m: string, r: Metrics) => console.log(name.padEnd(28), m.padEnd(11), r.hr10.toFixed(4), r.ndcg10.toFixed(4), r.users);
  const delta = (d: { ndcg10: number; ci95: [number, number] }) => `NDCG@10 rank − popularity: ${d.ndcg10} (95% CI ${d.ci95[0]} … ${d.ci95[1]})`;
  type Row = Record<Method, Metrics> & { rank_minus_popularity: ReturnType<typeof pairedDelta> };
  for (const [name, r] of Object.entries(per) as [string, Row][]) {
    for (const m of methods) line(name, m, r[m]);
    console.log(''.padEnd(28), delta(r.rank_minus_popularity));
  }
  for (const m of methods) line('ALL (pooled)', m, report[m]);
  console.log(''.padEnd(28), delta(report.rank_minus_popularity));
}

main();
