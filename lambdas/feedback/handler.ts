import { createDocumentClient } from '../shared/runtime/clients.js';
import { readEnv } from '../shared/runtime/env.js';
import { FeedbackStore } from '../shared/adapters/feedback-store.js';
import { Registry } from '../shared/adapters/registry.js';
import { ReleaseStore } from '../shared/adapters/release-store.js';
import { apiHandler } from '../shared/runtime/api-handler.js';
import { jsonResponse } from '../shared/runtime/http.js';
import { stdoutLines } from '../shared/contracts/log-lines.js';
import { countForModel } from '../shared/runtime/metrics.js';
import { recordFeedback } from './feedback.js';
import { ServedClasses } from './served-classes.js';

const env = readEnv(['REGISTRY_TABLE']);
const documents = createDocumentClient();
const deps = {
  store: new FeedbackStore(documents, env.REGISTRY_TABLE),
  classes: new ServedClasses(
    new Registry(documents, env.REGISTRY_TABLE),
    new ReleaseStore(documents, env.REGISTRY_TABLE),
  ),
};

/** `POST /v1/models/{model}/feedback`: ground truth by prediction id. */
export const handler = apiHandler(async (event) => {
  const answer = await recordFeedback(deps, event.pathParameters?.model, event.body, stdoutLines);
  const recorded = answer.results.filter((r) => r.status === 'recorded').length;
  countForModel('FeedbackRecorded', answer.model, recorded);
  return jsonResponse(200, answer);
});
