import type { Predictor } from '../core/artifact.js';
import type { Frame } from '../core/dataset.js';
import { scoreSplit, type ScoredSplit } from '../core/evaluation.js';
import { IntegrityError } from '../core/errors.js';
import { monitoringReference, type MonitoringReference } from '../core/monitoring/monitoring-reference.js';
import { combineFolds } from '../core/out-of-fold.js';
import { readOutOfFold } from '../shared/adapters/out-of-fold-store.js';
import type { StepDeps } from '../shared/adapters/step-deps.js';
import type { EtlResult, RefitResult, TuningResult } from '../shared/contracts/pipeline-state.js';

/** The chosen trial's out-of-fold predictions, every training and validation row once, in row order. */
async function chosenOutOfFold(deps: StepDeps, tuning: TuningResult, chosen: string): Promise<ScoredSplit> {
  const folds = tuning
    .flatMap((entry) => ('trial' in entry || entry.id !== chosen ? [] : [entry]))
    .sort((a, b) => (a.fold ?? 0) - (b.fold ?? 0));
  const stored = folds.map((fold) => {
    if (fold.outOfFold === null)
      throw new IntegrityError(`fold ${(fold.fold ?? 0) + 1} of ${chosen} stored no predictions`);
    return readOutOfFold(deps.s3, fold.outOfFold);
  });
  return combineFolds(await Promise.all(stored));
}

/**
 * The version's monitoring reference. Trained on the training split: calibrated and profiled on the validation split
 * (rows its weights never learned from). Refit on training + validation: calibrated on the chosen trial's out-of-fold
 * predictions (scikit-learn's `CalibratedClassifierCV(ensemble=False)`), its predictions profiled on the test split.
 */
export async function monitoringReferenceOf(
  deps: StepDeps,
  etl: EtlResult,
  tuning: TuningResult,
  refit: RefitResult | undefined,
  candidate: Predictor,
  splits: { readonly validation: Frame; readonly test: Frame; readonly scoredTest: ScoredSplit },
): Promise<MonitoringReference> {
  const { task } = etl.config;
  const seed = etl.config.split.seed;
  const keys = (frame: Frame, scored: ScoredSplit) => scored.rows.map((r) => frame.origins[r] as string);
  if (refit === undefined) {
    const scored = scoreSplit(candidate, splits.validation);
    return monitoringReference(task, scored, scored, keys(splits.validation, scored), 'validation', seed);
  }
  const outOfFold = await chosenOutOfFold(deps, tuning, refit.chosen.id);
  const { test, scoredTest } = splits;
  return monitoringReference(task, outOfFold, scoredTest, keys(test, scoredTest), 'test', seed);
}
