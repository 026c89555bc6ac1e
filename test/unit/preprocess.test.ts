import { describe, expect, it } from 'vitest';
import type { Frame } from '../../lambdas/core/dataset.js';
import { parseModelConfig } from '../../lambdas/core/model-config.js';
import {
  encodeFrame,
  encodeInstances,
  encodeLabels,
  fitPreprocessor,
  MISSING_CATEGORY,
} from '../../lambdas/core/preprocess.js';

const config = parseModelConfig({ name: 'toy', task: 'binary', label: 'y', positiveClass: 'yes' }, 'models/toy.json');

const train: Frame = {
  features: [
    { name: 'x', type: 'numeric', values: [1, 2, Number.NaN, 4] },
    { name: 'color', type: 'categorical', values: ['red', 'blue', 'red', null] },
  ],
  sensitive: [],
  labels: { kind: 'classes', values: ['yes', 'no', 'no', 'yes'] },
  origins: ['t:2', 't:3', 't:4', 't:5'],
};

describe('preprocessing', () => {
  const pre = fitPreprocessor(train, config);

  it('imputes the median and standardizes with the mean and std of the imputed column (hand-checked)', () => {
    // median of [1,2,4] = 2; imputed [1,2,2,4]: mean 2.25, variance 4.75/4 = 1.1875
    expect(pre.features[0]).toEqual({ name: 'x', type: 'numeric', median: 2, mean: 2.25, std: Math.sqrt(1.1875) });
  });

  it('one-hot encodes categories by frequency, with missing as its own category and one unknown slot', () => {
    expect(pre.features[1]).toEqual({
      name: 'color',
      type: 'categorical',
      categories: ['red', MISSING_CATEGORY, 'blue'],
    });
    expect(pre.width).toBe(1 + 3 + 1);
  });

  it('encodes training rows and request instances identically', () => {
    const fromFrame = encodeFrame(pre, train);
    const fromInstances = encodeInstances(pre, [
      { x: 1, color: 'red' },
      { x: 2, color: 'blue' },
      { x: null, color: 'red' },
      { x: 4, color: null },
    ]);
    expect(Array.from(fromInstances)).toEqual(Array.from(fromFrame));
    const std = Math.sqrt(1.1875);
    expect(Array.from(fromFrame.subarray(0, 5))).toEqual([Math.fround((1 - 2.25) / std), 1, 0, 0, 0]);
  });

  it('sends a category never seen in training to the unknown slot', () => {
    expect(Array.from(encodeInstances(pre, [{ x: 2.25, color: 'green' }]))).toEqual([0, 0, 0, 0, 1]);
  });

  it('encodes the positive class as 1 and an unseen class as -1', () => {
    expect(pre.label).toEqual({ task: 'binary', classes: ['no', 'yes'] });
    expect(Array.from(encodeLabels(pre, { kind: 'classes', values: ['yes', 'no', 'maybe'] }))).toEqual([1, 0, -1]);
  });

  it('gives a constant column std 1 instead of dividing by zero', () => {
    const constant: Frame = { ...train, features: [{ name: 'x', type: 'numeric', values: [5, 5, 5, 5] }] };
    const p = fitPreprocessor(constant, config);
    expect(p.features[0]).toMatchObject({ mean: 5, std: 1 });
    expect(Array.from(encodeFrame(p, constant))).toEqual([0, 0, 0, 0]);
  });

  it('defaults the positive class to the rarer one, and refuses a binary label with 3 values', () => {
    const defaults = parseModelConfig({ name: 'toy', task: 'binary', label: 'y' }, 'models/toy.json');
    const rare: Frame = { ...train, labels: { kind: 'classes', values: ['a', 'a', 'a', 'b'] } };
    expect(fitPreprocessor(rare, defaults).label).toEqual({ task: 'binary', classes: ['a', 'b'] });
    const three: Frame = { ...train, labels: { kind: 'classes', values: ['a', 'b', 'c', 'a'] } };
    expect(() => fitPreprocessor(three, defaults)).toThrow(
      'a binary model needs exactly 2 values of "y" in the training split, found 3: a, b, c',
    );
  });
});
