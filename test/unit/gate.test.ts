import { describe, expect, it } from 'vitest';
import { evaluateGate } from '../../lambdas/core/gate.js';

describe('evaluateGate', () => {
  it('passes when every floor and ceiling holds, listing each check', () => {
    const result = evaluateGate({ roc_auc: 0.9, log_loss: 0.3 }, { minimums: { roc_auc: 0.85 }, maximums: { log_loss: 0.45 } });
    expect(result.passed).toBe(true);
    expect(result.checks).toEqual([
      { metric: 'roc_auc', comparison: '>=', threshold: 0.85, value: 0.9, passed: true },
      { metric: 'log_loss', comparison: '<=', threshold: 0.45, value: 0.3, passed: true },
    ]);
  });

  it('rejects with a one-line reason naming the failed metric, its value and threshold', () => {
    const result = evaluateGate({ roc_auc: 0.7, accuracy: 0.9 }, { minimums: { roc_auc: 0.85, accuracy: 0.8 }, maximums: {} });
    expect(result.passed).toBe(false);
    expect(result.summary).toBe('rejected: roc_auc 0.7000 (needs >= 0.85)');
  });

  it('fails a check whose metric is undefined (NaN), e.g. AUC on a single-class test split', () => {
    const result = evaluateGate({ roc_auc: Number.NaN }, { minimums: { roc_auc: 0.5 }, maximums: {} });
    expect(result.passed).toBe(false);
    expect(result.checks[0]?.value).toBeNull();
    expect(result.summary).toContain('roc_auc is missing');
  });
});
