import type { S3Client } from '@aws-sdk/client-s3';
import { DataValidationError } from '../core/errors.js';
import { loadModelConfig } from '../shared/contracts/model-files.js';
import { headObject } from '../shared/adapters/objects.js';
import { type ObjectVersion } from '../shared/contracts/object-location.js';
import type { ObjectCreatedEvent, RunRef } from '../shared/contracts/pipeline-state.js';
import { deployedModelSha, modelOfKey, runIdFor } from '../shared/contracts/run-identity.js';
import type { Registry } from '../shared/adapters/registry.js';
import type { RunUploads } from '../shared/adapters/run-uploads.js';

/**
 * Reads the object's identity from S3 itself (the event's copy of it may be URL-encoded), then records the run with a
 * conditional put that doubles as the idempotency check.
 */
export async function registerRun(
  deps: { s3: S3Client; registry: Registry; uploads: RunUploads; modelsDir?: string },
  event: ObjectCreatedEvent,
  executionId: string,
): Promise<RunRef> {
  const bucket = event.detail.bucket.name;
  const rawKey = event.detail.object.key;
  const object = await locateObject(deps.s3, bucket, rawKey);
  const model = modelOfKey(object.key);
  const retraining = event.retraining;
  const sources = await Promise.all((retraining?.sources ?? []).map((s) => locateObject(deps.s3, s.bucket, s.key)));
  const runId = runIdFor(bucket, object.key, object.etag, deployedModelSha(model, deps.modelsDir), sources);
  const now = new Date().toISOString();
  const created = await deps.registry.runs.create({
    model,
    runId,
    status: 'RUNNING',
    trigger: object,
    ...(retraining ? { startedBy: { trigger: retraining.trigger, detail: retraining.detail } } : {}),
    startedAt: now,
    updatedAt: now,
    executionId,
    step: 'RegisterRun',
    uploads: 1,
  });
  // A retry of this step by the same execution finds its own record: that is not a duplicate.
  const duplicate = !created && (await deps.registry.runs.get(model, runId))?.executionId !== executionId;
  // Counted on the run so the uploader (mlops upload) can tell that nothing started.
  if (duplicate) await deps.uploads.recordDuplicate(model, runId, executionId, now);
  const ref: RunRef = { model, runId, trigger: object, duplicate, ...(sources.length > 0 ? { sources } : {}) };
  if (!duplicate) loadModelConfig(model, deps.modelsDir); // an unknown or invalid model file fails the run now, with its reason recorded
  return ref;
}

async function locateObject(s3: S3Client, bucket: string, key: string): Promise<ObjectVersion> {
  const found = await headObject(s3, { bucket, key });
  if (found !== undefined) return found;
  // S3 event notifications URL-encode keys ("a b.csv" arrives as "a+b.csv"); EventBridge may pass them through.
  const decoded = decodeURIComponent(key.replace(/\+/g, ' '));
  const retry = decoded !== key ? await headObject(s3, { bucket, key: decoded }) : undefined;
  if (retry === undefined) throw new DataValidationError(`s3://${bucket}/${key} no longer exists; upload it again`);
  return retry;
}
