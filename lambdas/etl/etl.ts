import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { concatTables, readCsv } from '../core/csv.js';
import { encodeFrameFile } from '../core/frame-codec.js';
import { prepareData } from '../core/prepare.js';
import { fitPreprocessor } from '../core/preprocess.js';
import { SPLITS } from '../core/split.js';
import type { RawTable } from '../core/table.js';
import type { StepDeps } from '../shared/deps.js';
import { loadModelConfig } from '../shared/model-files.js';
import { getObjectStream, latestObjects, putObject, type ObjectVersion } from '../shared/objects.js';
import { LAYOUT, runPrefix } from '../shared/layout.js';
import type { EtlResult, RunRef } from '../shared/pipeline-state.js';
import { PREPARED_FILES } from '../shared/prepared.js';
import type { DataRecord } from '../shared/registry.js';

/**
 * Reads the run's data, types and cleans it, splits it deterministically, fits the preprocessing on the training
 * split, and stores everything the training and validation steps need.
 */
export async function runEtl(deps: StepDeps, run: RunRef): Promise<EtlResult> {
  const { config, sha256: modelConfigSha256, text: configText } = loadModelConfig(run.model);
  await deps.registry.updateRun(run.model, run.runId, { step: 'ETL' });
  const objects: ObjectVersion[] =
    config.data.source === 'object'
      ? [run.trigger]
      : await latestObjects(deps.s3, run.trigger.bucket, `${LAYOUT.incoming}${run.model}/`, config.data.count);

  const tables: RawTable[] = [];
  const data: DataRecord[] = [];
  for (const object of objects) {
    const { table, sha256 } = await readObjectAsTable(deps, object, config.missingValues);
    tables.push(table);
    data.push({ ...object, sha256 });
  }
  const prepared = prepareData(concatTables(tables), config);
  const preprocessor = fitPreprocessor(prepared.splits.train, config);

  const prefix = runPrefix(run.model, run.runId);
  const put = (name: string, body: Uint8Array | string, type: string) =>
    putObject(deps.s3, { bucket: deps.artifactsBucket, key: `${prefix}${name}` }, body, type);
  await Promise.all([
    put(PREPARED_FILES.config, configText, 'application/json'),
    put(PREPARED_FILES.preprocessor, JSON.stringify(preprocessor), 'application/json'),
    put(PREPARED_FILES.preparation, JSON.stringify(prepared.report), 'application/json'),
    ...SPLITS.map((name) => put(PREPARED_FILES.split(name), encodeFrameFile(prepared.splits[name]), 'application/gzip')),
  ]);

  const { report } = prepared;
  await deps.registry.updateRun(run.model, run.runId, {
    data,
    preparation: {
      rowsRead: report.rowsRead,
      rowsKept: report.rowsKept,
      rowsDropped: report.rowsDropped,
      badValues: report.badValues,
      splitRows: report.splitRows,
      columnTypes: report.columnTypes,
    },
  });
  return {
    bucket: deps.artifactsBucket,
    prefix,
    data,
    modelConfigSha256,
    rows: { read: report.rowsRead, kept: report.rowsKept, ...report.splitRows },
  };
}

/** Parses the object while hashing the same bytes, so the recorded sha256 is of exactly what was trained on. */
async function readObjectAsTable(
  deps: StepDeps,
  object: ObjectVersion,
  missingValues: readonly string[],
): Promise<{ table: RawTable; sha256: string }> {
  const body = await getObjectStream(deps.s3, object);
  const hash = createHash('sha256');
  const tap = new PassThrough();
  tap.on('data', (chunk: Buffer) => hash.update(chunk));
  body.on('error', (error) => tap.destroy(error));
  body.pipe(tap);
  const table = await readCsv(tap, { missingValues, source: object.key });
  return { table, sha256: hash.digest('hex') };
}
