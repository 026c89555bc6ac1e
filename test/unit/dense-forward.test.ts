import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DenseForward } from '../../lambdas/core/dense-forward.js';
import type { Hyperparameters } from '../../lambdas/core/hyperparameters.js';
import type { TaskKind } from '../../lambdas/core/model-config.js';
import {
  buildNetwork,
  predictRaw,
  ScheduledAdam,
  serializeNetwork,
  type SerializedNetwork,
} from '../../lambdas/core/network.js';
import { initBackend } from '../../lambdas/core/tf-backend.js';

/** numpy.allclose's rule with rtol 1e-5 (atol 1e-6 for outputs at zero, e.g. a ReLU network's exact zeros). */
function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  for (let k = 0; k < actual.length; k++) {
    const a = actual[k] as number;
    const b = expected[k] as number;
    if (Math.abs(a - b) > 1e-6 + 1e-5 * Math.abs(b)) expect.fail(`output ${k}: compiled ${a}, TF.js ${b}`);
  }
}

const hp = (hiddenUnits: number[], seed: number): Hyperparameters => ({
  hiddenUnits,
  epochs: 1,
  batchSize: 32,
  learningRate: 0.01,
  l2: 0,
  earlyStoppingPatience: 1,
  learningRateSchedule: 'constant',
  seed,
});

interface Case {
  readonly network: SerializedNetwork;
  readonly model: ReturnType<typeof buildNetwork>;
  readonly width: number;
}

/**
 * A network as training builds it, its weights moved off initialization (scaled and jittered, as training moves them)
 * so outputs spread over their range. Inputs are standardized features, as the preprocessor encodes them: at such
 * scales TF.js's float32 sums and the compiled pass's double sums agree to rtol 1e-5; with logits of hundreds
 * cancelling to a few, float32 rounding alone differs by more, and the compiled pass is the more exact of the two.
 */
async function makeCase(task: TaskKind, width: number, classes: number, hidden: number[], seed: number): Promise<Case> {
  const model = buildNetwork(width, task, classes, hp(hidden, seed), new ScheduledAdam(0.01));
  model.setWeights(
    model.getWeights().map((w, i) => tf.add(tf.mul(w, 1.5), tf.randomNormal(w.shape, 0, 0.05, 'float32', seed + i))),
  );
  return { network: await serializeNetwork(model), model, width };
}

const cases: Record<string, Case> = {};

beforeAll(async () => {
  await initBackend();
  cases.binary = await makeCase('binary', 12, 2, [16, 8], 1);
  cases.multiclass = await makeCase('multiclass', 7, 4, [10], 2);
  cases.regression = await makeCase('regression', 5, 0, [], 3);
  cases.deep = await makeCase('binary', 30, 2, [64, 32, 16], 4);
});

describe('the compiled forward pass matches TF.js (rtol 1e-5)', () => {
  it.each(['binary', 'multiclass', 'regression', 'deep'])(
    'on fixed inputs: %s (sigmoid, softmax, linear; 0–3 hidden ReLU layers)',
    (name) => {
      const { network, model, width } = cases[name] as Case;
      const compiled = DenseForward.compile(network);
      if (!('forward' in compiled)) throw new Error(compiled.unsupported);
      const rows = 257;
      // Every third input zero, as one-hot encoded rows are mostly zeros (the compiled pass skips them).
      const x = Float32Array.from({ length: rows * width }, (_, k) =>
        k % 3 === 0 ? 0 : Math.sin(k * 0.37) * (1 + (k % 3)),
      );
      const out = compiled.forward.run(x, rows);
      expect(compiled.forward.outputWidth).toBe(name === 'multiclass' ? 4 : 1);
      // Outputs spread over their range (not all near 0.5), so the comparison covers the activations' shapes.
      expect(Math.max(...out) - Math.min(...out)).toBeGreaterThan(0.2);
      expectClose(out, predictRaw(model, x, rows, width));
    },
  );

  it('on generated inputs, every task (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('binary', 'multiclass', 'regression', 'deep'),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.float({ min: -8, max: 8, noNaN: true }), { minLength: 1, maxLength: 64 }),
        (name, rows, pool) => {
          const { network, model, width } = cases[name] as Case;
          const compiled = DenseForward.compile(network);
          if (!('forward' in compiled)) throw new Error(compiled.unsupported);
          const x = Float32Array.from({ length: rows * width }, (_, k) => pool[k % pool.length] as number);
          expectClose(compiled.forward.run(x, rows), predictRaw(model, x, rows, width));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('compiles nothing it does not know: another layer type or activation is left to TF.js, with the reason', () => {
    const { network } = cases.binary as Case;
    const topology = structuredClone(network.modelTopology) as {
      config: { layers: { class_name: string; config: Record<string, unknown> }[] };
    };
    const dropout = structuredClone(topology);
    dropout.config.layers.splice(1, 0, { class_name: 'Dropout', config: { name: 'drop', rate: 0.5 } });
    expect(DenseForward.compile({ ...network, modelTopology: dropout })).toEqual({
      unsupported: 'layer drop is Dropout',
    });
    const tanh = structuredClone(topology);
    (tanh.config.layers[0] as { config: Record<string, unknown> }).config.activation = 'tanh';
    expect(DenseForward.compile({ ...network, modelTopology: tanh })).toEqual({
      unsupported: expect.stringMatching(/has activation tanh$/),
    });
    expect(DenseForward.compile({ ...network, modelTopology: { class_name: 'Model', config: {} } })).toEqual({
      unsupported: 'the topology is not a Sequential model',
    });
  });

  it('refuses inputs of the wrong width', () => {
    const compiled = DenseForward.compile((cases.regression as Case).network);
    if (!('forward' in compiled)) throw new Error(compiled.unsupported);
    expect(() => compiled.forward.run(new Float32Array(7), 2)).toThrow('expected 2 × 5 inputs, got 7');
  });
});
