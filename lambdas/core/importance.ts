import type { Predictor } from './artifact.js';
import type { Frame, TypedColumn } from './dataset.js';
import { metricsOf, scoreSplit } from './evaluation.js';
import { seededRandom, shuffledIndices } from './random.js';

export interface FeatureImportance {
  readonly feature: string;
  /** Drop of the score when the feature's values are shuffled (mean over repeats); negative means noise. */
  readonly importance: number;
  /** max(importance, 0) over the sum of all positive importances. */
  readonly share: number;
}

export interface ImportanceResult {
  readonly score: 'roc_auc' | 'accuracy' | 'r2';
  readonly baseline: number;
  /** False when the score is undefined on the split (e.g. ROC AUC with one class): importances are then all 0. */
  readonly measurable: boolean;
  readonly features: FeatureImportance[];
}

function scoreOf(predictor: Predictor, frame: Frame): { name: ImportanceResult['score']; value: number } {
  // One batched call over all rows: permutation importance predicts the split once per feature and repeat.
  const scored = scoreSplit(predictor, frame);
  const metrics = metricsOf(scored);
  const classes = scored.classes.length;
  const name = classes === 0 ? 'r2' : classes === 2 ? 'roc_auc' : 'accuracy';
  return { name, value: metrics[name] as number };
}

function permuted(column: TypedColumn, order: Uint32Array): TypedColumn {
  return column.type === 'numeric'
    ? { ...column, values: Array.from(order, (i) => column.values[i] as number) }
    : { ...column, values: Array.from(order, (i) => column.values[i] ?? null) };
}

/**
 * Permutation importance (Breiman): how much the model's score drops when one feature's values are shuffled across
 * rows, breaking its link to the label. Seeded, so it is reproducible.
 */
export function permutationImportance(predictor: Predictor, frame: Frame, seed = 0, repeats = 2): ImportanceResult {
  const baseline = scoreOf(predictor, frame);
  if (!Number.isFinite(baseline.value)) {
    return {
      score: baseline.name,
      baseline: baseline.value,
      measurable: false,
      features: frame.features.map((c) => ({ feature: c.name, importance: 0, share: 0 })),
    };
  }
  const random = seededRandom(seed);
  const raw = frame.features.map((column, f) => {
    let drop = 0;
    for (let k = 0; k < repeats; k++) {
      const order = shuffledIndices(frame.origins.length, random);
      const features = frame.features.map((c, i) => (i === f ? permuted(column, order) : c));
      drop += baseline.value - scoreOf(predictor, { ...frame, features }).value;
    }
    return { feature: column.name, importance: drop / repeats };
  });
  const total = raw.reduce((s, r) => s + Math.max(r.importance, 0), 0);
  return {
    score: baseline.name,
    baseline: baseline.value,
    measurable: true,
    features: raw
      .map((r) => ({ ...r, share: total > 0 ? Math.max(r.importance, 0) / total : 0 }))
      .sort((a, b) => b.importance - a.importance),
  };
}
