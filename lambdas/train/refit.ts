import { REFIT, refitEpochs } from '../core/cross-validation.js';
import { TrainingError } from '../core/errors.js';
import { crossValidatedChoice, type FoldedTrial } from '../core/out-of-fold.js';
import { trainTrial } from '../core/pipeline-stages.js';
import { readOutOfFold } from '../shared/adapters/out-of-fold-store.js';
import type { StepDeps } from '../shared/adapters/step-deps.js';
import { causeMessage } from '../shared/contracts/cause.js';
import {
  type CrossValidatedTrial,
  type EtlResult,
  type RefitResult,
  type RunRef,
  type TrainResult,
  type TrialPlan,
  type TuningResult,
} from '../shared/contracts/pipeline-state.js';
import { PIPELINE_STEPS } from '../shared/contracts/pipeline-steps.js';
import { STORE_MARGIN_MS, storeTraining, trainingInputs } from './train.js';

/** A trial's fold trainings, or why one of them failed. */
interface TrialFolds {
  readonly plan: TrialPlan;
  readonly folds: TrainResult[];
  readonly failure: string | null;
}

/** The Tune stage's results grouped by trial, in plan order; a trial with a failed fold cannot compete. */
function foldsByTrial(etl: EtlResult, tuning: TuningResult): TrialFolds[] {
  return etl.tuning.trials.map((plan) => {
    const folds: TrainResult[] = [];
    let failure: string | null = null;
    for (const entry of tuning) {
      if ('trial' in entry) {
        if (entry.trial.id === plan.id)
          failure ??= `fold ${(entry.trial.fold ?? 0) + 1}: ${entry.error.Error}: ${causeMessage(entry.error.Cause)}`;
        continue;
      }
      if (entry.id === plan.id) folds.push(entry);
    }
    folds.sort((a, b) => (a.fold ?? 0) - (b.fold ?? 0));
    const expected = etl.tuning.crossValidation?.folds ?? 0;
    if (failure === null && folds.length !== expected) failure = `${folds.length} of ${expected} folds trained`;
    if (failure === null && folds.some((f) => f.validationLoss === null))
      failure = 'the validation loss of a fold is not finite (training diverged)';
    return { plan, folds, failure };
  });
}

async function loadFolds(deps: StepDeps, trial: TrialFolds): Promise<FoldedTrial> {
  const folds = await Promise.all(
    trial.folds.map(async (fold) => {
      if (fold.outOfFold === null)
        throw new TrainingError(`fold ${(fold.fold ?? 0) + 1} of ${fold.id} stored no predictions`);
      return readOutOfFold(deps.s3, fold.outOfFold);
    }),
  );
  return { id: trial.plan.id, parameters: trial.folds[0]?.parameters ?? 0, competes: trial.plan.competes, folds };
}

/**
 * Refit: the trials chosen among by cross-validation — each trial's folds scored out of fold, the model file's rule
 * on the paired per-row losses — then the chosen trial and the linear baseline trained again on the training and
 * validation rows together, for the mean of their folds' best epochs. Validate scores those two on the test split.
 */
export async function runRefit(
  deps: StepDeps,
  run: RunRef,
  etl: EtlResult,
  tuning: TuningResult,
  remainingMs: number,
): Promise<RefitResult> {
  const started = Date.now();
  await deps.registry.runs.update(run.model, run.runId, { step: PIPELINE_STEPS.refit });
  const trials = foldsByTrial(etl, tuning);
  const complete = trials.filter((t) => t.failure === null);
  const folded = await Promise.all(complete.map((t) => loadFolds(deps, t)));
  const { results, chosen } = crossValidatedChoice(etl.config.task, folded, etl.config.tuning.selection);
  if (chosen === undefined) {
    const reasons = trials.map(
      (t) => `${t.plan.id}: ${t.failure ?? (t.plan.competes ? 'no finite loss' : 'does not compete')}`,
    );
    throw new TrainingError(`no model could be trained: ${reasons.join('; ')}`);
  }
  const { preprocessor, train, validation } = await trainingInputs(deps, etl);
  const refit = async (trial: TrialFolds): Promise<TrainResult> => {
    const begun = Date.now();
    const hyperparameters = { ...trial.plan.hyperparameters, epochs: refitEpochs(trial.folds.map((f) => f.bestEpoch)) };
    // The trial's share of the budget, and never past the function's own timeout (the chosen trial and the baseline
    // are refit one after the other in this invocation).
    const deadline = Math.min(begun + trial.plan.maxSeconds * 1000, started + remainingMs - STORE_MARGIN_MS);
    const result = await trainTrial(etl.config, preprocessor, { train, validation }, hyperparameters, {
      deadline,
      rows: REFIT,
    });
    return storeTraining(deps, run, { trial: trial.plan, rows: REFIT }, result, begun);
  };
  const chosenTrial = trials.find((t) => t.plan.id === chosen) as TrialFolds;
  const chosenFit = await refit(chosenTrial);
  const baselineTrial = trials.find((t) => t.plan.role === 'baseline');
  const baseline =
    baselineTrial === undefined
      ? { failure: 'no baseline trial in the plan' }
      : baselineTrial.plan.id === chosen
        ? chosenFit
        : baselineTrial.failure === null
          ? await refit(baselineTrial)
          : { failure: baselineTrial.failure };
  return { chosen: chosenFit, baseline, trials: trials.map((t) => summary(t, results, t.plan.id === chosen)) };
}

function summary(
  trial: TrialFolds,
  results: ReturnType<typeof crossValidatedChoice>['results'],
  chosen: boolean,
): CrossValidatedTrial {
  const result = results.find((r) => r.id === trial.plan.id);
  const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
  return {
    id: trial.plan.id,
    role: trial.plan.role,
    hyperparameters: trial.plan.hyperparameters,
    foldLosses: (result?.foldLosses ?? []).map((loss) => finite(loss)),
    outOfFoldLoss: finite(result?.loss),
    outOfFoldMetrics: result?.metrics ?? null,
    refitEpochs: trial.failure === null ? refitEpochs(trial.folds.map((f) => f.bestEpoch)) : null,
    seconds: trial.folds.reduce((total, f) => total + f.seconds, 0),
    failure: trial.failure,
    chosen,
  };
}
