import { describe, expect, it } from 'vitest';
import { parseArtifact, Predictor, serializeArtifact } from '../../lambdas/core/artifact.js';
import { IntegrityError } from '../../lambdas/core/errors.js';
import type { Frame } from '../../lambdas/core/dataset.js';
import { sha256Hex } from '../../lambdas/core/digest.js';
import { evaluate } from '../../lambdas/core/evaluation.js';
import { parseModelConfig, type TaskKind } from '../../lambdas/core/model-config.js';
import { weightsSha256 } from '../../lambdas/core/network.js';
import { fitPreprocessor } from '../../lambdas/core/preprocess.js';
import { seededRandom } from '../../lambdas/core/random.js';
import { initBackend } from '../../lambdas/core/tf-backend.js';
import { trainDefault } from '../helpers/train.js';
import { resolveHyperparameters } from '../../lambdas/core/hyperparameters.js';
import { trainModel } from '../../lambdas/core/training.js';

/** A learnable toy problem: the label depends on x and on the color. */
function toyFrame(task: TaskKind, rows: number, seed: number): Frame {
  const random = seededRandom(seed);
  const x: number[] = [];
  const color: (string | null)[] = [];
  const labels: string[] = [];
  const numbers: number[] = [];
  for (let i = 0; i < rows; i++) {
    const xi = random() * 4 - 2;
    const c = ['red', 'green', 'blue'][Math.floor(random() * 3)] as string;
    const score = xi + (c === 'red' ? 1.5 : c === 'blue' ? -1.5 : 0);
    x.push(xi);
    color.push(c);
    numbers.push(3 * score + 10);
    labels.push(task === 'multiclass' ? (score < -1 ? 'low' : score < 1 ? 'mid' : 'high') : score > 0 ? 'yes' : 'no');
  }
  return {
    features: [
      { name: 'x', type: 'numeric', values: x },
      { name: 'color', type: 'categorical', values: color },
    ],
    sensitive: [],
    labels: task === 'regression' ? { kind: 'numbers', values: numbers } : { kind: 'classes', values: labels },
    origins: x.map((_, i) => `toy:${i + 2}`),
  };
}

const hp = {
  hiddenUnits: [16],
  epochs: 30,
  batchSize: 64,
  learningRate: 0.02,
  l2: 0,
  earlyStoppingPatience: 5,
  seed: 7,
};

