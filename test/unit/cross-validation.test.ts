import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  crossValidationPlan,
  foldAssignment,
  refitEpochs,
  trainingFrames,
  type FoldPlan,
} from '../../lambdas/core/cross-validation.js';
import type { Frame } from '../../lambdas/core/dataset.js';
import { frameRows, rowContentKeys } from '../../lambdas/core/frame-rows.js';
import { parseModelConfig } from '../../lambdas/core/model-config.js';
import {
  combineFolds,
  crossValidatedChoice,
  foldDifference,
  type OutOfFoldScores,
} from '../../lambdas/core/out-of-fold.js';
import { pairedDifference, planTuning } from '../../lambdas/core/tuning.js';

const PLAN: FoldPlan = { folds: 5, seed: 0 };

/** A frame of `rows` rows: a numeric and a categorical feature, a sensitive attribute and a class label. */
function frameOf(values: readonly [number, string, string, string][], firstLine = 2): Frame {
  return {
    features: [
      { name: 'x', type: 'numeric', values: values.map((v) => v[0]) },
      { name: 'c', type: 'categorical', values: values.map((v) => v[1]) },
    ],
    sensitive: [{ name: 's', type: 'categorical', values: values.map((v) => v[2]) }],
    labels: { kind: 'classes', values: values.map((v) => v[3]) },
    origins: values.map((_, i) => `data.csv:${i + firstLine}`),
  };
}

const rowArbitrary = fc.tuple(
  fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.constant(Number.NaN)),
  fc.constantFrom('a', 'b', 'c'),
  fc.constantFrom('F', 'M'),
  fc.constantFrom('yes', 'no'),
);

