import { describe, expect, it } from 'vitest';
import { evaluateGate } from '../../lambdas/core/gate.js';
import { parseModelConfig } from '../../lambdas/core/model-config.js';

const gateOf = (gate: Record<string, unknown>) => parseModelConfig({ name: 'm', task: 'binary', label: 'y', gate }, 'models/m.json').gate;

describe('evaluateGate', () => {
  it('passes when every floor and ceiling holds, listing each check', () => {
    const result = evaluateGate({ metrics: { roc_auc: 0.9, log_loss: 0.3 }, gate: gateOf({ minimums: { roc_auc: 0.85 }, maximums: { log_loss: 0.45 } }) });
    expect(result.passed).toBe(true);
    expect(result.checks).toEqual([
      { kind: 'minimum', metric: 'roc_auc', comparison: '>=', threshold: 0.85, value: 0.9, passed: true, description: 'roc_auc 0.9000 (needs >= 0.85)' },
      { kind: 'maximum', metric: 'log_loss', comparison: '<=', threshold: 0.45, value: 0.3, passed: true, description: 'log_loss 0.3000 (needs <= 0.45)' },
    ]);
  });

  it('rejects with a one-line reason naming the failed metric, its value and threshold', () => {
    const result = evaluateGate({ metrics: { roc_auc: 0.7, accuracy: 0.9 }, gate: gateOf({ minimums: { roc_auc: 0.85, accuracy: 0.8 } }) });
    expect(result.passed).toBe(false);
    expect(result.summary).toBe('rejected: roc_auc 0.7000 (needs >= 0.85)');
  });

  it('fails a check whose metric is undefined (NaN), e.g. AUC on a single-class test split', () => {
    const result = evaluateGate({ metrics: { roc_auc: Number.NaN }, gate: gateOf({ minimums: { roc_auc: 0.5 } }) });
    expect(result.passed).toBe(false);
    expect(result.checks[0]?.value).toBeNull();
    expect(result.summary).toContain('roc_auc is missing');
  });

  it('compares with the production model in each metric\'s direction', () => {
    const gate = gateOf({ maxDegradation: { roc_auc: 0.01, log_loss: 0.02 } });
    const production = { version: 3, metrics: { roc_auc: 0.91, log_loss: 0.3 } };
    const better = evaluateGate({ metrics: { roc_auc: 0.92, log_loss: 0.31 }, gate, production });
    expect(better.passed).toBe(true);
    const worse = evaluateGate({ metrics: { roc_auc: 0.89, log_loss: 0.35 }, gate, production });
    expect(worse.passed).toBe(false);
    expect(worse.summary).toBe(
      'rejected: roc_auc 0.8900 is 0.0200 worse than production v3 (0.9100); at most 0.01 allowed; log_loss 0.3500 is 0.0500 worse than production v3 (0.3000); at most 0.02 allowed',
    );
    expect(evaluateGate({ metrics: { roc_auc: 0.5 }, gate }).checks).toEqual([]); // no production yet: nothing to compare
  });

  it('gates on fairness and on the largest feature share', () => {
    const gate = gateOf({ fairness: { minDisparateImpact: 0.8 }, maxFeatureShare: 0.5 });
    const fairness = [{ attribute: 'sex', groups: [], disparateImpact: 0.35, demographicParityDifference: 0.2, equalOpportunityDifference: 0.1, insufficientGroups: [] }];
    const importance = { score: 'roc_auc' as const, baseline: 0.99, measurable: true, features: [{ feature: 'leak', importance: 0.4, share: 0.9 }, { feature: 'age', importance: 0.04, share: 0.1 }] };
    const result = evaluateGate({ metrics: {}, gate, fairness, importance });
    expect(result.checks.map((c) => [c.metric, c.passed])).toEqual([
      ['sex.disparate_impact', false],
      ['feature_share.leak', false],
    ]);
    expect(result.summary).toContain('feature "leak" carries 90.0% of the model\'s influence, more than the 50% allowed');
  });
});
