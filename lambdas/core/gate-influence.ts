import { fmt, type AddCheck, type GateInput } from './gate-checks.js';
import type { SingleFeatureScore } from './leak.js';

const percent = (share: number): string => `${(100 * share).toFixed(1)}%`;
const metricName = (score: SingleFeatureScore): string => (score.metric === 'roc_auc' ? 'AUC' : 'R²');

/**
 * The leak check: a feature that alone predicts the label almost perfectly (its single-feature model on the
 * validation split), or whose values are the label's. Blocking by default. One strong real predictor scores far below.
 */
function leakCheck(input: GateInput, add: AddCheck): void {
  const scores = (input.singleFeatureScores ?? []).filter((s) => Number.isFinite(s.score) || s.identical);
  if (scores.length === 0) return;
  const strongest = scores.reduce((a, b) => (leakScore(b) > leakScore(a) ? b : a));
  const threshold = input.gate.maxSingleFeatureScore;
  add(
    {
      kind: 'leak',
      metric: `leak.${strongest.feature}`,
      comparison: '<=',
      threshold,
      severity: input.gate.severity.leak,
    },
    leakScore(strongest),
    (v) =>
      strongest.identical
        ? `feature "${strongest.feature}" is identical to the label: a leak? (remove it, or add it to "exclude")`
        : v > threshold
          ? `feature "${strongest.feature}" alone predicts the label (${metricName(strongest)} ${v.toFixed(3)}): a leak? (remove it, or add it to "exclude")`
          : `strongest single feature "${strongest.feature}": ${metricName(strongest)} ${fmt(v)} alone (a leak at > ${threshold})`,
  );
}

const leakScore = (s: SingleFeatureScore): number => (s.identical ? 1 : s.score);

/**
 * Dominance, the mission's "no feature eclipses the others": the largest share of the permutation importance
 * against `maxFeatureShare`, and the largest growth of a feature's share against production against
 * `maxFeatureShareGrowth`. Warnings by default (a data set may have one strong real predictor); blocking when the
 * model file says so. Influence that cannot be measured fails the share check: nothing is released on trust.
 */
function dominanceChecks(input: GateInput, add: AddCheck): void {
  const importance = input.importance;
  const { maxFeatureShare, maxFeatureShareGrowth, severity } = input.gate;
  if (importance === undefined) return;
  const shareCheck = {
    kind: 'feature_share' as const,
    comparison: '<=' as const,
    threshold: maxFeatureShare,
    severity: severity.dominance,
  };
  if (!importance.measurable) {
    add(
      { ...shareCheck, metric: 'feature_share' },
      null,
      () => '',
      `feature influence could not be measured: ${importance.score} is undefined on the validation split`,
    );
    return;
  }
  if (importance.features.length < 2) return;
  const top = importance.features.reduce((a, b) => (b.share > a.share ? b : a));
  add({ ...shareCheck, metric: `feature_share.${top.feature}` }, top.share, (v) =>
    v > maxFeatureShare
      ? `feature "${top.feature}" carries ${percent(v)} of the model's influence, more than the ${percent(maxFeatureShare)} allowed (it eclipses the others)`
      : `largest feature share ${percent(v)} ("${top.feature}", needs <= ${percent(maxFeatureShare)})`,
  );
  const before = input.production?.importance;
  if (before === undefined || !before.measurable) return;
  const previous = new Map(before.features.map((f) => [f.feature, f.share]));
  const growths = importance.features.map((f) => ({
    feature: f.feature,
    share: f.share,
    was: previous.get(f.feature) ?? 0,
  }));
  const most = growths.reduce((a, b) => (b.share - b.was > a.share - a.was ? b : a));
  const version = input.production?.version;
  add(
    {
      kind: 'feature_share_growth',
      metric: `feature_share_growth.${most.feature}`,
      comparison: '<=',
      threshold: maxFeatureShareGrowth,
      severity: severity.dominance_growth,
    },
    most.share - most.was,
    (g) =>
      g > maxFeatureShareGrowth
        ? `feature "${most.feature}" grew from ${percent(most.was)} of the influence in production v${version} to ${percent(most.share)}, more than the ${percent(maxFeatureShareGrowth)} allowed`
        : `largest growth of a feature's share against production v${version}: ${(100 * g).toFixed(1)} points ("${most.feature}", needs <= ${(100 * maxFeatureShareGrowth).toFixed(0)})`,
  );
}

export function influenceChecks(input: GateInput, add: AddCheck): void {
  leakCheck(input, add);
  dominanceChecks(input, add);
}
