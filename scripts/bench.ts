// Page benchmark: a page of 24 items, warm, side by side in one run on the same backend, same model
// (q8), same prompts (src/core/prompt.ts buildPrompt) and token limit. Baseline = plain
// transformers.js pipeline('text-generation') called once per item; engine = createExplainer.
//
//   npm run bench                       both environments, a table
//   npm run bench -- --json             ONE JSON object on stdout (progress goes to stderr)
//   npm run bench -- --env=node         only Node (or --env=chromium, --env=delivery); --tokens=N sets the limit
//                                       (default: the engine's DEFAULT_MAX_NEW_TOKENS)
//   npm run bench -- --model=ID         both arms on another model folder of public/models/ (default: the
//                                       shipped one; e.g. because-reason-v1 to compare page throughput)
//   npm run bench -- --control          adds a control arm: the baseline with the engine's onnxruntime
//                                       session options (what batching buys vs what those options buy)
//
// Environments: `node` (onnxruntime-node CPU; engine in-thread, worker:false) and `chromium_wasm`
// (headless Debian chromium, device 'wasm', a production build of the bench page (scripts/bench/browser.ts) served on
// 127.0.0.1 with cross-origin isolation; the engine runs in its Web Worker as on a real page).
// `delivery` (scripts/bench/delivery.ts): the built embed folder served like a CDN on a storefront of
// 24 games: first/second-visit bytes per backend, cold/warm time to the first and last reason, LCP
// and TBT with and without the embed.
// Top-level `ratio` (and the reasons/s beside it) is chromium_wasm's when it ran, else node's.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { ArmResult } from './bench/items.ts';
import { PAGE_SIZE } from './bench/items.ts';
import { launchBrowser, recordPage, REPO_ROOT } from './browser/harness.ts';
import { DEFAULT_DTYPE, DEFAULT_MAX_NEW_TOKENS, DEFAULT_MODEL_ID } from '../src/defaults.ts';
import { runDelivery, type DeliveryResult } from './bench/delivery.ts';
import { benchPagePath, buildBenchPage, serveBenchPage } from './bench/browser.ts';

type Env = 'node' | 'chromium_wasm' | 'delivery';
type Arm = 'baseline' | 'engine' | 'control';

interface EnvResult {
  baseline: ArmResult;
  engine: ArmResult;
  control?: ArmResult;
  /** engine / control reasons per second (with --control). */
  control_ratio?: number;
  baseline_reasons_per_s: number;
  engine_reasons_per_s: number;
  ratio: number;
}

const args = process.argv.slice(2);
const json = args.includes('--json');
// Default: the engine's own default limit, so the page is measured as the product runs it.
const tokens = Number(args.find((a) => a.startsWith('--tokens='))?.split('=')[1] ?? DEFAULT_MAX_NEW_TOKENS);
const envArg = args.find((a) => a.startsWith('--env='))?.split('=')[1];
const modelId = args.find((a) => a.startsWith('--model='))?.split('=')[1] ?? DEFAULT_MODEL_ID;
if (!/^[\w.-]+$/.test(modelId) || !existsSync(`${REPO_ROOT}public/models/${modelId}/config.json`)) {
  throw new Error(`bench: --model=${modelId} is no model folder of public/models/ (a folder name such as ${DEFAULT_MODEL_ID})`);
}
const ARMS: Arm[] = args.includes('--control') ? ['baseline', 'engine', 'control'] : ['baseline', 'engine'];
const envs: Env[] = envArg === 'node' ? ['node'] : envArg === 'chromium' ? ['chromium_wasm'] : envArg === 'delivery' ? ['delivery'] : ['node', 'chromium_wasm', 'delivery'];
const log = (...parts: unknown[]): void => console.error('[bench]', ...parts);

function combine(arms: Partial<Record<Arm, ArmResult>>): EnvResult {
  const { baseline, engine, control } = arms;
  if (!baseline || !engine) throw new Error('bench: an arm is missing');
  return {
    baseline,
    engine,
    baseline_reasons_per_s: baseline.reasons_per_s,
    engine_reasons_per_s: engine.reasons_per_s,
    ratio: engine.reasons_per_s / baseline.reasons_per_s,
    ...(control ? { control, control_ratio: engine.reasons_per_s / control.reasons_per_s } : {}),
  };
}

