import { DataValidationError } from '../../core/errors.js';
import { sha256Hex } from '../../core/digest.js';
import { LAYOUT } from './layout.js';
import { loadModelConfig } from './model-files.js';
import type { ObjectCreatedEvent, RunRef } from './pipeline-state.js';
import type { RunRecord } from './registry-records.js';

/**
 * The run id is derived from what was uploaded (bucket, key, ETag) and the model file the pipeline runs with (its
 * sha256): a duplicate event for the same object, or the same bytes uploaded again, maps to the same run and starts
 * no second one; the same data after the model file changed is a new run.
 */
export function runIdFor(
  bucket: string,
  key: string,
  etag: string,
  modelConfigSha256: string | null,
  sources: readonly { readonly bucket: string; readonly key: string; readonly etag: string }[] = [],
): string {
  // A retraining's extra objects (its labelled rows) are part of what it trains on, so of its identity.
  const extra = sources.map((s) => `\n${s.bucket}\n${s.key}\n${s.etag}`).join('');
  return `run-${sha256Hex(`${bucket}\n${key}\n${etag}\n${modelConfigSha256 ?? ''}${extra}`).slice(0, 20)}`;
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

/** sha256 of the deployed model file, or null when there is no valid one (the run then fails with the reason). */
export function deployedModelSha(model: string, modelsDir?: string): string | null {
  try {
    return loadModelConfig(model, modelsDir).sha256;
  } catch {
    return null;
  }
}

/** The model an upload is for, or `_unassigned` for an upload outside `incoming/<model>/` (recorded, then failed). */
export function modelOfUpload(key: string): string {
  try {
    return modelOfKey(key);
  } catch {
    return '_unassigned';
  }
}

/** The run a Catch must record when the event itself could not be registered (same id as RegisterRun gives it). */
export function runRefFromEvent(event: ObjectCreatedEvent): RunRef {
  const { bucket, object } = event.detail;
  const model = modelOfUpload(object.key);
  const etag = object.etag ?? '';
  return {
    model,
    runId: runIdFor(bucket.name, object.key, etag, deployedModelSha(model)),
    trigger: {
      bucket: bucket.name,
      key: object.key,
      etag,
      versionId: object['version-id'] ?? null,
      size: object.size ?? 0,
    },
    duplicate: false,
  };
}

/** The name of a run's n-th re-drive execution (`mlops runs redrive`). */
export function redriveExecutionName(runId: string, redrive: number): string {
  return `${runId}-redrive-${redrive}`;
}

/** The execution a run is in now: its first, or its latest re-drive (undefined for a run from before it was recorded). */
export function currentExecutionArn(
  run: Pick<RunRecord, 'runId' | 'executionId' | 'redrives'>,
  stateMachineArn: string,
): string | undefined {
  const redrives = run.redrives ?? 0;
  if (redrives === 0) return run.executionId;
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${redriveExecutionName(run.runId, redrives)}`;
}
