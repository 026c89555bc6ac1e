import { describe, expect, it } from 'vitest';
import { multiclassAttributeFairness } from '../../lambdas/core/fairness-multiclass.js';
import { regressionAttributeFairness } from '../../lambdas/core/fairness-regression.js';
import { evaluateGate } from '../../lambdas/core/gate.js';
import { parseModelConfig } from '../../lambdas/core/model-config.js';

const column = (values: string[]) => ({ name: 'g', type: 'categorical' as const, values });

// Reference values from NumPy on the same arrays (per group: mean(t == p); per class k, one-vs-rest:
// mean(p == k) and mean(p[t == k] == k); for regression: mean(|t − p|), mean(p), mean(t − p)).
const MULTICLASS = {
  attribute: column([...'aaaaaabbbbbb']),
  truth: [0, 0, 1, 1, 2, 2, 0, 1, 1, 2, 2, 2],
  predicted: [0, 1, 1, 1, 2, 0, 0, 1, 2, 2, 2, 2],
  classes: ['x', 'y', 'z'],
};
const REGRESSION = {
  attribute: column([...'aaaabbbbc']),
  truth: [10, 12, 14, 16, 20, 22, 24, 26, 5],
  predicted: [11, 11, 15, 13, 18, 25, 20, 29, 9],
};

describe('fairness for every task (per-group tables, as Fairlearn’s MetricFrame)', () => {
  it('multiclass: accuracy per group and, per class one-vs-rest, selection and true positive rates with their gaps', () => {
    const m = MULTICLASS;
    const result = multiclassAttributeFairness(m.attribute, m.truth, m.predicted, m.classes, 2);
    expect(result.groups.map((g) => [g.group, g.count, g.accuracy])).toEqual([
      ['a', 6, 4 / 6],
      ['b', 6, 5 / 6],
    ]);
    const byClass = Object.fromEntries(result.classes.map((c) => [c.class, c]));
    expect(byClass.x?.groups).toEqual([
      { group: 'a', selectionRate: 2 / 6, truePositiveRate: 0.5 },
      { group: 'b', selectionRate: 1 / 6, truePositiveRate: 1 },
    ]);
    expect(byClass.x?.disparateImpact).toBeCloseTo(0.5, 12);
    expect(byClass.y?.disparateImpact).toBeCloseTo(1 / 3, 12);
    expect(byClass.y?.demographicParityDifference).toBeCloseTo(1 / 3, 12);
    expect(byClass.z?.disparateImpact).toBeCloseTo(0.25, 12);
    expect(byClass.z?.demographicParityDifference).toBeCloseTo(0.5, 12);
    // The bounds apply at the worst class; a tie (every class's opportunity gap is 0.5) names the first.
    expect(result.worst.disparateImpact).toEqual({ class: 'z', value: expect.closeTo(0.25, 12) });
    expect(result.worst.demographicParityDifference).toEqual({ class: 'z', value: expect.closeTo(0.5, 12) });
    expect(result.worst.equalOpportunityDifference).toEqual({ class: 'x', value: 0.5 });
  });

  it('regression: MAE, mean prediction and mean residual per group; the residual gap and the error ratio', () => {
    const r = REGRESSION;
    const result = regressionAttributeFairness(r.attribute, r.truth, r.predicted, 2);
    expect(result.groups).toEqual([
      { group: 'a', count: 4, sufficient: true, mae: 1.5, meanPrediction: 12.5, meanResidual: 0.5 },
      { group: 'b', count: 4, sufficient: true, mae: 3, meanPrediction: 23, meanResidual: 0 },
      { group: 'c', count: 1, sufficient: false, mae: null, meanPrediction: null, meanResidual: null },
    ]);
    expect(result.meanResidualGap).toBe(0.5);
    expect(result.errorRatio).toBe(2);
    expect(result.insufficientGroups).toEqual(['c']);
    // A perfect group leaves no ratio: unmeasurable, not infinite.
    const perfect = regressionAttributeFairness(column([...'aabb']), [1, 2, 3, 4], [1, 2, 3, 5], 2);
    expect(perfect.errorRatio).toBeNull();
  });

  it('the gate holds a multiclass model to its worst class and a regressor to its error bounds', () => {
    const gate = (fairness: Record<string, number>) =>
      parseModelConfig({ name: 'm', task: 'binary', label: 'y', gate: { fairness } }, 'test').gate;
    const m = MULTICLASS;
    const multiclass = evaluateGate({
      metrics: {},
      gate: gate({ minDisparateImpact: 0.3 }),
      fairness: [multiclassAttributeFairness(m.attribute, m.truth, m.predicted, m.classes, 2)],
    });
    expect(multiclass.checks).toEqual([
      expect.objectContaining({ kind: 'fairness', metric: 'g.disparate_impact', value: 0.25, passed: false }),
    ]);
    expect(multiclass.checks[0]?.description).toContain('class "z", its worst');
    const r = REGRESSION;
    const regression = evaluateGate({
      metrics: {},
      gate: parseModelConfig(
        {
          name: 'r',
          task: 'regression',
          label: 'y',
          gate: { fairness: { maxMeanResidualGap: 1, maxErrorRatio: 1.5 } },
        },
        'test',
      ).gate,
      fairness: [regressionAttributeFairness(r.attribute, r.truth, r.predicted, 2)],
    });
    expect(regression.checks.map((c) => [c.metric, c.value, c.passed])).toEqual([
      ['g.mean_residual_gap', 0.5, true],
      ['g.error_ratio', 2, false],
    ]);
  });

  it('refuses a bound the task cannot be held to, naming the field and the task', () => {
    expect(() =>
      parseModelConfig(
        { name: 'r', task: 'regression', label: 'y', gate: { fairness: { minDisparateImpact: 0.8 } } },
        'models/r.json',
      ),
    ).toThrow(
      /gate\.fairness\.minDisparateImpact.*does not apply to a regression model.*maxMeanResidualGap, maxErrorRatio/,
    );
    expect(() =>
      parseModelConfig(
        { name: 'b', task: 'binary', label: 'y', gate: { fairness: { maxErrorRatio: 2 } } },
        'models/b.json',
      ),
    ).toThrow(/maxErrorRatio does not apply to a binary model/);
    expect(
      parseModelConfig(
        { name: 'm', task: 'multiclass', label: 'y', gate: { fairness: { maxDemographicParityDifference: 0.2 } } },
        'models/m.json',
      ).gate.fairness,
    ).toEqual({ maxDemographicParityDifference: 0.2 });
  });
});