describe('the folds of a cross-validation', () => {
  it('are disjoint and cover the training and validation rows: each row is held out by exactly one fold', () => {
    fc.assert(
      fc.property(
        fc.array(rowArbitrary, { minLength: 10, maxLength: 80 }),
        fc.integer({ min: 0, max: 1000 }),
        (rows, seed) => {
          const split = Math.floor(rows.length * 0.8);
          const splits = { train: frameOf(rows.slice(0, split)), validation: frameOf(rows.slice(split), split + 2) };
          const folds = foldAssignment(frameOf(rows), { folds: 5, seed });
          const heldOut: number[] = [];
          for (let fold = 0; fold < 5; fold++) {
            const inFold = [...folds.keys()].filter((r) => folds[r] === fold);
            if (new Set(folds).size < 3 || !folds.includes(fold) || !folds.includes((fold + 1) % 5)) continue; // refused (below)
            const frames = trainingFrames(splits, { kind: 'fold', fold, folds: 5, seed });
            expect(frames.heldOut).toEqual(inFold);
            // Trained on three folds, early-stopped on the next one, scored on its own: never on what it stopped on.
            const next = [...folds.keys()].filter((r) => folds[r] === (fold + 1) % 5);
            expect(frames.scored.origins).toEqual(inFold.map((r) => `data.csv:${r + 2}`));
            expect(frames.validation.origins).toEqual(next.map((r) => `data.csv:${r + 2}`));
            const all = [...frames.train.origins, ...frames.validation.origins, ...frames.scored.origins];
            expect(all).toHaveLength(rows.length);
            expect(new Set(all).size).toBe(rows.length);
            heldOut.push(...inFold);
          }
          if (heldOut.length > 0) expect(new Set(heldOut).size).toBe(heldOut.length);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('do not depend on the order of the rows, only on their content and the seed; identical rows share a fold', () => {
    fc.assert(
      fc.property(fc.array(rowArbitrary, { minLength: 2, maxLength: 60 }), fc.integer(), (rows, salt) => {
        const frame = frameOf(rows);
        const order = rows.map((_, i) => i).sort((a, b) => ((a * 7919 + salt) % 61) - ((b * 7919 + salt) % 61));
        const shuffled = frameRows(frame, order);
        const before = foldAssignment(frame, PLAN);
        const after = foldAssignment(shuffled, PLAN);
        order.forEach((r, i) => expect(after[i]).toBe(before[r]));
        const keys = rowContentKeys(frame);
        keys.forEach((key, r) => {
          const twin = keys.indexOf(key);
          expect(before[r]).toBe(before[twin]);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('are the same for every candidate (a function of the rows and the seed alone), about a fifth of the rows each', () => {
    const rows = Array.from(
      { length: 1000 },
      (_, i) => [i, 'abc'[i % 3], 'FM'[i % 2], i % 5 === 0 ? 'yes' : 'no'] as [number, string, string, string],
    );
    const first = foldAssignment(frameOf(rows), PLAN);
    expect(foldAssignment(frameOf(rows), PLAN)).toEqual(first);
    const sizes = [0, 1, 2, 3, 4].map((k) => first.filter((f) => f === k).length);
    for (const size of sizes) expect(size).toBeGreaterThan(150);
    for (const size of sizes) expect(size).toBeLessThan(250);
    // Another seed draws other folds.
    const other = foldAssignment(frameOf(rows), { folds: 5, seed: 1 });
    expect(other.filter((f, i) => f !== first[i]).length).toBeGreaterThan(600);
  });

  it('refuses data too small to hold out a fold, and says how to turn cross-validation off', () => {
    const one = frameOf([[1, 'a', 'F', 'yes']]);
    expect(() =>
      trainingFrames({ train: one, validation: frameOf([]) }, { kind: 'fold', fold: 0, folds: 5, seed: 0 }),
    ).toThrow(
      /leaves no rows to .+: only 1 training and validation rows, too few to cross-validate; set "tuning": \{"crossValidation": "never"\}/,
    );
  });

  it('a refit learns from the training and validation rows together, with nothing held out', () => {
    const train = frameOf([
      [1, 'a', 'F', 'yes'],
      [2, 'b', 'M', 'no'],
    ]);
    const validation = frameOf([[3, 'c', 'F', 'no']]);
    const frames = trainingFrames({ train, validation }, { kind: 'refit' });
    expect(frames.train.features[0]?.values).toEqual([1, 2, 3]);
    expect(frames.train.labels.values).toEqual(['yes', 'no', 'no']);
    expect(frames.validation.origins).toEqual([]);
    expect(frames.scored.origins).toEqual([]);
  });
});

describe('when a run cross-validates', () => {
  it('auto below 2,000 training and validation rows; always and never as they say', () => {
    expect(crossValidationPlan('auto', 1999, 3)).toEqual({ folds: 5, seed: 3 });
    expect(crossValidationPlan('auto', 2000, 3)).toBeNull();
    expect(crossValidationPlan('always', 50_000, 0)).toEqual({ folds: 5, seed: 0 });
    expect(crossValidationPlan('never', 150, 0)).toBeNull();
  });

  it('the Map trains every trial on every fold, and the time budget counts those trainings and the refit', () => {
    const config = parseModelConfig(
      { name: 'm', task: 'binary', label: 'y', tuning: { candidates: 3, concurrency: 4, maxMinutes: 10 } },
      'models/m.json',
    );
    const plan = planTuning(config.hyperparameters, config.tuning, { trainingRows: 400, task: 'binary' }, PLAN);
    expect(plan.trainings).toHaveLength(4 * 5);
    expect(plan.trainings.slice(0, 6)).toEqual([
      { trial: 'c1', fold: 0 },
      { trial: 'c1', fold: 1 },
      { trial: 'c1', fold: 2 },
      { trial: 'c1', fold: 3 },
      { trial: 'c1', fold: 4 },
      { trial: 'c2', fold: 0 },
    ]);
    // 20 trainings, 4 at a time: 5 waves, and the refit's: 600 s / 6.
    expect(plan.trials.every((t) => t.maxSeconds === 100)).toBe(true);
    const single = planTuning(config.hyperparameters, config.tuning, { trainingRows: 400, task: 'binary' });
    expect(single.trainings).toEqual(single.trials.map((t) => ({ trial: t.id, fold: null })));
    expect(single.trials[0]?.maxSeconds).toBe(600);
  });

  it('refits for the mean of the folds’ best epochs, rounded, at least one', () => {
    expect(refitEpochs([10, 12, 11, 13, 15])).toBe(12);
    expect(refitEpochs([1, 2])).toBe(2); // 1.5 rounds up
    expect(refitEpochs([])).toBe(1);
    expect(refitEpochs([0, 0])).toBe(1);
  });
});

/** Regression folds: row r of the joined rows held out by fold r mod 5, predicted as truth + error(r). */
function regressionFolds(truth: readonly number[], error: (r: number) => number): OutOfFoldScores[] {
  return [0, 1, 2, 3, 4].map((fold) => {
    const positions = truth.map((_, r) => r).filter((r) => r % 5 === fold);
    return {
      positions,
      truth: positions.map((r) => truth[r] as number),
      scores: positions.map((r) => (truth[r] as number) + error(r)),
      classes: [],
    };
  });
}

describe('the choice on out-of-fold losses', () => {
  it('puts the folds back in row order: every row once, scored by the fold that held it out', () => {
    const truth = [5, 1, 4, 2, 3, 9, 8];
    const combined = combineFolds(regressionFolds(truth, (r) => r / 10));
    expect(combined.rows).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(combined.truth)).toEqual(truth);
    expect(Array.from(combined.scores)).toEqual(truth.map((t, r) => Math.fround(t + r / 10)));
  });

  it("takes the standard error from the paired fold losses, corrected for the folds' shared training rows", () => {
    // NumPy: d = a − b; sqrt((1/5 + 1/3) · d.var(ddof=1)) = 0.00952190457139047 (Nadeau and Bengio's correction;
    // the uncorrected d.std(ddof=1)/sqrt(5) would be 0.005830951894845303).
    const a = [0.41, 0.39, 0.44, 0.4, 0.42];
    const b = [0.4, 0.37, 0.45, 0.38, 0.4];
    const { mean, standardError } = foldDifference(a, b);
    expect(mean).toBeCloseTo(0.012, 12);
    expect(standardError).toBeCloseTo(0.00952190457139047, 12);
    expect(foldDifference([1, 2], [1, 1]).standardError).toBe(Number.POSITIVE_INFINITY);
  });

  it('keeps the baseline when a network wins on every row pooled but not steadily across the folds', () => {
    // Out of fold, the network's loss is lower by 0.01 on average; per row that is many standard errors (600 rows),
    // but the folds disagree (one fold the network loses by 0.03), so within one corrected standard error.
    const truth = Array.from({ length: 600 }, (_, r) => (r % 7) - 3);
    const gaps = [0.02, 0.025, -0.03, 0.02, 0.015];
    const folds = regressionFolds(truth, () => 0.5);
    const network = folds.map((fold, j) => ({
      ...fold,
      scores: fold.truth.map((t) => t + Math.sqrt(Math.max(0, 0.25 - (gaps[j] as number)))),
    }));
    const baseline = { id: 'baseline', parameters: 10, competes: true, folds };
    const net = { id: 'c1', parameters: 500, competes: true, folds: network };
    const { results, chosen } = crossValidatedChoice('regression', [net, baseline], 'one_standard_error');
    expect((results[0]?.loss ?? 0) < (results[1]?.loss ?? 0)).toBe(true);
    expect(chosen).toBe('baseline');
    expect(crossValidatedChoice('regression', [net, baseline], 'lowest_loss').chosen).toBe('c1');
    const pooled = (trial: typeof net) => {
      const c = combineFolds(trial.folds);
      return Float64Array.from(c.truth, (t, k) => ((c.scores[k] as number) - t) ** 2);
    };
    const perRow = pairedDifference(pooled(net), pooled(baseline));
    expect(-perRow.mean).toBeGreaterThan(5 * perRow.standardError);
  });

  it('never chooses a trial worse than the best by more than one corrected fold standard error (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -50, max: 50, noNaN: true }), { minLength: 10, maxLength: 60 }),
        fc.array(fc.tuple(fc.float({ min: 0, max: 5, noNaN: true }), fc.integer({ min: 1, max: 5000 })), {
          minLength: 1,
          maxLength: 6,
        }),
        (truth, trials) => {
          const folded = trials.map(([scale, parameters], i) => ({
            id: `t${i}`,
            parameters,
            competes: true,
            folds: regressionFolds(truth, (r) => scale * Math.sin(r * (i + 1))),
          }));
          const { results, chosen } = crossValidatedChoice('regression', folded, 'one_standard_error');
          const best = results.reduce((a, b) => (b.loss < a.loss ? b : a));
          const pick = results.find((r) => r.id === chosen);
          expect(pick).toBeDefined();
          const se = foldDifference(pick?.foldLosses ?? [], best.foldLosses).standardError;
          expect((pick?.loss ?? Infinity) - best.loss).toBeLessThanOrEqual(se + 1e-9 * Math.max(1, best.loss));
          for (const r of results) expect(r.foldLosses).toHaveLength(5);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('refuses trials whose folds scored different rows (they could not be paired)', () => {
    const truth = [1, 2, 3, 4, 5, 6];
    const a = { id: 'a', parameters: 1, competes: true, folds: regressionFolds(truth, () => 0.1) };
    const b = { id: 'b', parameters: 1, competes: true, folds: regressionFolds(truth.slice(0, 5), () => 0.1) };
    expect(() => crossValidatedChoice('regression', [a, b], 'lowest_loss')).toThrow(/did not score the same rows/);
  });
});
