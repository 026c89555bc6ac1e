import { describe, expect, it } from 'vitest';
import { summarizePredictions } from '../../lambdas/core/prediction-summary.js';

describe("a request's share of the variant's prediction distribution", () => {
  it('binary: sums the positive class probability and counts positive predictions', () => {
    const label = { task: 'binary' as const, classes: ['<=50K', '>50K'] as [string, string] };
    const predictions = [
      { label: '>50K', probabilities: { '<=50K': 0.25, '>50K': 0.75 } },
      { label: '<=50K', probabilities: { '<=50K': 0.875, '>50K': 0.125 } },
      { label: '>50K', probabilities: { '<=50K': 0.5, '>50K': 0.5 } },
    ];
    expect(summarizePredictions(label, predictions)).toEqual({ scoreSum: 1.375, positives: 2 });
  });

  it('multiclass: sums the probability of the class each prediction chose (its confidence)', () => {
    const label = { task: 'multiclass' as const, classes: ['a', 'b', 'c'] };
    const predictions = [
      { label: 'b', probabilities: { a: 0.125, b: 0.625, c: 0.25 } },
      { label: 'c', probabilities: { a: 0.25, b: 0.25, c: 0.5 } },
    ];
    expect(summarizePredictions(label, predictions)).toEqual({ scoreSum: 1.125 });
  });

  it('regression: sums the predicted values', () => {
    expect(
      summarizePredictions({ task: 'regression', transform: 'standardize', mean: 3, std: 2 }, [
        { value: 1.5 },
        { value: -4 },
        { value: 10.25 },
      ]),
    ).toEqual({ scoreSum: 7.75 });
    expect(summarizePredictions({ task: 'regression', transform: 'standardize', mean: 3, std: 2 }, [])).toEqual({
      scoreSum: 0,
    });
  });
});
