import { describe, expect, it } from 'vitest';
import { bootstrapDriftNull, tieFactorAt } from '../../lambdas/core/drift/drift-null.js';
import type { DatasetProfile, FeatureProfile } from '../../lambdas/core/drift/profile.js';
import { profileColumn } from '../../lambdas/core/drift/profile.js';
import { windowDrift } from '../../lambdas/core/drift/window-drift.js';
import { seededRandom } from '../../lambdas/core/random.js';
import { ksStatisticSorted, ksTwoSample } from '../../lambdas/core/stats/ks.js';
import { kolmogorovIsf } from '../../lambdas/core/stats/special.js';

const numeric = (values: number[], salt = 0): FeatureProfile =>
  profileColumn(
    { name: 'x', type: 'numeric', values },
    values.map((_, i) => i * 2654435761 + salt),
  );
const categorical = (counts: Record<string, number>): FeatureProfile => ({
  kind: 'categorical',
  count: Object.values(counts).reduce((a, b) => a + b, 0),
  missing: 0,
  counts,
});
const profile = (rows: number, features: Record<string, FeatureProfile>): DatasetProfile => ({ rows, features });

function normals(n: number, seed: number, shift = 0): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const u = Math.max(1e-12, random());
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random()) + shift;
  });
}

describe('the null of drift statistics', () => {
  it("inverts Kolmogorov's survival function (scipy.stats.kstwobign.isf)", () => {
    expect(kolmogorovIsf(0.01 / 13)).toBeCloseTo(1.9828346784279165, 9);
    expect(kolmogorovIsf(0.5)).toBeCloseTo(0.8275735551899059, 9);
  });

  it('the sorted-sample KS statistic is the test’s', () => {
    const a = normals(300, 1);
    const b = normals(200, 2, 0.2);
    const sorted = (v: number[]) => Float64Array.from(v).sort();
    expect(ksStatisticSorted(sorted(a), sorted(b))).toBe(ksTwoSample(a, b).statistic);
  });

  it('measures a tie factor near 1 for continuous values and well below for a mostly-zero feature, seeded', () => {
    const reference = profile(2000, {
      continuous: numeric(normals(2000, 3)),
      zeros: numeric(normals(2000, 4).map((v) => (v > 1.64 ? Math.round(v * 1000) : 0))),
    });
    const null_ = bootstrapDriftNull(reference, 7);
    for (const size of [100, 300, 1000, 2000]) {
      expect(tieFactorAt(null_.numeric.continuous!, size)).toBeGreaterThan(0.85);
      expect(tieFactorAt(null_.numeric.zeros!, size)).toBeLessThan(0.5);
    }
    expect(bootstrapDriftNull(reference, 7)).toEqual(null_);
  });

  it('interpolates the factor in log size between measured sizes, clamped outside', () => {
    const shape = { referenceValues: 2000, sizes: [100, 1000], tieFactors: [0.5, 0.9] };
    expect(tieFactorAt(shape, 50)).toBe(0.5);
    expect(tieFactorAt(shape, Math.sqrt(100 * 1000))).toBeCloseTo(0.7, 12);
    expect(tieFactorAt(shape, 5000)).toBe(0.9);
  });
});

describe('drift of a monitoring window', () => {
  const reference = profile(2000, { x: numeric(normals(2000, 10)), c: categorical({ a: 1200, b: 600, c: 200 }) });
  const null_ = bootstrapDriftNull(reference, 1);

  it('gives no verdict below the minimum rows', () => {
    const window = profile(60, { x: numeric(normals(60, 11), 1) });
    expect(windowDrift(reference, null_, window)).toEqual({
      verdict: 'insufficient_data',
      rows: 60,
      minRows: 100,
      reason: '60 rows in the window; drift is judged from 100',
    });
  });

  it('flags at most about the false-alarm rate of windows drawn from the reference distribution (seeded)', () => {
    let flagged = 0;
    for (let w = 0; w < 200; w++) {
      const random = seededRandom(100 + w);
      const counts = { a: 0, b: 0, c: 0 };
      for (let i = 0; i < 500; i++) {
        const u = random();
        counts[u < 0.6 ? 'a' : u < 0.9 ? 'b' : 'c'] += 1;
      }
      const window = profile(500, { x: numeric(normals(500, 1000 + w), w + 1), c: categorical(counts) });
      const result = windowDrift(reference, null_, window, { falseAlarmRate: 0.05 });
      if (result.verdict === 'drift') flagged += 1;
    }
    // 5% nominal: 10 of 200 expected; the binomial's 99.9th percentile is 21.
    expect(flagged).toBeLessThanOrEqual(21);
  });

  it('flags a shifted numeric feature and names it, with the Bonferroni level', () => {
    const window = profile(500, { x: numeric(normals(500, 12, 0.5), 3), c: categorical({ a: 300, b: 150, c: 50 }) });
    const result = windowDrift(reference, null_, window);
    expect(result.verdict).toBe('drift');
    if (result.verdict === 'insufficient_data') return;
    expect(result.featureLevel).toBeCloseTo(0.005, 12);
    expect(result.driftedFeatures).toEqual(['x']);
    expect(result.driftedShare).toBe(0.5);
  });

  it('pools categories expected fewer than 5 times, new ones included (scipy chi2_contingency on the pooled table)', () => {
    const ref = profile(1000, { c: categorical({ a: 500, b: 300, c: 195, d: 3, e: 2 }) });
    const window = profile(100, { c: categorical({ a: 40, b: 35, c: 20, d: 1, f: 4 }) });
    const result = windowDrift(ref, bootstrapDriftNull(ref), window);
    if (result.verdict === 'insufficient_data') throw new Error('expected a verdict');
    const [c] = result.features;
    expect(c?.statistic).toBeCloseTo(22.859748415545013, 9);
    expect(c?.pValue).toBeCloseTo(4.3194536652198456e-5, 12);
    expect(c?.newCategoryRows).toBe(4);
    expect(c?.drifted).toBe(true);
  });
});
