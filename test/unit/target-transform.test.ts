import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Predictor } from '../../lambdas/core/artifact.js';
import type { Frame } from '../../lambdas/core/dataset.js';
import { evaluate } from '../../lambdas/core/evaluation.js';
import { parseModelConfig } from '../../lambdas/core/model-config.js';
import { fitPreprocessor } from '../../lambdas/core/preprocess.js';
import {
  chooseTransform,
  decodeTarget,
  encodeTarget,
  fitTargetEncoder,
  skewness,
} from '../../lambdas/core/target-transform.js';
import { initBackend } from '../../lambdas/core/tf-backend.js';
import { linearArtifact } from '../helpers/linear-artifact.js';

/** From test/reference/target_transform_reference.py (NumPy, scipy.stats.skew). */
const REFERENCE = {
  skewness: 1.6696287888047376,
  skewnessOfLog1p: -0.002719900269339239,
  rmse: 9.895358530368938,
  mae: 5.4404302871050785,
  r2: 0.9721721066354369,
};

const N = 40;
const x = Array.from({ length: N }, (_, i) => (i - 20) / 4);
/** A positive, right-skewed target: expm1 of a line with a little noise. */
const truth = x.map((v, i) => Math.expm1(3 + 0.5 * v + (((i * 7) % 5) - 2) * 0.1));

const frame = (labels: number[]): Frame => ({
  features: [{ name: 'x', type: 'numeric', values: x }],
  sensitive: [],
  labels: { kind: 'numbers', values: labels },
  origins: x.map((_, i) => `ref.csv:${i + 2}`),
});

describe('the regression target transform', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('measures skewness as SciPy does, and `auto` models a positive target skewed above 1 as log1p', () => {
    expect(skewness(truth)).toBeCloseTo(REFERENCE.skewness, 12);
    expect(skewness(truth.map(Math.log1p))).toBeCloseTo(REFERENCE.skewnessOfLog1p, 12);
    expect(chooseTransform(truth)).toBe('log1p');
    expect(chooseTransform(truth.map(Math.log1p))).toBe('standardize'); // symmetric
    expect(chooseTransform([-1, ...truth])).toBe('standardize'); // skewed, but not positive
    const config = parseModelConfig({ name: 'm', task: 'regression', label: 'y' }, 'test');
    expect(fitPreprocessor(frame(truth), config).label).toMatchObject({ task: 'regression', transform: 'log1p' });
    const fixed = parseModelConfig({ name: 'm', task: 'regression', label: 'y', targetTransform: 'standardize' }, 't');
    expect(fitPreprocessor(frame(truth), fixed).label).toMatchObject({ transform: 'standardize' });
  });

  it('fits on the transformed training target; `none` leaves it raw; log1p refuses a label at or below −1 by its line', () => {
    const logs = truth.map(Math.log1p);
    const mean = logs.reduce((a, b) => a + b, 0) / N;
    const std = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / N);
    const encoder = fitTargetEncoder(truth, 'auto');
    expect(encoder).toEqual({
      task: 'regression',
      transform: 'log1p',
      mean: expect.closeTo(mean, 12),
      std: expect.closeTo(std, 12),
    });
    expect(fitTargetEncoder(truth, 'none')).toEqual({ task: 'regression', transform: 'none', mean: 0, std: 1 });
    expect(() => fitTargetEncoder([3, 1, -1, 4], 'log1p', ['d.csv:2', 'd.csv:3', 'd.csv:5', 'd.csv:6'])).toThrow(
      /needs every label above −1, and the label at d\.csv:5 is -1: use "standardize"/,
    );
  });

  it('decodes what it encodes, for any non-negative label and each transform', () => {
    for (const transform of ['standardize', 'log1p', 'none'] as const) {
      const encoder = fitTargetEncoder(truth, transform);
      fc.assert(
        fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), (v) => {
          const back = decodeTarget(encoder, encodeTarget(encoder, v));
          return Math.abs(back - v) <= 1e-9 * Math.max(1, v);
        }),
      );
    }
  });

  it('scores a log1p model on the original scale: its metrics are those of the back-transformed predictions', async () => {
    // The network outputs x on the standardized log scale (mean 3, spread 0.5): predictions expm1(3 + 0.5x).
    const predictor = await Predictor.load(
      await linearArtifact(N, 'regression', { task: 'regression', transform: 'log1p', mean: 3, std: 0.5 }, [1], [0]),
    );
    expect(predictor.predictInstances([{ x: 1 }])[0]).toEqual({ value: expect.closeTo(Math.expm1(3.5), 4) });
    const metrics = evaluate(predictor, frame(truth)).metrics;
    expect(metrics.rmse).toBeCloseTo(REFERENCE.rmse, 4);
    expect(metrics.mae).toBeCloseTo(REFERENCE.mae, 4);
    expect(metrics.r2).toBeCloseTo(REFERENCE.r2, 6);
    predictor.dispose();
  });

  it('is refused on a classifier, naming the field and the task', () => {
    expect(() =>
      parseModelConfig({ name: 'b', task: 'binary', label: 'y', targetTransform: 'log1p' }, 'models/b.json'),
    ).toThrow(/targetTransform only applies to regression models, and this one is binary/);
  });
});
