import type { Anomaly, DataSchema } from '../data-schema.js';
import type { DriftReport } from '../drift/compare.js';
import type { FullEvaluation } from '../evaluation.js';
import type { AttributeFairness } from '../fairness.js';
import type { GateResult } from '../gate-checks.js';
import type { Hyperparameters } from '../hyperparameters.js';
import type { ImportanceResult } from '../importance.js';
import type { SingleFeatureScore } from '../leak.js';
import type { TargetTransform } from '../target-transform.js';

/** One trial of the run's search (the shape the validate step records). */
export interface TrialRecord {
  readonly id: string;
  readonly role: 'candidate' | 'baseline';
  readonly hyperparameters: Hyperparameters | null;
  readonly validationLoss: number | null;
  /** The trial's metrics on the validation split (null when it failed). */
  readonly validationMetrics: StoredMetrics | null;
  readonly epochsRun: number | null;
  readonly bestEpoch: number | null;
  readonly stoppedBy: string | null;
  readonly seconds: number | null;
  readonly chosen: boolean;
  readonly failure: string | null;
  /**
   * Cross-validated: each fold's mean loss on the rows it held out (then `validationLoss` and `validationMetrics` are
   * out of fold, over every training and validation row). Absent for a holdout search.
   */
  readonly foldLosses?: (number | null)[];
}

export type StoredMetrics = Record<string, number | null>;

/** What the validate step found, stored as JSON next to the run's data; the report is drawn from it. */
export interface EvaluationReport {
  readonly model: string;
  readonly runId: string;
  readonly candidate: FullEvaluation;
  readonly fairness: AttributeFairness[];
  readonly importance: ImportanceResult;
  readonly production: {
    readonly version: number;
    readonly metrics: StoredMetrics;
    readonly importance: ImportanceResult;
    /** Features the production model needs that the new data lacks (scored as missing). */
    readonly missingFeatures: string[];
  } | null;
  /** Training data of the candidate against that of the production version. */
  readonly drift: DriftReport | null;
  readonly gate: GateResult;
  /** Every trial of the search, the chosen candidate marked. */
  readonly tuning: TrialRecord[];
  /**
   * The folds, when the trials were chosen by cross-validation over the training and validation rows (the chosen trial
   * and the baseline then refit on all of them, and feature influence measured on the test split); null for one
   * validation split.
   */
  readonly crossValidation: { readonly folds: number; readonly seed: number; readonly rows: number } | null;
  /** The linear baseline on the same test rows, or why there is none. */
  readonly baseline:
    | { readonly metrics: StoredMetrics; readonly hyperparameters: Hyperparameters }
    | { readonly failure: string }
    | null;
  /** How well each feature alone predicts the label on the validation split (the leak check's evidence). */
  readonly singleFeatureScores: SingleFeatureScore[];
  /** Regression: how the target was modelled, and whether the model file or `auto` chose it; null for classifiers. */
  readonly target: { readonly transform: TargetTransform; readonly requested: TargetTransform | 'auto' } | null;
}

/** Lineage and data facts the model card shows next to the evaluation (from the registry). */
export interface CardFacts {
  readonly model: string;
  readonly version: number | null;
  readonly versionStatus: string | null;
  readonly inProduction: boolean;
  readonly run: {
    readonly runId: string;
    readonly status: string;
    readonly startedAt: string;
    readonly reason?: string;
    readonly preparation?: Record<string, unknown>;
    /** The run's outcome in words (why it was rejected, what it awaits). */
    readonly outcome?: string;
    /** The first anomalies (the run names at most ten), and how many there were in all, with where the full list is. */
    readonly anomalies?: Anomaly[];
    readonly anomalyCounts?: { readonly total: number; readonly blocking: number; readonly list: string };
  };
  readonly lineage: Record<string, string>;
  readonly data: {
    readonly key: string;
    readonly etag: string;
    readonly versionId: string | null;
    readonly sha256?: string;
    readonly size: number;
  }[];
  readonly hyperparameters: Hyperparameters | null;
  readonly schema: DataSchema | null;
}
