import type { ModelConfig } from './model-config.js';
import type { Metrics } from './metrics.js';

export interface GateCheck {
  readonly metric: string;
  readonly comparison: '>=' | '<=';
  readonly threshold: number;
  readonly value: number | null;
  readonly passed: boolean;
}

export interface GateResult {
  readonly passed: boolean;
  readonly checks: GateCheck[];
  /** One line a person can read: why the candidate was rejected, or that every check passed. */
  readonly summary: string;
}

/** Checks metrics against the floors and ceilings in the model file. A missing or NaN metric fails its check. */
export function evaluateGate(metrics: Metrics, gate: ModelConfig['gate']): GateResult {
  const checks: GateCheck[] = [];
  const add = (metric: string, comparison: '>=' | '<=', threshold: number): void => {
    const raw = metrics[metric];
    const value = raw === undefined || Number.isNaN(raw) ? null : raw;
    const passed = value !== null && (comparison === '>=' ? value >= threshold : value <= threshold);
    checks.push({ metric, comparison, threshold, value, passed });
  };
  for (const [metric, threshold] of Object.entries(gate.minimums)) if (threshold !== undefined) add(metric, '>=', threshold);
  for (const [metric, threshold] of Object.entries(gate.maximums)) if (threshold !== undefined) add(metric, '<=', threshold);
  const failed = checks.filter((check) => !check.passed);
  const describe = (c: GateCheck): string =>
    `${c.metric} ${c.value === null ? 'is missing' : c.value.toFixed(4)} (needs ${c.comparison} ${c.threshold})`;
  const summary =
    checks.length === 0
      ? 'no gate checks are configured; passed by default'
      : failed.length === 0
        ? `all ${checks.length} checks passed: ${checks.map(describe).join(', ')}`
        : `rejected: ${failed.map(describe).join('; ')}`;
  return { passed: failed.length === 0, checks, summary };
}
