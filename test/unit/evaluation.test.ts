import { beforeAll, describe, expect, it } from 'vitest';
import { Predictor } from '../../lambdas/core/artifact.js';
import type { Frame } from '../../lambdas/core/dataset.js';
import { evaluate, scoreSplit } from '../../lambdas/core/evaluation.js';
import { initBackend } from '../../lambdas/core/tf-backend.js';
import { linearArtifact } from '../helpers/linear-artifact.js';

/**
 * Which rows are scored, and the metrics on them, against scikit-learn (test/reference/evaluation_reference.py).
 * Each model is a one-weight network whose outputs are known exactly, so the reference needs no TF.js.
 */
const REFERENCE = {
  regression: { rmse: 0.7071067811865476, mae: 0.6, r2: 0.9854280510018215 },
  binary: {
    accuracy: 0.925,
    precision: 0.95,
    recall: 0.9047619047619048,
    f1: 0.9268292682926829,
    roc_auc: 0.9849624060150375,
    log_loss: 0.207411949230247,
  },
  multiclass: {
    accuracy: 0.825,
    precision: 0.8267973856209151,
    recall: 0.7959595959595959,
    f1: 0.7888203668564199,
    roc_auc: 0.9498791476722511,
    log_loss: 0.4072232305922451,
  },
};

const N = 40;
const x = Array.from({ length: N }, (_, i) => (i - 20) / 4);
const regressionTruth = x.map((v, i) => 10 + 2 * v + (((i * 7) % 5) - 2) * 0.5);
const binaryTruth = x.map((v, i) => (v + (((i * 3) % 7) - 3) * 0.4 > 0 ? 'yes' : 'no'));
const multiclassTruth = x.map((v, i) => {
  const t = v + (((i * 5) % 9) - 4) * 0.3;
  return t < -1.5 ? 'a' : t < 1.5 ? 'b' : 'c';
});

/** The 40 rows, plus (for classifiers) a 41st whose class the model never saw. */
function frame(labels: Frame['labels'], extra?: { x: number; label: string }): Frame {
  const xs = extra ? [...x, extra.x] : x;
  const values =
    labels.kind === 'classes' && extra ? { kind: 'classes' as const, values: [...labels.values, extra.label] } : labels;
  return {
    features: [{ name: 'x', type: 'numeric', values: xs }],
    sensitive: [],
    labels: values,
    origins: xs.map((_, i) => `ref.csv:${i + 2}`),
  };
}

const allRows = Array.from({ length: N }, (_, i) => i);

describe('evaluation scores the right rows, with metrics equal to scikit-learn', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('regression: every test row, those below the training mean included (the label is standardized, not a class index)', async () => {
    // Predictions 10 + 2x: the network outputs x, de-standardized with mean 10 and std 2.
    const predictor = await Predictor.load(
      await linearArtifact(
        N,
        'regression',
        { task: 'regression', transform: 'standardize', mean: 10, std: 2 },
        [1],
        [0],
      ),
    );
    const test = frame({ kind: 'numbers', values: regressionTruth });
    const scored = scoreSplit(predictor, test);
    expect(scored.rows).toEqual(allRows);
    expect(regressionTruth.filter((v) => v < 10).length).toBe(20); // half the rows are below the mean, and counted
    expect(Array.from(scored.truth)).toEqual(regressionTruth.map((v) => Math.fround(v)));
    const evaluation = evaluate(predictor, test);
    expect(evaluation.rows).toBe(N);
    expect(evaluation.rowsWithUnknownLabel).toBe(0);
    for (const [name, value] of Object.entries(REFERENCE.regression))
      expect(evaluation.metrics[name]).toBeCloseTo(value, 6);
    predictor.dispose();
  });

  it('binary: every row whose class the model knows; a row with an unseen class is left out and counted', async () => {
    const predictor = await Predictor.load(
      await linearArtifact(N, 'binary', { task: 'binary', classes: ['no', 'yes'] }, [1], [0]),
    );
    const test = frame({ kind: 'classes', values: binaryTruth }, { x: 0.5, label: 'maybe' });
    const scored = scoreSplit(predictor, test);
    expect(scored.rows).toEqual(allRows);
    const evaluation = evaluate(predictor, test);
    expect(evaluation).toMatchObject({ rows: N, rowsWithUnknownLabel: 1 });
    for (const [name, value] of Object.entries(REFERENCE.binary))
      expect(evaluation.metrics[name]).toBeCloseTo(value, 6);
    predictor.dispose();
  });

  it('multiclass: macro-averaged metrics and one-vs-rest ROC AUC over the rows with known classes', async () => {
    // softmax([-x, 1, 1.5x]): class b wins near 0, a on the left, c on the right; no ties (float32 would break them).
    const predictor = await Predictor.load(
      await linearArtifact(N, 'multiclass', { task: 'multiclass', classes: ['a', 'b', 'c'] }, [-1, 0, 1.5], [0, 1, 0]),
    );
    const test = frame({ kind: 'classes', values: multiclassTruth }, { x: -3, label: 'z' });
    const scored = scoreSplit(predictor, test);
    expect(scored.rows).toEqual(allRows);
    const evaluation = evaluate(predictor, test);
    expect(evaluation).toMatchObject({ rows: N, rowsWithUnknownLabel: 1 });
    for (const [name, value] of Object.entries(REFERENCE.multiclass))
      expect(evaluation.metrics[name]).toBeCloseTo(value, 6);
    predictor.dispose();
  });
});
