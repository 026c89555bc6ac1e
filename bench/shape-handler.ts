/**
 * The warm floor of the serving benchmark: predict's handler shape (lambdas/shared/runtime/api-handler.ts: middy with the
 * Powertools logger context, tracer and request metrics, the model correlation, the JSON body and error mapping),
 * answering a constant without scoring anything. The predict handler's time above this floor is the serving code's
 * own; the floor is what the project's observability costs on every request. Bundled by bench/serving.ts as the
 * functions are.
 */
import { apiHandler } from '../lambdas/shared/runtime/api-handler.js';

export const handler = apiHandler(
  async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"predictions":[]}' }),
  { measured: true },
);
