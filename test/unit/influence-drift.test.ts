import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACT_FORMAT, Predictor, type ModelArtifact } from '../../lambdas/core/artifact.js';
import type { Hyperparameters } from '../../lambdas/core/hyperparameters.js';
import { permutationImportance } from '../../lambdas/core/importance.js';
import {
  CROSSING_MARGIN,
  influenceDrift,
  influenceUnmeasurable,
  labelledFrame,
  trainingInfluenceOf,
  type LabelledInstance,
  type TrainingInfluence,
} from '../../lambdas/core/monitoring/influence-drift.js';
import { buildNetwork, ScheduledAdam, serializeNetwork } from '../../lambdas/core/network.js';
import { seededRandom } from '../../lambdas/core/random.js';
import { initBackend } from '../../lambdas/core/tf-backend.js';

const HP: Hyperparameters = {
  hiddenUnits: [],
  epochs: 1,
  batchSize: 32,
  learningRate: 0.01,
  l2: 0,
  earlyStoppingPatience: 1,
  learningRateSchedule: 'constant',
  seed: 0,
};
const THRESHOLDS = { maxFeatureShare: 0.5, maxFeatureShareGrowth: 0.25, minLabels: 200 };

/**
 * A logistic model P(yes) = σ(2·x1 + 2·x2) on two standardized inputs: with x1 and x2 independent and equally spread,
 * each carries half of the influence; once x2 stops varying (a stuck sensor), x1 carries all of it.
 */
async function twoFeatureModel(): Promise<Predictor> {
  const model = buildNetwork(2, 'binary', 2, HP, new ScheduledAdam(0.01));
  model.setWeights([tf.tensor2d([[2], [2]]), tf.tensor1d([0])]);
  const network = await serializeNetwork(model);
  model.dispose();
  const artifact: ModelArtifact = {
    format: ARTIFACT_FORMAT,
    model: 'two',
    task: 'binary',
    labelColumn: 'y',
    preprocessor: {
      features: [
        { name: 'x1', type: 'numeric', median: 0, mean: 0, std: 1 },
        { name: 'x2', type: 'numeric', median: 0, mean: 0, std: 1 },
      ],
      label: { task: 'binary', classes: ['no', 'yes'] },
      width: 2,
    },
    network,
    training: { hyperparameters: HP, epochsRun: 1, bestEpoch: 1, backend: 'cpu', tfjsVersion: tf.version_core },
  };
  return Predictor.load(artifact, { lazyTfjs: true });
}

/** Rows drawn from the model's own probabilities (seeded), x2 fixed at `stuckX2` when given. */
function rows(count: number, seed: number, stuckX2?: number): LabelledInstance[] {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: count }, (_, i) => {
    const x1 = normal();
    const x2 = stuckX2 ?? normal();
    const p = 1 / (1 + Math.exp(-(2 * x1 + 2 * x2)));
    return { id: `r${i}`, instance: { x1, x2: String(x2) }, truth: random() < p ? 'yes' : 'no' };
  });
}

let predictor: Predictor;
let training: TrainingInfluence;

beforeAll(async () => {
  await initBackend();
  predictor = await twoFeatureModel();
  const validation = permutationImportance(predictor, labelledFrame(predictor, rows(2000, 1)), 0, 2);
  training = trainingInfluenceOf(validation) as TrainingInfluence;
});

describe('influence drift on labelled live traffic (issue 21)', () => {
  it('at validation the two symmetric inputs share the influence; live traffic like it keeps the shares', () => {
    expect(training.score).toBe('roc_auc');
    expect(training.shares.x1).toBeCloseTo(0.5, 1);
    expect(training.shares.x2).toBeCloseTo(0.5, 1);
    const live = influenceDrift(predictor, rows(400, 2), training, THRESHOLDS);
    if (!live.measured) throw new Error(live.reason);
    expect(live.verdict).toBe('ok');
    expect(live.flagged).toEqual([]);
    // x1 is above half now (chance), but has not grown by CROSSING_MARGIN: not flagged.
    for (const f of live.features) expect(Math.abs(f.growth)).toBeLessThan(CROSSING_MARGIN);
  });

  it('flags the input that comes to eclipse the others when another stops varying', () => {
    const live = influenceDrift(predictor, rows(400, 3, 0.3), training, THRESHOLDS);
    if (!live.measured) throw new Error(live.reason);
    expect(live.verdict).toBe('eclipsed');
    expect(live.flagged).toEqual(['x1']);
    // x2 is constant: shuffling it changes nothing, so x1 carries all the influence (a growth of about 50 points).
    expect(live.features[0]).toMatchObject({ feature: 'x1', live: 1, flagged: true });
    expect(live.features[0]?.growth).toBeCloseTo(1 - (training.shares.x1 as number), 12);
    expect(live.features[1]).toMatchObject({ feature: 'x2', live: 0, flagged: false });
  });

  it('the live shares are the permutation importance of the window’s rows (seed 0, five repeats), typed as trained', () => {
    const window = rows(300, 4);
    const live = influenceDrift(predictor, window, training, THRESHOLDS);
    const direct = permutationImportance(predictor, labelledFrame(predictor, window), 0, 5);
    if (!live.measured) throw new Error(live.reason);
    expect(Object.fromEntries(live.features.map((f) => [f.feature, f.live]))).toEqual(
      Object.fromEntries(direct.features.map((f) => [f.feature, f.share])),
    );
    // Numeric text (as a form posts it) is read as its number, as the preprocessor does at serving.
    expect(labelledFrame(predictor, window).features[1]?.values[0]).toBe(Number(window[0]?.instance.x2));
  });

  it('gives no verdict, with the reason, without the validation shares, on too few labels, or on inputs not captured', () => {
    expect(influenceUnmeasurable(rows(400, 5), undefined, THRESHOLDS, [])).toMatch(/not stored/);
    expect(influenceUnmeasurable(rows(199, 5), training, THRESHOLDS, [])).toBe(
      '199 labelled predictions in the window; influence needs 200',
    );
    expect(influenceUnmeasurable(rows(400, 5), training, THRESHOLDS, ['x2', 'sex'])).toMatch(
      /^the capture leaves out or hashes model input\(s\) x2 /,
    );
    expect(influenceUnmeasurable(rows(200, 5), training, THRESHOLDS, ['sex'])).toBeUndefined();
  });

  it('says when the score is undefined on the window (one class only)', () => {
    const oneClass = rows(300, 6).map((r) => ({ ...r, truth: 'yes' }));
    expect(influenceDrift(predictor, oneClass, training, THRESHOLDS)).toEqual({
      measured: false,
      reason: "roc_auc is undefined on the window's labelled predictions (one class?)",
    });
  });
});
