import type { S3Client } from '@aws-sdk/client-s3';
import type { DataSchema } from '../../core/data-schema.js';
import { NotFoundError } from '../../core/errors.js';
import type { CardFacts } from '../../core/report/types.js';
import { s3Uri } from '../contracts/object-location.js';
import { readDataSchema } from './stored-documents.js';
import type { Registry } from './registry.js';
import type { DataRecord, RunRecord, VersionRecord } from '../contracts/registry-records.js';
import { PRODUCTION_ALIAS } from '../contracts/registry-keys.js';
import { schemaKey } from '../contracts/layout.js';

/** The run's outcome in words: what happened to the candidate, and what is left to do. */
export function outcomeOf(run: Pick<RunRecord, 'status' | 'reason' | 'model' | 'version'>): string {
  switch (run.status) {
    case 'PROMOTED':
      return `promoted to production as v${run.version ?? '?'}`;
    case 'RELEASED':
      return `passed its gate; handed to a ${run.reason?.match(/(canary|shadow)/)?.[1] ?? 'gradual'} release as v${run.version ?? '?'} (mlops release ${run.model})`;
    case 'AWAITING_APPROVAL':
      return `passed its gate; awaiting approval (mlops approve ${run.model} ${run.version ?? '?'}, then mlops promote)`;
    case 'REJECTED':
      return `rejected; production unchanged (${(run.reason ?? 'see the gate').replace(/^rejected: /, '')})`;
    case 'FAILED':
      return `failed: ${run.reason ?? 'no reason recorded'}`;
    case 'SUPERSEDED':
      return `passed its gate as v${run.version ?? '?'}, not promoted: ${run.reason ?? 'production changed after the comparison'}`;
    default:
      return 'still running when the card was written';
  }
}

/** Gathers from the registry what the model card states about a run: lineage, data objects, schema, status. */
export async function cardFacts(
  registry: Registry,
  s3: S3Client,
  artifactsBucket: string,
  model: string,
  runId: string,
): Promise<CardFacts> {
  const run = await registry.runs.get(model, runId);
  if (run === undefined) throw new NotFoundError(`run ${runId} of model ${model} is not in the registry`);
  const [version, production] = await Promise.all([
    run.version === undefined ? undefined : registry.versions.get(model, run.version),
    registry.aliases.get(model, PRODUCTION_ALIAS),
  ]);
  const schemaVersion = version?.schemaVersion ?? run.schemaVersion;
  let schema: DataSchema | null = null;
  if (schemaVersion !== undefined) {
    // A card without its schema table is better than no card: a missing or unreadable schema is shown as absent.
    schema = await readDataSchema(s3, { bucket: artifactsBucket, key: schemaKey(model, schemaVersion) }).catch(
      () => null,
    );
  }
  const lineage = lineageFacts(run, version);
  return {
    model,
    version: version?.version ?? null,
    versionStatus: version?.status ?? null,
    inProduction: version !== undefined && production?.version === version.version,
    run: runFacts(run),
    lineage,
    data: ((version?.data ?? run.data ?? [run.trigger]) as DataRecord[]).map((d) => ({
      key: d.key,
      etag: d.etag,
      versionId: d.versionId,
      size: d.size,
      ...(d.sha256 ? { sha256: d.sha256 } : {}),
    })),
    hyperparameters: version?.hyperparameters ?? null,
    schema,
  };
}

/** The lineage the card lists: the run and its trigger, and for a registered version what it was made from. */
function lineageFacts(run: RunRecord, version: VersionRecord | undefined): Record<string, string> {
  const lineage: Record<string, string> = {
    'run id': run.runId,
    'started by': run.startedBy === undefined ? 'upload' : `${run.startedBy.trigger}: ${run.startedBy.detail}`,
    'triggered by': s3Uri(run.trigger),
  };
  if (version === undefined) return lineage;
  return {
    ...lineage,
    'model artifact': s3Uri(version.artifact),
    'artifact sha256': version.artifact.sha256,
    'weights sha256': version.weightsSha256,
    'model file sha256': version.modelConfigSha256,
    'code version': version.codeVersion,
    'TF.js': `${version.tfjsVersion}; backend ${version.backend}`,
    seed: String(version.hyperparameters.seed),
    'compared with': version.comparedWith === null ? 'no production version' : `production v${version.comparedWith}`,
    'registered at': version.createdAt,
  };
}

/** What the card says of the run itself: status, outcome, reason, preparation and anomalies. */
function runFacts(run: RunRecord): CardFacts['run'] {
  return {
    runId: run.runId,
    status: run.status,
    outcome: outcomeOf(run),
    startedAt: run.startedAt,
    ...(run.reason !== undefined ? { reason: run.reason } : {}),
    ...(run.preparation !== undefined ? { preparation: run.preparation } : {}),
    ...(run.anomalies !== undefined ? { anomalies: run.anomalies } : {}),
    ...(run.anomalyCounts !== undefined
      ? {
          anomalyCounts: {
            total: run.anomalyCounts.total,
            blocking: run.anomalyCounts.blocking,
            list: s3Uri(run.anomalyCounts.list),
          },
        }
      : {}),
  };
}
