import type { S3Client } from '@aws-sdk/client-s3';
import { DataValidationError } from '../core/errors.js';
import { sha256Hex } from '../core/digest.js';
import { loadModelConfig } from '../shared/model-files.js';
import { headObject, type ObjectVersion } from '../shared/objects.js';
import { LAYOUT } from '../shared/layout.js';
import type { ObjectCreatedEvent, RunRef } from '../shared/pipeline-state.js';
import type { Registry } from '../shared/registry.js';

/**
 * The run id is derived from what was uploaded (bucket, key, ETag), so a duplicate event for the same object — or
 * the same bytes uploaded again under the same key — maps to the same run and starts no second one.
 */
export function runIdFor(bucket: string, key: string, etag: string): string {
  return `run-${sha256Hex(`${bucket}\n${key}\n${etag}`).slice(0, 20)}`;
}

/** `incoming/<model>/<file>` → model; anything else is a misplaced upload. */
export function modelOfKey(key: string): string {
  const match = /^incoming\/([^/]+)\/.+/.exec(key);
  if (match === null) {
    throw new DataValidationError(
      `uploads must go under ${LAYOUT.incoming}<model>/, e.g. ${LAYOUT.incoming}adult/data.csv; got "${key}"`,
    );
  }
  return match[1] as string;
}

/** The run a Catch must record when the event itself could not be registered. */
export function runRefFromEvent(event: ObjectCreatedEvent): RunRef {
  const { bucket, object } = event.detail;
  let model: string;
  try {
    model = modelOfKey(object.key);
  } catch {
    model = '_unassigned';
  }
  const etag = object.etag ?? '';
  return {
    model,
    runId: runIdFor(bucket.name, object.key, etag),
    trigger: { bucket: bucket.name, key: object.key, etag, versionId: object['version-id'] ?? null, size: object.size ?? 0 },
    duplicate: false,
  };
}

/**
 * Reads the object's identity from S3 itself (the event's copy of it may be URL-encoded), then records the run with a
 * conditional put that doubles as the idempotency check.
 */
export async function registerRun(
  deps: { s3: S3Client; registry: Registry },
  event: ObjectCreatedEvent,
  executionId: string,
): Promise<RunRef> {
  const bucket = event.detail.bucket.name;
  const rawKey = event.detail.object.key;
  const object = await locateObject(deps.s3, bucket, rawKey);
  const model = modelOfKey(object.key);
  const runId = runIdFor(bucket, object.key, object.etag);
  const now = new Date().toISOString();
  const created = await deps.registry.createRun({
    model,
    runId,
    status: 'RUNNING',
    trigger: object,
    startedAt: now,
    updatedAt: now,
    executionId,
    step: 'RegisterRun',
  });
  // A retry of this step by the same execution finds its own record: that is not a duplicate.
  const duplicate = !created && (await deps.registry.getRun(model, runId))?.executionId !== executionId;
  const ref: RunRef = { model, runId, trigger: object, duplicate };
  if (!duplicate) loadModelConfig(model); // an unknown or invalid model file fails the run now, with its reason recorded
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
