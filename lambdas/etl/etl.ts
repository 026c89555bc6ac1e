import { assertNoBlockingAnomalies, summarizeAnomalies } from '../core/anomaly-report.js';
import {
  encodingAnomalies,
  inferSchema,
  validateAgainstSchema,
  type Anomaly,
  type DataSchema,
} from '../core/data-schema.js';
import type { ModelConfig } from '../core/model-config.js';
import { bootstrapDriftNull } from '../core/drift/drift-null.js';
import { profileFrame } from '../core/drift/profile.js';
import { encodeFrameFile } from '../core/frame-codec.js';
import { prepareForTraining } from '../core/pipeline-stages.js';
import { SPLITS } from '../core/split.js';
import type { RawTable } from '../core/table.js';
import { crossValidationPlan } from '../core/cross-validation.js';
import { planTuning } from '../core/tuning.js';
import type { StepDeps } from '../shared/adapters/step-deps.js';
import { loadModelConfig } from '../shared/contracts/model-files.js';
import { readDataObjects } from '../shared/adapters/data-objects.js';
import { latestObjects, putObject } from '../shared/adapters/objects.js';
import { s3Uri, type ObjectVersion } from '../shared/contracts/object-location.js';
import { readDataSchema } from '../shared/adapters/stored-documents.js';
import { ANOMALIES_FILE, LAYOUT, runPrefix, schemaKey } from '../shared/contracts/layout.js';
import type { EtlResult, RunRef } from '../shared/contracts/pipeline-state.js';
import { PREPARED_FILES } from '../shared/adapters/prepared.js';
import { PIPELINE_STEPS } from '../shared/contracts/pipeline-steps.js';

/**
 * The objects a run reads: its upload, or the newest under the model's prefix (`data.source: "latest"`); a retraining
 * on feedback also the labelled captured rows it wrote beside them.
 */
async function objectsOf(deps: StepDeps, run: RunRef, config: ModelConfig): Promise<ObjectVersion[]> {
  const uploads: ObjectVersion[] =
    config.data.source === 'object'
      ? [run.trigger]
      : await latestObjects(deps.s3, run.trigger.bucket, `${LAYOUT.incoming}${run.model}/`, config.data.count);
  return [...uploads, ...(run.sources ?? [])];
}

/**
 * Reads the run's data, types and cleans it, splits it deterministically, fits the preprocessing on the training
 * split, and stores everything the training and validation steps need.
 */
export async function runEtl(deps: StepDeps, run: RunRef): Promise<EtlResult> {
  const { config, sha256: modelConfigSha256, text: configText } = loadModelConfig(run.model, deps.modelsDir);
  await deps.registry.runs.update(run.model, run.runId, { step: PIPELINE_STEPS.etl });
  const objects = await objectsOf(deps, run, config);

  const { table, data } = await readDataObjects(deps.s3, objects, config.missingValues);
  const source = objects.map((o) => o.key).join(', ');

  const { schema, anomalies } = await validateData(deps, run, table, config, source);
  const { typed, prepared, preprocessor } = prepareForTraining(table, config, schema);
  const tuning = planSearch(config, prepared.report.splitRows);
  const schemaVersion = schema?.version ?? (await recordFirstSchema(deps, inferSchema(table, typed, run.runId, 1)));

  const prefix = runPrefix(run.model, run.runId);
  const profile = profileFrame(prepared.splits.train);
  const put = (name: string, body: Uint8Array | string, type: string) =>
    putObject(deps.s3, { bucket: deps.artifactsBucket, key: `${prefix}${name}` }, body, type);
  await Promise.all([
    put(PREPARED_FILES.config, configText, 'application/json'),
    put(PREPARED_FILES.preprocessor, JSON.stringify(preprocessor), 'application/json'),
    put(PREPARED_FILES.preparation, JSON.stringify(prepared.report), 'application/json'),
    put(PREPARED_FILES.profile, JSON.stringify(profile), 'application/json'),
    put(PREPARED_FILES.driftNull, JSON.stringify(bootstrapDriftNull(profile, config.split.seed)), 'application/json'),
    ...SPLITS.map((name) =>
      put(PREPARED_FILES.split(name), encodeFrameFile(prepared.splits[name]), 'application/gzip'),
    ),
  ]);

  const { report } = prepared;
  await deps.registry.runs.update(run.model, run.runId, {
    data,
    preparation: {
      rowsRead: report.rowsRead,
      rowsKept: report.rowsKept,
      rowsDropped: report.rowsDropped,
      badValues: report.badValues,
      splitRows: report.splitRows,
      columnTypes: report.columnTypes,
      sensitiveGroups: report.sensitiveGroups,
      warnings: report.warnings,
    },
  });
  return {
    bucket: deps.artifactsBucket,
    prefix,
    profile: { bucket: deps.artifactsBucket, key: `${prefix}${PREPARED_FILES.profile}` },
    driftNull: { bucket: deps.artifactsBucket, key: `${prefix}${PREPARED_FILES.driftNull}` },
    schemaVersion,
    anomalies: anomalies.length,
    data,
    modelConfigSha256,
    config,
    rows: { read: report.rowsRead, kept: report.rowsKept, ...report.splitRows },
    tuning,
  };
}

