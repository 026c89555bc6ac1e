import type { PredictResponse } from './predict.js';

/**
 * The answer's JSON text — byte for byte what `JSON.stringify(answer)` gives — built from each prediction's own text,
 * which capture reuses when it splits a large request into parts (instead of serializing every prediction again).
 */
export function answerBody(answer: PredictResponse): {
  readonly body: string;
  readonly predictions: readonly string[];
} {
  const predictions = answer.predictions.map((p) => JSON.stringify(p));
  const warnings = answer.warnings === undefined ? '' : `,"warnings":${JSON.stringify(answer.warnings)}`;
  const head = `{"model":${JSON.stringify(answer.model)},"version":${JSON.stringify(answer.version)},"variant":${JSON.stringify(answer.variant)}`;
  return { body: `${head},"predictions":[${predictions.join(',')}]${warnings}}`, predictions };
}
