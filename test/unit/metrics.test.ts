import { describe, expect, it } from 'vitest';
import { binaryMetrics, logLoss, multiclassMetrics, regressionMetrics, rocAuc } from '../../lambdas/core/metrics.js';

/** Binary probabilities as the predictor returns them: [P(neg), P(pos)] per row. */
const rows = (positives: number[]): Float32Array => Float32Array.from(positives.flatMap((p) => [1 - p, p]));

describe('metrics (hand-checked values)', () => {
  it('ROC AUC: the textbook example gives 0.75', () => {
    // positives score 0.35 and 0.8, negatives 0.1 and 0.4: 3 of the 4 positive/negative pairs are ordered right.
    expect(rocAuc([false, false, true, true], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
  });

  it('ROC AUC counts a tie between a positive and a negative as half a pair', () => {
    // pairs: (0.5 vs 0.5) tie = 0.5, (0.5 vs 0.2) = 1, (0.9 vs 0.5) = 1, (0.9 vs 0.2) = 1 → 3.5 / 4
    expect(rocAuc([false, true, false, true], [0.5, 0.5, 0.2, 0.9])).toBeCloseTo(0.875, 12);
  });

  it('ROC AUC is NaN when only one class is present', () => {
    expect(rocAuc([true, true], [0.2, 0.3])).toBeNaN();
  });

  it('log loss: -(ln 0.8 + ln 0.7) / 2', () => {
    expect(logLoss([1, 0], rows([0.8, 0.3]), 2)).toBeCloseTo((-Math.log(0.8) - Math.log(0.7)) / 2, 7);
    expect(logLoss([1, 0], rows([0.8, 0.3]), 2)).toBeCloseTo(0.289909245, 6);
  });

  it('log loss clips probabilities so a confident mistake is finite', () => {
    expect(logLoss([1], rows([0]), 2)).toBeCloseTo(-Math.log(1e-15), 6);
  });

  it('accuracy, precision, recall and F1 at threshold 0.5', () => {
    // predicted [1,0,1,0,1] vs truth [1,1,0,0,1]: tp 2, fn 1, fp 1, tn 1
    const m = binaryMetrics([1, 1, 0, 0, 1], rows([0.9, 0.4, 0.6, 0.1, 0.7]));
    expect(m.accuracy).toBeCloseTo(0.6, 12);
    expect(m.precision).toBeCloseTo(2 / 3, 7);
    expect(m.recall).toBeCloseTo(2 / 3, 7);
    expect(m.f1).toBeCloseTo(2 / 3, 7);
  });

  it('regression: RMSE, MAE and R² of the scikit-learn documentation example', () => {
    const m = regressionMetrics([3, -0.5, 2, 7], [2.5, 0, 2, 8]);
    expect(m.rmse).toBeCloseTo(Math.sqrt(0.375), 12);
    expect(m.mae).toBeCloseTo(0.5, 12);
    expect(m.r2).toBeCloseTo(0.9486081370449679, 12);
  });

  it('multiclass: macro averages over classes', () => {
    // truth [0,1,2,2]; predicted argmax [0,2,2,2]
    const probabilities = [0.8, 0.1, 0.1, 0.2, 0.3, 0.5, 0.1, 0.1, 0.8, 0.2, 0.2, 0.6];
    const m = multiclassMetrics([0, 1, 2, 2], probabilities, 3);
    expect(m.accuracy).toBeCloseTo(0.75, 12);
    // class 0: p=1 r=1; class 1: p=0 r=0; class 2: p=2/3 r=1 f1=0.8
    expect(m.precision).toBeCloseTo((1 + 0 + 2 / 3) / 3, 12);
    expect(m.recall).toBeCloseTo((1 + 0 + 1) / 3, 12);
    expect(m.f1).toBeCloseTo((1 + 0 + 0.8) / 3, 12);
    expect(m.log_loss).toBeCloseTo(-(Math.log(0.8) + Math.log(0.3) + Math.log(0.8) + Math.log(0.6)) / 4, 12);
  });
});
