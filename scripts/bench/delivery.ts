// The delivery arm of the bench (`npm run bench -- --env=delivery`, part of the default run): the
// built embed folder (dist/embed, served like a CDN by scripts/build/serve.ts) on the bench's
// storefront of 24 games, in headless Debian chromium. Per backend:
//   first visit (empty profile) and second visit (same profile): bytes on the wire as served
//   (compressed), and requests; cold / warm time from navigation to the first finished reason and
//   to the page's last (the warm visit shows 24 *other* games, so no reason comes from a cache).
//   WASM also: `same_page_visit`, a third visit in that profile to the first visit's page (same
//   games, same history, the reason cache kept: what a returning shopper sees).
// And LCP / total blocking time of the page with and without the embed, RUNS cold visits each.
// WebGPU: this machine's only adapter is SwiftShader (software), where 'auto' never picks WebGPU;
// with data-device="webgpu" forced we measure its bytes only (time on a software adapter says
// nothing about a real GPU).
import { launchBrowser } from '../browser/harness.ts';
import { buildEmbed } from '../browser/embed-server.ts';
import { instrument, visit, type VisitResult } from './embed-visits.ts';
import { startStorefront } from './storefront.ts';

export const RUNS = 5;
const TIMEOUT = 10 * 60_000;

export interface VisitSummary {
  bytes: number;
  requests: number;
  first_reason_ms: number | null;
  last_reason_ms: number | null;
  reasons: number;
  model_reasons: number;
  engine_requests_before_load: number;
}

export interface BackendDelivery {
  first_visit: VisitSummary;
  /** Same profile, 24 other games: every reason generated (nothing in the reason cache answers). */
  second_visit: VisitSummary;
  /** WASM only: same profile, the first visit's page again (same history): the reasons it stored answer. */
  same_page_visit?: VisitSummary;
  note?: string;
}

export interface PagePerf {
  runs: number;
  lcp_ms: number[];
  tbt_ms: number[];
  lcp_median_ms: number;
  tbt_median_ms: number;
}

export interface DeliveryResult {
  wasm: BackendDelivery;
  webgpu: BackendDelivery;
  /** Ratios of medians (with / without); tbt_ratio is null when the page alone has 0 ms TBT (then see tbt_delta_ms). */
  page: { without_embed: PagePerf; with_embed: PagePerf; lcp_ratio: number; tbt_ratio: number | null; tbt_delta_ms: number };
}

const summary = (v: VisitResult): VisitSummary => ({
  bytes: v.bytes,
  requests: v.requests,
  first_reason_ms: v.first_reason_ms,
  last_reason_ms: v.last_reason_ms,
  reasons: v.reasons,
  model_reasons: v.model_reasons,
  engine_requests_before_load: v.engine_requests_before_load.length,
});

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function backend(device: 'wasm' | 'webgpu', log: (...p: unknown[]) => void): Promise<BackendDelivery> {
  const server = await startStorefront(`data-device="${device}"`);
  const browser = await launchBrowser();
  try {
    await instrument(browser.context);
    const untilModelReady = device === 'webgpu';
    const run = async (path: string): Promise<VisitResult> => {
      const page = await browser.context.newPage();
      try {
        return await visit(page, server, path, untilModelReady ? { reasons: 0, untilModelReady, timeoutMs: TIMEOUT } : { reasons: 24, timeoutMs: TIMEOUT });
      } finally {
        await page.close();
      }
    };
    log(`delivery ${device}: first visit…`);
    const first = await run('/with.html');
    log(`delivery ${device}: second visit…`);
    const second = await run(untilModelReady ? '/with.html' : '/other.html');
    let same: VisitResult | undefined;
    if (!untilModelReady) {
      log(`delivery ${device}: the first visit's page again (reason cache kept)…`);
      same = await run('/with.html');
    }
    return {
      first_visit: summary(first),
      second_visit: summary(second),
      ...(same ? { same_page_visit: summary(same) } : {}),
      ...(untilModelReady ? { note: "bytes only: forced data-device='webgpu' on SwiftShader (software); reason times not measured" } : {}),
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

async function pagePerf(embed: boolean, log: (...p: unknown[]) => void): Promise<PagePerf> {
  const server = await startStorefront('data-device="wasm"');
  const lcp: number[] = [];
  const tbt: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      log(`delivery page ${embed ? 'with' : 'without'} embed: run ${i + 1}/${RUNS}…`);
      const browser = await launchBrowser(); // cold: an empty profile every run
      try {
        await instrument(browser.context);
        const page = await browser.context.newPage();
        const v = await visit(page, server, embed ? '/with.html' : '/without.html', { reasons: embed ? 24 : 0, settleMs: 1000, timeoutMs: TIMEOUT });
        lcp.push(v.lcp_ms);
        tbt.push(v.tbt_ms);
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.close();
  }
  return { runs: RUNS, lcp_ms: lcp, tbt_ms: tbt, lcp_median_ms: median(lcp), tbt_median_ms: median(tbt) };
}

export async function runDelivery(log: (...p: unknown[]) => void): Promise<DeliveryResult> {
  log('building the embed folder (dist/embed)…');
  await buildEmbed();
  const wasm = await backend('wasm', log);
  const webgpu = await backend('webgpu', log);
  const without = await pagePerf(false, log);
  const withEmbed = await pagePerf(true, log);
  return {
    wasm,
    webgpu,
    page: {
      without_embed: without,
      with_embed: withEmbed,
      lcp_ratio: withEmbed.lcp_median_ms / without.lcp_median_ms,
      tbt_ratio: without.tbt_median_ms > 0 ? withEmbed.tbt_median_ms / without.tbt_median_ms : null,
      tbt_delta_ms: withEmbed.tbt_median_ms - without.tbt_median_ms,
    },
  };
}

