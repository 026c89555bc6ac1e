import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../../lambdas/shared/adapters/card-facts.js';
import { runIdFor } from '../../lambdas/shared/contracts/run-identity.js';
import { modelFileWarnings } from '../../lib/model-configs.js';
import { parseModelConfig } from '../../lambdas/core/model-config.js';
import { describeOutcome } from '../../local/progress.js';
import type { LocalExecution } from '../../local/stepfunctions/state-machine.js';

function execution(output: unknown): LocalExecution {
  return {
    executionArn: 'arn',
    name: 'abcdef0123',
    stateMachineArn: 'sm',
    input: {},
    startedAt: new Date(0),
    status: 'SUCCEEDED',
    output,
    events: [{ type: 'ExecutionSucceeded', timestamp: 1, output }],
    done: Promise.resolve(undefined as unknown as LocalExecution),
  };
}

describe('what a finished run is announced as', () => {
  const validation = { version: 3, metrics: { roc_auc: 0.9 }, gate: { passed: true, summary: 'all 2 checks passed' } };

  it('a version that waits for approval is not announced as in production', () => {
    const lines = describeOutcome(
      execution({
        run: { model: 'adult' },
        validation,
        promotion: { version: 3, previousVersion: 2, promoted: false },
      }),
    );
    expect(lines.at(-1)).toBe(
      '[abcdef01] adult version 3 passed its gate and awaits approval; production unchanged (mlops approve adult 3 -m …, then mlops promote adult 3 -m …)',
    );
    const promoted = describeOutcome(
      execution({ run: { model: 'adult' }, validation, promotion: { version: 3, previousVersion: 2, promoted: true } }),
    );
    expect(promoted.at(-1)).toBe('[abcdef01] adult version 3 is now in production (was 2)');
  });

  it('the model card states the outcome in words', () => {
    expect(outcomeOf({ model: 'm', status: 'PROMOTED', version: 2 })).toBe('promoted to production as v2');
    expect(
      outcomeOf({ model: 'm', status: 'REJECTED', version: 2, reason: 'rejected: roc_auc 0.7 (needs >= 0.8)' }),
    ).toBe('rejected; production unchanged (roc_auc 0.7 (needs >= 0.8))');
    expect(outcomeOf({ model: 'm', status: 'AWAITING_APPROVAL', version: 2 })).toBe(
      'passed its gate; awaiting approval (mlops approve m 2, then mlops promote)',
    );
  });
});

describe('run identity', () => {
  it('is the same for the same object and model file, and new when the model file changes', () => {
    const a = runIdFor('b', 'incoming/m/d.csv', 'etag', 'sha-1');
    expect(runIdFor('b', 'incoming/m/d.csv', 'etag', 'sha-1')).toBe(a);
    expect(runIdFor('b', 'incoming/m/d.csv', 'etag', 'sha-2')).not.toBe(a);
    expect(runIdFor('b', 'incoming/m/d.csv', 'other', 'sha-1')).not.toBe(a);
    expect(a).toMatch(/^run-[0-9a-f]{20}$/);
  });
});

describe('synth-time warnings about model files', () => {
  it('warns of a numeric sensitive attribute without bins, not of one with bins or a categorical one', () => {
    const config = parseModelConfig(
      {
        name: 'm',
        task: 'binary',
        label: 'y',
        sensitive: ['age', { column: 'income', bins: [1000] }, 'sex'],
        columnTypes: { age: 'numeric', income: 'numeric' },
      },
      'models/m.json',
    );
    expect(modelFileWarnings([config])).toEqual([
      'models/m.json: sensitive attribute "age" is numeric and has no bins; it will be grouped by its quartiles. Declare the groups that matter: "sensitive": [{"column": "age", "bins": [25, 60]}]',
    ]);
  });
});
