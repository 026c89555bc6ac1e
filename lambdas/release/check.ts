import type { S3Client } from '@aws-sdk/client-s3';
import { Predictor, type Prediction } from '../core/artifact.js';
import type { Frame } from '../core/dataset.js';
import { NotFoundError } from '../core/errors.js';
import { ROUTING_KEY_HEADER, VARIANT_HEADER } from '../shared/contracts/api-contracts.js';
import { fetchArtifact } from '../shared/adapters/artifacts.js';
import { runPrefix } from '../shared/contracts/layout.js';
import { PreparedData } from '../shared/adapters/prepared.js';
import type { Registry } from '../shared/adapters/registry.js';

/** The first `rows` rows of a split as API instances: each feature by name, null where the value was missing. */
export function instancesOf(frame: Frame, rows: number): Record<string, string | number | null>[] {
  const count = Math.min(rows, frame.origins.length);
  return Array.from({ length: count }, (_, r) =>
    Object.fromEntries(
      frame.features.map((column) => [
        column.name,
        column.type === 'numeric'
          ? Number.isNaN(column.values[r])
            ? null
            : (column.values[r] as number)
          : (column.values[r] ?? null),
      ]),
    ),
  );
}

export interface PreparedCheck {
  /** The API request the state machine sends to the predict function, forcing the candidate. */
  readonly event: Record<string, unknown>;
  /** What validation's predictor answers for the same rows. */
  readonly expected: Prediction[];
}

/** Builds the release check of a candidate: rows of its run's test split, and the answers its artifact gives them. */
export async function prepareCheck(
  registry: Registry,
  s3: S3Client,
  artifactsBucket: string,
  model: string,
  version: number,
  rows: number,
): Promise<PreparedCheck> {
  const record = await registry.versions.get(model, version);
  if (record === undefined) throw new NotFoundError(`model "${model}" has no version ${version}`);
  const test = await new PreparedData(s3, { bucket: artifactsBucket, prefix: runPrefix(model, record.runId) }).split(
    'test',
  );
  const instances = instancesOf(test, rows);
  const predictor = await Predictor.load(await fetchArtifact(s3, record.artifact));
  try {
    await predictor.prepare(instances.length);
    const expected = predictor.predictInstances(instances);
    const event = {
      version: '2.0',
      routeKey: 'POST /v1/models/{model}/predict',
      rawPath: `/v1/models/${model}/predict`,
      rawQueryString: '',
      headers: {
        'content-type': 'application/json',
        [VARIANT_HEADER]: 'candidate',
        [ROUTING_KEY_HEADER]: 'release-check',
      },
      requestContext: {
        http: { method: 'POST', path: `/v1/models/${model}/predict`, sourceIp: 'release-check' },
        routeKey: 'POST /v1/models/{model}/predict',
      },
      pathParameters: { model },
      body: JSON.stringify({ instances }),
      isBase64Encoded: false,
    };
    return { event, expected };
  } finally {
    predictor.dispose();
  }
}
