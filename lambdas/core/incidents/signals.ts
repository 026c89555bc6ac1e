/**
 * What an alarm says about a model, placed on the causal chain of an ML alert storm (issue 22). An upstream data change
 * shows up as drift of the inputs, then as a shift of the predictions, then as lost accuracy — estimated first, realized
 * once ground truth arrives; errors and latency are a branch of their own, fed by the platform beneath (the registry,
 * the API) and by serving's loading of versions. The most upstream member of a storm is the likely source.
 */

export const QUALITY_CHAIN = ['data', 'input_drift', 'prediction_drift', 'estimated_decay', 'realized_decay'] as const;
export const SERVING_CHAIN = ['platform', 'serving_load', 'errors', 'latency', 'no_traffic'] as const;

export type QualitySignal = (typeof QUALITY_CHAIN)[number];
export type ServingSignal = (typeof SERVING_CHAIN)[number];
/** `pipeline`: a training run failed or timed out (its own branch: it affects what may be promoted, not what is served). */
export type SignalKind = QualitySignal | ServingSignal | 'pipeline' | 'release';

export const SIGNAL_KINDS = [...QUALITY_CHAIN, ...SERVING_CHAIN, 'pipeline', 'release'] as const;

export type Branch = 'quality' | 'serving' | 'pipeline' | 'release';

export function branchOf(kind: SignalKind): Branch {
  if ((QUALITY_CHAIN as readonly string[]).includes(kind)) return 'quality';
  if ((SERVING_CHAIN as readonly string[]).includes(kind)) return 'serving';
  return kind === 'pipeline' ? 'pipeline' : 'release';
}

/** Position on its branch: 0 is the most upstream. */
export function rankOf(kind: SignalKind): number {
  const quality = (QUALITY_CHAIN as readonly string[]).indexOf(kind);
  if (quality >= 0) return quality;
  const serving = (SERVING_CHAIN as readonly string[]).indexOf(kind);
  return serving >= 0 ? serving : 0;
}

/**
 * An alarm of the stack as the incident logic knows it: its model (null for a stack-wide alarm: the registry, the
 * API, the upload queue) and its kind. The stack writes this catalogue when it is synthesized, so every alarm it
 * declares is known by name.
 */
export interface AlarmSignal {
  readonly alarmName: string;
  readonly model: string | null;
  readonly kind: SignalKind;
}

export const SIGNAL_LABELS: Record<SignalKind, string> = {
  data: 'data or schema anomaly',
  input_drift: 'input drift',
  prediction_drift: 'prediction drift',
  estimated_decay: 'estimated performance decay',
  realized_decay: 'realized performance decay',
  platform: 'platform failure',
  serving_load: 'serving cannot load its version',
  errors: 'serving errors',
  latency: 'latency',
  no_traffic: 'no traffic',
  pipeline: 'failed training run',
  release: 'release in progress',
};
