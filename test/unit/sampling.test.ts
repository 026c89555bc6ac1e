import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../lambdas/core/random.js';
import { binomial, multinomial } from '../../lambdas/core/stats/sampling.js';

function moments(draw: () => number, n: number) {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    squares += x * x;
  }
  const mean = sum / n;
  return { mean, variance: squares / n - mean * mean };
}

describe('random variates for bootstraps', () => {
  it('binomial draws have the mean np and variance np(1 − p), on the exact and the normal branch (seeded)', () => {
    const random = seededRandom(3);
    // 40,000 draws: the standard error of the mean is √(var/40,000), under 1% of these means.
    for (const [trials, p] of [
      [50, 0.1],
      [20, 0.9],
      [1000, 0.3],
      [2000, 0.999],
    ] as const) {
      const { mean, variance } = moments(() => binomial(trials, p, random), 40_000);
      expect(Math.abs(mean - trials * p)).toBeLessThan(4 * Math.sqrt((trials * p * (1 - p)) / 40_000) + 1e-9);
      expect(variance / (trials * p * (1 - p))).toBeGreaterThan(0.95);
      expect(variance / (trials * p * (1 - p))).toBeLessThan(1.05);
    }
    expect(binomial(10, 0, random)).toBe(0);
    expect(binomial(10, 1, random)).toBe(10);
  });

  it('a multinomial draw puts every trial in some cell, none where the probability is 0 (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 30 }).filter((w) => w.some((v) => v > 0)),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer(),
        (weights, trials, seed) => {
          const total = weights.reduce((a, b) => a + b, 0);
          const counts = new Uint32Array(weights.length);
          multinomial(
            counts,
            trials,
            weights.map((w) => w / total),
            seededRandom(seed),
          );
          expect(counts.reduce((a, b) => a + b, 0)).toBe(trials);
          weights.forEach((w, k) => {
            if (w === 0) expect(counts[k]).toBe(0);
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
