import { readDataSchema } from '../../lambdas/shared/stored-documents.js';
import { Predictor, serializeArtifact } from '../../lambdas/core/artifact.js';
import { withSchemaTypes } from '../../lambdas/core/data-schema.js';
import { sha256Hex } from '../../lambdas/core/digest.js';
import { IntegrityError, NotFoundError } from '../../lambdas/core/errors.js';
import { evaluate } from '../../lambdas/core/evaluation.js';
import { withRecordedDefaults } from '../../lambdas/core/hyperparameters.js';
import { parseModelConfigText } from '../../lambdas/core/model-config.js';
import { weightsSha256 } from '../../lambdas/core/network.js';
import { prepareData } from '../../lambdas/core/prepare.js';
import { fitPreprocessor } from '../../lambdas/core/preprocess.js';
import { trainModel } from '../../lambdas/core/training.js';
import { readDataObjects } from '../../lambdas/shared/data-objects.js';
import { runPrefix, schemaKey } from '../../lambdas/shared/layout.js';
import { getObjectBytes, s3Uri } from '../../lambdas/shared/objects.js';
import { PREPARED_FILES } from '../../lambdas/shared/prepared.js';
import { storableMetrics } from '../../lambdas/core/metrics.js';
import type { Connection } from './connection.js';

export interface Reproduction {
  readonly model: string;
  readonly version: number;
  readonly identical: boolean;
  readonly checks: { readonly what: string; readonly recorded: string; readonly reproduced: string; readonly same: boolean }[];
}

/**
 * Rebuilds a version from its recorded lineage — the same data bytes (checked by sha256), the model file as the run
 * saw it (checked by sha256), the data schema's column types, the seed — and compares weights and metrics with what
 * the registry holds. On the same backend they must be identical bit for bit.
 */
export async function reproduceVersion(connection: Connection, model: string, versionNumber: number): Promise<Reproduction> {
  const { registry, s3 } = connection;
  const version = await registry.getVersion(model, versionNumber);
  if (version === undefined) throw new NotFoundError(`model "${model}" has no version ${versionNumber}`);
  const prefix = runPrefix(model, version.runId);
  const configText = (await getObjectBytes(s3, { bucket: connection.artifactsBucket, key: `${prefix}${PREPARED_FILES.config}` })).toString('utf8');
  if (sha256Hex(configText) !== version.modelConfigSha256) {
    throw new IntegrityError(`the model file saved with run ${version.runId} does not match the sha256 recorded for v${versionNumber}`);
  }
  const config = parseModelConfigText(configText, `${prefix}${PREPARED_FILES.config}`);
  const { table, data } = await readDataObjects(s3, version.data, config.missingValues);
  data.forEach((read, i) => {
    const recorded = version.data[i]?.sha256;
    if (recorded !== undefined && read.sha256 !== recorded) {
      throw new IntegrityError(`${s3Uri(read)} has sha256 ${read.sha256}, but v${versionNumber} was trained on ${recorded}: the data changed`);
    }
  });
  const schema = await readDataSchema(s3, { bucket: connection.artifactsBucket, key: schemaKey(model, version.schemaVersion) });
  const prepared = prepareData(table, withSchemaTypes(config, schema));
  const preprocessor = fitPreprocessor(prepared.splits.train, config);
  // The chosen candidate's hyper-parameters as trained: a search's winner, with the epochs it ran if its time ran out.
  const { artifact } = await trainModel(config, preprocessor, prepared.splits.train, prepared.splits.validation, withRecordedDefaults(version.hyperparameters));
  const predictor = await Predictor.load(artifact);
  const metrics = storableMetrics(evaluate(predictor, prepared.splits.test).metrics);
  predictor.dispose();

  const checks = [
    { what: 'weights sha256', recorded: version.weightsSha256, reproduced: weightsSha256(artifact.network) },
    { what: 'artifact sha256', recorded: version.artifact.sha256, reproduced: sha256Hex(serializeArtifact(artifact)) },
    { what: 'backend', recorded: version.backend, reproduced: artifact.training.backend },
    ...Object.entries(version.metrics).map(([name, value]) => ({ what: name, recorded: String(value), reproduced: String(metrics[name] ?? null) })),
  ].map((c) => ({ ...c, same: c.recorded === c.reproduced }));
  return { model, version: versionNumber, identical: checks.every((c) => c.same), checks };
}
