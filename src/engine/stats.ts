// The engine's counters, for tests and the benchmark (Engine.stats()).
import type { GenerateStats } from '../generation/generate.ts';

/** Batches kept in the stats (the most recent). */
const KEPT_BATCHES = 50;

export interface EngineStats {
  /** generateBatch calls (one per scheduler batch). */
  generateCalls: number;
  /** Rows generated over all calls (first attempts and regenerations). */
  rowsGenerated: number;
  regenerations: number;
  cacheHits: number;
  fallbacks: Record<string, number>;
  /** The most recent batches (at most 50). */
  batches: GenerateStats[];
  /** Where the KV cache lived between decode steps ('gpu-buffer' on WebGPU, 'cpu' otherwise); null before any. */
  kvLocation: string | null;
}

export class EngineCounters {
  private readonly c: Omit<EngineStats, 'kvLocation'> = { generateCalls: 0, rowsGenerated: 0, regenerations: 0, cacheHits: 0, fallbacks: {}, batches: [] };

  fallback(why: string): void {
    this.c.fallbacks[why] = (this.c.fallbacks[why] ?? 0) + 1;
  }

  regeneration(): void {
    this.c.regenerations++;
  }

  cacheHit(): void {
    this.c.cacheHits++;
  }

  generated(rows: number, stats: GenerateStats): void {
    this.c.generateCalls++;
    this.c.rowsGenerated += rows;
    this.c.batches.push(stats);
    if (this.c.batches.length > KEPT_BATCHES) this.c.batches.shift();
  }

  snapshot(kvLocation: string | null): EngineStats {
    return { ...this.c, fallbacks: { ...this.c.fallbacks }, batches: [...this.c.batches], kvLocation };
  }
}
