import { createDocumentClient } from '../shared/clients.js';
import { readEnv } from '../shared/env.js';
import { FeedbackStore } from '../shared/feedback-store.js';
import { apiHandler } from '../shared/api-handler.js';
import { jsonResponse } from '../shared/http.js';
import { stdoutLines } from '../shared/log-lines.js';
import { countForModel } from '../shared/metrics.js';
import { recordFeedback } from './feedback.js';

const env = readEnv(['REGISTRY_TABLE']);
const store = new FeedbackStore(createDocumentClient(), env.REGISTRY_TABLE);

/** `POST /v1/models/{model}/feedback`: ground truth by prediction id. */
export const handler = apiHandler(async (event) => {
  const answer = await recordFeedback(store, event.pathParameters?.model, event.body, stdoutLines);
  const recorded = answer.results.filter((r) => r.status === 'recorded').length;
  countForModel('FeedbackRecorded', answer.model, recorded);
  return jsonResponse(200, answer);
});
