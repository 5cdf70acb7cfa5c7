// Streams a reason into every card. A new run (the history changed) aborts the previous one, so
// stale text never lands in a card. All streams start at once: the engine batches them.
import type { Explainer, Item, UserContext } from '../types.ts';
import type { Card } from './card.ts';
import type { StatusLine } from './status.ts';

export class ReasonRunner {
  private controller: AbortController | null = null;
  private runs = 0;

  constructor(
    private readonly explainer: Explainer,
    private readonly status: StatusLine,
    private readonly onRunDone: (run: number) => void,
  ) {}

  /** Starts a run for these cards; resolves when every card has its reason (or the run was replaced). */
  async run(targets: readonly { card: Card; item: Item }[], context: UserContext): Promise<void> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const run = ++this.runs;
    this.status.startRun(targets.length);
    for (const { card } of targets) card.pending();
    await Promise.all(targets.map(({ card, item }) => this.one(card, item, context, controller.signal)));
    if (!controller.signal.aborted) this.onRunDone(run);
  }

  private async one(card: Card, item: Item, context: UserContext, signal: AbortSignal): Promise<void> {
    try {
      for await (const chunk of this.explainer.stream(item, context, { signal })) {
        if (signal.aborted) return;
        if (chunk.type === 'delta') {
          this.status.firstDelta(performance.now());
          card.delta(chunk.text);
        } else {
          card.finish(chunk.reason);
          this.status.reasonDone(chunk.reason.tokens, performance.now());
        }
      }
    } catch (error) {
      if (signal.aborted) return; // replaced by a newer run: expected
      const message = error instanceof Error ? error.message : String(error);
      card.fail(message);
      this.status.reasonDone(0, performance.now());
      console.error('because demo: reason failed for', item.id, error);
    }
  }
}
