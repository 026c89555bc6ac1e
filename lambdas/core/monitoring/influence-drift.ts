import * as z from 'zod';
import type { Predictor } from '../artifact.js';
import type { Frame, TypedColumn } from '../dataset.js';
import { permutationImportance, type ImportanceResult } from '../importance.js';
import { categoryValue, numericValue } from './window-records.js';

/**
 * Influence drift, the gate's "no feature eclipses the others" held as the data moves: each feature's share of the
 * model's influence (permutation importance, importance.ts) on a window's labelled live traffic against its share when
 * the version was validated. A feature is flagged when it comes to carry more than `maxFeatureShare` of the influence
 * (having carried no more at validation, and grown by CROSSING_MARGIN at least), or when its share grew by more than `maxFeatureShareGrowth`: the gate's own
 * thresholds, so a model the gate would refuse for dominance is flagged once live traffic makes it so.
 */

/**
 * How far a share must grow to count as crossing `maxFeatureShare`: a feature at 49% at validation and 51% live has
 * not come to eclipse anything. Shares on 200 labelled rows move by a few points by chance
 * (test/unit/influence-drift.test.ts), so ten points is evidence.
 */
export const CROSSING_MARGIN = 0.1;

/** A version's influence when it was validated, stored in its monitoring reference. */
export const trainingInfluenceSchema = z.object({
  score: z.enum(['roc_auc', 'accuracy', 'r2']),
  /** Each feature's share of the positive importance (0 for noise). */
  shares: z.record(z.string(), z.number()),
});
export type TrainingInfluence = z.infer<typeof trainingInfluenceSchema>;

/** The stored form of a validation's importance, or none when it could not be measured. */
export function trainingInfluenceOf(importance: ImportanceResult): TrainingInfluence | undefined {
  if (!importance.measurable) return undefined;
  return { score: importance.score, shares: Object.fromEntries(importance.features.map((f) => [f.feature, f.share])) };
}

export interface InfluenceThresholds {
  readonly maxFeatureShare: number;
  readonly maxFeatureShareGrowth: number;
  /** Below this many labelled predictions, no verdict: permutation importance on fewer rows is mostly noise. */
  readonly minLabels: number;
}

export interface FeatureInfluenceChange {
  readonly feature: string;
  readonly training: number;
  readonly live: number;
  /** live − training, in share (0.1 is ten points). */
  readonly growth: number;
  readonly flagged: boolean;
}

export type InfluenceDrift =
  | { readonly measured: false; readonly reason: string }
  | {
      readonly measured: true;
      readonly verdict: 'ok' | 'eclipsed';
      readonly score: ImportanceResult['score'];
      readonly labelledRows: number;
      readonly maxFeatureShare: number;
      readonly maxFeatureShareGrowth: number;
      /** Largest live share first. */
      readonly features: FeatureInfluenceChange[];
      readonly flagged: string[];
    };

/** A labelled live prediction: the instance as captured and its ground truth. */
export interface LabelledInstance {
  readonly id: string;
  readonly instance: Readonly<Record<string, unknown>>;
  readonly truth: unknown;
}

/** The labelled instances as a frame of the model's features, typed as its preprocessor encodes them. */
export function labelledFrame(predictor: Predictor, rows: readonly LabelledInstance[]): Frame {
  const pre = predictor.artifact.preprocessor;
  const features: TypedColumn[] = pre.features.map((encoder) =>
    encoder.type === 'numeric'
      ? { name: encoder.name, type: 'numeric', values: rows.map((r) => numericValue(r.instance[encoder.name])) }
      : {
          name: encoder.name,
          type: 'categorical',
          values: rows.map((r) => categoryValue(r.instance[encoder.name])),
        },
  );
  const labels: Frame['labels'] =
    pre.label.task === 'regression'
      ? { kind: 'numbers', values: rows.map((r) => Number(r.truth)) }
      : { kind: 'classes', values: rows.map((r) => String(r.truth)) };
  return { features, sensitive: [], labels, origins: rows.map((r) => r.id) };
}

/**
 * Why the window can have no influence verdict, or undefined when it can: the version's influence at validation
 * unknown, too few labels, or an input the capture does not keep as sent (`uncaptured`: dropped or hashed fields).
 */
export function influenceUnmeasurable(
  rows: readonly LabelledInstance[],
  training: TrainingInfluence | undefined,
  thresholds: InfluenceThresholds,
  uncaptured: readonly string[],
): string | undefined {
  if (training === undefined)
    return "the version's influence at validation was not stored (validated before influence drift existed, or unmeasurable then)";
  const missing = Object.keys(training.shares).filter((feature) => uncaptured.includes(feature));
  if (missing.length > 0)
    return `the capture leaves out or hashes model input(s) ${missing.join(', ')} (capture.drop / capture.hash, or sensitive attributes used as features), so live inputs cannot be re-scored`;
  if (rows.length < thresholds.minLabels)
    return `${rows.length} labelled predictions in the window; influence needs ${thresholds.minLabels}`;
  return undefined;
}

/**
 * The window's influence drift: permutation importance of the served version on the window's labelled predictions
 * (seeded, five repeats, so a window always gives the same answer), compared feature by feature with its shares at
 * validation. The caller has checked influenceUnmeasurable.
 */
export function influenceDrift(
  predictor: Predictor,
  rows: readonly LabelledInstance[],
  training: TrainingInfluence,
  thresholds: Omit<InfluenceThresholds, 'minLabels'>,
): InfluenceDrift {
  const live = permutationImportance(predictor, labelledFrame(predictor, rows), 0, 5);
  if (!live.measurable)
    return { measured: false, reason: `${live.score} is undefined on the window's labelled predictions (one class?)` };
  const { maxFeatureShare, maxFeatureShareGrowth } = thresholds;
  const features = live.features
    .map((f) => {
      const before = training.shares[f.feature] ?? 0;
      const growth = f.share - before;
      const comesToEclipse = f.share > maxFeatureShare && before <= maxFeatureShare && growth >= CROSSING_MARGIN;
      return {
        feature: f.feature,
        training: before,
        live: f.share,
        growth,
        flagged: comesToEclipse || growth > maxFeatureShareGrowth,
      };
    })
    .sort((a, b) => b.live - a.live);
  const flagged = features.filter((f) => f.flagged).map((f) => f.feature);
  return {
    measured: true,
    verdict: flagged.length > 0 ? 'eclipsed' : 'ok',
    score: live.score,
    labelledRows: rows.length,
    maxFeatureShare,
    maxFeatureShareGrowth,
    features,
    flagged,
  };
}