describe('training', () => {
  it('runs on the WebAssembly backend here (tfjs-node is not installable offline)', async () => {
    expect(await initBackend()).toBe('wasm');
  });

  it('learns a binary task and scores it through the same predictor serving uses', async () => {
    const config = parseModelConfig(
      { name: 'toy', task: 'binary', label: 'y', positiveClass: 'yes', hyperparameters: hp },
      'toy',
    );
    const train = toyFrame('binary', 1500, 1);
    const pre = fitPreprocessor(train, config);
    const { artifact } = await trainDefault(config, pre, train, toyFrame('binary', 300, 2));
    const predictor = await Predictor.load(artifact);
    const { metrics } = evaluate(predictor, toyFrame('binary', 500, 3));
    expect(metrics.roc_auc).toBeGreaterThan(0.97);
    const [prediction] = predictor.predictInstances([{ x: 1.8, color: 'red' }]);
    expect(prediction).toMatchObject({ label: 'yes' });
  });

  it('learns multiclass and regression tasks', async () => {
    const multi = parseModelConfig({ name: 'toy', task: 'multiclass', label: 'y', hyperparameters: hp }, 'toy');
    const mTrain = toyFrame('multiclass', 1500, 4);
    const mModel = await trainDefault(multi, fitPreprocessor(mTrain, multi), mTrain, toyFrame('multiclass', 300, 5));
    expect(
      evaluate(await Predictor.load(mModel.artifact), toyFrame('multiclass', 500, 6)).metrics.accuracy,
    ).toBeGreaterThan(0.85);

    const reg = parseModelConfig({ name: 'toy', task: 'regression', label: 'y', hyperparameters: hp }, 'toy');
    const rTrain = toyFrame('regression', 1500, 7);
    const rModel = await trainDefault(reg, fitPreprocessor(rTrain, reg), rTrain, toyFrame('regression', 300, 8));
    const { metrics } = evaluate(await Predictor.load(rModel.artifact), toyFrame('regression', 500, 9));
    expect(metrics.r2).toBeGreaterThan(0.95);
  });

  it('is reproducible: the same data, config and seed give bit-identical weights; another seed does not', async () => {
    const config = parseModelConfig(
      { name: 'toy', task: 'binary', label: 'y', hyperparameters: { ...hp, epochs: 5 } },
      'toy',
    );
    const train = toyFrame('binary', 800, 10);
    const validation = toyFrame('binary', 200, 11);
    const pre = fitPreprocessor(train, config);
    const first = await trainDefault(config, pre, train, validation);
    const second = await trainDefault(config, pre, train, validation);
    expect(weightsSha256(second.artifact.network)).toBe(weightsSha256(first.artifact.network));
    expect(sha256Hex(serializeArtifact(second.artifact))).toBe(sha256Hex(serializeArtifact(first.artifact)));
    const reseeded = parseModelConfig(
      { name: 'toy', task: 'binary', label: 'y', hyperparameters: { ...hp, epochs: 5, seed: 8 } },
      'toy',
    );
    const third = await trainDefault(reseeded, pre, train, validation);
    expect(weightsSha256(third.artifact.network)).not.toBe(weightsSha256(first.artifact.network));
  });

  it('refuses an artifact whose bytes do not match the recorded sha256', async () => {
    const config = parseModelConfig(
      { name: 'toy', task: 'binary', label: 'y', hyperparameters: { ...hp, epochs: 1 } },
      'toy',
    );
    const train = toyFrame('binary', 200, 12);
    const { artifact } = await trainDefault(config, fitPreprocessor(train, config), train, train);
    const bytes = serializeArtifact(artifact);
    expect(parseArtifact(bytes, sha256Hex(bytes), 's3://b/k').model).toBe('toy');
    const tampered = Buffer.from(bytes);
    tampered[tampered.length - 2] = 0x20;
    expect(() => parseArtifact(tampered, sha256Hex(bytes), 's3://b/k')).toThrow(
      /s3:\/\/b\/k has sha256 [0-9a-f]{64}, but the registry recorded/,
    );
  });

  it('reads an artifact back exactly as written, and refuses one of another shape, naming what is wrong', async () => {
    const config = parseModelConfig(
      { name: 'toy', task: 'multiclass', label: 'y', hyperparameters: { ...hp, epochs: 1 } },
      'toy',
    );
    const train = toyFrame('multiclass', 200, 13);
    const { artifact } = await trainDefault(config, fitPreprocessor(train, config), train, train);
    const bytes = serializeArtifact(artifact);
    expect(parseArtifact(bytes, sha256Hex(bytes), 's3://b/k')).toEqual(JSON.parse(bytes.toString('utf8')));
    // Documents whose sha256 the registry recorded (written by other code, or by hand), each wrong in one way.
    const recorded = (document: unknown) => {
      const written = Buffer.from(JSON.stringify(document));
      return () => parseArtifact(written, sha256Hex(written), 's3://b/k');
    };
    expect(recorded({ ...artifact, preprocessor: { ...artifact.preprocessor, width: '3' } })).toThrow(
      /^s3:\/\/b\/k is not a model artifact this code can read: preprocessor\.width: /,
    );
    expect(recorded({ ...artifact, network: { ...artifact.network, weightsBase64: undefined } })).toThrow(
      /network\.weightsBase64/,
    );
    expect(recorded({ ...artifact, format: 'serverless-mlops/model@2' })).toThrow(
      'has format serverless-mlops/model@2, expected serverless-mlops/model@1',
    );
    const notJson = Buffer.from('{"format":');
    expect(() => parseArtifact(notJson, sha256Hex(notJson), 's3://b/k')).toThrow(IntegrityError);
  });
});

describe('serving several models in one process', () => {
  it('loads a second version of the same network while the first is still loaded (a warm container swapping versions)', async () => {
    const config = parseModelConfig(
      { name: 'toy', task: 'binary', label: 'y', hyperparameters: { ...hp, epochs: 2 } },
      'toy',
    );
    const train = toyFrame('binary', 300, 13);
    const { artifact } = await trainDefault(config, fitPreprocessor(train, config), train, train);
    const first = await Predictor.load(artifact);
    const second = await Predictor.load(artifact);
    const instance = [{ x: 0.5, color: 'green' }];
    expect(second.predictInstances(instance)).toEqual(first.predictInstances(instance));
    first.dispose();
    expect(second.predictInstances(instance)).toHaveLength(1);
    second.dispose();
  });
});

