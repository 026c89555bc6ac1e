import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rocAuc } from '../../lambdas/core/metrics.js';
import { calibrate, fitIsotonic, fitPlatt } from '../../lambdas/core/monitoring/calibrators.js';
import { estimateBinary, estimateMulticlassAccuracy, expectedRocAuc } from '../../lambdas/core/monitoring/cbpe.js';
import {
  calibratedProbabilities,
  fitModelCalibration,
  noiseEce,
} from '../../lambdas/core/monitoring/model-calibration.js';
import { seededRandom } from '../../lambdas/core/random.js';

// Reference values: SciPy 1.17 (scikit-learn is not installed here; its formulas are written out in NumPy/SciPy).
const SCORES = [
  0.05, 0.1, 0.1, 0.15, 0.2, 0.22, 0.3, 0.3, 0.35, 0.4, 0.42, 0.5, 0.55, 0.6, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9,
  0.95, 0.97, 0.99,
];
const OUTCOMES = [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1].map((y) => y === 1);

describe('calibrators', () => {
  it("Platt scaling on the log-odds matches SciPy's minimum of the same smoothed cross-entropy", () => {
    // scipy.optimize.minimize(BFGS, gtol 1e-12) of Σ log(1 + e^u) − T·u, u = a·logit(s) + b, T Platt's targets.
    const platt = fitPlatt(SCORES, OUTCOMES);
    expect(platt.a).toBeCloseTo(0.5024961070063382, 8);
    expect(platt.b).toBeCloseTo(0.30396325602257707, 8);
    expect(calibrate(platt, 0.3)).toBeCloseTo(0.46958743415833365, 8);
  });

  it('isotonic calibration matches scipy.optimize.isotonic_regression on tie-merged outcomes, interpolated', () => {
    const iso = fitIsotonic(SCORES, OUTCOMES);
    expect(iso.scores).toHaveLength(21);
    const third = 1 / 3;
    const twoThirds = 2 / 3;
    const expected = [0, 0.25, 0.25, 0.25, third, third, 0.5, 0.5, twoThirds, twoThirds, twoThirds, twoThirds];
    expected.push(twoThirds, 0.8, 0.8, 0.8, 0.8, 0.8, 1, 1, 1);
    iso.probabilities.forEach((p, i) => expect(p).toBeCloseTo(expected[i] as number, 12));
    // numpy.interp at points between and beyond the scores (clipped)
    const at: [number, number][] = [
      [0, 0],
      [0.12, 0.25],
      [0.33, 0.43333333333333346],
      [0.62, twoThirds],
      [0.98, 1],
      [1, 1],
    ];
    for (const [score, p] of at) expect(calibrate(iso, score)).toBeCloseTo(p, 12);
  });

  it('isotonic calibration is non-decreasing and keeps the mean outcome (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()), { minLength: 1 }),
        (rows) => {
          const iso = fitIsotonic(
            rows.map(([s]) => s),
            rows.map(([, y]) => y),
          );
          for (let i = 1; i < iso.probabilities.length; i++)
            expect(iso.probabilities[i] as number).toBeGreaterThanOrEqual((iso.probabilities[i - 1] as number) - 1e-12);
          const fitted = rows.map(([s]) => iso.probabilities[iso.scores.indexOf(s)] as number);
          const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
          expect(mean(fitted)).toBeCloseTo(mean(rows.map(([, y]) => (y ? 1 : 0))), 9);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('confidence-based performance estimation', () => {
  const scores = [0.9, 0.8, 0.8, 0.7, 0.6, 0.55, 0.5, 0.45, 0.4, 0.3, 0.2, 0.1];
  const calibrated = [0.85, 0.7, 0.75, 0.6, 0.5, 0.6, 0.45, 0.4, 0.35, 0.2, 0.25, 0.05];

  it('estimates the expected confusion matrix and its metrics (NumPy reference)', () => {
    const estimate = estimateBinary(scores, calibrated);
    expect(estimate.accuracy).toBeCloseTo(0.6833333333333332, 12);
    expect(estimate.precision).toBeCloseTo(0.6357142857142858, 12);
    expect(estimate.recall).toBeCloseTo(0.7807017543859649, 12);
    expect(estimate.f1).toBeCloseTo(0.7007874015748032, 12);
    // numpy.trapezoid of the expected (FPR, TPR) points at each distinct score, descending
    expect(estimate.roc_auc).toBeCloseTo(0.7568922305764412, 12);
  });

  it('with labels for probabilities, the expected ROC area is the realized one (Mann–Whitney U / n₊n₋)', () => {
    const labels = [1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0];
    expect(expectedRocAuc(scores, labels)).toBeCloseTo(0.8142857142857143, 12);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()), { minLength: 2 }), (rows) => {
        const s = rows.map(([v]) => v / 20);
        const y = rows.map(([, positive]) => (positive ? 1 : 0));
        const realized = rocAuc(
          y.map((v) => v === 1),
          Float64Array.from(s),
        );
        const expected = expectedRocAuc(s, y);
        if (expected === null) expect(y.every((v) => v === y[0])).toBe(true);
        else expect(expected).toBeCloseTo(realized as number, 9);
      }),
      { numRuns: 100 },
    );
  });

  it("estimates multiclass accuracy as the mean calibrated probability of each row's decision", () => {
    const model = [0.6, 0.3, 0.1, 0.2, 0.5, 0.3, 0.1, 0.1, 0.8];
    const cal = [0.5, 0.3, 0.2, 0.3, 0.4, 0.3, 0.2, 0.2, 0.6];
    expect(estimateMulticlassAccuracy(model, cal, 3)).toBeCloseTo((0.5 + 0.4 + 0.6) / 3, 12);
  });
});

