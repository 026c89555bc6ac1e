import { describe, expect, it } from 'vitest';
import { calibration, precisionRecallCurve, rocCurve } from '../../lambdas/core/curves.js';
import { rocAuc } from '../../lambdas/core/metrics.js';
import { chiSquareTest, jensenShannon, lInfinity, psi, wasserstein1 } from '../../lambdas/core/stats/distances.js';
import { ksTwoSample } from '../../lambdas/core/stats/ks.js';
import { chiSquareSf, kolmogorovSf } from '../../lambdas/core/stats/special.js';

/*
 * Reference values from SciPy 1.10.1 and scikit-learn 1.2.1, computed once with
 *   /usr/bin/python3 test/reference/stats_reference.py
 * on the same deterministic samples, built here by the same formulas.
 */
const round1 = (v: number) => Math.round(v * 10) / 10;
const round2 = (v: number) => Math.round(v * 100) / 100;
const a = Array.from({ length: 40 }, (_, i) => round1(2 * Math.sin(i * 1.3) + i * 0.01));
const b = Array.from({ length: 55 }, (_, i) => round1(2.2 * Math.cos(i * 0.7) + 0.3));
const bigA = Array.from({ length: 6000 }, (_, i) => Math.sin(i * 0.37) * 3 + (i % 17) * 0.05);
const bigB = Array.from({ length: 5000 }, (_, i) => Math.sin(i * 0.41) * 3 + 0.08 + (i % 13) * 0.05);
const referenceCounts = [120, 80, 45, 30, 0, 25];
const currentCounts = [100, 95, 40, 20, 5, 40];
const scores = Array.from({ length: 200 }, (_, i) => round2((Math.sin(i * 0.9) + 1) / 2));
const labels = Array.from({ length: 200 }, (_, i) => Math.sin(i * 0.9) + 0.6 * Math.cos(i * 2.3) > 0.1);

const TOLERANCE = 1e-6;
const close = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThan(TOLERANCE);

describe('statistics against SciPy / scikit-learn reference values (to 1e-6)', () => {
  it('two-sample KS with ties, exact p-value (scipy.stats.ks_2samp method="exact")', () => {
    // Python's round() rounds half to even; the formulas here produce no exact halves, checked by the statistic.
    const result = ksTwoSample(a, b);
    expect(result.method).toBe('exact');
    close(result.statistic, 0.14545454545454545);
    close(result.pValue, 0.6511021051936617);
  });

  it('two-sample KS on large samples, p-value from the limiting Kolmogorov distribution (scipy kstwobign)', () => {
    const result = ksTwoSample(bigA, bigB);
    expect(result.method).toBe('asymptotic');
    close(result.statistic, 0.05126666666666668);
    close(result.pValue, 1.1884304608574293e-6);
  });

  it('Kolmogorov survival function (scipy.stats.kstwobign.sf)', () => {
    const expected: Record<string, number> = {
      '0.3': 0.9999906941986655,
      '0.5': 0.9639452436648751,
      '0.9': 0.3927307079406543,
      '1.0': 0.26999967167735456,
      '1.36': 0.049485876755377876,
      '2.0': 0.0006709252557796953,
    };
    for (const [x, value] of Object.entries(expected)) close(kolmogorovSf(Number(x)), value);
  });

  it('chi-square test of homogeneity (scipy.stats.chi2_contingency, correction=False) and chi2.sf', () => {
    const result = chiSquareTest(referenceCounts, currentCounts);
    close(result.statistic, 13.859552212493387);
    close(result.pValue, 0.016526606807874922);
    expect(result.dof).toBe(5);
    close(chiSquareSf(7.5, 3), 0.0575584519726364);
    close(chiSquareSf(0.2, 1), 0.6547208460185768);
    close(chiSquareSf(45, 20), 0.0011034692430283482);
  });

  it('PSI (numpy, textbook formula with shares floored at 1e-4)', () => {
    close(psi(referenceCounts, currentCounts), 0.14448101620768788);
  });

  it('Jensen–Shannon distance (scipy.spatial.distance.jensenshannon, base=2)', () => {
    close(jensenShannon(referenceCounts, currentCounts), 0.1379994795627016);
    expect(jensenShannon([1, 0], [1, 0])).toBe(0);
    close(jensenShannon([1, 0], [0, 1]), 1);
  });

  it('Wasserstein distance (scipy.stats.wasserstein_distance)', () => {
    close(wasserstein1(a, b), 0.27636363636363637);
    close(wasserstein1(bigA, bigB), 0.08644865226466143);
  });

  it('ROC AUC with ties, average precision, Brier score (scikit-learn) and ECE (numpy over calibration_curve bins)', () => {
    close(rocAuc(labels, scores), 0.9611010466988728);
    close(precisionRecallCurve(labels, scores).averagePrecision, 0.9548576103270136);
    const cal = calibration(labels, scores, 10);
    close(cal.brier, 0.08517949999999999);
    close(cal.ece, 0.07674999999999998);
  });
});

describe('hand-checked values', () => {
  it('PSI: shares 50/50 → 25/75 gives 0.25·ln 2 + 0.25·ln 1.5', () => {
    close(psi([50, 50], [25, 75]), 0.25 * Math.log(2) + 0.25 * Math.log(1.5));
    expect(psi([10, 20, 30], [10, 20, 30])).toBe(0);
  });

  it('PSI floors an empty bin at 1e-4 instead of dividing by zero', () => {
    close(psi([100, 0], [50, 50]), (0.5 - 1) * Math.log(0.5 / 1) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4));
  });

  it('L-infinity is the largest change of one category share', () => {
    close(lInfinity(referenceCounts, currentCounts), 20 / 300);
  });

  it('ROC curve starts at (0,0) with threshold +inf and ends at (1,1)', () => {
    const roc = rocCurve([false, false, true, true], [0.1, 0.4, 0.35, 0.8]);
    expect(roc.thresholds).toEqual([Number.POSITIVE_INFINITY, 0.8, 0.4, 0.35, 0.1]);
    expect(roc.tpr).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(roc.fpr).toEqual([0, 0, 0.5, 0.5, 1]);
  });

  it('a KS test of identical samples has statistic 0 and p-value 1', () => {
    expect(ksTwoSample([1, 2, 3], [1, 2, 3])).toEqual({ statistic: 0, pValue: 1, method: 'exact' });
  });
});