describe('the training loop', () => {
  const config = parseModelConfig({ name: 'toy', task: 'binary', label: 'y' }, 'toy');
  const train = toyFrame('binary', 600, 21);
  const validation = toyFrame('binary', 150, 22);
  const pre = fitPreprocessor(train, config);
  const base = {
    ...resolveHyperparameters({}, { trainingRows: 600, task: 'binary' }),
    epochs: 40,
    earlyStoppingPatience: 6,
    learningRate: 0.05,
  };

  it('halves the learning rate only after the validation loss stalled for half the patience (plateau schedule)', async () => {
    const { history } = await trainModel(config, pre, train, validation, base);
    let best = Number.POSITIVE_INFINITY;
    let bestEpoch = 0;
    let halvings = 0;
    history.forEach((h, i) => {
      const previous = history[i - 1];
      if (previous !== undefined && h.learningRate < previous.learningRate) {
        halvings += 1;
        expect(h.learningRate).toBeCloseTo(previous.learningRate / 2, 12);
        expect(previous.epoch - bestEpoch).toBeGreaterThanOrEqual(3); // patience 6 → halve after 3 epochs without a new best
      }
      if (h.validationLoss < best) [best, bestEpoch] = [h.validationLoss, h.epoch];
    });
    expect(halvings).toBeGreaterThan(0);
    const constant = await trainModel(config, pre, train, validation, { ...base, learningRateSchedule: 'constant' });
    expect(new Set(constant.history.map((h) => h.learningRate))).toEqual(new Set([0.05]));
  });

  it('stops at the time budget, records the epochs it ran, and that record retrains to the same weights', async () => {
    let clock = 0;
    const now = () => (clock += 10); // every reading advances 10 ms: a deterministic clock
    const cut = await trainModel(config, pre, train, validation, base, { deadline: 100, now });
    expect(cut.stoppedBy).toBe('time_budget');
    const asTrained = cut.artifact.training.hyperparameters;
    expect(asTrained.epochs).toBe(cut.artifact.training.epochsRun);
    expect(asTrained.epochs).toBeLessThan(base.epochs);
    const again = await trainModel(config, pre, train, validation, asTrained);
    expect(again.stoppedBy).toBe('max_epochs');
    expect(weightsSha256(again.artifact.network)).toBe(weightsSha256(cut.artifact.network));
  });
});

describe('a refit (the choice of a cross-validation, trained on train + validation)', () => {
  const config = parseModelConfig({ name: 'toy', task: 'binary', label: 'y' }, 'toy');
  const train = toyFrame('binary', 300, 31);
  const none = toyFrame('binary', 0, 32);
  const pre = fitPreprocessor(train, config);
  const hp = {
    ...resolveHyperparameters({}, { trainingRows: 300, task: 'binary' }),
    epochs: 7,
    earlyStoppingPatience: 1,
  };

  it('trains exactly its epochs and keeps the last weights (nothing to stop early on), recording the rows', async () => {
    const refit = await trainModel(config, pre, train, none, hp, { rows: { kind: 'refit' } });
    expect(refit.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(refit.artifact.training).toMatchObject({ epochsRun: 7, bestEpoch: 7, rows: { kind: 'refit' } });
    expect(refit.stoppedBy).toBe('max_epochs');
    // The same data and hyper-parameters retrain to the same weights (what `mlops reproduce` relies on).
    const again = await trainModel(config, pre, train, none, hp, { rows: { kind: 'refit' } });
    expect(weightsSha256(again.artifact.network)).toBe(weightsSha256(refit.artifact.network));
  });

  it('leaves a holdout artifact as before: no rows recorded', async () => {
    const holdout = await trainModel(config, pre, train, toyFrame('binary', 60, 33), { ...hp, epochs: 2 });
    expect(holdout.artifact.training).not.toHaveProperty('rows');
  });
});

describe('artifact bytes', () => {
  it("do not depend on the order the hyper-parameters' keys come back in (DynamoDB does not keep map order)", async () => {
    const config = parseModelConfig(
      { name: 'toy', task: 'binary', label: 'y', hyperparameters: { ...hp, epochs: 1 } },
      'toy',
    );
    const train = toyFrame('binary', 200, 31);
    const { artifact } = await trainDefault(config, fitPreprocessor(train, config), train, train);
    const reordered = Object.fromEntries(
      Object.entries(artifact.training.hyperparameters).reverse(),
    ) as typeof artifact.training.hyperparameters;
    const again = { ...artifact, training: { ...artifact.training, hyperparameters: reordered } };
    expect(JSON.stringify(again)).not.toBe(JSON.stringify(artifact));
    expect(sha256Hex(serializeArtifact(again))).toBe(sha256Hex(serializeArtifact(artifact)));
  });
});
