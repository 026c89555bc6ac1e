import type { AttributeFairness } from './fairness.js';
import type { ImportanceResult } from './importance.js';
import { HIGHER_IS_BETTER, type MetricName, type ModelConfig } from './model-config.js';

export type CheckKind = 'minimum' | 'maximum' | 'vs_production' | 'fairness' | 'feature_share';

export interface GateCheck {
  readonly kind: CheckKind;
  /** What is checked: a metric, `sex.disparate_impact`, `feature_share.age`, … */
  readonly metric: string;
  readonly comparison: '>=' | '<=';
  readonly threshold: number;
  readonly value: number | null;
  readonly passed: boolean;
  /** The check in words, e.g. "roc_auc 0.8123 is 0.0991 below production v1 (0.9114); at most 0.01 allowed". */
  readonly description: string;
}

export interface GateResult {
  readonly passed: boolean;
  readonly checks: GateCheck[];
  /** One line a person can read: why the candidate was rejected, or that every check passed. */
  readonly summary: string;
}

export interface GateInput {
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly gate: ModelConfig['gate'];
  /** The production model re-scored on the same test split, when there is one. */
  readonly production?: { readonly version: number; readonly metrics: Readonly<Record<string, number | null>> } | undefined;
  readonly fairness?: readonly AttributeFairness[];
  readonly importance?: ImportanceResult | undefined;
}

const fmt = (v: number): string => v.toFixed(4);
const finite = (v: number | null | undefined): number | null => (v === undefined || v === null || Number.isNaN(v) ? null : v);

/**
 * The release gate: absolute floors and ceilings, the change against the production model, fairness bounds and the
 * bound on any one feature's share of the influence. A missing (NaN) value fails its check.
 */
export function evaluateGate(input: GateInput): GateResult {
  const checks: GateCheck[] = [];
  const add = (kind: CheckKind, metric: string, comparison: '>=' | '<=', threshold: number, raw: number | null | undefined, describe: (value: number) => string): void => {
    const value = finite(raw);
    const passed = value !== null && (comparison === '>=' ? value >= threshold : value <= threshold);
    checks.push({ kind, metric, comparison, threshold, value, passed, description: value === null ? `${metric} is missing (needs ${comparison} ${threshold})` : describe(value) });
  };
  const { gate, metrics } = input;
  for (const [metric, threshold] of Object.entries(gate.minimums)) {
    if (threshold !== undefined) add('minimum', metric, '>=', threshold, metrics[metric], (v) => `${metric} ${fmt(v)} (needs >= ${threshold})`);
  }
  for (const [metric, threshold] of Object.entries(gate.maximums)) {
    if (threshold !== undefined) add('maximum', metric, '<=', threshold, metrics[metric], (v) => `${metric} ${fmt(v)} (needs <= ${threshold})`);
  }
  if (input.production !== undefined) {
    const { version, metrics: prod } = input.production;
    for (const [metric, allowed] of Object.entries(gate.maxDegradation) as [MetricName, number | undefined][]) {
      const candidate = finite(metrics[metric]);
      const production = finite(prod[metric]);
      if (allowed === undefined || production === null) continue;
      // Worsening in the metric's own direction; negative when the candidate is better.
      const worsening = candidate === null ? null : HIGHER_IS_BETTER[metric] ? production - candidate : candidate - production;
      add('vs_production', `${metric}.vs_production`, '<=', allowed, worsening, (w) =>
        w <= 0
          ? `${metric} ${fmt(candidate as number)} is no worse than production v${version} (${fmt(production)})`
          : `${metric} ${fmt(candidate as number)} is ${fmt(w)} worse than production v${version} (${fmt(production)}); at most ${allowed} allowed`,
      );
    }
  }
  for (const attribute of input.fairness ?? []) {
    const f = gate.fairness;
    if (f.minDisparateImpact !== undefined) {
      add('fairness', `${attribute.attribute}.disparate_impact`, '>=', f.minDisparateImpact, attribute.disparateImpact, (v) => `disparate impact by ${attribute.attribute} ${fmt(v)} (needs >= ${f.minDisparateImpact})`);
    }
    if (f.maxDemographicParityDifference !== undefined) {
      add('fairness', `${attribute.attribute}.demographic_parity_difference`, '<=', f.maxDemographicParityDifference, attribute.demographicParityDifference, (v) => `demographic parity difference by ${attribute.attribute} ${fmt(v)} (needs <= ${f.maxDemographicParityDifference})`);
    }
    if (f.maxEqualOpportunityDifference !== undefined) {
      add('fairness', `${attribute.attribute}.equal_opportunity_difference`, '<=', f.maxEqualOpportunityDifference, attribute.equalOpportunityDifference, (v) => `equal opportunity difference by ${attribute.attribute} ${fmt(v)} (needs <= ${f.maxEqualOpportunityDifference})`);
    }
  }
  if (input.importance !== undefined && !input.importance.measurable) {
    // A candidate whose reliance on single features cannot be checked is not released on trust.
    checks.push({
      kind: 'feature_share',
      metric: 'feature_share',
      comparison: '<=',
      threshold: gate.maxFeatureShare,
      value: null,
      passed: false,
      description: `feature influence could not be measured: ${input.importance.score} is undefined on the validation split`,
    });
  } else if (input.importance !== undefined && input.importance.features.length > 1) {
    const top = input.importance.features.reduce((a, b) => (b.share > a.share ? b : a));
    add('feature_share', `feature_share.${top.feature}`, '<=', gate.maxFeatureShare, top.share, (v) =>
      v > gate.maxFeatureShare
        ? `feature "${top.feature}" carries ${(100 * v).toFixed(1)}% of the model's influence, more than the ${(100 * gate.maxFeatureShare).toFixed(0)}% allowed (a leak of the label?)`
        : `largest feature share ${(100 * v).toFixed(1)}% ("${top.feature}", needs <= ${(100 * gate.maxFeatureShare).toFixed(0)}%)`,
    );
  }
  const failed = checks.filter((c) => !c.passed);
  const summary =
    checks.length === 0
      ? 'no gate checks are configured; passed by default'
      : failed.length === 0
        ? `all ${checks.length} checks passed`
        : `rejected: ${failed.map((c) => c.description).join('; ')}`;
  return { passed: failed.length === 0, checks, summary };
}
