import { beforeAll, describe, expect, it } from 'vitest';
import { Predictor } from '../../lambdas/core/artifact.js';
import type { Frame } from '../../lambdas/core/dataset.js';
import { attributeFairness } from '../../lambdas/core/fairness.js';
import { permutationImportance } from '../../lambdas/core/importance.js';
import type { ModelConfig } from '../../lambdas/core/model-config.js';
import { encodeFrame, encodeLabels, fitPreprocessor } from '../../lambdas/core/preprocess.js';
import { trainDefault } from '../helpers/train.js';
import { adult } from '../helpers/adult.js';

describe('fairness (hand-checked)', () => {
  it('computes per-group rates and the gaps between groups', () => {
    // group a: 4 rows, truth 1,1,0,0, predicted 1,0,1,0 → selection 0.5, TPR 0.5, FPR 0.5, precision 0.5
    // group b: 4 rows, truth 1,1,0,0, predicted 1,1,0,0 → selection 0.5, TPR 1, FPR 0, precision 1
    // group c: 2 rows, truth 1,0, predicted 0,0 → selection 0, TPR 0
    const attribute = {
      name: 'g',
      type: 'categorical' as const,
      values: ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'c', 'c'],
    };
    const truth = [1, 1, 0, 0, 1, 1, 0, 0, 1, 0];
    const predicted = [1, 0, 1, 0, 1, 1, 0, 0, 0, 0];
    const result = attributeFairness(attribute, truth, predicted, 1);
    expect(result.groups.find((g) => g.group === 'a')).toMatchObject({
      selectionRate: 0.5,
      truePositiveRate: 0.5,
      falsePositiveRate: 0.5,
      precision: 0.5,
    });
    expect(result.groups.find((g) => g.group === 'b')).toMatchObject({
      selectionRate: 0.5,
      truePositiveRate: 1,
      falsePositiveRate: 0,
      precision: 1,
    });
    expect(result.groups.find((g) => g.group === 'c')).toMatchObject({
      selectionRate: 0,
      truePositiveRate: 0,
      precision: null,
    });
    // group c is never selected: disparate impact 0 / 0.5 = 0, parity gap 0.5, opportunity gap 1 − 0 = 1
    expect(result.disparateImpact).toBe(0);
    expect(result.demographicParityDifference).toBe(0.5);
    expect(result.equalOpportunityDifference).toBe(1);
  });

  it('reports "insufficient data" (null) for small groups and leaves them out of the gaps', () => {
    const attribute = { name: 'g', type: 'categorical' as const, values: ['a', 'a', 'a', 'b', 'b', 'b', null] };
    const result = attributeFairness(attribute, [1, 0, 1, 1, 0, 0, 1], [1, 0, 0, 1, 1, 0, 1], 3);
    expect(result.insufficientGroups).toEqual(['(missing)']);
    expect(result.groups.find((g) => g.group === '(missing)')).toMatchObject({
      count: 1,
      sufficient: false,
      selectionRate: null,
    });
    // a: selection 1/3, TPR 1/2; b: selection 2/3, TPR 1
    expect(result.disparateImpact).toBeCloseTo(0.5, 12);
    expect(result.demographicParityDifference).toBeCloseTo(1 / 3, 12);
    expect(result.equalOpportunityDifference).toBeCloseTo(0.5, 12);
  });
});

describe('fairness and feature influence on the adult model', () => {
  let config: ModelConfig;
  let test: Frame;
  let predictor: Predictor;

  beforeAll(async () => {
    const data = await adult();
    config = data.config;
    test = data.prepared.splits.test;
    const train = data.prepared.splits.train;
    const { artifact } = await trainDefault(
      config,
      fitPreprocessor(train, config),
      train,
      data.prepared.splits.validation,
    );
    predictor = await Predictor.load(artifact);
  }, 120_000);

  it('reports selection rates by sex and race; women are selected far less often (disparate impact < 0.8)', () => {
    const pre = predictor.artifact.preprocessor;
    const scores = predictor.scoreEncoded(encodeFrame(pre, test), test.origins.length);
    const predicted = Array.from({ length: test.origins.length }, (_, r) =>
      (scores[r * 2 + 1] as number) >= 0.5 ? 1 : 0,
    );
    const truth = encodeLabels(pre, test.labels);
    const sex = attributeFairness(test.sensitive.find((c) => c.name === 'sex') as never, truth, predicted);
    expect(sex.groups.map((g) => g.group).sort()).toEqual(['Female', 'Male']);
    const female = sex.groups.find((g) => g.group === 'Female')?.selectionRate as number;
    const male = sex.groups.find((g) => g.group === 'Male')?.selectionRate as number;
    expect(female).toBeLessThan(male);
    expect(sex.disparateImpact).toBeCloseTo(female / male, 12);
    expect(sex.disparateImpact).toBeLessThan(0.8);
    const race = attributeFairness(test.sensitive.find((c) => c.name === 'race') as never, truth, predicted, 100);
    expect(race.groups.length).toBe(5);
    expect(race.insufficientGroups.length).toBeGreaterThan(0);
  });

  it('permutation importance spreads influence across features (no feature dominates)', () => {
    const result = permutationImportance(predictor, test, 1, 1);
    expect(result.score).toBe('roc_auc');
    expect(result.features).toHaveLength(test.features.length);
    expect(Math.max(...result.features.map((f) => f.share))).toBeLessThan(0.5);
    expect(result.features.reduce((s, f) => s + f.share, 0)).toBeCloseTo(1, 9);
  });

  it('a leaky column (a copy of the label) dominates the importance', async () => {
    const data = await adult();
    const leak = (frame: Frame): Frame => ({
      ...frame,
      features: [
        ...frame.features,
        { name: 'leak', type: 'categorical', values: [...(frame.labels.values as string[])] },
      ],
    });
    const train = leak(data.prepared.splits.train);
    const leakyConfig = { ...config, hyperparameters: { ...config.hyperparameters, epochs: 3 } };
    const { artifact } = await trainDefault(
      leakyConfig,
      fitPreprocessor(train, leakyConfig),
      train,
      leak(data.prepared.splits.validation),
    );
    const leaky = await Predictor.load(artifact);
    const result = permutationImportance(leaky, leak(test), 1, 1);
    expect(result.features[0]?.feature).toBe('leak');
    expect(result.features[0]?.share).toBeGreaterThan(0.5);
    leaky.dispose();
  }, 120_000);
});
