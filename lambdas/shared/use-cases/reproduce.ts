import { HOLDOUT, REFIT } from '../../core/cross-validation.js';
import { sha256Hex } from '../../core/digest.js';
import { IntegrityError, NotFoundError } from '../../core/errors.js';
import { withRecordedDefaults } from '../../core/hyperparameters.js';
import { parseModelConfigText } from '../../core/model-config.js';
import { prepareForTraining, testMetrics, trainTrial } from '../../core/pipeline-stages.js';
import { readDataObjects } from '../adapters/data-objects.js';
import type { StepDeps } from '../adapters/step-deps.js';
import { runPrefix, schemaKey } from '../contracts/layout.js';
import { getObjectBytes } from '../adapters/objects.js';
import { s3Uri } from '../contracts/object-location.js';
import { PREPARED_FILES } from '../adapters/prepared.js';
import { readDataSchema } from '../adapters/stored-documents.js';

export interface Reproduction {
  readonly model: string;
  readonly version: number;
  readonly identical: boolean;
  readonly checks: {
    readonly what: string;
    readonly recorded: string;
    readonly reproduced: string;
    readonly same: boolean;
  }[];
}

/**
 * Rebuilds a version from its recorded lineage — the same data bytes (checked by sha256), the model file as the run
 * saw it (checked by sha256), the data schema's column types, the seed — through the same stage code the pipeline
 * runs (ETL's preparation, a Train trial, the test metrics), and compares weights and metrics with what the registry
 * holds. On the same backend they must be identical bit for bit.
 */
export async function reproduceVersion(deps: StepDeps, model: string, versionNumber: number): Promise<Reproduction> {
  const { registry, s3 } = deps;
  const version = await registry.versions.get(model, versionNumber);
  if (version === undefined) throw new NotFoundError(`model "${model}" has no version ${versionNumber}`);
  const prefix = runPrefix(model, version.runId);
  const configText = (
    await getObjectBytes(s3, { bucket: deps.artifactsBucket, key: `${prefix}${PREPARED_FILES.config}` })
  ).toString('utf8');
  if (sha256Hex(configText) !== version.modelConfigSha256) {
    throw new IntegrityError(
      `the model file saved with run ${version.runId} does not match the sha256 recorded for v${versionNumber}`,
    );
  }
  const config = parseModelConfigText(configText, `${prefix}${PREPARED_FILES.config}`);
  const { table, data } = await readDataObjects(s3, version.data, config.missingValues);
  data.forEach((read, i) => {
    const recorded = version.data[i]?.sha256;
    if (recorded !== undefined && read.sha256 !== recorded) {
      throw new IntegrityError(
        `${s3Uri(read)} has sha256 ${read.sha256}, but v${versionNumber} was trained on ${recorded}: the data changed`,
      );
    }
  });
  const schema = await readDataSchema(s3, {
    bucket: deps.artifactsBucket,
    key: schemaKey(model, version.schemaVersion),
  });
  const { prepared, preprocessor } = prepareForTraining(table, config, schema);
  // The chosen candidate's hyper-parameters as trained: a search's winner, with the epochs it ran if its time ran out;
  // chosen by cross-validation, it was refit on the training and validation rows for its recorded epochs.
  const rows = version.crossValidation === undefined ? HOLDOUT : REFIT;
  const trial = await trainTrial(config, preprocessor, prepared.splits, withRecordedDefaults(version.hyperparameters), {
    rows,
  });
  const metrics = await testMetrics(trial, prepared.splits.test);

  const checks = [
    { what: 'weights sha256', recorded: version.weightsSha256, reproduced: trial.weightsSha256 },
    { what: 'artifact sha256', recorded: version.artifact.sha256, reproduced: trial.artifactSha256 },
    { what: 'backend', recorded: version.backend, reproduced: trial.trained.artifact.training.backend },
    ...Object.entries(version.metrics).map(([name, value]) => ({
      what: name,
      recorded: String(value),
      reproduced: String(metrics[name] ?? null),
    })),
  ].map((c) => ({ ...c, same: c.recorded === c.reproduced }));
  return { model, version: versionNumber, identical: checks.every((c) => c.same), checks };
}
