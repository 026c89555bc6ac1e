/**
 * Where things live in the buckets. The CDK stack scopes IAM grants to these prefixes, so they are defined once here.
 */
export const LAYOUT = {
  /** Data bucket: uploads go under `incoming/<model>/`; each upload starts a run. */
  incoming: 'incoming/',
  /** Artifacts bucket: per-run prepared data and reports. */
  runs: 'runs/',
  /** Artifacts bucket: versioned data schemas. */
  schemas: 'schemas/',
  /** Artifacts bucket: model artifacts, the only prefix serving may read. */
  models: 'models/',
} as const;

export function runPrefix(model: string, runId: string): string {
  return `${LAYOUT.runs}${model}/${runId}/`;
}

export function schemaKey(model: string, version: number): string {
  return `${LAYOUT.schemas}${model}/v${version}.json`;
}

export function modelArtifactKey(model: string, runId: string): string {
  return `${LAYOUT.models}${model}/${runId}/model.json`;
}
