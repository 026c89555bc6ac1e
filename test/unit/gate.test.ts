import { describe, expect, it } from 'vitest';
import { evaluateGate } from '../../lambdas/core/gate.js';
import { parseModelConfig } from '../../lambdas/core/model-config.js';

const gateOf = (gate: Record<string, unknown>) =>
  parseModelConfig({ name: 'm', task: 'binary', label: 'y', gate }, 'models/m.json').gate;

describe('evaluateGate', () => {
  it('passes when every floor and ceiling holds, listing each check', () => {
    const result = evaluateGate({
      metrics: { roc_auc: 0.9, log_loss: 0.3 },
      gate: gateOf({ minimums: { roc_auc: 0.85 }, maximums: { log_loss: 0.45 } }),
    });
    expect(result.passed).toBe(true);
    expect(result.checks).toEqual([
      {
        kind: 'minimum',
        metric: 'roc_auc',
        comparison: '>=',
        threshold: 0.85,
        value: 0.9,
        passed: true,
        severity: 'blocking',
        description: 'roc_auc 0.9000 (needs >= 0.85)',
      },
      {
        kind: 'maximum',
        metric: 'log_loss',
        comparison: '<=',
        threshold: 0.45,
        value: 0.3,
        passed: true,
        severity: 'blocking',
        description: 'log_loss 0.3000 (needs <= 0.45)',
      },
    ]);
    expect(result.summary).toBe('all 2 checks passed');
  });

  it('rejects with a one-line reason naming the failed metric, its value and threshold', () => {
    const result = evaluateGate({
      metrics: { roc_auc: 0.7, accuracy: 0.9 },
      gate: gateOf({ minimums: { roc_auc: 0.85, accuracy: 0.8 } }),
    });
    expect(result.passed).toBe(false);
    expect(result.summary).toBe('rejected: roc_auc 0.7000 (needs >= 0.85)');
  });

  it('fails a check whose metric is undefined (NaN), e.g. AUC on a single-class test split', () => {
    const result = evaluateGate({ metrics: { roc_auc: Number.NaN }, gate: gateOf({ minimums: { roc_auc: 0.5 } }) });
    expect(result.passed).toBe(false);
    expect(result.checks[0]?.value).toBeNull();
    expect(result.summary).toContain('roc_auc is missing');
  });

  it("compares with the production model in each metric's direction", () => {
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

  it('gates on fairness; a dominant feature only warns by default, and blocks when the model file says so', () => {
    const fairness = [
      {
        task: 'binary' as const,
        attribute: 'sex',
        groups: [],
        disparateImpact: 0.35,
        demographicParityDifference: 0.2,
        equalOpportunityDifference: 0.1,
        insufficientGroups: [],
      },
    ];
    const importance = {
      score: 'roc_auc' as const,
      baseline: 0.99,
      measurable: true,
      features: [
        { feature: 'glucose', importance: 0.4, share: 0.66 },
        { feature: 'age', importance: 0.2, share: 0.34 },
      ],
    };
    const warned = evaluateGate({
      metrics: {},
      gate: gateOf({ fairness: { minDisparateImpact: 0.8 } }),
      fairness,
      importance,
    });
    expect(warned.checks.map((c) => [c.metric, c.passed, c.severity])).toEqual([
      ['sex.disparate_impact', false, 'blocking'],
      ['feature_share.glucose', false, 'warning'],
    ]);
    expect(warned.summary).toBe(
      'rejected: disparate impact by sex 0.3500 (needs >= 0.8); warnings: feature "glucose" carries 66.0% of the model\'s influence, more than the 50.0% allowed (it eclipses the others)',
    );
    const onlyDominance = evaluateGate({ metrics: {}, gate: gateOf({}), importance });
    expect(onlyDominance.passed).toBe(true);
    expect(onlyDominance.summary).toMatch(/^passed with warnings: feature "glucose" carries 66\.0%/);
    const strict = evaluateGate({ metrics: {}, gate: gateOf({ severity: { dominance: 'blocking' } }), importance });
    expect(strict.passed).toBe(false);
  });

  it('blocks a leak: a feature that alone predicts the label almost perfectly, or a copy of it; a strong real predictor passes', () => {
    const gate = gateOf({});
    const scores = (top: number, identical = false) => [
      { feature: 'glucose', metric: 'roc_auc' as const, score: top, identical },
      { feature: 'age', metric: 'roc_auc' as const, score: 0.61, identical: false },
    ];
    const leak = evaluateGate({ metrics: {}, gate, singleFeatureScores: scores(0.998) });
    expect(leak.passed).toBe(false);
    expect(leak.checks[0]).toMatchObject({ kind: 'leak', metric: 'leak.glucose', value: 0.998, severity: 'blocking' });
    expect(leak.summary).toBe(
      'rejected: feature "glucose" alone predicts the label (AUC 0.998): a leak? (remove it, or add it to "exclude")',
    );
    const copy = evaluateGate({ metrics: {}, gate, singleFeatureScores: scores(0.7, true) });
    expect(copy.summary).toContain('feature "glucose" is identical to the label');
    const strong = evaluateGate({ metrics: {}, gate, singleFeatureScores: scores(0.86) });
    expect(strong.passed).toBe(true);
    expect(strong.checks[0]?.description).toBe(
      'strongest single feature "glucose": AUC 0.8600 alone (a leak at > 0.99)',
    );
    expect(
      evaluateGate({ metrics: {}, gate: gateOf({ severity: { leak: 'warning' } }), singleFeatureScores: scores(0.998) })
        .passed,
    ).toBe(true);
  });

  it("warns when a feature's share of the influence grows too much against production", () => {
    const features = (a: number) => [
      { feature: 'a', importance: a, share: a },
      { feature: 'b', importance: 1 - a, share: 1 - a },
    ];
    const importance = { score: 'roc_auc' as const, baseline: 0.9, measurable: true, features: features(0.45) };
    const production = { version: 2, metrics: {}, importance: { ...importance, features: features(0.1) } };
    const result = evaluateGate({ metrics: {}, gate: gateOf({}), importance, production });
    const growth = result.checks.find((c) => c.kind === 'feature_share_growth');
    expect(growth).toMatchObject({ metric: 'feature_share_growth.a', passed: false, severity: 'warning' });
    expect(growth?.value).toBeCloseTo(0.35, 12);
    expect(growth?.description).toBe(
      'feature "a" grew from 10.0% of the influence in production v2 to 45.0%, more than the 25.0% allowed',
    );
    expect(result.passed).toBe(true);
  });

  it("compares with the linear baseline in each metric's direction, with a margin", () => {
    const gate = gateOf({ mustBeatBaseline: { roc_auc: 0.01, rmse: 0 } });
    const result = evaluateGate({
      metrics: { roc_auc: 0.905, rmse: 2 },
      gate,
      baseline: { metrics: { roc_auc: 0.9, rmse: 2.5 } },
    });
    expect(result.checks.map((c) => [c.metric, c.passed])).toEqual([
      ['roc_auc.vs_baseline', false],
      ['rmse.vs_baseline', true],
    ]);
    expect(result.checks[0]?.value).toBeCloseTo(0.005, 12);
    expect(result.summary).toBe(
      "rejected: roc_auc 0.9050 against the linear baseline's 0.9000: better by 0.0050 (needs >= 0.01 better)",
    );
    const noBaseline = evaluateGate({
      metrics: { roc_auc: 0.9, rmse: 2 },
      gate,
      baseline: { failure: 'Sandbox.Timedout: timed out' },
    });
    expect(noBaseline.summary).toContain(
      'roc_auc cannot be compared with the linear baseline: Sandbox.Timedout: timed out',
    );
  });

  it('explains a fairness bound the data cannot measure (groups below minGroupSize), and warns instead when configured', () => {
    const group = (name: string, count: number, sufficient: boolean) => ({
      group: name,
      count,
      actualPositives: 1,
      sufficient,
      selectionRate: sufficient ? 0.3 : null,
      truePositiveRate: null,
      falsePositiveRate: null,
      precision: null,
    });
    const fairness = [
      {
        task: 'binary' as const,
        attribute: 'age',
        groups: [group('[25, 60)', 120, true), group('>= 60', 4, false), group('< 25', 12, false)],
        disparateImpact: null,
        demographicParityDifference: null,
        equalOpportunityDifference: null,
        insufficientGroups: ['>= 60', '< 25'],
      },
    ];
    const result = evaluateGate({
      metrics: {},
      gate: gateOf({ fairness: { minDisparateImpact: 0.8 } }),
      fairness,
      minGroupSize: 30,
    });
    expect(result.passed).toBe(false);
    expect(result.summary).toBe(
      'rejected: age.disparate_impact cannot be measured: it needs 2 groups with at least minGroupSize 30 test rows, and only "[25, 60)" (120) has; too small: ">= 60" (4), "< 25" (12). Lower minGroupSize, group the attribute into fewer bins, or collect more data',
    );
    const lenient = evaluateGate({
      metrics: {},
      gate: gateOf({ fairness: { minDisparateImpact: 0.8 }, severity: { fairness_unmeasured: 'warning' } }),
      fairness,
      minGroupSize: 30,
    });
    expect(lenient.passed).toBe(true);
    expect(lenient.checks[0]?.severity).toBe('warning');
  });
});