/** Each Node arm in its own process: its peak RSS is then its own. */
function runNodeArm(arm: Arm): Promise<ArmResult> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/node-arm.ts', arm, String(tokens), modelId], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (code !== 0 || !line) return fail(new Error(`node ${arm} arm failed (exit ${code}): ${out.slice(-2000)}`));
      ok(JSON.parse(line.slice('BENCH_RESULT '.length)) as ArmResult);
    });
  });
}

/** Resident memory of this browser's renderer processes (where the page, its workers and WASM live). */
function rendererRss(userDataDir: string): number {
  const procs = new Map<number, { ppid: number; cmd: string }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      procs.set(Number(name), { ppid, cmd });
    } catch {
      // the process ended while we looked
    }
  }
  const root = [...procs.entries()].find(([, p]) => p.cmd.includes(`--user-data-dir=${userDataDir}`) && !p.cmd.includes('--type='))?.[0];
  if (root === undefined) return 0;
  const under = (pid: number): boolean => {
    for (let p = procs.get(pid), hops = 0; p && hops < 10; p = procs.get(p.ppid), hops++) if (p.ppid === root) return true;
    return false;
  };
  let total = 0;
  for (const [pid, p] of procs) {
    if (!p.cmd.includes('--type=renderer') || !under(pid)) continue;
    try {
      const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      total += Number(kb ?? 0) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

async function runChromium(): Promise<EnvResult> {
  await buildBenchPage(log);
  const server = await serveBenchPage();
  const results: Partial<Record<Arm, ArmResult>> = {};
  try {
    for (const arm of ARMS) {
      log(`chromium_wasm ${arm}: cold visit…`);
      const browser = await launchBrowser();
      try {
        const page = await browser.context.newPage();
        const record = recordPage(page, server.origin);
        let peak = 0;
        const sampler = setInterval(() => (peak = Math.max(peak, rendererRss(browser.userDataDir))), 100);
        type PageResult = Partial<ArmResult> & { load_ms: number; load_phases_ms?: Record<string, number> };
        const visit = async (phase: string): Promise<PageResult> => {
          await page.goto(server.url(benchPagePath(`arm=${arm}&tokens=${tokens}&phase=${phase}&model=${modelId}`)));
          await page.waitForFunction(() => 'benchResult' in window || 'benchError' in window, null, { timeout: 20 * 60_000, polling: 200 });
          const error = await page.evaluate(() => (window as unknown as { benchError?: string }).benchError);
          if (error) throw new Error(`chromium ${arm} (${phase}): ${error}`);
          return page.evaluate(() => (window as unknown as { benchResult: PageResult }).benchResult);
        };
        const { load_ms: coldMs, load_phases_ms: coldPhases, ...full } = await visit('full');
        clearInterval(sampler);
        log(`chromium_wasm ${arm}: second visit (warm load)…`);
        const again = await visit('load');
        if (record.foreignRequests().length > 0) throw new Error(`requests left the server: ${record.foreignRequests().join(', ')}`);
        results[arm] = {
          ...(full as ArmResult),
          arm,
          environment: 'chromium_wasm',
          cold_load_ms: coldMs,
          warm_load_ms: again.load_ms,
          ...(coldPhases ? { cold_load_phases_ms: coldPhases } : {}),
          ...(again.load_phases_ms ? { warm_load_phases_ms: again.load_phases_ms } : {}),
          peak_memory_bytes: peak || null,
          memory_source: 'peak VmRSS sum of the chromium renderer processes (page + workers), sampled every 100 ms',
        };
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.close();
  }
  return combine(results);
}

async function main(): Promise<void> {
  const out: Record<string, unknown> = { page_items: PAGE_SIZE, max_new_tokens: tokens, dtype: DEFAULT_DTYPE, model: modelId };
  for (const env of envs) {
    if (env === 'node') {
      const results: Partial<Record<Arm, ArmResult>> = {};
      for (const arm of ARMS) {
        log(`node ${arm}…`);
        results[arm] = await runNodeArm(arm);
      }
      out.node = combine(results);
    } else if (env === 'chromium_wasm') {
      out.chromium_wasm = await runChromium();
    } else {
      out.delivery = await runDelivery(log);
    }
  }
  const main = (out.chromium_wasm ?? out.node) as EnvResult | undefined;
  if (main) {
    Object.assign(out, {
      main: out.chromium_wasm ? 'chromium_wasm' : 'node',
      baseline_reasons_per_s: main.baseline_reasons_per_s,
      engine_reasons_per_s: main.engine_reasons_per_s,
      ratio: main.ratio,
    });
  }
  if (json) {
    process.stdout.write(JSON.stringify(out) + '\n');
    return;
  }
  const rows: string[][] = [['env', 'arm', 'reasons/s', 'first reason ms', 'first text ms', 'tokens/s', 'cold load ms', 'warm load ms', 'peak MB', 'tokens', 'model/fallback']];
  for (const env of envs) {
    if (env === 'delivery') continue;
    const r = out[env] as EnvResult;
    for (const arm of ARMS) {
      const a = r[arm];
      if (!a) continue;
      rows.push([
        env, arm, a.reasons_per_s.toFixed(2), a.first_reason_ms.toFixed(0), (a.first_text_ms ?? a.first_reason_ms).toFixed(0), a.tokens_per_s.toFixed(1), a.cold_load_ms.toFixed(0),
        a.warm_load_ms?.toFixed(0) ?? '-', a.peak_memory_bytes ? (a.peak_memory_bytes / 1e6).toFixed(0) : '-', String(a.tokens),
        a.model_reasons !== undefined ? `${a.model_reasons}/${a.fallback_reasons}` : '-',
      ]);
    }
    rows.push([env, 'ratio', r.ratio.toFixed(2), ...Array<string>(rows[0]!.length - 3).fill('')]);
    if (r.control_ratio !== undefined) rows.push([env, 'engine/control', r.control_ratio.toFixed(2), ...Array<string>(rows[0]!.length - 3).fill('')]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  if (rows.length > 1) for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
  if (main) console.log(`\npage of ${PAGE_SIZE} items, max_new_tokens ${tokens}, ${DEFAULT_DTYPE}; top-level ratio (${String(out.main)}): ${main.ratio.toFixed(2)}`);
  const chromium = out.chromium_wasm as EnvResult | undefined;
  for (const arm of ['cold', 'warm'] as const) {
    const phases = chromium?.engine[`${arm}_load_phases_ms`];
    if (phases) console.log(`chromium engine ${arm} load phases (ms after createExplainer): ${JSON.stringify(phases)}`);
  }
  if (out.delivery) printDelivery(out.delivery as DeliveryResult);
}

function printDelivery(d: DeliveryResult): void {
  const mb = (n: number): string => (n / 1e6).toFixed(2);
  const t = (n: number | null): string => (n === null ? '-' : n.toFixed(0));
  console.log('\ndelivery (dist/embed served like a CDN, storefront of 24 games):');
  for (const backend of ['wasm', 'webgpu'] as const) {
    const b = d[backend];
    console.log(
      `  ${backend.padEnd(6)} first visit ${mb(b.first_visit.bytes)} MB in ${b.first_visit.requests} requests, first/last reason ${t(b.first_visit.first_reason_ms)}/${t(b.first_visit.last_reason_ms)} ms;` +
        ` second visit ${b.second_visit.bytes} B in ${b.second_visit.requests} requests, first/last reason ${t(b.second_visit.first_reason_ms)}/${t(b.second_visit.last_reason_ms)} ms${b.note ? ` (${b.note})` : ''}`,
    );
    const s = b.same_page_visit;
    if (s) console.log(`         same page again (reason cache kept): ${s.bytes} B in ${s.requests} requests, first/last reason ${t(s.first_reason_ms)}/${t(s.last_reason_ms)} ms, ${s.engine_requests_before_load} engine requests before load`);
  }
  const p = d.page;
  console.log(`  LCP median ${p.without_embed.lcp_median_ms.toFixed(0)} ms without / ${p.with_embed.lcp_median_ms.toFixed(0)} ms with the embed (ratio ${p.lcp_ratio.toFixed(2)}), ${p.with_embed.runs} runs each`);
  console.log(`  TBT median ${p.without_embed.tbt_median_ms.toFixed(0)} ms without / ${p.with_embed.tbt_median_ms.toFixed(0)} ms with the embed${p.tbt_ratio === null ? '' : ` (ratio ${p.tbt_ratio.toFixed(2)})`}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
