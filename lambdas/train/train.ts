import { serializeArtifact } from '../core/artifact.js';
import { sha256Hex } from '../core/digest.js';
import { weightsSha256 } from '../core/network.js';
import { trainModel } from '../core/training.js';
import type { StepDeps } from '../shared/deps.js';
import { modelArtifactKey } from '../shared/layout.js';
import { putObject } from '../shared/objects.js';
import type { EtlResult, RunRef, TrainResult } from '../shared/pipeline-state.js';
import { PreparedData } from '../shared/prepared.js';


/** Trains on the prepared training split and stores the artifact (encoders + network) next to the run's data. */
export async function runTraining(deps: StepDeps, run: RunRef, etl: EtlResult): Promise<TrainResult> {
  await deps.registry.updateRun(run.model, run.runId, { step: 'Train' });
  const prepared = new PreparedData(deps.s3, etl);
  const [config, preprocessor, train, validation] = await Promise.all([
    prepared.config(),
    prepared.preprocessor(),
    prepared.split('train'),
    prepared.split('validation'),
  ]);
  const trained = await trainModel(config, preprocessor, train, validation);
  const bytes = serializeArtifact(trained.artifact);
  const artifact = { bucket: deps.artifactsBucket, key: modelArtifactKey(run.model, run.runId), sha256: sha256Hex(bytes) };
  await putObject(deps.s3, artifact, bytes, 'application/json');
  return {
    artifact,
    weightsSha256: weightsSha256(trained.artifact.network),
    backend: trained.artifact.training.backend,
    tfjsVersion: trained.artifact.training.tfjsVersion,
    epochsRun: trained.artifact.training.epochsRun,
    bestEpoch: trained.artifact.training.bestEpoch,
  };
}
