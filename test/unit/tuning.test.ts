import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultBatchSize, defaultEpochs, resolveHyperparameters } from '../../lambdas/core/hyperparameters.js';
import { parseModelConfig } from '../../lambdas/core/model-config.js';
import { chooseTrial, pairedDifference, planTuning } from '../../lambdas/core/tuning.js';

const configOf = (extra: Record<string, unknown> = {}) =>
  parseModelConfig({ name: 'm', task: 'binary', label: 'y', ...extra }, 'models/m.json');

describe('hyper-parameters fitted to the data', () => {
  it('sizes batches and the epoch cap to the training rows: many gradient steps on small data, large batches on big data', () => {
    expect(defaultBatchSize(350)).toBe(16);
    expect(defaultBatchSize(22_800)).toBe(512);
    expect(defaultBatchSize(700_000)).toBe(512);
    // 350 rows in batches of 16: 22 steps an epoch, so the cap allows ~4000 steps (batch 256 × 20 epochs gave 40).
    expect(defaultEpochs(350, 16)).toBe(182);
    expect(defaultEpochs(22_800, 512)).toBe(89);
    expect(defaultEpochs(700_000, 512)).toBe(20);
    const small = resolveHyperparameters({}, { trainingRows: 350, task: 'binary' });
    expect(small).toEqual({
      hiddenUnits: [32],
      epochs: 182,
      batchSize: 16,
      learningRate: 0.003,
      l2: 1e-3,
      earlyStoppingPatience: 10,
      learningRateSchedule: 'plateau',
      seed: 42,
    });
  });

  it('keeps every value the model file sets', () => {
    const declared = {
      hiddenUnits: [8],
      epochs: 3,
      batchSize: 7,
      learningRate: 0.5,
      l2: 0,
      earlyStoppingPatience: 1,
      learningRateSchedule: 'constant' as const,
      seed: 9,
    };
    expect(resolveHyperparameters(declared, { trainingRows: 10_000, task: 'regression' })).toEqual(declared);
  });
});

describe('the search plan', () => {
  const shape = { trainingRows: 2000, task: 'binary' as const };

  it('tries the data-fitted default first, then distinct seeded draws, then the linear baseline; the same inputs give the same plan', () => {
    const config = configOf();
    const plan = planTuning(config.hyperparameters, config.tuning, shape);
    expect(plan.trials.map((t) => t.id)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'baseline']);
    expect(plan.trials[0]?.hyperparameters).toEqual(resolveHyperparameters({}, shape));
    const keys = plan.trials
      .slice(0, 6)
      .map((t) =>
        JSON.stringify([t.hyperparameters.hiddenUnits, t.hyperparameters.learningRate, t.hyperparameters.l2]),
      );
    expect(new Set(keys).size).toBe(6);
    expect(plan.trials.at(-1)).toMatchObject({
      role: 'baseline',
      competes: true,
      hyperparameters: { hiddenUnits: [] },
    });
    expect(planTuning(config.hyperparameters, config.tuning, shape)).toEqual(plan);
    // 7 trials, 3 at a time: 3 waves share the 30 minutes.
    expect(plan.concurrency).toBe(3);
    expect(plan.trials.every((t) => t.maxSeconds === 600)).toBe(true);
  });

  it('never searches what the model file fixes; a fixed architecture keeps the baseline as a yardstick only', () => {
    const fixed = configOf({
      hyperparameters: { hiddenUnits: [64, 32], learningRate: 0.002, l2: 0.0001, batchSize: 256 },
    });
    const plan = planTuning(fixed.hyperparameters, fixed.tuning, shape);
    expect(plan.trials.map((t) => t.id)).toEqual(['c1', 'baseline']);
    expect(plan.space).toEqual({});
    expect(plan.trials[1]).toMatchObject({ competes: false });
    const partly = configOf({ hyperparameters: { learningRate: 0.01 } });
    const searched = planTuning(partly.hyperparameters, partly.tuning, shape);
    expect(searched.trials.every((t) => t.hyperparameters.learningRate === 0.01)).toBe(true);
    expect(Object.keys(searched.space).sort()).toEqual(['hiddenUnits', 'l2']);
  });

  it('follows a declared space and budget; one candidate turns the search off', () => {
    const config = configOf({
      tuning: {
        candidates: 3,
        concurrency: 2,
        maxMinutes: 4,
        space: { learningRate: [0.1, 0.2], hiddenUnits: [[5]], l2: [0] },
      },
    });
    const plan = planTuning(config.hyperparameters, config.tuning, shape);
    expect(
      plan.trials
        .slice(1, 3)
        .map((t) => t.hyperparameters.learningRate)
        .sort(),
    ).toEqual([0.1, 0.2]);
    expect(plan.trials.slice(1, 3).every((t) => t.hyperparameters.hiddenUnits[0] === 5)).toBe(true);
    expect(plan.trials.every((t) => t.maxSeconds === 120)).toBe(true); // 4 trials, 2 at a time: 2 waves of 2 minutes
    const off = configOf({ tuning: { candidates: 1 } });
    expect(planTuning(off.hyperparameters, off.tuning, shape).trials.map((t) => t.id)).toEqual(['c1', 'baseline']);
  });

  it('refuses a model file that both fixes and searches one hyper-parameter', () => {
    expect(() => configOf({ hyperparameters: { l2: 0 }, tuning: { space: { l2: [0, 0.1] } } })).toThrow(
      'tuning.space.l2: hyperparameters.l2 fixes the value; remove one of the two',
    );
  });
});

