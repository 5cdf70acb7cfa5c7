// Property-based fuzzing of explain/stream/rank in this thread (scripts/reliability/fuzz-properties.ts):
// every call settles, rejects only with a BecauseError, never shows page markup as model text and
// never blocks the event loop for more than 1 s. A longer run: `npm run fuzz -- --runs 10000`.
import { describe, expect, it } from 'vitest';
import { fuzz } from '../../scripts/reliability/fuzz-properties.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

describe('fuzz: the public API under hostile input', () => {
  it(`${RUNS} random scenarios (1-3 concurrent calls each) hold every property`, async () => {
    const stats = await fuzz({ runs: RUNS });
    expect(stats.runs).toBeGreaterThanOrEqual(RUNS);
    expect(stats.calls).toBeGreaterThan(RUNS);
    // The scenarios reach every path: answers, model text, fallbacks and typed rejections.
    expect(stats.resolved).toBeGreaterThan(0);
    expect(stats.modelReasons).toBeGreaterThan(0);
    expect(Object.keys(stats.fallbacks)).toEqual(expect.arrayContaining(['invalid-item', 'model-unavailable']));
    expect(Object.keys(stats.rejected)).toEqual(expect.arrayContaining(['AbortError', 'InvalidOptionsError']));
  }, 90_000);
});
