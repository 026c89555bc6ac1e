/** Metric names the gate understands; classification and regression metrics share one namespace. */
export const METRIC_NAMES = [
  'accuracy',
  'precision',
  'recall',
  'f1',
  'roc_auc',
  'log_loss',
  'rmse',
  'mae',
  'r2',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** Direction of each metric, for comparisons against production and the baseline. */
export const HIGHER_IS_BETTER: Record<MetricName, boolean> = {
  accuracy: true,
  precision: true,
  recall: true,
  f1: true,
  roc_auc: true,
  log_loss: false,
  rmse: false,
  mae: false,
  r2: true,
};