describe('choosing the trial (one-standard-error rule on paired validation losses)', () => {
  const trial = (id: string, parameters: number, rowLosses: number[]) => ({ id, parameters, rowLosses });

  it('keeps the simpler model when the bigger one is better by less than one paired standard error', () => {
    const linear = trial('baseline', 10, [0.5, 0.4, 0.6, 0.5]);
    const network = trial('c1', 1000, [0.49, 0.41, 0.58, 0.5]);
    expect(pairedDifference(network.rowLosses, linear.rowLosses).mean).toBeCloseTo(-0.005, 12);
    expect(chooseTrial([network, linear])?.id).toBe('baseline');
    expect(chooseTrial([network, linear], 'lowest_loss')?.id).toBe('c1');
  });

  it('takes the bigger model when it is better on every row (a clear, measurable gain)', () => {
    const linear = trial('baseline', 10, [0.5, 0.4, 0.6, 0.5]);
    const network = trial('c1', 1000, [0.3, 0.21, 0.4, 0.31]);
    expect(chooseTrial([linear, network])?.id).toBe('c1');
  });

  it('always picks a trial within one paired standard error of the lowest loss, never a worse one', () => {
    const losses = fc.array(fc.double({ min: 0, max: 3, noNaN: true }), { minLength: 5, maxLength: 5 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 5000 }), losses), { minLength: 1, maxLength: 6 }),
        (specs) => {
          const trials = specs.map(([parameters, rowLosses], i) => trial(`t${i}`, parameters, rowLosses));
          const mean = (t: { rowLosses: number[] }) => t.rowLosses.reduce((a, b) => a + b, 0) / t.rowLosses.length;
          const best = trials.reduce((a, b) => (mean(b) < mean(a) ? b : a));
          const chosen = chooseTrial(trials);
          expect(chosen).toBeDefined();
          const gap = pairedDifference((chosen as { rowLosses: number[] }).rowLosses, best.rowLosses);
          expect(gap.mean).toBeLessThanOrEqual(gap.standardError + 1e-12);
          expect(chooseTrial(trials, 'lowest_loss')).toBe(best);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('skips trials whose loss is not finite (diverged), and has nothing to choose when all are', () => {
    expect(chooseTrial([trial('c1', 5, [Number.NaN, 1]), trial('c2', 50, [1, 1])])?.id).toBe('c2');
    expect(chooseTrial([trial('c1', 5, [Number.NaN])])).toBeUndefined();
  });
});
