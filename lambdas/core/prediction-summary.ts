import type { Prediction } from './artifact.js';
import type { LabelEncoder } from './preprocess.js';

/**
 * What a request's predictions add to the variant's prediction distribution: the sum of their scores (the positive
 * class's probability for a binary model, the top class's for a multiclass one, the value for regression) and, for a
 * binary model, how many were predicted positive. Summed over requests and divided by the predictions, they give the
 * mean score and the positive rate per variant — what a release compares between candidate and production.
 */
export interface PredictionSummary {
  readonly scoreSum: number;
  readonly positives?: number;
}

export function summarizePredictions(label: LabelEncoder, predictions: readonly Prediction[]): PredictionSummary {
  if (label.task === 'regression') {
    let sum = 0;
    for (const p of predictions) sum += 'value' in p ? p.value : 0;
    return { scoreSum: sum };
  }
  let sum = 0;
  let positives = 0;
  const positive = label.classes[1] as string;
  for (const p of predictions) {
    if (!('probabilities' in p)) continue;
    if (label.task === 'binary') {
      sum += p.probabilities[positive] ?? 0;
      if (p.label === positive) positives += 1;
    } else {
      sum += p.probabilities[p.label] ?? 0;
    }
  }
  return label.task === 'binary' ? { scoreSum: sum, positives } : { scoreSum: sum };
}
