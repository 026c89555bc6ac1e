import type { S3Client } from '@aws-sdk/client-s3';
import { ConflictError } from '../core/errors.js';
import type { ModelConfig } from '../core/model-config.js';
import { capturedPredictions, groundTruths } from '../core/monitoring/window-records.js';
import { labelledRowsCsv } from '../core/retraining/feedback-rows.js';
import { decideRetraining, type RetrainingRequest } from '../core/retraining/retraining-policy.js';
import { FEEDBACK_LOOKBACK_DAYS, HOUR, hoursBetween, readPartitions } from '../shared/adapters/capture-partitions.js';
import { readUploadColumns } from '../shared/adapters/data-objects.js';
import { latestObjects, putObject } from '../shared/adapters/objects.js';
import type { Registry } from '../shared/adapters/registry.js';
import type { RetrainStore } from '../shared/adapters/retrain-store.js';
import { LAYOUT } from '../shared/contracts/layout.js';
import type { ObjectVersion } from '../shared/contracts/object-location.js';
import type { ObjectCreatedEvent } from '../shared/contracts/pipeline-state.js';
import { runIdFor } from '../shared/contracts/run-identity.js';

export interface RetrainDeps {
  readonly s3: S3Client;
  readonly registry: Registry;
  readonly retrains: RetrainStore;
  readonly dataBucket: string;
  /** Starts the training state machine with this input under this name (an existing name is not started again). */
  readonly startTraining: (name: string, input: ObjectCreatedEvent) => Promise<string>;
}

export interface RetrainRequest extends RetrainingRequest {
  readonly model: string;
  /** What started it, in words (the alarm and its reason, the schedule, who asked and why). */
  readonly detail: string;
  readonly actor: string;
}

export type RetrainOutcome =
  | { readonly started: true; readonly executionArn: string; readonly data: string[] }
  /** `nothingNew`: the policy allowed a run, but the data and model file were trained on already, with no labels. */
  | { readonly started: false; readonly reason: string; readonly nothingNew?: true };

/** The captured requests of the last week that have ground truth, as a CSV beside the newest upload; null if none. */
async function feedbackSource(
  deps: RetrainDeps,
  config: ModelConfig,
  newest: ObjectVersion,
  at: Date,
): Promise<ObjectVersion | null> {
  const from = new Date(at.getTime() - FEEDBACK_LOOKBACK_DAYS * 24 * HOUR);
  const hours = hoursBetween(from, at);
  const [capture, feedback] = await Promise.all([
    readPartitions(deps.s3, deps.dataBucket, 'capture', config.name, hours),
    readPartitions(deps.s3, deps.dataBucket, 'feedback', config.name, hours),
  ]);
  const { predictions } = capturedPredictions(capture.texts, config.name, { start: from, end: at });
  const { truths } = groundTruths(feedback.texts, config.name);
  const header = await readUploadColumns(deps.s3, newest);
  const labelled = labelledRowsCsv(header, config.label, predictions, truths);
  if (labelled === null) return null;
  const location = {
    bucket: deps.dataBucket,
    key: `${LAYOUT.retraining}${config.name}/${at.toISOString()}-feedback.csv`,
  };
  await putObject(deps.s3, location, labelled.csv, 'text/csv');
  return { ...location, etag: '', versionId: null, size: Buffer.byteLength(labelled.csv) };
}

/**
 * Decides and starts a retraining of a model: by the policy (one per alarm episode, the cool-down, the weekly cap),
 * on the newest upload — and with `retraining.data: "latest+feedback"` the labelled captured rows of the last week,
 * written as a CSV first — unless there is nothing new to train on (the newest upload and this model file were
 * trained on already, and no labels). The start is recorded before the execution starts, by compare-and-set, so two
 * deliveries of one alarm start one run.
 */
export async function retrainModel(
  deps: RetrainDeps,
  config: ModelConfig,
  modelConfigSha256: string,
  request: RetrainRequest,
): Promise<RetrainOutcome> {
  const { model } = request;
  for (let attempt = 0; ; attempt++) {
    const history = await deps.retrains.history(model);
    const decision = decideRetraining(config.retraining, history.starts, request);
    if (!decision.start) return { started: false, reason: decision.reason };
    const [newest] = await latestObjects(deps.s3, deps.dataBucket, `${LAYOUT.incoming}${model}/`, 1);
    if (newest === undefined) return { started: false, reason: `no upload under incoming/${model}/ to train on` };
    const feedback =
      config.retraining.data === 'latest+feedback' ? await feedbackSource(deps, config, newest, request.at) : null;
    const runId = runIdFor(newest.bucket, newest.key, newest.etag, modelConfigSha256);
    if (feedback === null && (await deps.registry.runs.get(model, runId)) !== undefined)
      return {
        started: false,
        nothingNew: true,
        reason: `nothing new to train on: ${newest.key} was trained on with this model file (run ${runId}), and there are no new labels`,
      };
    try {
      await deps.retrains.recordStart(model, history, {
        key: request.key,
        trigger: request.trigger,
        at: request.at.toISOString(),
      });
    } catch (error) {
      if (error instanceof ConflictError && attempt === 0) continue;
      throw error;
    }
    const event: ObjectCreatedEvent = {
      'detail-type': 'Object Created',
      source: 'aws.s3',
      detail: { bucket: { name: newest.bucket }, object: { key: newest.key } },
      retraining: {
        trigger: request.trigger,
        detail: request.detail,
        sources: feedback === null ? [] : [{ bucket: feedback.bucket, key: feedback.key }],
      },
    };
    const executionArn = await deps.startTraining(`retrain-${runId.slice(4, 16)}-${request.at.getTime()}`, event);
    return { started: true, executionArn, data: [newest.key, ...(feedback === null ? [] : [feedback.key])] };
  }
}