/**
 * The search's plan: cross-validated when the model file says so or the rows are few (`auto`), else on one split.
 * Cross-validated, the chosen trial is refit on the training and validation rows, so its defaults fit that size.
 */
function planSearch(
  config: ModelConfig,
  rows: { readonly train: number; readonly validation: number },
): EtlResult['tuning'] {
  const folds = crossValidationPlan(config.tuning.crossValidation, rows.train + rows.validation, config.split.seed);
  const trainingRows = folds === null ? rows.train : rows.train + rows.validation;
  const plan = planTuning(config.hyperparameters, config.tuning, { trainingRows, task: config.task }, folds);
  return {
    trials: plan.trials,
    trainings: plan.trainings,
    crossValidation: plan.crossValidation,
    concurrency: plan.concurrency,
  };
}

/**
 * Data validation against the model's schema (and the text's encoding), before anything is trained: the anomalies
 * are recorded on the run, and a blocking one fails it.
 */
async function validateData(
  deps: StepDeps,
  run: RunRef,
  table: RawTable,
  config: ModelConfig,
  source: string,
): Promise<{ schema: DataSchema | undefined; anomalies: Anomaly[] }> {
  const pointer = await deps.registry.schemas.get(run.model);
  const schema = pointer === undefined ? undefined : await readDataSchema(deps.s3, pointer.location);
  const anomalies = [
    ...encodingAnomalies(table, config),
    ...(schema === undefined ? [] : validateAgainstSchema(schema, table, config)),
  ];
  if (schema !== undefined || anomalies.length > 0) {
    // The run item names the first few and counts the rest; the full list is a file beside the run.
    const full = { bucket: deps.artifactsBucket, key: `${runPrefix(run.model, run.runId)}${ANOMALIES_FILE}` };
    if (anomalies.length > 0) await putObject(deps.s3, full, JSON.stringify(anomalies), 'application/json');
    const { first, ...counts } = summarizeAnomalies(anomalies);
    await deps.registry.runs.update(run.model, run.runId, {
      ...(schema ? { schemaVersion: schema.version } : {}),
      anomalies: first,
      ...(anomalies.length > 0 ? { anomalyCounts: { ...counts, list: full } } : {}),
    });
    assertNoBlockingAnomalies(anomalies, source, schema?.version, s3Uri(full));
  }
  return { schema, anomalies };
}

/**
 * The first accepted data set of a model becomes its schema v1. If another run got there first, its schema stands
 * and this run's data will be checked against it from the next run on.
 */
async function recordFirstSchema(deps: StepDeps, schema: DataSchema): Promise<number> {
  const location = { bucket: deps.artifactsBucket, key: schemaKey(schema.model, schema.version) };
  await putObject(deps.s3, location, JSON.stringify(schema), 'application/json');
  await deps.registry.schemas.set({
    model: schema.model,
    version: schema.version,
    location,
    createdFromRun: schema.createdFromRun,
  });
  return (await deps.registry.schemas.get(schema.model))?.version ?? schema.version;
}
