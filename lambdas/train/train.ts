import { trainTrial } from '../core/pipeline-stages.js';
import type { StepDeps } from '../shared/adapters/step-deps.js';
import { trialArtifactKey, trialHistoryKey } from '../shared/contracts/layout.js';
import { putObject } from '../shared/adapters/objects.js';
import type { EtlResult, RunRef, TrainResult, TrialPlan } from '../shared/contracts/pipeline-state.js';
import { PreparedData } from '../shared/adapters/prepared.js';
import { PIPELINE_STEPS } from '../shared/contracts/pipeline-steps.js';

/** Time kept back from the function's own timeout to store the artifact after the last epoch. */
const STORE_MARGIN_MS = 30_000;

/**
 * Trains one trial of the Tune stage on the prepared training split and stores its artifact (encoders + network) and
 * loss history. Training ends by the trial's time budget or before the function would time out, whichever is first.
 */
export async function runTraining(
  deps: StepDeps,
  run: RunRef,
  etl: EtlResult,
  trial: TrialPlan,
  remainingMs: number,
): Promise<TrainResult> {
  const started = Date.now();
  await deps.registry.runs.update(run.model, run.runId, { step: PIPELINE_STEPS.tune });
  const prepared = new PreparedData(deps.s3, etl);
  const [preprocessor, train, validation] = await Promise.all([
    prepared.preprocessor(),
    prepared.split('train'),
    prepared.split('validation'),
  ]);
  const deadline = started + Math.min(trial.maxSeconds * 1000, remainingMs - STORE_MARGIN_MS);
  const { trained, bytes, artifactSha256, weightsSha256 } = await trainTrial(
    etl.config,
    preprocessor,
    { train, validation },
    trial.hyperparameters,
    { deadline },
  );
  const artifact = {
    bucket: deps.artifactsBucket,
    key: trialArtifactKey(run.model, run.runId, trial.id),
    sha256: artifactSha256,
  };
  const history = { bucket: deps.artifactsBucket, key: trialHistoryKey(run.model, run.runId, trial.id) };
  await Promise.all([
    putObject(deps.s3, artifact, bytes, 'application/json'),
    putObject(deps.s3, history, JSON.stringify(trained.history), 'application/json'),
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
  };
}