/** A binary split whose positives follow `truth(p)` given the model's score p, seeded. */
function binarySplit(rows: number, seed: number, truth: (p: number) => number) {
  const random = seededRandom(seed);
  const scores = new Float32Array(rows * 2);
  const labels = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const p = random();
    scores[r * 2] = 1 - p;
    scores[r * 2 + 1] = p;
    labels[r] = random() < truth(p) ? 1 : 0;
  }
  return { rows: Array.from({ length: rows }, (_, r) => r), truth: labels, scores, classes: ['no', 'yes'] };
}

describe('the calibration a model is stored with', () => {
  it('a well-ranked but overconfident model is calibrated and its accuracy estimate lands on the realized one', () => {
    // Truth rate 0.2 + 0.6·p: the model's own scores are too extreme; calibration fixes them.
    const fit = binarySplit(3000, 1, (p) => 0.2 + 0.6 * p);
    const calibration = fitModelCalibration(fit);
    expect(calibration.estimable).toBe(true);
    if (!calibration.estimable) return;
    expect(calibration.method).toBe('isotonic');
    const live = binarySplit(5000, 2, (p) => 0.2 + 0.6 * p);
    const probabilities = calibratedProbabilities(calibration.calibrators, live.scores, 2);
    const positive = Float64Array.from({ length: 5000 }, (_, r) => live.scores[r * 2 + 1] as number);
    const estimate = estimateBinary(positive, probabilities);
    let right = 0;
    positive.forEach((p, r) => (right += p >= 0.5 === (live.truth[r] === 1) ? 1 : 0));
    expect(Math.abs(estimate.accuracy - right / 5000)).toBeLessThan(0.02);
  });

  it('declines to estimate, with the reason, on too few rows or a class too rare', () => {
    const few = fitModelCalibration(binarySplit(80, 3, (p) => p));
    expect(few).toMatchObject({ estimable: false, reason: expect.stringMatching(/only 80 rows to calibrate on/) });
    const rare = fitModelCalibration(binarySplit(400, 4, () => 0.005));
    expect(rare).toMatchObject({ estimable: false, reason: expect.stringMatching(/class "yes" has \d of the 400/) });
  });

  it('declines when calibration does not hold on held-out rows (the score says nothing steady about the truth)', () => {
    // The truth flips with the row's parity: whatever one half teaches, the other half contradicts.
    const split = binarySplit(600, 5, () => 0);
    split.truth.forEach(
      (_, r) =>
        (split.truth[r] =
          r % 2 === 0
            ? (split.scores[r * 2 + 1] as number) > 0.5
              ? 1
              : 0
            : (split.scores[r * 2 + 1] as number) > 0.5
              ? 0
              : 1),
    );
    const calibration = fitModelCalibration(split);
    expect(calibration).toMatchObject({
      estimable: false,
      reason: expect.stringMatching(/platt calibration misses by/),
    });
  });

  it('noise ECE: √(2/π)·√(Σ p(1 − p)) / n in each bin (hand computation)', () => {
    expect(noiseEce([0.5, 0.5, 0.5, 0.5])).toBeCloseTo((Math.sqrt(2 / Math.PI) * Math.sqrt(1)) / 4, 12);
  });
});
