// The status line: backend and why, model load progress in bytes, reasons done and tokens/s.
import type { ExplainerInfo, ProgressEvent } from '../types.ts';

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1) + ' MB';
}

export class StatusLine {
  private readonly files = new Map<string, { loaded: number; total: number }>();
  private phase = 'init';
  private info: ExplainerInfo | null = null;
  private done = 0;
  private total = 0;
  private tokens = 0;
  private firstDeltaAt = 0;
  private lastDoneAt = 0;
  private error = '';

  constructor(private readonly node: HTMLElement) {
    this.render();
  }

  progress(event: ProgressEvent): void {
    this.phase = event.phase;
    if (event.file && typeof event.loaded === 'number') {
      this.files.set(event.file, { loaded: event.loaded, total: event.total ?? event.loaded });
    }
    this.render();
  }

  setInfo(info: ExplainerInfo): void {
    this.info = info;
    this.node.dataset.backend = info.backend;
    this.node.dataset.modelLoaded = String(info.modelLoaded);
    this.render();
  }

  startRun(total: number): void {
    this.done = 0;
    this.total = total;
    this.tokens = 0;
    this.firstDeltaAt = 0;
    this.lastDoneAt = 0;
    this.node.dataset.reasonsDone = '0';
    this.node.dataset.reasonsTotal = String(total);
    this.render();
  }

  /** The first text delta of the run arrived (decode has started). */
  firstDelta(now: number): void {
    if (this.firstDeltaAt === 0) this.firstDeltaAt = now;
  }

  reasonDone(tokens: number, now: number): void {
    this.done += 1;
    this.tokens += tokens;
    this.lastDoneAt = now;
    this.node.dataset.reasonsDone = String(this.done);
    this.render();
  }

  /** Page decode rate: every generated token of the run over the time from its first delta to its last reason. */
  tokensPerSecond(): number {
    const ms = this.lastDoneAt - this.firstDeltaAt;
    return this.firstDeltaAt > 0 && ms > 0 ? (this.tokens * 1000) / ms : 0;
  }

  fail(message: string): void {
    this.error = message;
    this.node.dataset.error = 'true';
    this.render();
  }

  private render(): void {
    const parts: string[] = [];
    if (this.info) {
      parts.push(`Backend: ${this.info.backend} (${this.info.backendReason})`);
      parts.push(this.info.modelLoaded ? `model ${this.info.modelId} ${this.info.dtype}` : 'model unavailable: template reasons only');
    } else {
      parts.push(`Loading model: ${this.phase}`);
    }
    let loaded = 0;
    let total = 0;
    for (const f of this.files.values()) {
      loaded += f.loaded;
      total += f.total;
    }
    if (total > 0) parts.push(`${mb(loaded)} / ${mb(total)} downloaded`);
    if (this.total > 0) parts.push(`${this.done}/${this.total} reasons`);
    const tps = this.tokensPerSecond();
    if (tps > 0) parts.push(`${tps.toFixed(1)} tokens/s`);
    if (this.error) parts.push(`Error: ${this.error}`);
    this.node.textContent = parts.join(' · ');
  }
}
