// Browser side of test/e2e/device-loss.test.ts: an in-thread engine on WebGPU whose device is
// destroyed (the test hook in src/runtime/device-loss.ts) while a batch is decoding.
import type { Item, Reason, UserContext } from '../../src/types.ts';
import { loseDevicesForTesting } from '../../src/runtime/device-loss.ts';
import { Engine } from '../../src/engine/engine.ts';

const context: UserContext = { domain: 'game', history: [{ title: 'Portal', attributes: { tags: ['Puzzle', 'Sci-fi'] } }] };
const items: Item[] = [
  { id: 'p2', title: 'Portal 2', attributes: { tags: ['Puzzle', 'Co-op'] } },
  { id: 'tt', title: 'The Talos Principle', attributes: { tags: ['Puzzle', 'Philosophical'] } },
  { id: 'bb', title: 'Baba Is You', attributes: { tags: ['Puzzle', 'Indie'] } },
];

export interface DeviceLossResult {
  before: { backend: string; modelLoaded: boolean };
  after: { backend: string; backendReason: string; modelLoaded: boolean };
  destroyed: number;
  streamedDeltas: number;
  streamed: string;
  reasons: Array<Pick<Reason, 'itemId' | 'source' | 'backend' | 'text' | 'fallbackReason'>>;
  /** A reason asked for after the loss (a fresh batch on the recovered runtime). */
  later: Pick<Reason, 'source' | 'backend' | 'fallbackReason'>;
  ms: number;
}

async function run(maxNewTokens: number): Promise<DeviceLossResult> {
  const t0 = performance.now();
  const note = (what: string): void => console.log(`[device-loss] ${Math.round(performance.now() - t0)} ms: ${what}`);
  // The v1 model (no slots) streams its text token by token, so the first delta lands mid-batch; a slot
  // model sends its filled text once, after decoding, too late to lose the device under it.
  const engine = new Engine({ model: 'because-reason-v1', device: 'webgpu', persistentCache: false, maxNewTokens, sentences: 0, onProgress: (e) => (e.phase === 'download' && e.loaded !== e.total ? undefined : note(`${e.phase} ${e.file ?? ''}`)) });
  try {
    const before = await engine.info();
    note(`loaded on ${before.backend}: ${before.backendReason}`);
    let destroyed = -1;
    let streamedDeltas = 0;
    let streamed = '';
    let streamReason: Reason | undefined;
    // One streamed card and two explained ones share the first batch; the first delta (prefill and one
    // decode step done on the GPU) destroys the device under the rest of the batch.
    const streaming = (async () => {
      for await (const chunk of engine.stream(items[0] as Item, context)) {
        if (chunk.type === 'delta') {
          streamedDeltas++;
          streamed += chunk.text;
          if (destroyed < 0) {
            destroyed = loseDevicesForTesting();
            note(`first delta; destroyed ${destroyed} device(s)`);
          }
        } else streamReason = chunk.reason;
      }
    })();
    const explained = engine.explain(items.slice(1), context);
    const [, rest] = await Promise.all([streaming, explained]);
    note('pending requests answered');
    const pick = (r: Reason) => ({ itemId: r.itemId, source: r.source, backend: r.backend, text: r.text, fallbackReason: r.fallbackReason });
    const reasons = [streamReason as Reason, ...rest].map(pick);
    const [later] = await engine.explain([{ id: 'w', title: 'The Witness', attributes: { tags: ['Puzzle', 'Exploration'] } }], context);
    const after = await engine.info();
    return {
      before: { backend: before.backend, modelLoaded: before.modelLoaded },
      after: { backend: after.backend, backendReason: after.backendReason, modelLoaded: after.modelLoaded },
      destroyed,
      streamedDeltas,
      streamed,
      reasons,
      later: { source: (later as Reason).source, backend: (later as Reason).backend, fallbackReason: (later as Reason).fallbackReason },
      ms: performance.now() - t0,
    };
  } finally {
    await engine.dispose();
  }
}

(window as unknown as { deviceLossRun: typeof run }).deviceLossRun = run;
document.body.dataset.ready = 'true';
