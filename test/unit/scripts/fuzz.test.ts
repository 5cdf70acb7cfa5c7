// Property-based fuzzing of explain/stream/rank in this thread (scripts/reliability/fuzz-properties.ts):
// every call settles, rejects only with a BecauseError, never shows page markup as model text and
// never blocks the event loop for more than 1 s. A longer run: `npm run fuzz -- --runs 10000`.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzz } from '../../../scripts/reliability/fuzz-properties.ts';
import { inputBound, sanitizeText } from '../../../src/core/prompt.ts';

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

// The sanitizer before issue 9 (quadratic marker loop, no raw cut): on input within the raw bound the
// linear one must give the same text, byte for byte (the shared prompt vectors depend on it).
function referenceSanitize(value: string, max: number): string {
  let text = value.normalize('NFC').replace(/[\u202A-\u202E\u2066-\u2069\uFEFF]/g, '').replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g, ' ');
  let previous: string;
  do {
    previous = text;
    text = text.replace(/<\|/g, '<').replace(/\|>/g, '>');
  } while (text !== previous);
  const points = Array.from(text.replace(/[\t\n\v\f\r \u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+/g, ' ').replace(/^ | $/g, ''));
  return points.length <= max ? points.join('') : points.slice(0, max).join('').replace(/ $/, '');
}

describe('fuzz: the linear sanitizer', () => {
  const pieces = fc.constantFrom('<', '|', '>', '<|', '|>', ' ', '  ', '\n', '\t', '\u3000', '\u00a0', '\u200b', '\u202e', '\ufeff', '\u0007', 'e', '\u0301', '😀', '\ud800', 'ab', '[', ',');
  const text = fc.oneof(fc.array(pieces, { maxLength: 60 }).map((p) => p.join('')), fc.string({ unit: 'binary', maxLength: 60 }));
  it('gives the old output on every input within the raw bound', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 80 }), (value, max) => {
        fc.pre(Array.from(value).length <= inputBound(max));
        expect(sanitizeText(value, max)).toBe(referenceSanitize(value, max));
      }),
      { numRuns: 3000 },
    );
  });
});
