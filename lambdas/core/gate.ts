import { fairnessChecks } from './gate-fairness.js';
import { influenceChecks } from './gate-influence.js';
import { fmt, type AddCheck, type GateCheck, type GateInput, type GateResult } from './gate-checks.js';
import { HIGHER_IS_BETTER, type MetricName } from './quality-metrics.js';

const finite = (v: number | null | undefined): number | null =>
  v === undefined || v === null || Number.isNaN(v) ? null : v;

function metricChecks(input: GateInput, add: AddCheck): void {
  const { gate, metrics } = input;
  for (const [metric, threshold] of Object.entries(gate.minimums)) {
    if (threshold !== undefined)
      add(
        { kind: 'minimum', metric, comparison: '>=', threshold },
        metrics[metric],
        (v) => `${metric} ${fmt(v)} (needs >= ${threshold})`,
      );
  }
  for (const [metric, threshold] of Object.entries(gate.maximums)) {
    if (threshold !== undefined)
      add(
        { kind: 'maximum', metric, comparison: '<=', threshold },
        metrics[metric],
        (v) => `${metric} ${fmt(v)} (needs <= ${threshold})`,
      );
  }
}

function productionChecks(input: GateInput, add: AddCheck): void {
  if (input.production === undefined) return;
  const { version, metrics: prod } = input.production;
  for (const [metric, allowed] of Object.entries(input.gate.maxDegradation) as [MetricName, number | undefined][]) {
    const candidate = finite(input.metrics[metric]);
    const production = finite(prod[metric]);
    if (allowed === undefined || production === null) continue;
    // Worsening in the metric's own direction; negative when the candidate is better.
    const worsening =
      candidate === null ? null : HIGHER_IS_BETTER[metric] ? production - candidate : candidate - production;
    add(
      { kind: 'vs_production', metric: `${metric}.vs_production`, comparison: '<=', threshold: allowed },
      worsening,
      (w) =>
        w <= 0
          ? `${metric} ${fmt(candidate as number)} is no worse than production v${version} (${fmt(production)})`
          : `${metric} ${fmt(candidate as number)} is ${fmt(w)} worse than production v${version} (${fmt(production)}); at most ${allowed} allowed`,
    );
  }
}

function baselineChecks(input: GateInput, add: AddCheck): void {
  for (const [metric, margin] of Object.entries(input.gate.mustBeatBaseline) as [MetricName, number | undefined][]) {
    if (margin === undefined) continue;
    const check = {
      kind: 'baseline' as const,
      metric: `${metric}.vs_baseline`,
      comparison: '>=' as const,
      threshold: margin,
    };
    const baseline = input.baseline;
    if (baseline === undefined || 'failure' in baseline) {
      add(
        check,
        null,
        () => '',
        `${metric} cannot be compared with the linear baseline: ${baseline === undefined ? 'no baseline was trained' : baseline.failure}`,
      );
      continue;
    }
    const candidate = finite(input.metrics[metric]);
    const base = finite(baseline.metrics[metric]);
    // Improvement over the baseline in the metric's own direction.
    const gain =
      candidate === null || base === null ? null : HIGHER_IS_BETTER[metric] ? candidate - base : base - candidate;
    add(
      check,
      gain,
      (g) =>
        `${metric} ${fmt(candidate as number)} against the linear baseline's ${fmt(base as number)}: ${g >= 0 ? 'better' : 'worse'} by ${fmt(Math.abs(g))} (needs >= ${margin} better)`,
    );
  }
}

/**
 * The release gate: absolute floors and ceilings, the change against production, the margin over the linear
 * baseline, fairness bounds, and feature influence (a leak check that blocks; dominance checks that warn unless the
 * model file makes them block). A missing (NaN) value fails its check.
 */
export function evaluateGate(input: GateInput): GateResult {
  const checks: GateCheck[] = [];
  const add: AddCheck = ({ kind, metric, comparison, threshold, severity = 'blocking' }, raw, describe, missing) => {
    const value = finite(raw);
    const passed = value !== null && (comparison === '>=' ? value >= threshold : value <= threshold);
    const description =
      value === null ? (missing ?? `${metric} is missing (needs ${comparison} ${threshold})`) : describe(value);
    checks.push({ kind, metric, comparison, threshold, value, passed, severity, description });
  };
  metricChecks(input, add);
  productionChecks(input, add);
  baselineChecks(input, add);
  fairnessChecks(input, add);
  influenceChecks(input, add);
  const failed = checks.filter((c) => !c.passed && c.severity === 'blocking');
  const warnings = checks.filter((c) => !c.passed && c.severity === 'warning');
  const warned = warnings.map((c) => c.description).join('; ');
  const summary =
    checks.length === 0
      ? 'no gate checks are configured; passed by default'
      : failed.length > 0
        ? `rejected: ${failed.map((c) => c.description).join('; ')}${warned === '' ? '' : `; warnings: ${warned}`}`
        : warned === ''
          ? `all ${checks.length} checks passed`
          : `passed with warnings: ${warned}`;
  return { passed: failed.length === 0, checks, summary };
}
