import { Predictor } from '../core/artifact.js';
import type { Frame } from '../core/dataset.js';
import type { Preprocessor } from '../core/preprocess.js';
import { HOLDOUT, type TrainingRows } from '../core/cross-validation.js';
import { TrainingError } from '../core/errors.js';
import { scoreSplit } from '../core/evaluation.js';
import { outOfFoldScores } from '../core/out-of-fold.js';
import { trainTrial, type TrainedTrial } from '../core/pipeline-stages.js';
import type { StepDeps } from '../shared/adapters/step-deps.js';
import { trialArtifactKey, trialHistoryKey, trialOutOfFoldKey } from '../shared/contracts/layout.js';
import { putObject } from '../shared/adapters/objects.js';
import type { ObjectLocation } from '../shared/contracts/object-location.js';
import type { EtlResult, RunRef, TrainingItem, TrainResult, TrialPlan } from '../shared/contracts/pipeline-state.js';
import { PreparedData } from '../shared/adapters/prepared.js';
import { PIPELINE_STEPS } from '../shared/contracts/pipeline-steps.js';

/** Time kept back from the function's own timeout to store the artifact after the last epoch. */
export const STORE_MARGIN_MS = 30_000;

/** The plan of the trial an item trains, and the rows it trains on. */
function itemPlan(etl: EtlResult, item: TrainingItem): { trial: TrialPlan; rows: TrainingRows } {
  const trial = etl.tuning.trials.find((t) => t.id === item.trial);
  if (trial === undefined) throw new TrainingError(`the Tune plan has no trial "${item.trial}"`);
  const folds = etl.tuning.crossValidation;
  if (item.fold === null) return { trial, rows: HOLDOUT };
  if (folds === null)
    throw new TrainingError(`trial ${item.trial} names fold ${item.fold}, but the run does not cross-validate`);
  return { trial, rows: { kind: 'fold', fold: item.fold, folds: folds.folds, seed: folds.seed } };
}

/** What every training reads: ETL's encoders and its training and validation splits. */
export async function trainingInputs(
  deps: StepDeps,
  etl: EtlResult,
): Promise<{ preprocessor: Preprocessor; train: Frame; validation: Frame }> {
  const prepared = new PreparedData(deps.s3, etl);
  const [preprocessor, train, validation] = await Promise.all([
    prepared.preprocessor(),
    prepared.split('train'),
    prepared.split('validation'),
  ]);
  return { preprocessor, train, validation };
}

/** What one training stores (artifact and loss history, and a fold's out-of-fold predictions) and reports. */
export async function storeTraining(
  deps: StepDeps,
  run: RunRef,
  plan: { trial: TrialPlan; rows: TrainingRows },
  result: TrainedTrial,
  started: number,
): Promise<TrainResult> {
  const { trial, rows } = plan;
  const fold = rows.kind === 'fold' ? rows.fold : null;
  const id = fold === null ? trial.id : `${trial.id}-fold${fold + 1}`;
  const { trained, bytes, artifactSha256, weightsSha256 } = result;
  const artifact = {
    bucket: deps.artifactsBucket,
    key: trialArtifactKey(run.model, run.runId, id),
    sha256: artifactSha256,
  };
  const history = { bucket: deps.artifactsBucket, key: trialHistoryKey(run.model, run.runId, id) };
  const outOfFold: ObjectLocation | null =
    fold === null ? null : { bucket: deps.artifactsBucket, key: trialOutOfFoldKey(run.model, run.runId, id) };
  await Promise.all([
    putObject(deps.s3, artifact, bytes, 'application/json'),
    putObject(deps.s3, history, JSON.stringify(trained.history), 'application/json'),
    ...(outOfFold === null
      ? []
      : [putObject(deps.s3, outOfFold, JSON.stringify(await heldOutScores(result)), 'application/json')]),
  ]);
  const training = trained.artifact.training;
  return {
    id: trial.id,
    role: trial.role,
    competes: trial.competes,
    hyperparameters: training.hyperparameters,
    validationLoss: Number.isFinite(trained.bestValidationLoss) ? trained.bestValidationLoss : null,
    parameters: trained.parameters,
    stoppedBy: trained.stoppedBy,
    seconds: (Date.now() - started) / 1000,
    artifact,
    history,
    weightsSha256,
    backend: training.backend,
    tfjsVersion: training.tfjsVersion,
    epochsRun: training.epochsRun,
    bestEpoch: training.bestEpoch,
    fold,
    outOfFold,
  };
}

/** A fold's predictions for its held-out rows, by the serving code (as Validate scores a holdout trial). */
async function heldOutScores(result: TrainedTrial) {
  const predictor = await Predictor.load(result.trained.artifact);
  try {
    return outOfFoldScores(scoreSplit(predictor, result.frames.scored), result.frames.heldOut ?? []);
  } finally {
    predictor.dispose();
  }
}

/**
 * Trains one item of the Tune stage — a trial on the training split early-stopped on the validation split, or on all
 * of the training and validation rows but one fold, early-stopped on that fold — and stores what it made. Training
 * ends by the trial's time budget or before the function would time out, whichever is first.
 */
export async function runTraining(
  deps: StepDeps,
  run: RunRef,
  etl: EtlResult,
  item: TrainingItem,
  remainingMs: number,
): Promise<TrainResult> {
  const started = Date.now();
  await deps.registry.runs.update(run.model, run.runId, { step: PIPELINE_STEPS.tune });
  const plan = itemPlan(etl, item);
  const { preprocessor, train, validation } = await trainingInputs(deps, etl);
  const deadline = started + Math.min(plan.trial.maxSeconds * 1000, remainingMs - STORE_MARGIN_MS);
  const result = await trainTrial(etl.config, preprocessor, { train, validation }, plan.trial.hyperparameters, {
    deadline,
    rows: plan.rows,
  });
  return storeTraining(deps, run, plan, result, started);
}
