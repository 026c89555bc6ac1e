import type { AttributeFairness } from './fairness.js';
import type { ImportanceResult } from './importance.js';
import type { SingleFeatureScore } from './leak.js';
import type { ModelConfig } from './model-config.js';

/** The gate's vocabulary, shared by the check builders. */

export type CheckKind =
  'minimum' | 'maximum' | 'vs_production' | 'baseline' | 'fairness' | 'leak' | 'feature_share' | 'feature_share_growth';
export type CheckSeverity = 'blocking' | 'warning';

export interface GateCheck {
  readonly kind: CheckKind;
  /** What is checked: a metric, `sex.disparate_impact`, `feature_share.age`, … */
  readonly metric: string;
  readonly comparison: '>=' | '<=';
  readonly threshold: number;
  readonly value: number | null;
  readonly passed: boolean;
  /** A failed blocking check rejects the candidate; a failed warning is reported and lets it through. */
  readonly severity: CheckSeverity;
  /** The check in words, e.g. "roc_auc 0.8123 is 0.0991 below production v1 (0.9114); at most 0.01 allowed". */
  readonly description: string;
}

export interface GateResult {
  readonly passed: boolean;
  readonly checks: GateCheck[];
  /** One line a person can read: why the candidate was rejected, or that every check passed (and what it warns of). */
  readonly summary: string;
}

export interface GateInput {
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly gate: ModelConfig['gate'];
  /** The production model re-scored on the same test split, when there is one. */
  readonly production?:
    | {
        readonly version: number;
        readonly metrics: Readonly<Record<string, number | null>>;
        readonly importance?: ImportanceResult;
      }
    | undefined;
  /** The linear baseline scored on the same test split; `failure` when it could not be trained. */
  readonly baseline?:
    { readonly metrics: Readonly<Record<string, number | null>> } | { readonly failure: string } | undefined;
  readonly fairness?: readonly AttributeFairness[];
  readonly minGroupSize?: number;
  readonly importance?: ImportanceResult | undefined;
  readonly singleFeatureScores?: readonly SingleFeatureScore[];
}

export const fmt = (v: number): string => v.toFixed(4);

/** Adds a check; a missing (NaN or null) value fails it with `missing` as the reason. */
export type AddCheck = (
  check: { kind: CheckKind; metric: string; comparison: '>=' | '<='; threshold: number; severity?: CheckSeverity },
  raw: number | null | undefined,
  describe: (value: number) => string,
  missing?: string,
) => void;
