import { ConflictError, ModelConfigError, NotFoundError, RequestValidationError } from '../core/errors.js';
import { requestModelName } from '../core/model-name.js';
import {
  feedbackBatchSchema,
  feedbackItemSchema,
  parseBody,
  type FeedbackItem,
} from '../shared/contracts/api-contracts.js';
import type { FeedbackStatus, FeedbackStore } from '../shared/adapters/feedback-store.js';
import type { LineWriter } from '../shared/contracts/log-lines.js';
import { loadModelConfig } from '../shared/contracts/model-files.js';
import type { ServedClasses } from './served-classes.js';

export const FEEDBACK_RECORD = 'feedback';

/** A truth's record line (SageMaker's ground-truth shape), with the prediction id as the event's id. */
function feedbackLine(model: string, item: FeedbackItem, receivedAt: string): string {
  return JSON.stringify({
    mlopsRecord: FEEDBACK_RECORD,
    model,
    predictionId: item.predictionId,
    groundTruthData: { data: JSON.stringify(item.label), encoding: 'JSON', observedContentType: 'application/json' },
    eventMetadata: {
      eventId: item.predictionId,
      inferenceId: item.predictionId.slice(0, item.predictionId.lastIndexOf('.')),
    },
    receivedAt,
    eventVersion: '0',
  });
}

export interface FeedbackAnswer {
  readonly model: string;
  readonly results: { predictionId: string; status: FeedbackStatus }[];
}

/** Checks the items against the model: its file is deployed, each id appears once, each truth has the task's type. */
function checkItems(
  name: string | undefined,
  body: unknown,
  modelsDir?: string,
): { model: string; items: FeedbackItem[] } {
  const model = requestModelName(name);
  const batch = body !== null && typeof body === 'object' && 'feedback' in body;
  const example = '{"predictionId": "<id from the prediction>", "label": <the truth>}';
  const items = batch
    ? parseBody(feedbackBatchSchema, body, example).feedback
    : [parseBody(feedbackItemSchema, body, example)];
  let task: string;
  try {
    task = loadModelConfig(model, modelsDir).config.task;
  } catch (error) {
    if (error instanceof ModelConfigError)
      throw new NotFoundError(`model "${model}" is not deployed (no model file models/${model}.json)`, {
        cause: error,
      });
    throw error;
  }
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.predictionId))
      throw new RequestValidationError(
        `feedback[${i}].predictionId ${item.predictionId} appears twice in the request; send each prediction's truth once`,
      );
    seen.add(item.predictionId);
    const expected = task === 'regression' ? 'number' : 'string';
    if (typeof item.label !== expected || (typeof item.label === 'number' && !Number.isFinite(item.label))) {
      throw new RequestValidationError(
        `feedback[${i}].label must be a ${expected === 'number' ? 'finite number (the true value)' : 'string (the true class)'} for the ${task} model ${model}`,
      );
    }
  });
  return { model, items };
}

/** Where truths are kept, and what a classifier's truths may name. */
export interface FeedbackDeps {
  readonly store: FeedbackStore;
  readonly classes: ServedClasses;
  /** Where the model files are. @default the deployed ones */
  readonly modelsDir?: string;
}

/**
 * Records ground truth by prediction id (a classifier's truth must be a class its served versions predict): each id once (a repeat with the same truth is a duplicate, a different truth
 * a conflict), and each newly recorded one as a feedback line — SageMaker's ground-truth shape, joined with the
 * capture records on the prediction id — which the log subscription delivers to `feedback/model=<m>/dt=…/`. A
 * duplicate whose line was never written (the function died between storing the truth and writing it) writes it now.
 */
export async function recordFeedback(
  { store, classes, modelsDir }: FeedbackDeps,
  model: string | undefined,
  body: unknown,
  write: LineWriter,
  now = new Date(Date.now()), // the runtime's clock locally (see predict's capture time)
): Promise<FeedbackAnswer> {
  const checked = checkItems(model, body, modelsDir);
  await classes.check(checked.model, checked.items);
  const results: FeedbackAnswer['results'] = [];
  for (const item of checked.items) {
    const { status, emitted, receivedAt } = await store.record(checked.model, item.predictionId, item.label, now);
    results.push({ predictionId: item.predictionId, status });
    if (status === 'conflict' || emitted) continue;
    write(feedbackLine(checked.model, item, receivedAt));
    await store.markEmitted(checked.model, item.predictionId);
  }
  const conflicts = results.filter((r) => r.status === 'conflict').map((r) => r.predictionId);
  if (conflicts.length > 0) {
    throw new ConflictError(
      `${conflicts.length} prediction id(s) already have a different truth recorded: ${conflicts.slice(0, 5).join(', ')}${conflicts.length > 5 ? ', …' : ''}; the first truth stands (the other ids of this request were recorded)`,
    );
  }
  return { model: checked.model, results };
}
